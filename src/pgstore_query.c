/* pgstore_query.c: the read queries of storage.md §6 on PostgreSQL —
 * timeline, values, series (fetched from a cursor in batches, so the
 * largest result never sits in memory at once), baselines, definitions,
 * counts and read transactions. Rows reach the caller through the
 * callbacks and row types of store.h. Depends on libpq. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "pgstore.h"
#include "pgstore_internal.h"

static const char *flag_param(unsigned qflags)
{
    return (qflags & STORE_WITH_PULL_REQUESTS) ? "t" : "f";
}

/* ---- timeline, values, series ------------------------------------------------ */

int pg_build_row(const PGresult *r, int i, void *ud)
{
    PgFwd *f = ud;
    StoreBuildRow row = {
        .id = pg_i64(r, i, 0),
        .commit_sha = pg_text(r, i, 1),
        .branch = pg_text(r, i, 2),
        .run_id = pg_text(r, i, 3),
        .run_number = pg_i64(r, i, 4),
        .event_name = pg_text(r, i, 5),
        .timestamp = pg_text(r, i, 6),
    };
    return ((store_build_cb)f->cb)(f->ud, &row);
}

int pg_value_row(const PGresult *r, int i, void *ud)
{
    PgFwd *f = ud;
    StoreValueRow row = {
        .build_id = pg_i64(r, i, 0),
        .metric_id = pg_text(r, i, 1),
        .is_numeric = !PQgetisnull(r, i, 2),
    };
    if (row.is_numeric) {
        row.value_numeric = pg_double(r, i, 2);
    } else {
        row.value_label = pg_text(r, i, 3);
    }
    return ((store_value_cb)f->cb)(f->ud, &row);
}

static int series_row(const PGresult *r, int i, void *ud)
{
    PgFwd *f = ud;
    StoreSeriesRow row = {
        .build_id = pg_i64(r, i, 0),
        .is_numeric = !PQgetisnull(r, i, 1),
        .commit_sha = pg_text(r, i, 3),
        .branch = pg_text(r, i, 4),
        .run_number = pg_i64(r, i, 5),
        .timestamp = pg_text(r, i, 6),
    };
    if (row.is_numeric) {
        row.value_numeric = pg_double(r, i, 1);
    } else {
        row.value_label = pg_text(r, i, 2);
    }
    f->count++;
    return ((store_series_cb)f->cb)(f->ud, &row);
}

int pgstore_timeline(PgStore *s, unsigned qflags, store_build_cb cb, void *ud, char *err,
                     size_t errlen)
{
    PgFwd f = {(void *)cb, ud, 0};
    const char *p[1] = {flag_param(qflags)};
    return pg_cursor(s, PC_TIMELINE, 1, p, pg_build_row, &f, "timeline", err, errlen);
}

int pgstore_values(PgStore *s, unsigned qflags, store_value_cb cb, void *ud, char *err,
                   size_t errlen)
{
    PgFwd f = {(void *)cb, ud, 0};
    const char *p[1] = {flag_param(qflags)};
    return pg_cursor(s, PC_VALUES, 1, p, pg_value_row, &f, "values", err, errlen);
}

int pgstore_series(PgStore *s, const char *metric_id, unsigned qflags, store_series_cb cb,
                   void *ud, char *err, size_t errlen)
{
    PgFwd f = {(void *)cb, ud, 0};
    const char *p[2] = {flag_param(qflags), metric_id};
    return pg_cursor(s, PC_SERIES, 2, p, series_row, &f, "series", err, errlen);
}

/* ---- baselines ------------------------------------------------------------------- */

static int digits(const char *p, int n)
{
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }
    }
    int v = 0;
    for (int i = 0; i < n; i++) {
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* The forms of `now` accepted (and read the same way by SQLite and
 * PostgreSQL): YYYY-MM-DD[(T| )HH:MM[:SS[.fff...]]][Z|(+|-)HH:MM]. */
static int valid_now(const char *t)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(t) < 10 || t[4] != '-' || t[7] != '-') {
        return 0;
    }
    int y = digits(t, 4), mo = digits(t + 5, 2), d = digits(t + 8, 2);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) {
        return 0;
    }
    const char *p = t + 10;
    if (*p == 'T' || *p == ' ') {
        if (strlen(p) < 6 || p[3] != ':' || digits(p + 1, 2) > 23 || digits(p + 4, 2) > 59 ||
            digits(p + 1, 2) < 0 || digits(p + 4, 2) < 0) {
            return 0;
        }
        p += 6;
        if (*p == ':') {
            int sec = digits(p + 1, 2);
            if (sec < 0 || sec > 59) {
                return 0;
            }
            p += 3;
            if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9') {
                    return 0;
                }
                while (*p >= '0' && *p <= '9') {
                    p++;
                }
            }
        }
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        if (strlen(p) != 6 || p[3] != ':' || digits(p + 1, 2) < 0 || digits(p + 1, 2) > 23 ||
            digits(p + 4, 2) < 0 || digits(p + 4, 2) > 59) {
            return 0;
        }
        p += 6;
    }
    return *p == '\0';
}

