/* embedded_find.c: lookup in the generated table of embedded files. Kept
 * apart from the generated source so the table stays pure data. */
#include <string.h>

#include "embedded.h"

const EmbeddedFile *embedded_find(const char *name)
{
    size_t lo = 0, hi = embedded_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, embedded_files[mid].name);
        if (c == 0) {
            return &embedded_files[mid];
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}
