/* test_covdata.c: cmocka suite for covdata.c and linescan.c: marks (paged
 * bitmaps, sparse keys), keyed maxima, sums, merging, transactions, clear;
 * the LCOV-style record scanner (records, summaries, truncation, long
 * lines, threads) and the Go coverprofile scanner (dedup, errors), on files
 * in a mkdtemp directory. Depends on cmocka, covdata.h and linescan.h. */
#define _GNU_SOURCE
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

#include "covdata.h"
#include "linescan.h"

#define TMPDIR_TEMPLATE "/tmp/test_covdata.XXXXXX"
#include "tmpdir_fixture.h"

static void totals(CovData *cd, unsigned kind, uint32_t file, double *t, double *c)
{
    size_t n = covdata_nfiles(cd);
    double *buf = calloc(2 * (n ? n : 1), sizeof *buf);
    covdata_totals(cd, kind, buf, buf + n);
    *t = buf[file];
    *c = buf[n + file];
    free(buf);
}

static void test_marks_entries_sums(void **state)
{
    (void)state;
    CovData *cd = covdata_new();
    uint32_t a, b, a2;
    assert_int_equal(covdata_file(cd, "a.c", 3, &a), 0);
    assert_int_equal(covdata_file(cd, "b.c", 3, &b), 0);
    assert_int_equal(covdata_file(cd, "a.c", 3, &a2), 0);
    assert_int_equal(a, a2);
    assert_int_equal(covdata_mark(cd, a, 0, 1, true), 0);
    assert_int_equal(covdata_mark(cd, a, 0, 1, false), 0);
    assert_int_equal(covdata_mark(cd, a, 0, 4000000000u, false), 0); /* sparse */
    assert_int_equal(covdata_mark(cd, b, 0, 7, true), 0);
    assert_int_equal(covdata_mark(cd, a, 9, 1, true), EINVAL);
    assert_int_equal(covdata_entry(cd, a, 1, "3,0,1", 5, 1, 0), 0);
    assert_int_equal(covdata_entry(cd, a, 1, "3,0,1", 5, 1, 1), 0);
    assert_int_equal(covdata_entry(cd, a, 1, "3,0,1", 5, 1, 0), 0);
    assert_int_equal(covdata_entry(cd, b, 1, "3,0,1", 5, 2, 0), 0);
    assert_int_equal(covdata_add(cd, a, 2, 4, 3), 0);
    double t, c;
    totals(cd, 0, a, &t, &c);
    assert_true(t == 2 && c == 1);
    totals(cd, 0, b, &t, &c);
    assert_true(t == 1 && c == 1);
    totals(cd, 1, a, &t, &c);
    assert_true(t == 1 && c == 1);
    totals(cd, 1, b, &t, &c);
    assert_true(t == 2 && c == 0);
    totals(cd, 2, a, &t, &c);
    assert_true(t == 4 && c == 3);
    size_t len;
    assert_memory_equal(covdata_file_name(cd, b, &len), "b.c", 3);
    covdata_clear(cd);
    assert_int_equal(covdata_nfiles(cd), 0);
    covdata_free(cd);
}