static int first_row(PgStore *s, PgStmt id, int n, const char *const *p, store_series_cb cb,
                     void *ud, int *found, char *err, size_t errlen)
{
    PGresult *r = NULL;
    *found = 0;
    int rc = pg_query(s, id, n, p, &r, "baseline", err, errlen);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    if (PQntuples(r) > 0) {
        PgFwd f = {(void *)cb, ud, 0};
        *found = 1;
        rc = series_row(r, 0, &f);
    }
    PQclear(r);
    return rc;
}

int pgstore_baseline_latest(PgStore *s, const char *metric_id, const char *branch,
                            double max_age_days, const char *now, store_series_cb cb,
                            void *ud, int *found, char *err, size_t errlen)
{
    char clock[40], days[40];
    *found = 0;
    if (now == NULL || strcmp(now, "now") == 0) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t k = strftime(clock, sizeof clock, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(clock + k, sizeof clock - k, ".%03ldZ", ts.tv_nsec / 1000000L);
        now = clock;
    } else if (!valid_now(now)) {
        return pg_errf(PGSTORE_MISUSE, err, errlen,
                       "pgstore: baseline: invalid 'now' timestamp '%s'", now);
    }
    snprintf(days, sizeof days, "%.17g", max_age_days);
    const char *p[5] = {"f", metric_id, branch, now, days};
    return first_row(s, PS_BASELINE_LATEST, 5, p, cb, ud, found, err, errlen);
}

int pgstore_baseline_commit(PgStore *s, const char *metric_id, const char *sha,
                            store_series_cb cb, void *ud, int *found, char *err,
                            size_t errlen)
{
    const char *p[3] = {"f", metric_id, sha};
    return first_row(s, PS_BASELINE_COMMIT, 3, p, cb, ud, found, err, errlen);
}

/* ---- definitions and counts ---------------------------------------------------------- */

int pgstore_metric_definitions(PgStore *s, store_def_cb cb, void *ud, char *err,
                               size_t errlen)
{
    PGresult *r = NULL;
    int rc = pg_query(s, PS_DEFS, 0, NULL, &r, "metric_definitions", err, errlen);
    for (int i = 0; rc == PGSTORE_OK && i < PQntuples(r); i++) {
        StoreMetricDef d = {pg_text(r, i, 0), pg_text(r, i, 1), pg_text(r, i, 2),
                            pg_text(r, i, 3)};
        rc = cb(ud, &d);
    }
    PQclear(r);
    return rc;
}

static int scalar(PgStore *s, PgStmt id, int64_t *out, const char *what, char *err,
                  size_t errlen)
{
    PGresult *r = NULL;
    int rc = pg_query(s, id, 0, NULL, &r, what, err, errlen);
    if (rc == PGSTORE_OK) {
        *out = PQntuples(r) > 0 ? pg_i64(r, 0, 0) : 0;
    }
    PQclear(r);
    return rc;
}

int pgstore_build_count(PgStore *s, int64_t *out, char *err, size_t errlen)
{
    return scalar(s, PS_BUILD_COUNT, out, "build_count", err, errlen);
}

int pgstore_max_run_number(PgStore *s, int64_t *out, char *err, size_t errlen)
{
    return scalar(s, PS_MAX_RUN, out, "max_run_number", err, errlen);
}

/* ---- read snapshots ---------------------------------------------------------------------- */

int pgstore_begin_read(PgStore *s, char *err, size_t errlen)
{
    if (s->txn != TXN_NONE) {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: a transaction is already open");
    }
    int rc = PGSTORE_CONNECT;
    for (int attempt = 0; attempt < s->attempts && rc == PGSTORE_CONNECT; attempt++) {
        if (attempt > 0) {
            pg_sleep_ms(100 << (attempt - 1 > 6 ? 6 : attempt - 1));
        }
        rc = pg_ready(s, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin", err,
                         errlen);
        }
    }
    if (rc == PGSTORE_OK) {
        s->txn = TXN_READ;
    }
    return rc;
}

int pgstore_end_read(PgStore *s, char *err, size_t errlen)
{
    if (s->txn != TXN_READ) {
        return PGSTORE_OK;
    }
    s->txn = TXN_NONE;
    if (s->conn == NULL || s->lost || PQstatus(s->conn) != CONNECTION_OK) {
        return PGSTORE_OK; /* nothing to end: the server dropped it */
    }
    return pg_exec(s, "COMMIT", "commit", err, errlen);
}
