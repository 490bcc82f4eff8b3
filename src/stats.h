/* stats.h: the numerics of the noise-aware gate (docs/noise.md): Student-t
 * and normal quantiles and CDFs, Welch's two-sample t-test, sample
 * summaries (mean, variance, median, quartiles) and a sliding-window Welch
 * scan for change points. Pure C over GSL's distribution and statistics
 * functions (libgsl); no Lua. GSL's abort-on-error handler is switched off
 * on first use: every domain check happens here, and bad arguments give
 * STATS_EDOM with a message instead. */
#ifndef UNENTROPY_STATS_H
#define UNENTROPY_STATS_H

#include <stddef.h>

enum {
    STATS_OK = 0,
    STATS_EDOM = 1,  /* argument outside the function's domain */
    STATS_ENOMEM = 2 /* allocation failed */
};

/* Quantile (inverse CDF) and CDF of Student's t with `df` > 0 degrees of
 * freedom (real, as Welch's df is), and of the standard normal. Quantiles
 * need 0 < p < 1. Each returns STATS_OK and stores the result in *out, or
 * STATS_EDOM with a message in err (may be NULL). */
int stats_t_quantile(double p, double df, double *out, char *err, size_t errlen);
int stats_t_cdf(double x, double df, double *out, char *err, size_t errlen);
int stats_normal_quantile(double p, double *out, char *err, size_t errlen);
int stats_normal_cdf(double x, double *out, char *err, size_t errlen);

typedef struct StatsSummary {
    size_t n;
    double mean;
    double variance; /* sample variance (n - 1); 0 when n == 1 */
    double sd;
    double min, max;
    double median;
    double q1, q3; /* quartiles, linear interpolation between order statistics
                      (numpy's default, R type 7) */
} StatsSummary;

/* Summary of x[0..n-1] (n >= 1, every value finite). `scratch` must hold n
 * doubles (it receives the sorted values); x is left unchanged. */
int stats_summary(const double *x, size_t n, double *scratch, StatsSummary *out, char *err,
                  size_t errlen);

/* The p-quantile (0 <= p <= 1, type 7) of sorted[0..n-1], n >= 1. */
double stats_quantile_sorted(const double *sorted, size_t n, double p);

typedef struct StatsWelch {
    double t;      /* (mean_b - mean_a) / se */
    double df;     /* Welch-Satterthwaite degrees of freedom */
    double p;      /* two-sided p-value */
    double mean_a, mean_b;
} StatsWelch;

/* Welch's unequal-variance t-test of a[0..na-1] against b[0..nb-1]
 * (na, nb >= 2, finite values). When both samples have zero variance the
 * test is degenerate: p = 1 and t = 0 for equal means, else p = 0 and
 * t = +/-inf (df = na + nb - 2). */
int stats_welch(const double *a, size_t na, const double *b, size_t nb, StatsWelch *out,
                char *err, size_t errlen);

/* Sliding-window scan: for every split index i (0-based: x[i] is the first
 * value after the split) the Welch test of the `window` values before i
 * against the `window` values from i on, both sides cut at the nearest
 * boundary (bounds[0..nbounds-1], sorted split indexes already accepted as
 * change points) and at the ends of the series. Splits whose shorter side
 * has fewer than `min_side` (>= 2) values, and the boundaries themselves,
 * get p = NaN. With 0 < alpha < 1 only splits with p < alpha keep their
 * p (the others get NaN), and p is computed only where |t| exceeds the
 * normal critical value, a lower bound of the t one: cheap on long series.
 * alpha = 0 keeps every p. out[0..n-1] receives one StatsWelch per index
 * (out[0] is always NaN). O(n) with prefix sums; STATS_ENOMEM when the
 * prefix arrays cannot be allocated. */
int stats_welch_scan(const double *x, size_t n, size_t window, size_t min_side,
                     const size_t *bounds, size_t nbounds, double alpha, StatsWelch *out,
                     char *err, size_t errlen);

typedef struct StatsChange {
    size_t index; /* 0-based: x[index] is the first value after the change */
    double t, df, p;
    double mean_a, mean_b; /* the two windows' means at acceptance */
} StatsChange;

/* Change points (docs/noise.md): repeatedly accepts the split with the
 * largest |t| of the sliding-window Welch test (windows as in
 * stats_welch_scan, cut at the change points accepted so far) whose
 * p < alpha and whose means differ by at least min_magnitude percent of
 * the before-mean (min_magnitude <= 0: any), until none is left or
 * max_changes are found. After each acceptance only the splits within
 * `window` of it are tested again, and the t CDF is evaluated only for
 * splits above the normal critical value, so a long series costs
 * O(n + changes x window). out must hold max_changes entries; *count gets
 * how many were found, sorted by index. STATS_ENOMEM on allocation
 * failure. */
int stats_changepoints(const double *x, size_t n, size_t window, size_t min_side, double alpha,
                       double min_magnitude, size_t max_changes, StatsChange *out,
                       size_t *count, char *err, size_t errlen);

#endif
