/* test_glob.c: cmocka suite for glob.c and glob_path.c: a table of
 * pattern/path cases for every dialect feature (stars, globstars at start,
 * middle and end, ?, classes, nested braces, escapes, dotfile rules,
 * literals), ordered matching with negation and re-inclusion, the pruning
 * helpers (under, covers, descend) and path normalization. Depends on
 * cmocka and glob.h only. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "glob.h"

typedef struct Case {
    const char *pattern;
    const char *path;
    bool match;
} Case;

static const Case cases[] = {
    /* * within one segment */
    {"*.c", "a.c", true},
    {"*.c", "a.b.c", true},
    {"*.c", "dir/a.c", false},
    {"*.c", "a.h", false},
    {"*.C", "a.c", false}, /* case-sensitive */
    {"a/*.c", "a/b.c", true},
    {"a/*.c", "a/b/c.c", false},
    {"a/*/c", "a/b/c", true},
    {"*a*", "xay", true},
    {"*a*b", "aaab", true},
    {"a*b*c", "abbbcbc", true},
    {"a*b*c", "abbbcb", false},
    {"*.gz", "x.tar.gz", true},
    {"*", "abc", true},
    {"*", "a/b", false},
    {"a**b", "axyb", true},      /* ** inside a segment is a plain * */
    {"a**b", "ax/yb", false},
    /* ** as a whole segment */
    {"**", "a", true},
    {"**", "a/b/c", true},
    {"**/*.c", "a.c", true},     /* ** at start: zero segments */
    {"**/*.c", "x/y/z.c", true},
    {"**/*.c", "x/y/z.h", false},
    {"a/**/b", "a/b", true},     /* ** in the middle */
    {"a/**/b", "a/x/y/b", true},
    {"a/**/b", "a/x/y/c", false},
    {"a/**/b", "b", false},
    {"src/**", "src/a/b.c", true}, /* ** at end */
    {"src/**", "src/a.c", true},
    {"src/**", "src", true},     /* micromatch: a trailing ** may be empty */
    {"src/**", "srcx/a.c", false},
    {"src/**", "lib/src/a.c", false},
    {"**/a/**", "a", true},
    {"**/a/**", "x/a/y/z", true},
    {"**/node_modules/**", "p/node_modules/x/y.js", true},
    {"a/**/**/b", "a/b", true},
    {"**/**/x", "x", true},
    {"a/**/b/**/c", "a/b/x/b/y/c", true},
    {"a/**/b/**/c", "a/b/x/b/y/d", false},
    {"**/*", "a/b", true},
    /* ? */
    {"?.c", "a.c", true},
    {"?.c", "ab.c", false},
    {"?.c", "\xc3\xa9.c", true}, /* one UTF-8 character */
    {"a?c", "a/c", false},
    {"???", "abc", true},
    {"???", "ab", false},
    /* classes */
    {"[abc].c", "b.c", true},
    {"[abc].c", "d.c", false},
    {"[a-c]x", "bx", true},
    {"[a-c]x", "dx", false},
    {"[!a]x", "ax", false},
    {"[!a]x", "bx", true},
    {"[^a]x", "bx", true},
    {"[^a]x", "ax", false},
    {"[]]x", "]x", true},
    {"[a\\]]x", "]x", true},
    {"[a-]x", "-x", true},
    {"[[:digit:]]*", "1abc", true},
    {"[[:digit:]]*", "abc", false},
    {"[[:upper:]][[:lower:]]", "Ab", true},
    {"[\xc3\xa9]", "\xc3\xa9", true},
    {"[abc", "[abc", true},      /* unclosed: literal */
    {"[abc", "a", false},
    {"a[", "a[", true},
    /* braces */
    {"{a,b}.c", "a.c", true},
    {"{a,b}.c", "b.c", true},
    {"{a,b}.c", "c.c", false},
    {"*.{js,ts}", "x.ts", true},
    {"*.{js,ts}", "x.js", true},
    {"*.{js,ts}", "x.tsx", false},
    {"{a,{b,c}}/x", "c/x", true},
    {"{a,{b,c}}/x", "a/x", true},
    {"{a,{b,c}}/x", "d/x", false},
    {"{a,b/c}/d", "b/c/d", true},
    {"a{,/**}", "a", true},
    {"a{,/**}", "a/b/c", true},
    {"src/{a,b}/**/*.{c,h}", "src/b/x/y.h", true},
    {"src/{a,b}/**/*.{c,h}", "src/c/x/y.h", false},
    {"{a}", "{a}", true},        /* no comma: literal */
    {"{a}", "a", false},
    {"a{b", "a{b", true},
    {"{a\\,b,c}", "a,b", true},
    /* escapes */
    {"\\*.c", "*.c", true},
    {"\\*.c", "a.c", false},
    {"a\\?", "a?", true},
    {"a\\?", "ab", false},
    {"\\[a]", "[a]", true},
    {"\\[a]", "a", false},
    {"\\{a,b\\}", "{a,b}", true},
    {"\\{a,b\\}", "a", false},
    {"a\\*b*", "a*bc", true},
    /* dotfiles */
    {"*", ".env", false},
    {"*.c", ".c", false},
    {"?env", ".env", false},
    {"[.]env", ".env", false},
    {"**", ".a", false},
    {"**", "a/.b", false},
    {"**/*.c", ".x/z.c", false},
    {"**/*.c", "x/.y/z.c", false},
    {"src/**", "src/.git/x", false},
    {"a/**/b", "a/.x/b", false},
    {"a/*/c", "a/.b/c", false},
    {".*", ".env", true},
    {".*", ".", false},
    {".*", "..", false},
    {"\\.*", ".env", true},
    {".env", ".env", true},
    {"**/.env", "a/b/.env", true},
    {"a/.*/c", "a/.b/c", true},
    {".x/**/*.c", ".x/y/z.c", true},
    {"**/.y/*.c", "x/.y/z.c", true},
    {".{a,b}", ".b", true},
    {"{.a,b}", ".a", true},
    /* literals and normalization of the pattern */
    {"src/a.c", "src/a.c", true},
    {"src/a.c", "src/a.c/x", false},
    {"src", "src/a.c", false},
    {"./src/*.c", "src/a.c", true},
    {"././src/*.c", "src/a.c", true},
    {"/abs/*.c", "/abs/x.c", true},
    {"../lib/*.c", "../lib/x.c", true},
    {"*/lib/*.c", "../lib/x.c", false}, /* * never matches .. */
    {"**/x.c", "../x.c", false},
};

