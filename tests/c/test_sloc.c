/* test_sloc.c: cmocka suite for sloc.c/sloc_file.c: token patterns, the
 * counting engine on cases whose expected counts come from the real sloc
 * 0.3.2 (quirks included), JavaScript whitespace, node's extname and file
 * reading (binary sniffing, directories, FIFOs, missing files) in a mkdtemp
 * directory. Depends on cmocka and sloc.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sloc.h"

#define TMPDIR_TEMPLATE "/tmp/test_sloc.XXXXXX"
#include "tmpdir_fixture.h"

static SlocLang *lang(const char *single, const char *start, const char *stop, int quirk)
{
    SlocLang *l = NULL;
    char err[256];
    assert_int_equal(sloc_lang_new(single, start, stop, quirk, &l, err, sizeof err), 0);
    return l;
}

/* Counts text (copied and normalized) with l; fills c. */
static void count(const SlocLang *l, const char *text, SlocCounts *c)
{
    char *copy = strdup(text);
    size_t n = sloc_normalize(copy, strlen(copy));
    assert_int_equal(sloc_count(l, copy, n, c), 0);
    free(copy);
}

static void expect(const SlocLang *l, const char *text, int64_t total, int64_t source, int64_t comment,
                   int64_t single, int64_t block, int64_t mixed, int64_t empty, int64_t block_empty)
{
    SlocCounts c;
    count(l, text, &c);
    assert_int_equal(c.total, total);
    assert_int_equal(c.source, source);
    assert_int_equal(c.comment, comment);
    assert_int_equal(c.single, single);
    assert_int_equal(c.block, block);
    assert_int_equal(c.mixed, mixed);
    assert_int_equal(c.empty, empty);
    assert_int_equal(c.block_empty, block_empty);
}

static void test_bad_patterns(void **state)
{
    (void)state;
    SlocLang *l = NULL;
    char err[256];
    assert_int_equal(sloc_lang_new("a|", NULL, NULL, 0, &l, err, sizeof err), EINVAL);
    assert_non_null(strstr(err, "empty alternative"));
    assert_int_equal(sloc_lang_new("+a", NULL, NULL, 0, &l, err, sizeof err), EINVAL);
    assert_int_equal(sloc_lang_new(NULL, "[ab", NULL, 0, &l, err, sizeof err), EINVAL);
    assert_null(l);
}

/* Expected figures printed by sloc 0.3.2 (node) for the same inputs. */
static void test_c_family(void **state)
{
    (void)state;
    SlocLang *c = lang("//", "/*+", "*/", 0);
    expect(c, "int a; // c\n/* x\n\n y */\n\nint b;\n", 6, 2, 4, 1, 3, 1, 2, 1);
    expect(c, "a\n/*\nb\n", 3, 3, 0, 0, 0, 0, 0, 0); /* unterminated: detection ends */
    SlocCounts r;
    count(c, "a\r\n/**/\r\nb\r\n// c\r\n", &r); /* the opening slash-star-star swallows the stop's star */
    assert_true(r.error);
    assert_int_equal(r.source, 4);
    expect(c, "", 1, 0, 0, 0, 0, 0, 1, 0);
    sloc_lang_free(c);
}

static void test_python_coffee_nim(void **state)
{
    (void)state;
    SlocLang *py = lang("#", "\"\"\"|'''", "\"\"\"|'''", 0);
    expect(py, "\"\"\"\ndoc\n\"\"\"\nx = 1 # c\n", 4, 1, 4, 1, 3, 1, 0, 0);
    SlocLang *coffee = lang("#[^{]", "###", "###", 0);
    expect(coffee, "x = 1\n#\ny = 2\n# z\n", 4, 2, 2, 2, 0, 0, 0, 0);
    SlocLang *nim = lang(NULL, "##", NULL, SLOC_QUIRK_NIM);
    expect(nim, "a # b\n## doc\n#! x\nc\n", 4, 3, 2, 1, 1, 1, 0, 0);
    SlocLang *monkey = lang("'", "(?i)#rem", "(?i)#end", 0);
    expect(monkey, "#REM\nx\n#End\ny\n", 4, 1, 3, 0, 3, 0, 0, 0);
    sloc_lang_free(py);
    sloc_lang_free(coffee);
    sloc_lang_free(nim);
    sloc_lang_free(monkey);
}

