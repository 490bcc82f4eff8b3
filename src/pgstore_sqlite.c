/* pgstore_sqlite.c: the SQLite end of `unentropy db copy`. The file is
 * created and migrated by store_open (so its schema is exactly store.c's,
 * upstream-compatible), then opened here to dump every row and to restore
 * builds with chosen ids: an existing (commit_sha, run_id) is updated in
 * place and keeps its id, a new one gets the proposed id when it is free
 * (AUTOINCREMENT then continues after it). Depends on sqlite3 and store.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "pgstore.h"
#include "pgstore_sqlite.h"
#include "store.h"

struct PgSqlite {
    sqlite3 *db;
    char *path;
    int readonly;
};

static const char SQL_DEFS[] =
    "SELECT id, type, unit, description FROM metric_definitions ORDER BY rowid";
static const char SQL_BUILDS[] =
    "SELECT id, commit_sha, branch, run_id, run_number, event_name, timestamp"
    " FROM build_contexts ORDER BY id";
static const char SQL_VALUES[] =
    "SELECT build_id, metric_id, value_numeric, value_label FROM metric_values"
    " WHERE build_id = ? ORDER BY id";
static const char SQL_COUNT[] = "SELECT count(*) FROM build_contexts";
static const char SQL_UPSERT_DEF[] =
    "INSERT INTO metric_definitions (id, type, unit, description) VALUES (?, ?, ?, ?)\n"
    "  ON CONFLICT(id) DO UPDATE SET unit = COALESCE(excluded.unit, unit),\n"
    "    description = COALESCE(excluded.description, description)";
static const char SQL_RESTORE_BUILD[] =
    "INSERT INTO build_contexts (id, commit_sha, branch, run_id, run_number, event_name,"
    " timestamp)\n"
    "  VALUES (CASE WHEN ?1 > 0 AND NOT EXISTS (SELECT 1 FROM build_contexts WHERE id = ?1)"
    " THEN ?1 END, ?2, ?3, ?4, ?5, ?6, ?7)\n"
    "  ON CONFLICT(commit_sha, run_id) DO UPDATE SET branch = excluded.branch,"
    " run_number = excluded.run_number,\n"
    "    event_name = excluded.event_name, timestamp = excluded.timestamp\n"
    "  RETURNING id";
static const char SQL_DELETE_VALUES[] = "DELETE FROM metric_values WHERE build_id = ?";
static const char SQL_INSERT_VALUE[] =
    "INSERT INTO metric_values (metric_id, build_id, value_numeric, value_label)"
    " VALUES (?, ?, ?, ?)";

static int errf(int rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int errf(int rc, char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static int fail(PgSqlite *q, int rc, const char *what, char *err, size_t errlen)
{
    int code = (rc & 0xff) == SQLITE_BUSY ? PGSTORE_CONFLICT : PGSTORE_ERROR;
    return errf(code, err, errlen, "pgstore: %s of '%s' failed: %s", what, q->path,
                   q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
}

static int prepare(PgSqlite *q, const char *sql, sqlite3_stmt **st, const char *what,
                   char *err, size_t errlen)
{
    int rc = sqlite3_prepare_v2(q->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? PGSTORE_OK : fail(q, rc, what, err, errlen);
}

static const char *text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

static int bind_text(sqlite3_stmt *st, int idx, const char *v)
{
    return v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
}

int pgsqlite_open(PgSqlite **out, const char *path, int readonly, char *err, size_t errlen)
{
    *out = NULL;
    Store *s = NULL;
    int rc = store_open(&s, path, readonly ? STORE_READONLY : STORE_CREATE, err, errlen);
    if (rc != SQLITE_OK) {
        return (rc & 0xff) == SQLITE_CANTOPEN && readonly ? PGSTORE_NOT_FOUND : PGSTORE_ERROR;
    }
    store_close(s);
    PgSqlite *q = calloc(1, sizeof *q);
    if (q == NULL || (q->path = strdup(path)) == NULL) {
        free(q);
        return errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    q->readonly = readonly;
    rc = sqlite3_open_v2(path, &q->db, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                         NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(q->db, 5000);
        rc = sqlite3_exec(q->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        rc = fail(q, rc, "open", err, errlen);
        pgsqlite_close(q);
        return rc;
    }
    *out = q;
    return PGSTORE_OK;
}

void pgsqlite_close(PgSqlite *q)
{
    if (q == NULL) {
        return;
    }
    if (q->db != NULL) {
        if (!q->readonly) {
            sqlite3_exec(q->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        }
        sqlite3_close_v2(q->db);
    }
    free(q->path);
    free(q);
}

const char *pgsqlite_path(const PgSqlite *q)
{
    return q->path;
}

/* ---- dumps ------------------------------------------------------------------------ */

