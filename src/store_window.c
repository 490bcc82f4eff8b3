/* store_window.c: the statistical window of store_history.h — the newest N
 * numeric values of one metric on one branch (event filter, maximum age,
 * optionally only after the latest build of a commit annotated with reset),
 * returned oldest first. The age cutoff is compared in whole milliseconds
 * like the latest baseline of store_query.c. The reset variant is used only
 * when the metric_annotations table exists (2.1.0), so read-only opens of
 * 2.0.0 files work. Depends on sqlite3, store.h and store_internal.h. */
#include <math.h>
#include <stdio.h>

#include <sqlite3.h>

#include "store.h"
#include "store_history.h"
#include "store_internal.h"

/* ?1 metric, ?2 branch, ?3 cutoff in epoch ms (NULL: none), ?4 limit. */
#define WINDOW_HEAD                                                                          \
    "SELECT build_id, value_numeric, commit_sha, branch, run_number, timestamp FROM (\n"     \
    "  SELECT mv.build_id, mv.value_numeric, bc.commit_sha, bc.branch, bc.run_number,"       \
    " bc.timestamp,\n"                                                                       \
    "         julianday(bc.timestamp) AS jd\n"                                               \
    "  FROM metric_values mv JOIN build_contexts bc ON bc.id = mv.build_id\n"                \
    "  WHERE mv.metric_id = ?1 AND bc.branch = ?2 AND mv.value_numeric IS NOT NULL\n"        \
    "    AND (bc.event_name IS NULL"                                                         \
    " OR bc.event_name NOT IN ('pull_request', 'pull_request_target'))\n"                    \
    "    AND julianday(bc.timestamp) IS NOT NULL\n"                                          \
    "    AND (?3 IS NULL OR round((julianday(bc.timestamp) - 2440587.5) * 86400000.0) >= ?3)\n"

#define WINDOW_TAIL                                                                          \
    "  ORDER BY jd DESC, mv.build_id DESC LIMIT ?4\n"                                        \
    ") ORDER BY jd, build_id"

static const char SQL_WINDOW[] = WINDOW_HEAD WINDOW_TAIL;

/* The cut: the latest non-pull-request build of any commit annotated with
 * reset for the metric; only builds strictly after it remain. */
static const char SQL_WINDOW_RESET[] =
    "WITH cut AS MATERIALIZED (\n"
    "  SELECT julianday(rb.timestamp) AS jd, rb.id AS id\n"
    "  FROM metric_annotations a JOIN build_contexts rb"
    " ON lower(rb.commit_sha) = lower(a.commit_sha)\n"
    "  WHERE a.metric_id = ?1 AND a.reset = 1 AND julianday(rb.timestamp) IS NOT NULL\n"
    "    AND (rb.event_name IS NULL"
    " OR rb.event_name NOT IN ('pull_request', 'pull_request_target'))\n"
    "  ORDER BY jd DESC, id DESC LIMIT 1\n"
    ")\n" WINDOW_HEAD
    "    AND NOT EXISTS (SELECT 1 FROM cut WHERE cut.jd > julianday(bc.timestamp)\n"
    "                    OR (cut.jd = julianday(bc.timestamp) AND cut.id >= bc.id))\n"
    WINDOW_TAIL;

int store_window(Store *s, const StoreWindowQuery *q, store_series_cb cb, void *ud, char *err,
                 size_t errlen)
{
    if (q->metric_id == NULL || q->branch == NULL || q->limit < 1) {
        return store_errf(SQLITE_MISUSE, err, errlen,
                          "store: window: metric_id, branch and a limit >= 1 are required");
    }
    int reset = 0;
    if (q->after_reset) {
        int rc = store_has_annotations(s, &reset, err, errlen);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, reset ? SQL_WINDOW_RESET : SQL_WINDOW, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return store_sql_error(s, rc, "window", err, errlen);
    }
    store_bind_text(st, 1, q->metric_id);
    store_bind_text(st, 2, q->branch);
    if (q->max_age_days > 0 && isfinite(q->now_ms)) {
        sqlite3_bind_double(st, 3, round(q->now_ms - q->max_age_days * 86400000.0));
    } else {
        sqlite3_bind_null(st, 3);
    }
    sqlite3_bind_int64(st, 4, q->limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        StoreSeriesRow r = {
            .build_id = sqlite3_column_int64(st, 0),
            .is_numeric = 1,
            .value_numeric = sqlite3_column_double(st, 1),
            .value_label = NULL,
            .commit_sha = (const char *)sqlite3_column_text(st, 2),
            .branch = (const char *)sqlite3_column_text(st, 3),
            .run_number = sqlite3_column_int64(st, 4),
            .timestamp = (const char *)sqlite3_column_text(st, 5),
        };
        int stop = cb(ud, &r);
        if (stop != 0) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    if (rc != SQLITE_DONE) {
        store_sql_error(s, rc, "window", err, errlen);
    } else {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}