static void test_whitespace_and_normalize(void **state)
{
    (void)state;
    /* NBSP, U+3000 and a BOM are whitespace; U+0085 is not */
    const char *ws = "a\n\xc2\xa0\n\xe3\x80\x80\n\xef\xbb\xbf\n\xc2\x85\n \t\r\n";
    assert_int_equal(sloc_nonempty_lines(ws, strlen(ws)), 2);
    assert_int_equal(sloc_nonempty_lines("", 0), 0);
    char t[] = "a\r\nb\rc\n\n";
    assert_int_equal(sloc_normalize(t, strlen(t)), 6);
    assert_memory_equal(t, "a\nb\nc\n", 6);
}

static void test_extname(void **state)
{
    (void)state;
    char e[16];
    const char *cases[][2] = {{"a.ts", "ts"}, {"x/a.b.TSX", "tsx"}, {".bashrc", ""}, {"..foo", "foo"},
                              {"a.", ""}, {"dir.x/file", ""}, {"...", ""}, {"a..b", "b"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sloc_extname(cases[i][0], e, sizeof e);
        assert_string_equal(e, cases[i][1]);
    }
}

static void write_file(const char *name, const char *data, size_t len)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_count_path(void **state)
{
    (void)state;
    SlocLang *c = lang("//", "/*+", "*/", 0);
    SlocBuf buf = {0};
    char p[128], err[128];
    int64_t n;
    SlocFileKind kind;
    write_file("a.c", "int a;\n// c\nint b;\n", 19);
    snprintf(p, sizeof p, "%s/a.c", tmpdir);
    assert_int_equal(sloc_count_path(p, c, true, &buf, &n, &kind, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sloc_count_path(p, NULL, true, &buf, &n, &kind, err, sizeof err), 0);
    assert_int_equal(n, 3);
    write_file("bin", "a\0b\nc\n", 6);
    snprintf(p, sizeof p, "%s/bin", tmpdir);
    assert_int_equal(sloc_count_path(p, NULL, true, &buf, &n, &kind, err, sizeof err), 0);
    assert_int_equal(kind, SLOC_BINARY);
    assert_int_equal(sloc_count_path(p, NULL, false, &buf, &n, &kind, err, sizeof err), 0);
    assert_int_equal(kind, SLOC_COUNTED);
    assert_int_equal(n, 2);
    /* a NUL after the sniffed bytes does not make a file binary */
    char *big = calloc(1, SLOC_SNIFF_BYTES + 10);
    memset(big, 'x', SLOC_SNIFF_BYTES + 9);
    write_file("late", big, SLOC_SNIFF_BYTES + 10);
    free(big);
    snprintf(p, sizeof p, "%s/late", tmpdir);
    assert_int_equal(sloc_count_path(p, NULL, true, &buf, &n, &kind, err, sizeof err), 0);
    assert_int_equal(kind, SLOC_COUNTED);
    assert_int_equal(sloc_count_path(tmpdir, NULL, true, &buf, &n, &kind, err, sizeof err), EISDIR);
    snprintf(p, sizeof p, "%s/missing", tmpdir);
    assert_int_equal(sloc_count_path(p, NULL, true, &buf, &n, &kind, err, sizeof err), ENOENT);
    assert_string_equal(err, "No such file or directory");
    snprintf(p, sizeof p, "%s/fifo", tmpdir);
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(sloc_count_path(p, NULL, true, &buf, &n, &kind, err, sizeof err), EINVAL);
    assert_string_equal(err, "not a regular file");
    sloc_buf_free(&buf);
    sloc_lang_free(c);
}

/* Long inputs stay linear (cached searches) and exact. */
static void test_many_comments(void **state)
{
    (void)state;
    SlocLang *c = lang("//", "/*+", "*/", 0);
    size_t n = 200000;
    char *t = malloc(n * 12 + 16);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)sprintf(t + len, "x; // %zu\n", i % 10);
    }
    len += (size_t)sprintf(t + len, "/* end */");
    SlocCounts r;
    assert_int_equal(sloc_count(c, t, len, &r), 0);
    assert_int_equal(r.total, (int64_t)n + 1);
    assert_int_equal(r.source, (int64_t)n);
    free(t);
    sloc_lang_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_patterns),
        cmocka_unit_test(test_c_family),
        cmocka_unit_test(test_python_coffee_nim),
        cmocka_unit_test(test_whitespace_and_normalize),
        cmocka_unit_test(test_extname),
        cmocka_unit_test(test_count_path),
        cmocka_unit_test(test_many_comments),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