int pgsqlite_definitions(PgSqlite *q, store_def_cb cb, void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(q, SQL_DEFS, &st, "read", err, errlen), step = SQLITE_DONE;
    while (rc == PGSTORE_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        StoreMetricDef d = {text(st, 0), text(st, 1), text(st, 2), text(st, 3)};
        rc = cb(ud, &d);
    }
    if (rc == PGSTORE_OK && step != SQLITE_DONE) {
        rc = fail(q, step, "read", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

int pgsqlite_dump_builds(PgSqlite *q, store_build_cb cb, void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(q, SQL_BUILDS, &st, "read", err, errlen), step = SQLITE_DONE;
    while (rc == PGSTORE_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        StoreBuildRow r = {
            .id = sqlite3_column_int64(st, 0),
            .commit_sha = text(st, 1),
            .branch = text(st, 2),
            .run_id = text(st, 3),
            .run_number = sqlite3_column_int64(st, 4),
            .event_name = text(st, 5),
            .timestamp = text(st, 6),
        };
        rc = cb(ud, &r);
    }
    if (rc == PGSTORE_OK && step != SQLITE_DONE) {
        rc = fail(q, step, "read", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

int pgsqlite_dump_values(PgSqlite *q, const int64_t *ids, size_t n, store_value_cb cb,
                         void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(q, SQL_VALUES, &st, "read", err, errlen);
    for (size_t i = 0; i < n && rc == PGSTORE_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ids[i]);
        int step = SQLITE_DONE;
        while (rc == PGSTORE_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
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
            rc = cb(ud, &r);
        }
        if (rc == PGSTORE_OK && step != SQLITE_DONE) {
            rc = fail(q, step, "read", err, errlen);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int pgsqlite_build_count(PgSqlite *q, int64_t *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(q, SQL_COUNT, &st, "read", err, errlen);
    if (rc == PGSTORE_OK) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
        } else {
            rc = fail(q, step, "read", err, errlen);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- restores -------------------------------------------------------------------------- */

static int run(PgSqlite *q, sqlite3_stmt *st, int64_t *id, char *err, size_t errlen)
{
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW && id != NULL) {
        *id = sqlite3_column_int64(st, 0);
        step = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? PGSTORE_OK : fail(q, step, "restore", err, errlen);
}

static int begin(PgSqlite *q, char *err, size_t errlen)
{
    if (q->readonly) {
        return errf(PGSTORE_READONLY, err, errlen, "pgstore: '%s' is open read-only",
                       q->path);
    }
    int rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    return rc == SQLITE_OK ? PGSTORE_OK : fail(q, rc, "restore", err, errlen);
}

static int end(PgSqlite *q, int rc, char *err, size_t errlen)
{
    if (rc == PGSTORE_OK) {
        int c = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
        if (c == SQLITE_OK) {
            return PGSTORE_OK;
        }
        rc = fail(q, c, "restore", err, errlen);
    }
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int pgsqlite_restore_definitions(PgSqlite *q, const StoreMetricDef *d, size_t n, char *err,
                                 size_t errlen)
{
    int rc = begin(q, err, errlen);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    sqlite3_stmt *st = NULL;
    rc = prepare(q, SQL_UPSERT_DEF, &st, "restore", err, errlen);
    for (size_t i = 0; i < n && rc == PGSTORE_OK; i++) {
        if (d[i].id == NULL || d[i].type == NULL) {
            rc = errf(PGSTORE_MISUSE, err, errlen,
                         "pgstore: restore: definition %zu needs an id and a type", i + 1);
            break;
        }
        bind_text(st, 1, d[i].id);
        bind_text(st, 2, d[i].type);
        bind_text(st, 3, d[i].unit);
        bind_text(st, 4, d[i].description);
        rc = run(q, st, NULL, err, errlen);
    }
    sqlite3_finalize(st);
    return end(q, rc, err, errlen);
}

static int restore_one(PgSqlite *q, sqlite3_stmt **st, const PgCopyBuild *cb, char *err,
                       size_t errlen)
{
    const StoreBuild *b = &cb->b;
    sqlite3_bind_int64(st[0], 1, cb->id);
    bind_text(st[0], 2, b->commit_sha);
    bind_text(st[0], 3, b->branch);
    bind_text(st[0], 4, b->run_id);
    sqlite3_bind_int64(st[0], 5, b->run_number);
    bind_text(st[0], 6, b->event_name);
    bind_text(st[0], 7, b->timestamp);
    int64_t id = -1;
    int rc = run(q, st[0], &id, err, errlen);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    sqlite3_bind_int64(st[1], 1, id);
    if ((rc = run(q, st[1], NULL, err, errlen)) != PGSTORE_OK) {
        return rc;
    }
    for (size_t i = 0; i < cb->nvalues && rc == PGSTORE_OK; i++) {
        const StoreValueRow *v = &cb->values[i];
        bind_text(st[2], 1, v->metric_id);
        sqlite3_bind_int64(st[2], 2, id);
        if (v->is_numeric) {
            sqlite3_bind_double(st[2], 3, v->value_numeric);
            sqlite3_bind_null(st[2], 4);
        } else {
            sqlite3_bind_null(st[2], 3);
            bind_text(st[2], 4, v->value_label);
        }
        rc = run(q, st[2], NULL, err, errlen);
    }
    return rc;
}

int pgsqlite_restore_builds(PgSqlite *q, const PgCopyBuild *b, size_t n, char *err,
                            size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (!b[i].b.commit_sha || !b[i].b.branch || !b[i].b.run_id || !b[i].b.timestamp) {
            return errf(PGSTORE_MISUSE, err, errlen,
                           "pgstore: restore: build %zu needs commit_sha, branch, run_id and "
                           "timestamp",
                           i + 1);
        }
    }
    int rc = begin(q, err, errlen);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    sqlite3_stmt *st[3] = {NULL, NULL, NULL};
    if ((rc = prepare(q, SQL_RESTORE_BUILD, &st[0], "restore", err, errlen)) == PGSTORE_OK &&
        (rc = prepare(q, SQL_DELETE_VALUES, &st[1], "restore", err, errlen)) == PGSTORE_OK) {
        rc = prepare(q, SQL_INSERT_VALUE, &st[2], "restore", err, errlen);
    }
    for (size_t i = 0; i < n && rc == PGSTORE_OK; i++) {
        rc = restore_one(q, st, &b[i], err, errlen);
    }
    for (int i = 0; i < 3; i++) {
        sqlite3_finalize(st[i]);
    }
    return end(q, rc, err, errlen);
}