static void test_table(void **state)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Glob *g = NULL;
        char err[256];
        assert_int_equal(glob_compile(cases[i].pattern, &g, err, sizeof err), 0);
        bool got = glob_match(g, cases[i].path, strlen(cases[i].path));
        if (got != cases[i].match) {
            fprintf(stderr, "case %zu: '%s' vs '%s': expected %d, got %d\n", i,
                    cases[i].pattern, cases[i].path, cases[i].match, got);
            failures++;
        }
        assert_false(glob_negated(g));
        glob_free(g);
    }
    assert_int_equal(failures, 0);
}

static void test_negation_prefix(void **state)
{
    Glob *g = NULL;
    char err[256];
    assert_int_equal(glob_compile("!./dist/**", &g, err, sizeof err), 0);
    assert_true(glob_negated(g));
    assert_true(glob_match(g, "dist/a.js", 9)); /* the body matches */
    glob_free(g);
    assert_int_equal(glob_compile("!!a", &g, err, sizeof err), 0);
    assert_false(glob_negated(g)); /* double negation */
    assert_true(glob_match(g, "a", 1));
    glob_free(g);
}

static void test_has_magic(void **state)
{
    assert_true(glob_has_magic("*.c"));
    assert_true(glob_has_magic("a?"));
    assert_true(glob_has_magic("[a"));
    assert_true(glob_has_magic("a]"));
    assert_true(glob_has_magic("{a"));
    assert_true(glob_has_magic("a}"));
    assert_false(glob_has_magic("src/main.c"));
    assert_false(glob_has_magic("node_modules"));
}

