/* stats.c: distribution functions, summaries, Welch's t-test and the
 * sliding-window change-point scan of stats.h. The distributions are GSL's
 * (gsl_cdf_tdist_*, gsl_cdf_ugaussian_*), sorting and quantiles too
 * (gsl_sort, gsl_stats_quantile_from_sorted_data); means and variances use
 * two passes for accuracy. GSL's default error handler aborts the process,
 * so it is switched off before the first GSL call and every argument is
 * checked here. The change-point scan uses prefix sums (long double) of the
 * values shifted by their mean. Depends on libgsl and libm. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

static void quiet_gsl(void)
{
    static int done = 0;
    if (!done) {
        gsl_set_error_handler_off();
        done = 1;
    }
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return STATS_EDOM;
}

static int check_p(double p, char *err, size_t errlen)
{
    if (!(p > 0 && p < 1)) {
        return fail(err, errlen, "stats: probability must be between 0 and 1 (exclusive), got %g",
                    p);
    }
    return STATS_OK;
}

static int check_df(double df, char *err, size_t errlen)
{
    if (!(df > 0) || isinf(df)) {
        return fail(err, errlen, "stats: degrees of freedom must be positive and finite, got %g",
                    df);
    }
    return STATS_OK;
}

int stats_t_quantile(double p, double df, double *out, char *err, size_t errlen)
{
    int rc = check_p(p, err, errlen);
    if (rc == STATS_OK) {
        rc = check_df(df, err, errlen);
    }
    if (rc == STATS_OK) {
        quiet_gsl();
        *out = gsl_cdf_tdist_Pinv(p, df);
    }
    return rc;
}

int stats_t_cdf(double x, double df, double *out, char *err, size_t errlen)
{
    int rc = check_df(df, err, errlen);
    if (rc == STATS_OK && isnan(x)) {
        rc = fail(err, errlen, "stats: x must not be NaN");
    }
    if (rc == STATS_OK) {
        quiet_gsl();
        *out = gsl_cdf_tdist_P(x, df);
    }
    return rc;
}

int stats_normal_quantile(double p, double *out, char *err, size_t errlen)
{
    int rc = check_p(p, err, errlen);
    if (rc == STATS_OK) {
        quiet_gsl();
        *out = gsl_cdf_ugaussian_Pinv(p);
    }
    return rc;
}

int stats_normal_cdf(double x, double *out, char *err, size_t errlen)
{
    if (isnan(x)) {
        return fail(err, errlen, "stats: x must not be NaN");
    }
    quiet_gsl();
    *out = gsl_cdf_ugaussian_P(x);
    return STATS_OK;
}

static int check_values(const double *x, size_t n, size_t min, char *err, size_t errlen)
{
    if (n < min) {
        return fail(err, errlen, "stats: need at least %zu values, got %zu", min, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            return fail(err, errlen, "stats: value %zu is not finite", i + 1);
        }
    }
    return STATS_OK;
}

/* Two-pass mean and sample variance of x[from..to-1] (to - from >= 1). */
static void mean_var(const double *x, size_t from, size_t to, double *mean, double *var)
{
    size_t n = to - from;
    double sum = 0;
    for (size_t i = from; i < to; i++) {
        sum += x[i];
    }
    double m = sum / (double)n, ss = 0, comp = 0;
    for (size_t i = from; i < to; i++) {
        double d = x[i] - m;
        ss += d * d;
        comp += d;
    }
    *mean = m;
    /* Corrected two-pass algorithm (Chan, Golub, LeVeque). */
    *var = n > 1 ? (ss - comp * comp / (double)n) / (double)(n - 1) : 0;
    if (*var < 0) {
        *var = 0;
    }
}

