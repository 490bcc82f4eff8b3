/* store_query.c: the read queries of storage.md §6 (timeline, values, series,
 * baselines, definitions, counts). Every report and baseline query applies
 * the event filter, drops rows whose timestamp SQLite cannot parse and
 * orders by the parsed instant, then id. Rows are handed to callbacks one
 * at a time, so 10,000 builds x 50 metrics never sit in C memory.
 * Depends on sqlite3. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_internal.h"

/* ?1 = 1 keeps pull-request builds. */
#define EVENT_FILTER                                                                         \
    "(?1 OR bc.event_name IS NULL"                                                           \
    " OR bc.event_name NOT IN ('pull_request', 'pull_request_target'))"

static const char SQL_TIMELINE[] =
    "SELECT bc.id, bc.commit_sha, bc.branch, bc.run_id, bc.run_number, bc.event_name,"
    " bc.timestamp\n"
    "FROM build_contexts bc\n"
    "WHERE " EVENT_FILTER "\n"
    "  AND julianday(bc.timestamp) IS NOT NULL\n"
    "  AND EXISTS (SELECT 1 FROM metric_values mv WHERE mv.build_id = bc.id)\n"
    "ORDER BY julianday(bc.timestamp), bc.id";

/* CROSS JOIN keeps builds as the outer loop: the filter and julianday() run
 * once per build instead of once per value (3x faster at 10,000 x 50), and
 * idx_metric_value_build yields the order without a sort. */
static const char SQL_VALUES[] =
    "SELECT mv.build_id, mv.metric_id, mv.value_numeric, mv.value_label\n"
    "FROM build_contexts bc CROSS JOIN metric_values mv ON mv.build_id = bc.id\n"
    "WHERE " EVENT_FILTER "\n"
    "  AND julianday(bc.timestamp) IS NOT NULL\n"
    "ORDER BY bc.id, mv.id";

#define SERIES_COLUMNS                                                                       \
    "SELECT mv.build_id, mv.value_numeric, mv.value_label, bc.commit_sha, bc.branch,"        \
    " bc.run_number, bc.timestamp\n"                                                         \
    "FROM metric_values mv JOIN build_contexts bc ON bc.id = mv.build_id\n"

static const char SQL_SERIES[] = SERIES_COLUMNS
    "WHERE mv.metric_id = ?2 AND " EVENT_FILTER "\n"
    "  AND julianday(bc.timestamp) IS NOT NULL\n"
    "ORDER BY julianday(bc.timestamp), bc.id";

/* The cutoff (?4) is compared in whole milliseconds, the resolution of
 * SQLite's date functions: exactly N x 24 h before now, no day rounding. */
static const char SQL_BASELINE_LATEST[] = SERIES_COLUMNS
    "WHERE mv.metric_id = ?2 AND bc.branch = ?3 AND " EVENT_FILTER "\n"
    "  AND mv.value_numeric IS NOT NULL\n"
    "  AND round(julianday(bc.timestamp) * 86400000.0) >= ?4\n"
    "ORDER BY julianday(bc.timestamp) DESC, bc.id DESC\n"
    "LIMIT 1";

/* Builds outer (CROSS JOIN): lower(sha) is selective, then the
 * (metric_id, build_id) index finds the value. */
static const char SQL_BASELINE_COMMIT[] =
    "SELECT mv.build_id, mv.value_numeric, mv.value_label, bc.commit_sha, bc.branch,"
    " bc.run_number, bc.timestamp\n"
    "FROM build_contexts bc CROSS JOIN metric_values mv ON mv.build_id = bc.id\n"
    "WHERE mv.metric_id = ?2 AND lower(bc.commit_sha) = lower(?3) AND " EVENT_FILTER "\n"
    "  AND mv.value_numeric IS NOT NULL\n"
    "  AND julianday(bc.timestamp) IS NOT NULL\n"
    "ORDER BY julianday(bc.timestamp) DESC, bc.id DESC\n"
    "LIMIT 1";

static const char SQL_DEFS[] =
    "SELECT id, type, unit, description FROM metric_definitions ORDER BY rowid";

static const char SQL_BUILD_COUNT[] = "SELECT count(*) FROM build_contexts";

static const char SQL_MAX_RUN[] = "SELECT coalesce(max(run_number), 0) FROM build_contexts";