static void test_too_many_alternatives(void **state)
{
    /* 2^13 = 8192 alternatives > GLOB_MAX_ALTS */
    const char *p = "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}";
    Glob *g = NULL;
    char err[256] = "";
    assert_int_equal(glob_compile(p, &g, err, sizeof err), E2BIG);
    assert_null(g);
    assert_non_null(strstr(err, "brace alternatives"));
    /* 2^12 = 4096 is still fine */
    assert_int_equal(glob_compile(p + 5, &g, err, sizeof err), 0);
    assert_true(glob_match(g, "abababababab", 12));
    glob_free(g);
}

static GlobSet *set_of(const char *const *pats, size_t n)
{
    GlobSet *s = NULL;
    char err[256];
    assert_int_equal(globset_compile(pats, n, NULL, &s, err, sizeof err), 0);
    return s;
}

static bool om(const GlobSet *s, const char *path)
{
    return globset_match(s, path, strlen(path));
}

static void test_ordered(void **state)
{
    const char *p1[] = {"**/*.c"};
    GlobSet *s = set_of(p1, 1);
    assert_true(om(s, "a.c"));
    assert_false(om(s, "a.h")); /* a positive pattern: start excluded */
    globset_free(s);

    const char *p2[] = {"!**/*.test.c"};
    s = set_of(p2, 1);
    assert_true(om(s, "a.c"));  /* all negated: start included */
    assert_true(om(s, "x/README"));
    assert_false(om(s, "x/a.test.c"));
    globset_free(s);

    const char *p3[] = {"src/**", "!src/gen/**", "src/gen/keep.c"};
    s = set_of(p3, 3);
    assert_true(om(s, "src/a.c"));
    assert_false(om(s, "src/gen/x.c"));
    assert_true(om(s, "src/gen/keep.c")); /* re-included after the negation */
    assert_false(om(s, "lib/a.c"));
    globset_free(s);

    const char *p4[] = {"!src/gen/**", "src/**"};
    s = set_of(p4, 2);
    assert_true(om(s, "src/gen/x.c")); /* last match wins */
    globset_free(s);

    s = set_of(NULL, 0);
    assert_true(om(s, "anything")); /* no patterns: everything */
    globset_free(s);

    const char *p5[] = {"!a", "!b"};
    s = set_of(p5, 2);
    assert_false(om(s, "a"));
    assert_false(om(s, "b"));
    assert_true(om(s, "c"));
    globset_free(s);

    const char *p6[] = {"./src/**", "!./src/x.c"};
    s = set_of(p6, 2);
    assert_true(om(s, "src/y.c"));
    assert_false(om(s, "src/x.c"));
    globset_free(s);
}

static bool desc(const GlobSet *s, const char *dir)
{
    return globset_descend(s, dir, strlen(dir));
}

static void test_descend(void **state)
{
    const char *p1[] = {"src/**/*.c"};
    GlobSet *s = set_of(p1, 1);
    assert_true(desc(s, ""));
    assert_true(desc(s, "src"));
    assert_true(desc(s, "src/x"));
    assert_false(desc(s, "lib"));
    globset_free(s);

    const char *p2[] = {"**/*.c", "!node_modules/**"};
    s = set_of(p2, 2);
    assert_false(desc(s, "node_modules"));
    assert_true(desc(s, "a"));
    assert_false(desc(s, ".git")); /* ** cannot enter dot directories */
    globset_free(s);

    const char *p3[] = {"**/*.c", "!vendor/**", "vendor/keep/**"};
    s = set_of(p3, 3);
    assert_true(desc(s, "vendor"));        /* a later positive reaches below */
    assert_false(desc(s, "vendor/other"));
    assert_true(desc(s, "vendor/keep"));
    globset_free(s);

    const char *p4[] = {"!dist/**"};
    s = set_of(p4, 1);
    assert_false(desc(s, "dist"));
    assert_true(desc(s, "src"));
    globset_free(s);

    const char *p5[] = {"../lib/**", "src/*.c"};
    s = set_of(p5, 2);
    assert_true(desc(s, ".."));
    assert_true(desc(s, "../lib"));
    assert_false(desc(s, "../other"));
    assert_int_equal(globset_updirs(s), 1);
    globset_free(s);

    const char *p6[] = {"../../x/*", "!../../../y", "a"};
    s = set_of(p6, 3);
    assert_int_equal(globset_updirs(s), 2); /* negations do not count */
    globset_free(s);
}