double stats_quantile_sorted(const double *sorted, size_t n, double p)
{
    quiet_gsl();
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

int stats_summary(const double *x, size_t n, double *scratch, StatsSummary *out, char *err,
                  size_t errlen)
{
    int rc = check_values(x, n, 1, err, errlen);
    if (rc != STATS_OK) {
        return rc;
    }
    quiet_gsl();
    memcpy(scratch, x, n * sizeof *x);
    gsl_sort(scratch, 1, n);
    memset(out, 0, sizeof *out);
    out->n = n;
    mean_var(x, 0, n, &out->mean, &out->variance);
    out->sd = sqrt(out->variance);
    out->min = scratch[0];
    out->max = scratch[n - 1];
    out->median = stats_quantile_sorted(scratch, n, 0.5);
    out->q1 = stats_quantile_sorted(scratch, n, 0.25);
    out->q3 = stats_quantile_sorted(scratch, n, 0.75);
    return STATS_OK;
}

/* Welch's test from the two sides' moments; p only when with_p (else NaN,
 * filled later by welch_p). */
static void welch_p(StatsWelch *out)
{
    out->p = isinf(out->t) ? 0 : 2 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
    if (out->p > 1) {
        out->p = 1;
    }
}

static void welch_core(double ma, double va, size_t na, double mb, double vb, size_t nb,
                       StatsWelch *out, int with_p)
{
    double sa = va / (double)na, sb = vb / (double)nb;
    double se2 = sa + sb;
    out->mean_a = ma;
    out->mean_b = mb;
    if (se2 <= 0) {
        out->df = (double)(na + nb - 2);
        if (ma == mb) {
            out->t = 0;
            out->p = 1;
        } else {
            out->t = mb > ma ? INFINITY : -INFINITY;
            out->p = 0;
        }
        return;
    }
    out->t = (mb - ma) / sqrt(se2);
    double den = 0;
    if (sa > 0) {
        den += sa * sa / (double)(na - 1);
    }
    if (sb > 0) {
        den += sb * sb / (double)(nb - 1);
    }
    out->df = se2 * se2 / den;
    out->p = NAN;
    if (with_p) {
        welch_p(out);
    }
}

static void welch_moments(double ma, double va, size_t na, double mb, double vb, size_t nb,
                          StatsWelch *out)
{
    welch_core(ma, va, na, mb, vb, nb, out, 1);
}

int stats_welch(const double *a, size_t na, const double *b, size_t nb, StatsWelch *out,
                char *err, size_t errlen)
{
    int rc = check_values(a, na, 2, err, errlen);
    if (rc == STATS_OK) {
        rc = check_values(b, nb, 2, err, errlen);
    }
    if (rc != STATS_OK) {
        return rc;
    }
    quiet_gsl();
    double ma, va, mb, vb;
    mean_var(a, 0, na, &ma, &va);
    mean_var(b, 0, nb, &mb, &vb);
    welch_moments(ma, va, na, mb, vb, nb, out);
    return STATS_OK;
}

/* Mean and sample variance of x[from..to-1] from prefix sums of the shifted
 * values (s1[i] = sum of x[0..i-1] - shift, s2 likewise for squares). */
static void prefix_mean_var(const long double *s1, const long double *s2, size_t from, size_t to,
                            double shift, double *mean, double *var)
{
    long double n = (long double)(to - from);
    long double a = s1[to] - s1[from], b = s2[to] - s2[from];
    long double v = n > 1 ? (b - a * a / n) / (n - 1) : 0;
    *mean = (double)(a / n) + shift;
    *var = v > 0 ? (double)v : 0;
}

int stats_welch_scan(const double *x, size_t n, size_t window, size_t min_side,
                     const size_t *bounds, size_t nbounds, double alpha, StatsWelch *out,
                     char *err, size_t errlen)
{
    int rc = check_values(x, n, 0, err, errlen);
    if (rc != STATS_OK) {
        return rc;
    }
    if (min_side < 2 || window < min_side) {
        return fail(err, errlen, "stats: need 2 <= min_side <= window, got %zu and %zu", min_side,
                    window);
    }
    if (!(alpha >= 0 && alpha < 1)) {
        return fail(err, errlen, "stats: alpha must be 0 (off) or between 0 and 1, got %g", alpha);
    }
    for (size_t k = 1; k < nbounds; k++) {
        if (bounds[k] <= bounds[k - 1]) {
            return fail(err, errlen, "stats: boundaries must be sorted and distinct");
        }
    }
    quiet_gsl();
    long double *s1 = malloc((n + 1) * sizeof *s1), *s2 = malloc((n + 1) * sizeof *s2);
    if (s1 == NULL || s2 == NULL) {
        free(s1);
        free(s2);
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "stats: out of memory");
        }
        return STATS_ENOMEM;
    }
    double shift = 0;
    for (size_t i = 0; i < n; i++) {
        shift += x[i] / (double)n;
    }
    s1[0] = s2[0] = 0;
    for (size_t i = 0; i < n; i++) {
        long double d = (long double)x[i] - shift;
        s1[i + 1] = s1[i] + d;
        s2[i + 1] = s2[i] + d * d;
    }
    /* |t| <= z(1 - alpha/2) implies p >= alpha for every df. */
    double zcrit = alpha > 0 ? gsl_cdf_ugaussian_Qinv(alpha / 2) : 0;
    size_t b = 0; /* bounds[b] is the first boundary > i */
    for (size_t i = 0; i < n; i++) {
        StatsWelch *o = &out[i];
        o->t = o->df = o->p = o->mean_a = o->mean_b = NAN;
        while (b < nbounds && bounds[b] <= i) {
            b++;
        }
        if (i == 0 || (b > 0 && bounds[b - 1] == i)) {
            continue;
        }
        size_t lo = i > window ? i - window : 0;
        if (b > 0 && bounds[b - 1] > lo) {
            lo = bounds[b - 1];
        }
        size_t hi = i + window < n ? i + window : n;
        if (b < nbounds && bounds[b] < hi) {
            hi = bounds[b];
        }
        if (i - lo < min_side || hi - i < min_side) {
            continue;
        }
        double ma, va, mb, vb;
        prefix_mean_var(s1, s2, lo, i, shift, &ma, &va);
        prefix_mean_var(s1, s2, i, hi, shift, &mb, &vb);
        if (alpha > 0) {
            double se2 = va / (double)(i - lo) + vb / (double)(hi - i);
            if (se2 > 0 && fabs(mb - ma) <= zcrit * sqrt(se2)) {
                continue; /* not significant at alpha: skip the t CDF */
            }
        }
        welch_moments(ma, va, i - lo, mb, vb, hi - i, o);
        if (alpha > 0 && !(o->p < alpha)) {
            o->t = o->df = o->p = o->mean_a = o->mean_b = NAN;
        }
    }
    free(s1);
    free(s2);
    return STATS_OK;
}

