/* test_stats.c: cmocka suite for stats.c — domain checks that return
 * STATS_EDOM with a message instead of GSL aborting, quantile/CDF round
 * trips, summaries, Welch's test (a SciPy reference value), its degenerate
 * cases, and the scan's window cutting at boundaries and series ends.
 * Depends on cmocka and stats.h (SciPy comparisons at scale are in
 * tests/lua/test_stats.lua). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

static void test_domain_errors(void **state)
{
    char err[128] = "";
    double out = 42;
    assert_int_equal(stats_t_quantile(1.0, 3, &out, err, sizeof err), STATS_EDOM);
    assert_string_equal(err, "stats: probability must be between 0 and 1 (exclusive), got 1");
    assert_true(out == 42);
    assert_int_equal(stats_t_quantile(0.5, -1, &out, err, sizeof err), STATS_EDOM);
    assert_int_equal(stats_t_quantile(0.5, INFINITY, &out, NULL, 0), STATS_EDOM);
    assert_int_equal(stats_t_cdf(NAN, 3, &out, err, sizeof err), STATS_EDOM);
    assert_int_equal(stats_normal_quantile(0, &out, err, sizeof err), STATS_EDOM);
    assert_int_equal(stats_normal_cdf(NAN, &out, err, sizeof err), STATS_EDOM);
    double x[] = {1, NAN};
    double scratch[2];
    StatsSummary s;
    assert_int_equal(stats_summary(x, 2, scratch, &s, err, sizeof err), STATS_EDOM);
    assert_string_equal(err, "stats: value 2 is not finite");
    assert_int_equal(stats_summary(x, 0, scratch, &s, err, sizeof err), STATS_EDOM);
}

static void test_round_trips(void **state)
{
    double q = 0, p = 0;
    assert_int_equal(stats_t_quantile(0.995, 29, &q, NULL, 0), STATS_OK);
    assert_true(fabs(q - 2.756385903670) < 1e-9);
    assert_int_equal(stats_t_cdf(q, 29, &p, NULL, 0), STATS_OK);
    assert_true(fabs(p - 0.995) < 1e-12);
    assert_int_equal(stats_normal_quantile(0.975, &q, NULL, 0), STATS_OK);
    assert_true(fabs(q - 1.959963984540) < 1e-9);
    assert_int_equal(stats_normal_cdf(q, &p, NULL, 0), STATS_OK);
    assert_true(fabs(p - 0.975) < 1e-12);
}

static void test_summary(void **state)
{
    double x[] = {3, 1, 4, 1, 5, 9, 2, 6};
    double scratch[8];
    StatsSummary s;
    assert_int_equal(stats_summary(x, 8, scratch, &s, NULL, 0), STATS_OK);
    assert_int_equal(s.n, 8);
    assert_true(fabs(s.mean - 3.875) < 1e-12);
    assert_true(fabs(s.variance - 7.553571428571429) < 1e-12);
    assert_true(s.median == 3.5 && s.min == 1 && s.max == 9);
    assert_true(fabs(s.q1 - 1.75) < 1e-12 && fabs(s.q3 - 5.25) < 1e-12);
    assert_true(x[0] == 3); /* input untouched */
    double one[] = {7};
    assert_int_equal(stats_summary(one, 1, scratch, &s, NULL, 0), STATS_OK);
    assert_true(s.variance == 0 && s.median == 7 && s.q1 == 7);
    /* Large offsets keep their variance (two-pass algorithm). */
    double big[] = {1e9 + 1, 1e9 + 2, 1e9 + 3};
    assert_int_equal(stats_summary(big, 3, scratch, &s, NULL, 0), STATS_OK);
    assert_true(fabs(s.variance - 1) < 1e-6);
}

static void test_welch(void **state)
{
    double a[] = {1, 2, 3, 4}, b[] = {3, 4, 5, 6, 7};
    StatsWelch w;
    assert_int_equal(stats_welch(a, 4, b, 5, &w, NULL, 0), STATS_OK);
    /* scipy.stats.ttest_ind(b, a, equal_var=False) */
    assert_true(fabs(w.t - 2.6111648393354674) < 1e-12);
    assert_true(fabs(w.p - 0.034938782359964) < 1e-10);
    assert_true(fabs(w.df - 6.980769230769231) < 1e-12);
    double c[] = {5, 5, 5}, d[] = {5, 5};
    assert_int_equal(stats_welch(c, 3, d, 2, &w, NULL, 0), STATS_OK);
    assert_true(w.t == 0 && w.p == 1);
    double e[] = {6, 6};
    assert_int_equal(stats_welch(c, 3, e, 2, &w, NULL, 0), STATS_OK);
    assert_true(isinf(w.t) && w.t > 0 && w.p == 0 && w.df == 3);
    char err[64];
    assert_int_equal(stats_welch(c, 1, e, 2, &w, err, sizeof err), STATS_EDOM);
    assert_string_equal(err, "stats: need at least 2 values, got 1");
}

