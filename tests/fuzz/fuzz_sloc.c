/* fuzz_sloc.c: libFuzzer harness for the sloc engine: C, Python, CoffeeScript
 * and nim syntaxes (the nim quirk included) on arbitrary bytes, plus the
 * non-empty line count; empty lines never exceed the total. */
#include <stdlib.h>
#include <string.h>

#include "sloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static SlocLang *langs[4];
    if (!langs[0]) {
        char err[128];
        sloc_lang_new("//", "/*+", "*/", 0, &langs[0], err, sizeof err);
        sloc_lang_new("#", "\"\"\"|'''", "\"\"\"|'''", 0, &langs[1], err, sizeof err);
        sloc_lang_new("#[^{]", "###", "###", 0, &langs[2], err, sizeof err);
        sloc_lang_new(NULL, "##", NULL, SLOC_QUIRK_NIM, &langs[3], err, sizeof err);
    }
    char *text = malloc(size + 1);
    for (int i = 0; i < 4; i++) {
        memcpy(text, data, size);
        size_t n = sloc_normalize(text, size);
        SlocCounts c;
        if (sloc_count(langs[i], text, n, &c) == 0 && c.empty > c.total) {
            abort();
        }
    }
    if (sloc_nonempty_lines((const char *)data, size) > (int64_t)size) {
        abort();
    }
    free(text);
    return 0;
}