static void test_merge_and_transactions(void **state)
{
    (void)state;
    CovData *x = covdata_new(), *y = covdata_new();
    uint32_t fx, fy, fz;
    covdata_file(x, "f", 1, &fx);
    covdata_mark(x, fx, 0, 10, false);
    covdata_file(y, "g", 1, &fz);
    covdata_file(y, "f", 1, &fy);
    covdata_mark(y, fy, 0, 10, true);
    covdata_mark(y, fz, 0, 3, false);
    covdata_entry(y, fy, 1, "k", 1, 1, 1);
    covdata_add(y, fz, 2, 2, 1);
    assert_int_equal(covdata_merge(x, y), 0);
    assert_int_equal(covdata_nfiles(x), 2);
    double t, c;
    totals(x, 0, fx, &t, &c);
    assert_true(t == 1 && c == 1);
    totals(x, 1, fx, &t, &c);
    assert_true(t == 1 && c == 1);
    /* a rolled-back transaction leaves no trace; a committed one stays */
    covdata_begin(x);
    covdata_mark(x, fx, 0, 11, true);
    covdata_mark(x, fx, 0, 5000, true);
    covdata_entry(x, fx, 1, "k", 1, 5, 5);
    covdata_entry(x, fx, 1, "new", 3, 1, 1);
    covdata_rollback(x);
    totals(x, 0, fx, &t, &c);
    assert_true(t == 1 && c == 1);
    totals(x, 1, fx, &t, &c);
    assert_true(t == 1 && c == 1);
    covdata_begin(x);
    covdata_mark(x, fx, 0, 11, false);
    covdata_commit(x);
    totals(x, 0, fx, &t, &c);
    assert_true(t == 2 && c == 1);
    /* clear after a big accumulator stays usable */
    for (uint32_t i = 0; i < 100000; i++) {
        char k[16];
        int n = snprintf(k, sizeof k, "%u", i);
        covdata_entry(x, fx, 3, k, (size_t)n, 1, 0);
    }
    covdata_clear(x);
    covdata_file(x, "h", 1, &fx);
    covdata_entry(x, fx, 3, "1", 1, 1, 1);
    totals(x, 3, fx, &t, &c);
    assert_true(t == 1 && c == 1);
    covdata_free(x);
    covdata_free(y);
}

static const char *write_tmp(const char *name, const char *data, size_t len)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return p;
}

static LineRules lcov_rules(void)
{
    LineRules r;
    memset(&r, 0, sizeof r);
    LineRule list[] = {
        {"sf", 2, LS_RECORD, 0, 0, 0, 0, false, false},
        {"end_of_record", 13, LS_END, 0, 0, 0, 0, false, false},
        {"da", 2, LS_MARK, 0, 1, 1, 2, false, false},
        {"brda", 4, LS_ENTRY, 1, 1, -2, -1, false, false},
        {"fn", 2, LS_ENTRY, 2, 2, -1, 0, true, false},
        {"fnda", 4, LS_ENTRY, 2, 2, -1, 1, false, false},
        {"lf", 2, LS_SUMMARY, 0, 0, 0, 0, false, false},
        {"lh", 2, LS_SUMMARY, 0, 0, 0, 0, false, true},
    };
    memcpy(r.rules, list, sizeof list);
    r.n = sizeof list / sizeof list[0];
    return r;
}

static void sum(CovData *cd, unsigned kind, double *t, double *c)
{
    size_t n = covdata_nfiles(cd);
    double *buf = calloc(2 * (n ? n : 1), sizeof *buf);
    covdata_totals(cd, kind, buf, buf + n);
    *t = *c = 0;
    for (size_t i = 0; i < n; i++) {
        *t += buf[i];
        *c += buf[n + i];
    }
    free(buf);
}

static void test_records(void **state)
{
    (void)state;
    LineRules rules = lcov_rules();
    const char *text = "TN:\nSF:src/a.c\nDA:1,1\nDA:2,0\nDA:3,4\nDA:4,1\nDA:5,1\nBRDA:3,0,0,1\nBRDA:3,0,1,0\n"
                       "BRDA:4,0,0,-\nBRDA:4,0,1,0\nFN:1,main\nFNDA:2,main\nend_of_record\n"
                       "SF:b.c\nLF:10\nLH:5\nend_of_record\nSF:c.c\nDA:x,1\nDA:1\nDA:9,1";
    const char *p = write_tmp("a.info", text, strlen(text));
    CovData *cd = covdata_new();
    LineStats st;
    char err[128];
    assert_int_equal(linescan_records(p, &rules, cd, 1, &st, err, sizeof err), 0);
    assert_int_equal(st.records, 2);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.malformed, 2);
    double t, c;
    sum(cd, 0, &t, &c);
    assert_true(t == 15 && c == 9); /* 5 DA (4 hit) + LF/LH fallback 10/5 */
    sum(cd, 1, &t, &c);
    assert_true(t == 4 && c == 1);
    sum(cd, 2, &t, &c);
    assert_true(t == 1 && c == 1);
    assert_int_equal(linescan_records(tmpdir, &rules, cd, 1, &st, err, sizeof err), EISDIR);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/none", tmpdir);
    assert_int_equal(linescan_records(missing, &rules, cd, 1, &st, err, sizeof err), ENOENT);
    covdata_free(cd);
}

