/* store_annotations.c: metric annotations (store_history.h): the additive
 * table `metric_annotations` (schema version 2.1.0, created on the first
 * annotation so untouched databases keep upstream's 2.0.0 schema), upsert,
 * removal and listing. Statements are prepared per call: annotations are
 * rare, and the cached-statement table belongs to store.c. Depends on
 * sqlite3, store.h and store_internal.h. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_history.h"
#include "store_internal.h"

static const char SQL_CREATE[] =
    "CREATE TABLE IF NOT EXISTS metric_annotations (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  metric_id TEXT NOT NULL,\n"
    "  commit_sha TEXT NOT NULL,\n"
    "  note TEXT NOT NULL,\n"
    "  reset INTEGER NOT NULL DEFAULT 0 CHECK(reset IN (0, 1)),\n"
    "  created_at DATETIME NOT NULL,\n"
    "  UNIQUE(metric_id, commit_sha)\n"
    ")";

static const char SQL_VERSION[] =
    "INSERT OR IGNORE INTO schema_version (version, description) VALUES (?, ?)";

static const char SQL_UPSERT[] =
    "INSERT INTO metric_annotations (metric_id, commit_sha, note, reset, created_at)\n"
    "  VALUES (?, ?, ?, ?, ?)\n"
    "  ON CONFLICT(metric_id, commit_sha) DO UPDATE SET note = excluded.note,\n"
    "    reset = excluded.reset, created_at = excluded.created_at\n"
    "  RETURNING id";

static const char SQL_LIST[] =
    "SELECT id, metric_id, commit_sha, note, reset, created_at FROM metric_annotations\n"
    "WHERE ?1 IS NULL OR metric_id = ?1\n"
    "ORDER BY julianday(created_at), id";

static const char SQL_REMOVE[] =
    "DELETE FROM metric_annotations WHERE metric_id = ? AND commit_sha = ?";

int store_history_version_known(const char *version)
{
    return version != NULL && strcmp(version, STORE_SCHEMA_ANNOTATIONS) == 0;
}

int store_has_annotations(Store *s, int *yes, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    *yes = 0;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                " AND name = 'metric_annotations'",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        *yes = rc == SQLITE_ROW;
        rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        store_sql_error(s, rc, "reading the schema", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Prepares `sql` into *st; fills err on failure. */
static int prepare(Store *s, const char *sql, sqlite3_stmt **st, const char *what, char *err,
                   size_t errlen)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? rc : store_sql_error(s, rc, what, err, errlen);
}

typedef struct AddCtx {
    const StoreAnnotation *a;
    int64_t id;
} AddCtx;

static int add_txn(Store *s, void *ud, char *err, size_t errlen)
{
    AddCtx *c = ud;
    const StoreAnnotation *a = c->a;
    int rc = sqlite3_exec(s->db, SQL_CREATE, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        return store_sql_error(s, rc, "creating metric_annotations", err, errlen);
    }
    sqlite3_stmt *st = NULL;
    rc = prepare(s, SQL_VERSION, &st, "recording the schema version", err, errlen);
    if (rc == SQLITE_OK) {
        store_bind_text(st, 1, STORE_SCHEMA_ANNOTATIONS);
        store_bind_text(st, 2, STORE_SCHEMA_ANNOTATIONS_DESCRIPTION);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK
                               : store_sql_error(s, rc, "recording the schema version", err, errlen);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK) {
        rc = prepare(s, SQL_UPSERT, &st, "annotate", err, errlen);
    }
    if (rc == SQLITE_OK) {
        store_bind_text(st, 1, a->metric_id);
        store_bind_text(st, 2, a->commit_sha);
        store_bind_text(st, 3, a->note);
        sqlite3_bind_int(st, 4, a->reset ? 1 : 0);
        store_bind_text(st, 5, a->created_at);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            c->id = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        } else {
            rc = store_sql_error(s, rc == SQLITE_DONE ? SQLITE_ERROR : rc, "annotate", err,
                                 errlen);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int store_annotation_add(Store *s, const StoreAnnotation *a, int64_t *id, char *err,
                         size_t errlen)
{
    if (a->metric_id == NULL || a->commit_sha == NULL || a->note == NULL ||
        a->metric_id[0] == '\0' || a->commit_sha[0] == '\0') {
        return store_errf(SQLITE_MISUSE, err, errlen,
                          "store: annotate: metric_id, commit_sha and note are required");
    }
    if (!store_timestamp_ok(a->created_at)) {
        return store_errf(SQLITE_MISUSE, err, errlen,
                          "store: annotate: created_at must be YYYY-MM-DDTHH:MM:SS.sssZ");
    }
    if (store_flags(s) & STORE_READONLY) {
        return store_errf(SQLITE_READONLY, err, errlen,
                          "store: cannot annotate '%s': the database is open read-only",
                          store_path(s));
    }
    AddCtx c = {a, -1};
    int rc = store_transaction(s, add_txn, &c, err, errlen);
    if (rc == SQLITE_OK) {
        *id = c.id;
        /* The version row was added by this transaction if it was older. */
        if (strcmp(s->version, STORE_SCHEMA_ANNOTATIONS) < 0) {
            snprintf(s->version, sizeof s->version, "%s", STORE_SCHEMA_ANNOTATIONS);
        }
    }
    return rc;
}

int store_annotation_remove(Store *s, const char *metric_id, const char *commit_sha,
                            int *removed, char *err, size_t errlen)
{
    *removed = 0;
    if (store_flags(s) & STORE_READONLY) {
        return store_errf(SQLITE_READONLY, err, errlen,
                          "store: cannot remove an annotation from '%s': the database is open "
                          "read-only",
                          store_path(s));
    }
    int yes = 0;
    int rc = store_has_annotations(s, &yes, err, errlen);
    if (rc != SQLITE_OK || !yes) {
        return rc;
    }
    sqlite3_stmt *st = NULL;
    rc = prepare(s, SQL_REMOVE, &st, "remove annotation", err, errlen);
    if (rc == SQLITE_OK) {
        store_bind_text(st, 1, metric_id);
        store_bind_text(st, 2, commit_sha);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            *removed = sqlite3_changes(s->db);
            rc = SQLITE_OK;
        } else {
            store_sql_error(s, rc, "remove annotation", err, errlen);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int store_annotations(Store *s, const char *metric_id, store_annotation_cb cb, void *ud,
                      char *err, size_t errlen)
{
    int yes = 0;
    int rc = store_has_annotations(s, &yes, err, errlen);
    if (rc != SQLITE_OK || !yes) {
        return rc;
    }
    sqlite3_stmt *st = NULL;
    rc = prepare(s, SQL_LIST, &st, "annotations", err, errlen);
    if (rc != SQLITE_OK) {
        return rc;
    }
    store_bind_text(st, 1, metric_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        StoreAnnotation a = {
            .id = sqlite3_column_int64(st, 0),
            .metric_id = col_text(st, 1),
            .commit_sha = col_text(st, 2),
            .note = col_text(st, 3),
            .reset = sqlite3_column_int(st, 4) != 0,
            .created_at = col_text(st, 5),
        };
        int stop = cb(ud, &a);
        if (stop != 0) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    if (rc != SQLITE_DONE) {
        store_sql_error(s, rc, "annotations", err, errlen);
    } else {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}