static void test_scan(void **state)
{
    double x[24];
    for (int i = 0; i < 24; i++) {
        x[i] = (i < 12 ? 10 : 20) + (i % 3) * 0.1;
    }
    StatsWelch out[24];
    assert_int_equal(stats_welch_scan(x, 24, 6, 3, NULL, 0, 0, out, NULL, 0), STATS_OK);
    assert_true(isnan(out[0].p) && isnan(out[2].p) && isnan(out[22].p));
    assert_false(isnan(out[3].p));
    assert_false(isnan(out[21].p));
    size_t best = 0;
    for (size_t i = 1; i < 24; i++) {
        if (!isnan(out[i].p) && (best == 0 || fabs(out[i].t) > fabs(out[best].t))) {
            best = i;
        }
    }
    assert_int_equal(best, 12);
    /* A boundary at 12: splits 10..14 have a side shorter than 3. */
    size_t bounds[] = {12};
    assert_int_equal(stats_welch_scan(x, 24, 6, 3, bounds, 1, 0, out, NULL, 0), STATS_OK);
    for (size_t i = 10; i <= 14; i++) {
        assert_true(isnan(out[i].p));
    }
    assert_false(isnan(out[9].p));
    assert_true(out[9].mean_b < 11); /* the after-window stops at the boundary */
    char err[96];
    size_t bad[] = {5, 5};
    assert_int_equal(stats_welch_scan(x, 24, 6, 3, bad, 2, 0, out, err, sizeof err), STATS_EDOM);
    assert_int_equal(stats_welch_scan(x, 24, 2, 3, NULL, 0, 0, out, err, sizeof err), STATS_EDOM);
    assert_int_equal(stats_welch_scan(x, 24, 6, 3, NULL, 0, 1.5, out, err, sizeof err), STATS_EDOM);
    /* alpha: only the significant splits keep a p-value, and the same one. */
    StatsWelch all[24];
    assert_int_equal(stats_welch_scan(x, 24, 6, 3, NULL, 0, 0, all, NULL, 0), STATS_OK);
    assert_int_equal(stats_welch_scan(x, 24, 6, 3, NULL, 0, 1e-3, out, NULL, 0), STATS_OK);
    for (size_t i = 0; i < 24; i++) {
        if (!isnan(all[i].p) && all[i].p < 1e-3) {
            assert_true(out[i].p == all[i].p);
        } else {
            assert_true(isnan(out[i].p));
        }
    }
    assert_false(isnan(out[12].p));
    assert_true(isnan(out[4].p)); /* 10 vs 10: not significant */
}

static void test_changepoints(void **state)
{
    double x[60];
    for (int i = 0; i < 60; i++) {
        x[i] = (i < 20 ? 10 : (i < 40 ? 12 : 9)) + (i % 3) * 0.05;
    }
    StatsChange out[8];
    size_t count = 0;
    assert_int_equal(stats_changepoints(x, 60, 20, 5, 1e-3, 0, 8, out, &count, NULL, 0), STATS_OK);
    assert_int_equal(count, 2);
    assert_int_equal(out[0].index, 20);
    assert_int_equal(out[1].index, 40);
    assert_true(out[0].t > 0 && out[1].t < 0 && out[0].p < 1e-6);
    assert_true(fabs(out[1].mean_a - 12.05) < 0.01); /* cut at the first change */
    assert_int_equal(stats_changepoints(x, 60, 20, 5, 1e-3, 0, 1, out, &count, NULL, 0), STATS_OK);
    assert_int_equal(count, 1);
    assert_int_equal(stats_changepoints(x, 60, 20, 5, 1e-3, 30, 8, out, &count, NULL, 0), STATS_OK);
    assert_int_equal(count, 0); /* both steps are below 30% */
    char err[96];
    assert_int_equal(stats_changepoints(x, 60, 20, 5, 0, 0, 8, out, &count, err, sizeof err),
                     STATS_EDOM);
    assert_int_equal(stats_changepoints(x, 0, 20, 5, 1e-3, 0, 8, out, &count, NULL, 0), STATS_OK);
    assert_int_equal(count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain_errors), cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_summary),       cmocka_unit_test(test_welch),
        cmocka_unit_test(test_scan),          cmocka_unit_test(test_changepoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