/* ---- change points ------------------------------------------------------ */

typedef struct Scan {
    const long double *s1, *s2;
    double shift;
    size_t n, window, min_side;
    const size_t *bounds; /* sorted */
    size_t nbounds;
} Scan;

/* The Welch moments of split i under the current boundaries, without the
 * p-value; 0 when the split cannot be tested. */
static int split_moments(const Scan *sc, size_t i, StatsWelch *o)
{
    if (i == 0) {
        return 0;
    }
    size_t lo = i > sc->window ? i - sc->window : 0;
    size_t hi = i + sc->window < sc->n ? i + sc->window : sc->n;
    for (size_t k = 0; k < sc->nbounds; k++) {
        size_t b = sc->bounds[k];
        if (b == i) {
            return 0;
        }
        if (b < i && b > lo) {
            lo = b;
        } else if (b > i && b < hi) {
            hi = b;
        }
    }
    if (i - lo < sc->min_side || hi - i < sc->min_side) {
        return 0;
    }
    double ma, va, mb, vb;
    prefix_mean_var(sc->s1, sc->s2, lo, i, sc->shift, &ma, &va);
    prefix_mean_var(sc->s1, sc->s2, i, hi, sc->shift, &mb, &vb);
    welch_core(ma, va, i - lo, mb, vb, hi - i, o, 0); /* p when it becomes the best */
    return 1;
}

enum { SPLIT_NONE = 0, SPLIT_CANDIDATE = 1, SPLIT_REJECTED = 2 };