static void test_under_covers(void **state)
{
    struct {
        const char *pattern, *dir;
        bool under, covers;
    } t[] = {
        {"*.c", "", true, false},
        {"*.c", "src", false, false},
        {"src/*.c", "src", true, false},
        {"src/*.c", "src/a", false, false},
        {"**/x", ".git", false, false},
        {".git/**", ".git", true, true},
        {"src/**", "src", true, true},
        {"src/**", "src/a/b", true, true},
        {"src/**", "lib", false, false},
        {"src/**/*.c", "src", true, false},
        {"{a,b}/**", "b", true, true},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        Glob *g = NULL;
        char err[256];
        assert_int_equal(glob_compile(t[i].pattern, &g, err, sizeof err), 0);
        size_t n = strlen(t[i].dir);
        if (glob_match_under(g, t[i].dir, n) != t[i].under
            || glob_covers(g, t[i].dir, n) != t[i].covers) {
            fail_msg("'%s' on dir '%s'", t[i].pattern, t[i].dir);
        }
        glob_free(g);
    }
}

static void test_normalize(void **state)
{
    char a[] = "./a\\b\\c.c", b[] = "././x", c[] = "../x", d[] = ".x/y", e[] = "./";
    assert_int_equal(glob_normalize(a), 7);
    assert_string_equal(a, "a/b/c.c");
    glob_normalize(b);
    assert_string_equal(b, "x");
    glob_normalize(c);
    assert_string_equal(c, "../x");
    glob_normalize(d);
    assert_string_equal(d, ".x/y");
    glob_normalize(e);
    assert_string_equal(e, "");
}

static void test_abspath_relativize(void **state)
{
    char *p = glob_abspath("/a/./b/../c//d/");
    assert_string_equal(p, "/a/c/d");
    free(p);
    p = glob_abspath("/..");
    assert_string_equal(p, "/");
    free(p);
    char cwd[4096], want[4200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(want, sizeof want, "%s/x", strcmp(cwd, "/") ? cwd : "");
    p = glob_abspath("./x");
    assert_string_equal(p, want);
    free(p);

    struct {
        const char *path, *base;
        bool pattern;
        const char *want;
    } t[] = {
        {"/a/b/c", "/a/b", false, "c"},
        {"/a/x", "/a/b", false, "../x"},
        {"/a/b", "/a/b", false, ""},
        {"/a", "/a/b", false, ".."},
        {"/a/b/./c/../d", "/a/b", false, "d"},
        {"rel/x", "/a/b", false, "rel/x"},
        {"/x/y", "/", false, "x/y"},
        {"/a/b/**/*.c", "/a/b", true, "**/*.c"},
        {"/a/*/c", "/a/b", true, "../*/c"},
        {"/a/lib/*.c", "/a/b", true, "../lib/*.c"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *r = glob_relativize(t[i].path, t[i].base, t[i].pattern);
        assert_non_null(r);
        if (strcmp(r, t[i].want) != 0) {
            fail_msg("relativize '%s' to '%s': got '%s', want '%s'", t[i].path, t[i].base, r,
                     t[i].want);
        }
        free(r);
    }
}

static void test_absolute_patterns_in_set(void **state)
{
    const char *pats[] = {"/repo/app/src/**", "!/repo/app/src/gen/**", "/repo/lib/*.c"};
    GlobSet *s = NULL;
    char err[256];
    assert_int_equal(globset_compile(pats, 3, "/repo/app", &s, err, sizeof err), 0);
    assert_true(om(s, "src/a.c"));
    assert_false(om(s, "src/gen/a.c"));
    assert_true(om(s, "../lib/x.c"));
    assert_int_equal(globset_updirs(s), 1);
    globset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_negation_prefix),
        cmocka_unit_test(test_has_magic),
        cmocka_unit_test(test_too_many_alternatives),
        cmocka_unit_test(test_ordered),
        cmocka_unit_test(test_descend),
        cmocka_unit_test(test_under_covers),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_abspath_relativize),
        cmocka_unit_test(test_absolute_patterns_in_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