static void test_long_lines_and_threads(void **state)
{
    (void)state;
    LineRules rules = lcov_rules();
    /* one line longer than the buffer, then a valid record */
    size_t big = LINESCAN_MAX_LINE + 100;
    char *text = malloc(big + 64);
    memset(text, 'z', big);
    strcpy(text + big, "\nSF:a\nDA:1,1\nend_of_record\n");
    const char *p = write_tmp("long.info", text, strlen(text));
    free(text);
    CovData *cd = covdata_new();
    LineStats st;
    char err[128];
    assert_int_equal(linescan_records(p, &rules, cd, 1, &st, err, sizeof err), 0);
    assert_int_equal(st.records, 1);
    assert_int_equal(st.malformed, 1);
    covdata_free(cd);
    /* > 16 MiB: the threaded scan equals the sequential one */
    size_t cap = 40u << 20, len = 0;
    text = malloc(cap);
    for (int rec = 0; len < (34u << 20); rec++) {
        len += (size_t)sprintf(text + len, "SF:f%d.c\n", rec % 101);
        for (int l = 1; l <= 300; l++) {
            len += (size_t)sprintf(text + len, "DA:%d,%d\n", l, (l * rec) % 3);
        }
        len += (size_t)sprintf(text + len, "BRDA:2,0,%d,%d\nend_of_record\n", rec % 5, rec % 2);
    }
    p = write_tmp("big.info", text, len);
    free(text);
    CovData *one = covdata_new(), *many = covdata_new();
    LineStats s1, s4;
    assert_int_equal(linescan_records(p, &rules, one, 1, &s1, err, sizeof err), 0);
    assert_int_equal(linescan_records(p, &rules, many, 4, &s4, err, sizeof err), 0);
    assert_int_equal(s1.records, s4.records);
    assert_int_equal(s1.lines, s4.lines);
    for (unsigned k = 0; k < 2; k++) {
        double t1, c1, t4, c4;
        sum(one, k, &t1, &c1);
        sum(many, k, &t4, &c4);
        assert_true(t1 == t4 && c1 == c4);
    }
    assert_true(covdata_bytes(one) < (2u << 20));
    covdata_free(one);
    covdata_free(many);
}

static void test_coverprofile(void **state)
{
    (void)state;
    const char *good = "mode: set\nm/a.go:3.10,5.2 2 1\nm/a.go:7.10,9.2 3 0\nm/b.go:1.1,2.2 5 0\n"
                       "m/a.go:7.10,9.2 3 1\n\n";
    CovData *cd = covdata_new();
    LineStats st;
    uint64_t bad;
    char err[128];
    const char *p = write_tmp("c.out", good, strlen(good));
    assert_int_equal(linescan_coverprofile(p, cd, 0, &bad, &st, err, sizeof err), 0);
    double t, c;
    sum(cd, 0, &t, &c);
    assert_true(t == 10 && c == 5);
    const char *cases[][2] = {{"", "mode"}, {"mode: sets\n", "mode"}, {"mode: set\na.go:1.1,2.2 1\n", "2"},
                              {"mode: set\na.go:1.1,2.2 1 1\nx:1.1 1 1\n", "3"}, {"mode: set\n:1.1,2.2 1 1\n", "2"},
                              {"mode: set\na.go:1.1,2.2 1 -1\n", "2"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p = write_tmp("bad.out", cases[i][0], strlen(cases[i][0]));
        int rc = linescan_coverprofile(p, cd, 0, &bad, &st, err, sizeof err);
        if (strcmp(cases[i][1], "mode") == 0) {
            assert_int_equal(rc, LINESCAN_EMODE);
        } else {
            assert_int_equal(rc, LINESCAN_ELINE);
            assert_int_equal(bad, (uint64_t)atoi(cases[i][1]));
        }
    }
    covdata_free(cd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_entries_sums),
        cmocka_unit_test(test_merge_and_transactions),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_long_lines_and_threads),
        cmocka_unit_test(test_coverprofile),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