static const char SQL_JULIANDAY_MS[] = "SELECT round(julianday(?1) * 86400000.0)";

static const char *text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* Steps `st` to the end, calling `row` for each row. A non-zero return from
 * `row` stops the loop and becomes the rc. The statement is reset. */
static int each_row(Store *s, sqlite3_stmt *st, int (*row)(sqlite3_stmt *, void *), void *ud,
                    const char *what, char *err, size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int stop = row(st, ud);
        if (stop != 0) {
            sqlite3_reset(st);
            return stop;
        }
    }
    if (rc != SQLITE_DONE) {
        store_sql_error(s, rc, what, err, errlen);
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_reset(st);
    return SQLITE_OK;
}

/* ---- timeline ------------------------------------------------------------------ */

typedef struct {
    store_build_cb cb;
    void *ud;
} BuildFwd;

static int build_row(sqlite3_stmt *st, void *ud)
{
    BuildFwd *f = ud;
    StoreBuildRow r = {
        .id = sqlite3_column_int64(st, 0),
        .commit_sha = text(st, 1),
        .branch = text(st, 2),
        .run_id = text(st, 3),
        .run_number = sqlite3_column_int64(st, 4),
        .event_name = text(st, 5),
        .timestamp = text(st, 6),
    };
    return f->cb(f->ud, &r);
}

