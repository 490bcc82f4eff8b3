/* store_write.c: the `collect` write path of the store, store_record_build
 * (storage.md §5: a re-run of the same commit and run id replaces the build's
 * values and keeps its id), run inside store_transaction so busy retries
 * re-run it from the start, and the statement helpers it shares with the
 * import path (store_import.c). Depends on sqlite3. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_internal.h"

static const char SQL_UPSERT_BUILD[] =
    "INSERT INTO build_contexts (commit_sha, branch, run_id, run_number, event_name, timestamp)\n"
    "  VALUES (?, ?, ?, ?, ?, ?)\n"
    "  ON CONFLICT(commit_sha, run_id) DO UPDATE SET branch = excluded.branch,"
    " run_number = excluded.run_number,\n"
    "    event_name = excluded.event_name, timestamp = excluded.timestamp\n"
    "  RETURNING id";

static const char SQL_DELETE_VALUES[] = "DELETE FROM metric_values WHERE build_id = ?";

static const char SQL_UPSERT_DEF[] =
    "INSERT INTO metric_definitions (id, type, unit, description) VALUES (?, ?, ?, ?)\n"
    "  ON CONFLICT(id) DO UPDATE SET unit = COALESCE(excluded.unit, unit),\n"
    "                                description = COALESCE(excluded.description, description)";

static const char SQL_INSERT_VALUE[] =
    "INSERT INTO metric_values (metric_id, build_id, value_numeric, value_label)"
    " VALUES (?, ?, ?, ?)";

int store_run_done(Store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return SQLITE_OK;
    }
    return store_sql_error(s, rc, what, err, errlen);
}

int store_run_id(Store *s, sqlite3_stmt *st, int64_t *id, const char *what, char *err,
                  size_t errlen)
{
    *id = -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return SQLITE_OK;
    }
    return store_sql_error(s, rc, what, err, errlen);
}

void store_bind_value(sqlite3_stmt *st, int idx, int is_numeric, double num, const char *label)
{
    if (is_numeric) {
        sqlite3_bind_double(st, idx, num);
        sqlite3_bind_null(st, idx + 1);
    } else {
        sqlite3_bind_null(st, idx);
        store_bind_text(st, idx + 1, label);
    }
}

/* ---- collect ------------------------------------------------------------------ */

typedef struct RecordCtx {
    const StoreBuild *b;
    const StoreValue *v;
    size_t n;
    int64_t id;
} RecordCtx;

static int record_txn(Store *s, void *ud, char *err, size_t errlen)
{
    RecordCtx *c = ud;
    const StoreBuild *b = c->b;
    int rc;
    sqlite3_stmt *st = store_stmt(s, ST_UPSERT_BUILD, SQL_UPSERT_BUILD, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    store_bind_text(st, 1, b->commit_sha);
    store_bind_text(st, 2, b->branch);
    store_bind_text(st, 3, b->run_id);
    sqlite3_bind_int64(st, 4, b->run_number);
    store_bind_text(st, 5, b->event_name);
    store_bind_text(st, 6, b->timestamp);
    rc = store_run_id(s, st, &c->id, "record_build", err, errlen);
    if (rc != SQLITE_OK) {
        return rc;
    }
    if ((st = store_stmt(s, ST_DELETE_VALUES, SQL_DELETE_VALUES, &rc, err, errlen)) == NULL) {
        return rc;
    }
    sqlite3_bind_int64(st, 1, c->id);
    if ((rc = store_run_done(s, st, "record_build", err, errlen)) != SQLITE_OK) {
        return rc;
    }
    for (size_t i = 0; i < c->n; i++) {
        const StoreValue *v = &c->v[i];
        if ((st = store_stmt(s, ST_UPSERT_DEF, SQL_UPSERT_DEF, &rc, err, errlen)) == NULL) {
            return rc;
        }
        store_bind_text(st, 1, v->metric_id);
        store_bind_text(st, 2, v->type);
        store_bind_text(st, 3, v->unit);
        store_bind_text(st, 4, v->description);
        if ((rc = store_run_done(s, st, "record_build", err, errlen)) != SQLITE_OK) {
            return rc;
        }
        if ((st = store_stmt(s, ST_INSERT_VALUE, SQL_INSERT_VALUE, &rc, err, errlen)) == NULL) {
            return rc;
        }
        store_bind_text(st, 1, v->metric_id);
        sqlite3_bind_int64(st, 2, c->id);
        store_bind_value(st, 3, v->is_numeric, v->value_numeric, v->value_label);
        if ((rc = store_run_done(s, st, "record_build", err, errlen)) != SQLITE_OK) {
            return rc;
        }
    }
    return SQLITE_OK;
}

int store_check_value(int is_numeric, double num, const char *label, const char *who,
                      char *err, size_t errlen)
{
    if (is_numeric && isnan(num)) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: %s: value_numeric is NaN", who);
    }
    if (!is_numeric && label == NULL) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: %s: value_label is missing", who);
    }
    return SQLITE_OK;
}

int store_build_problem(const StoreBuild *b, char *msg, size_t len)
{
    if (!b->commit_sha || !b->branch || !b->run_id) {
        snprintf(msg, len, "commit_sha, branch and run_id are required");
        return 1;
    }
    if (!store_timestamp_ok(b->timestamp)) {
        snprintf(msg, len, "timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ");
        return 1;
    }
    return 0;
}

int store_value_problem(const StoreValue *v, size_t index, char *msg, size_t len)
{
    if (v->metric_id == NULL || v->type == NULL ||
        strcmp(v->type, v->is_numeric ? "numeric" : "label") != 0) {
        snprintf(msg, len, "value %zu needs a metric id and a type matching its value", index);
        return 1;
    }
    return 0;
}

int store_record_build(Store *s, const StoreBuild *b, const StoreValue *v, size_t n,
                       int64_t *build_id, char *err, size_t errlen)
{
    char problem[160];
    if (store_build_problem(b, problem, sizeof problem)) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: record_build: %s", problem);
    }
    for (size_t i = 0; i < n; i++) {
        if (store_value_problem(&v[i], i + 1, problem, sizeof problem)) {
            return store_errf(SQLITE_MISUSE, err, errlen, "store: record_build: %s", problem);
        }
        int rc = store_check_value(v[i].is_numeric, v[i].value_numeric, v[i].value_label,
                             "record_build", err, errlen);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    RecordCtx c = {b, v, n, -1};
    int rc = store_transaction(s, record_txn, &c, err, errlen);
    if (rc == SQLITE_OK && build_id != NULL) {
        *build_id = c.id;
    }
    return rc;
}