static void classify(const Scan *sc, size_t i, double zcrit, double min_mag, StatsWelch *w,
                     unsigned char *state)
{
    state[i] = SPLIT_NONE;
    if (!split_moments(sc, i, &w[i])) {
        return;
    }
    if (!(fabs(w[i].t) > zcrit)) {
        return;
    }
    if (min_mag > 0 && (w[i].mean_a == 0 ||
                        fabs(w[i].mean_b - w[i].mean_a) / fabs(w[i].mean_a) * 100 < min_mag)) {
        return;
    }
    state[i] = SPLIT_CANDIDATE;
}

int stats_changepoints(const double *x, size_t n, size_t window, size_t min_side, double alpha,
                       double min_magnitude, size_t max_changes, StatsChange *out,
                       size_t *count, char *err, size_t errlen)
{
    *count = 0;
    int rc = check_values(x, n, 0, err, errlen);
    if (rc != STATS_OK) {
        return rc;
    }
    if (min_side < 2 || window < min_side) {
        return fail(err, errlen, "stats: need 2 <= min_side <= window, got %zu and %zu", min_side,
                    window);
    }
    if (!(alpha > 0 && alpha < 1)) {
        return fail(err, errlen, "stats: alpha must be between 0 and 1, got %g", alpha);
    }
    if (n == 0 || max_changes == 0) {
        return STATS_OK;
    }
    quiet_gsl();
    long double *s1 = malloc((n + 1) * sizeof *s1), *s2 = malloc((n + 1) * sizeof *s2);
    StatsWelch *w = malloc(n * sizeof *w);
    unsigned char *state = calloc(n, 1);
    size_t *bounds = malloc(max_changes * sizeof *bounds);
    if (s1 == NULL || s2 == NULL || w == NULL || state == NULL || bounds == NULL) {
        rc = STATS_ENOMEM;
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "stats: out of memory");
        }
        goto out;
    }
    Scan sc = {s1, s2, 0, n, window, min_side, bounds, 0};
    for (size_t i = 0; i < n; i++) {
        sc.shift += x[i] / (double)n;
    }
    s1[0] = s2[0] = 0;
    for (size_t i = 0; i < n; i++) {
        long double d = (long double)x[i] - sc.shift;
        s1[i + 1] = s1[i] + d;
        s2[i + 1] = s2[i] + d * d;
    }
    double zcrit = gsl_cdf_ugaussian_Qinv(alpha / 2);
    for (size_t i = 0; i < n; i++) {
        classify(&sc, i, zcrit, min_magnitude, w, state);
    }
    while (*count < max_changes) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (state[i] == SPLIT_CANDIDATE && (best == n || fabs(w[i].t) > fabs(w[best].t))) {
                best = i;
            }
        }
        if (best == n) {
            break;
        }
        /* A non-significant best is rejected until a new boundary changes
         * its windows. */
        if (isnan(w[best].p)) {
            welch_p(&w[best]);
        }
        if (!(w[best].p < alpha)) {
            state[best] = SPLIT_REJECTED;
            continue;
        }
        StatsChange *c = &out[(*count)++];
        c->index = best;
        c->t = w[best].t;
        c->df = w[best].df;
        c->p = w[best].p;
        c->mean_a = w[best].mean_a;
        c->mean_b = w[best].mean_b;
        size_t k = sc.nbounds++;
        while (k > 0 && bounds[k - 1] > best) {
            bounds[k] = bounds[k - 1];
            k--;
        }
        bounds[k] = best;
        size_t from = best > window ? best - window : 0;
        size_t to = best + window < n ? best + window : n - 1;
        for (size_t i = from; i <= to; i++) {
            classify(&sc, i, zcrit, min_magnitude, w, state);
        }
    }
    /* Sorted by index (insertion sort: at most max_changes entries). */
    for (size_t i = 1; i < *count; i++) {
        StatsChange c = out[i];
        size_t j = i;
        while (j > 0 && out[j - 1].index > c.index) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = c;
    }
out:
    free(s1);
    free(s2);
    free(w);
    free(state);
    free(bounds);
    return rc;
}