int store_timeline(Store *s, unsigned qflags, store_build_cb cb, void *ud, char *err,
                   size_t errlen)
{
    int rc;
    sqlite3_stmt *st = store_stmt(s, ST_TIMELINE, SQL_TIMELINE, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    sqlite3_bind_int(st, 1, (qflags & STORE_WITH_PULL_REQUESTS) != 0);
    BuildFwd f = {cb, ud};
    return each_row(s, st, build_row, &f, "timeline", err, errlen);
}

/* ---- values -------------------------------------------------------------------- */

typedef struct {
    store_value_cb cb;
    void *ud;
} ValueFwd;

static int value_row(sqlite3_stmt *st, void *ud)
{
    ValueFwd *f = ud;
    StoreValueRow r = {
        .build_id = sqlite3_column_int64(st, 0),
        .metric_id = text(st, 1),
        .is_numeric = sqlite3_column_type(st, 2) != SQLITE_NULL,
    };
    if (r.is_numeric) {
        r.value_numeric = sqlite3_column_double(st, 2);
    } else {
        r.value_label = text(st, 3);
    }
    return f->cb(f->ud, &r);
}

int store_values(Store *s, unsigned qflags, store_value_cb cb, void *ud, char *err,
                 size_t errlen)
{
    int rc;
    sqlite3_stmt *st = store_stmt(s, ST_VALUES, SQL_VALUES, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    sqlite3_bind_int(st, 1, (qflags & STORE_WITH_PULL_REQUESTS) != 0);
    ValueFwd f = {cb, ud};
    return each_row(s, st, value_row, &f, "values", err, errlen);
}

/* ---- series and baselines -------------------------------------------------------- */

typedef struct {
    store_series_cb cb;
    void *ud;
    int count;
} SeriesFwd;

static int series_row(sqlite3_stmt *st, void *ud)
{
    SeriesFwd *f = ud;
    StoreSeriesRow r = {
        .build_id = sqlite3_column_int64(st, 0),
        .is_numeric = sqlite3_column_type(st, 1) != SQLITE_NULL,
        .commit_sha = text(st, 3),
        .branch = text(st, 4),
        .run_number = sqlite3_column_int64(st, 5),
        .timestamp = text(st, 6),
    };
    if (r.is_numeric) {
        r.value_numeric = sqlite3_column_double(st, 1);
    } else {
        r.value_label = text(st, 2);
    }
    f->count++;
    return f->cb(f->ud, &r);
}

int store_series(Store *s, const char *metric_id, unsigned qflags, store_series_cb cb,
                 void *ud, char *err, size_t errlen)
{
    int rc;
    sqlite3_stmt *st = store_stmt(s, ST_SERIES, SQL_SERIES, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    sqlite3_bind_int(st, 1, (qflags & STORE_WITH_PULL_REQUESTS) != 0);
    store_bind_text(st, 2, metric_id);
    SeriesFwd f = {cb, ud, 0};
    return each_row(s, st, series_row, &f, "series", err, errlen);
}

int store_baseline_latest(Store *s, const char *metric_id, const char *branch,
                          double max_age_days, const char *now, store_series_cb cb,
                          void *ud, int *found, char *err, size_t errlen)
{
    int rc;
    *found = 0;
    sqlite3_stmt *st = store_stmt(s, ST_JULIANDAY, SQL_JULIANDAY_MS, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    store_bind_text(st, 1, now ? now : "now");
    rc = sqlite3_step(st);
    int valid = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    double now_ms = valid ? sqlite3_column_double(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        return store_sql_error(s, rc, "baseline", err, errlen);
    }
    if (!valid) {
        return store_errf(SQLITE_MISUSE, err, errlen,
                          "store: baseline: invalid 'now' timestamp '%s'", now ? now : "now");
    }
    if ((st = store_stmt(s, ST_BASELINE_LATEST, SQL_BASELINE_LATEST, &rc, err, errlen)) == NULL) {
        return rc;
    }
    sqlite3_bind_int(st, 1, 0);
    store_bind_text(st, 2, metric_id);
    store_bind_text(st, 3, branch);
    sqlite3_bind_double(st, 4, now_ms - max_age_days * 86400000.0);
    SeriesFwd f = {cb, ud, 0};
    rc = each_row(s, st, series_row, &f, "baseline", err, errlen);
    *found = f.count > 0;
    return rc;
}

int store_baseline_commit(Store *s, const char *metric_id, const char *sha,
                          store_series_cb cb, void *ud, int *found, char *err, size_t errlen)
{
    int rc;
    *found = 0;
    sqlite3_stmt *st = store_stmt(s, ST_BASELINE_COMMIT, SQL_BASELINE_COMMIT, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    sqlite3_bind_int(st, 1, 0);
    store_bind_text(st, 2, metric_id);
    store_bind_text(st, 3, sha);
    SeriesFwd f = {cb, ud, 0};
    rc = each_row(s, st, series_row, &f, "baseline", err, errlen);
    *found = f.count > 0;
    return rc;
}

/* ---- definitions and counts ---------------------------------------------------------- */

typedef struct {
    store_def_cb cb;
    void *ud;
} DefFwd;

static int def_row(sqlite3_stmt *st, void *ud)
{
    DefFwd *f = ud;
    StoreMetricDef d = {text(st, 0), text(st, 1), text(st, 2), text(st, 3)};
    return f->cb(f->ud, &d);
}

int store_metric_definitions(Store *s, store_def_cb cb, void *ud, char *err, size_t errlen)
{
    int rc;
    sqlite3_stmt *st = store_stmt(s, ST_DEFS, SQL_DEFS, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    DefFwd f = {cb, ud};
    return each_row(s, st, def_row, &f, "metric_definitions", err, errlen);
}

static int scalar(Store *s, StoreStmt id, const char *sql, int64_t *out, const char *what,
                  char *err, size_t errlen)
{
    int rc;
    sqlite3_stmt *st = store_stmt(s, id, sql, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else {
        store_sql_error(s, rc, what, err, errlen);
    }
    sqlite3_reset(st);
    return rc;
}

int store_build_count(Store *s, int64_t *out, char *err, size_t errlen)
{
    return scalar(s, ST_BUILD_COUNT, SQL_BUILD_COUNT, out, "build_count", err, errlen);
}

int store_max_run_number(Store *s, int64_t *out, char *err, size_t errlen)
{
    return scalar(s, ST_MAX_RUN, SQL_MAX_RUN, out, "max_run_number", err, errlen);
}

/* ---- read snapshots ------------------------------------------------------------------- */

int store_begin_read(Store *s, char *err, size_t errlen)
{
    if (!sqlite3_get_autocommit(s->db)) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: a transaction is already open");
    }
    int rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
    return rc == SQLITE_OK ? rc : store_sql_error(s, rc, "begin", err, errlen);
}

int store_end_read(Store *s, char *err, size_t errlen)
{
    store_reset_statements(s);
    if (sqlite3_get_autocommit(s->db)) {
        return SQLITE_OK;
    }
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        store_sql_error(s, rc, "commit", err, errlen);
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}
