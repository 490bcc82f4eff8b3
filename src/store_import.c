/* store_import.c: the `import` writes of import.md §4. store_import writes
 * an array of records in one store_transaction (busy retries re-run it);
 * the streaming import (store_import_begin / _add / _commit / _rollback)
 * keeps one IMMEDIATE transaction open while the caller feeds records one
 * at a time, so memory does not grow with the input. Both share
 * import_one, whose prepared statements are cached by the Store and whose
 * per-transaction caches skip statements that cannot change anything.
 * Depends on sqlite3 and POSIX (nanosleep). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"
#include "store_internal.h"

/* import.md §4 writes `... DO NOTHING RETURNING id`; the same id comes from
 * sqlite3_last_insert_rowid when a row was inserted, without the ephemeral
 * table SQLite builds for RETURNING. */
static const char SQL_IMPORT_BUILD[] =
    "INSERT INTO build_contexts (commit_sha, branch, run_id, run_number, event_name, timestamp)\n"
    "  VALUES (?, ?, ?, ?, 'import', ?)\n"
    "  ON CONFLICT(commit_sha, run_id) DO NOTHING";

static const char SQL_FIND_BUILD[] =
    "SELECT id FROM build_contexts WHERE commit_sha = ? AND run_id = ?";

static const char SQL_IMPORT_DEF[] =
    "INSERT INTO metric_definitions (id, type) VALUES (?, ?) ON CONFLICT(id) DO NOTHING";

static const char SQL_IMPORT_VALUE[] =
    "INSERT INTO metric_values (metric_id, build_id, value_numeric, value_label)"
    " VALUES (?, ?, ?, ?)\n"
    "  ON CONFLICT(metric_id, build_id) DO UPDATE SET value_numeric = excluded.value_numeric,\n"
    "    value_label = excluded.value_label";

static const int BACKOFF_MS[STORE_ATTEMPTS - 1] = {100, 200, 400};

static int is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void reset_caches(StoreImportState *imp)
{
    imp->count = 0;
    imp->last_build = -1;
    imp->ndefs = 0;
}

static int fits(const char *v)
{
    return strlen(v) < STORE_IMPORT_KEYLEN;
}

/* The build id of (sha, run_id): the cached one, the inserted one, or the
 * existing row's (the first record of a build wins). */
static int import_build(Store *s, const StoreImportRecord *r, int64_t *id, char *err,
                        size_t errlen)
{
    StoreImportState *imp = &s->imp;
    if (imp->last_build >= 0 && strcmp(imp->last_sha, r->commit_sha) == 0 &&
        strcmp(imp->last_run, r->run_id) == 0) {
        *id = imp->last_build;
        return SQLITE_OK;
    }
    int rc;
    sqlite3_stmt *st = store_stmt(s, ST_IMPORT_BUILD, SQL_IMPORT_BUILD, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    store_bind_text(st, 1, r->commit_sha);
    store_bind_text(st, 2, r->branch);
    store_bind_text(st, 3, r->run_id);
    sqlite3_bind_int64(st, 4, r->run_number);
    store_bind_text(st, 5, r->timestamp);
    if ((rc = store_run_done(s, st, "import", err, errlen)) != SQLITE_OK) {
        return rc;
    }
    *id = sqlite3_changes(s->db) == 1 ? sqlite3_last_insert_rowid(s->db) : -1;
    if (*id < 0) {
        if ((st = store_stmt(s, ST_FIND_BUILD, SQL_FIND_BUILD, &rc, err, errlen)) == NULL) {
            return rc;
        }
        store_bind_text(st, 1, r->commit_sha);
        store_bind_text(st, 2, r->run_id);
        if ((rc = store_run_id(s, st, id, "import", err, errlen)) != SQLITE_OK) {
            return rc;
        }
    }
    imp->last_build = -1;
    if (*id >= 0 && fits(r->commit_sha) && fits(r->run_id)) {
        strcpy(imp->last_sha, r->commit_sha);
        strcpy(imp->last_run, r->run_id);
        imp->last_build = *id;
    }
    return SQLITE_OK;
}

/* INSERT ... ON CONFLICT DO NOTHING of the definition, unless this
 * transaction already inserted the id (then it would do nothing). */
static int import_def(Store *s, const StoreImportRecord *r, char *err, size_t errlen)
{
    StoreImportState *imp = &s->imp;
    for (int i = 0; i < imp->ndefs; i++) {
        if (strcmp(imp->defs[i], r->metric_id) == 0) {
            return SQLITE_OK;
        }
    }
    int rc;
    sqlite3_stmt *st = store_stmt(s, ST_IMPORT_DEF, SQL_IMPORT_DEF, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    store_bind_text(st, 1, r->metric_id);
    store_bind_text(st, 2, r->is_numeric ? "numeric" : "label");
    if ((rc = store_run_done(s, st, "import", err, errlen)) != SQLITE_OK) {
        return rc;
    }
    if (imp->ndefs < STORE_IMPORT_DEFS && fits(r->metric_id)) {
        strcpy(imp->defs[imp->ndefs++], r->metric_id);
    }
    return SQLITE_OK;
}

static int import_one(Store *s, const StoreImportRecord *r, char *err, size_t errlen)
{
    int64_t id;
    int rc = import_build(s, r, &id, err, errlen);
    if (rc != SQLITE_OK) {
        return rc;
    }
    if (id < 0) { /* cannot happen: the row was inserted or exists */
        return store_errf(SQLITE_INTERNAL, err, errlen, "store: import: build row not found");
    }
    if ((rc = import_def(s, r, err, errlen)) != SQLITE_OK) {
        return rc;
    }
    sqlite3_stmt *st = store_stmt(s, ST_IMPORT_VALUE, SQL_IMPORT_VALUE, &rc, err, errlen);
    if (st == NULL) {
        return rc;
    }
    store_bind_text(st, 1, r->metric_id);
    sqlite3_bind_int64(st, 2, id);
    store_bind_value(st, 3, r->is_numeric, r->value_numeric, r->value_label);
    return store_run_done(s, st, "import", err, errlen);
}

static int check_record(const StoreImportRecord *r, size_t i, char *err, size_t errlen)
{
    if (!r->commit_sha || !r->branch || !r->run_id || !r->metric_id ||
        !store_timestamp_ok(r->timestamp)) {
        return store_errf(SQLITE_MISUSE, err, errlen,
                          "store: import: record %zu needs commit_sha, branch, run_id, "
                          "metric_id and a YYYY-MM-DDTHH:MM:SS.sssZ timestamp",
                          i);
    }
    return store_check_value(r->is_numeric, r->value_numeric, r->value_label, "import", err,
                             errlen);
}

/* ---- one array, one transaction -------------------------------------------- */

typedef struct ImportCtx {
    const StoreImportRecord *r;
    size_t n;
} ImportCtx;

static int import_txn(Store *s, void *ud, char *err, size_t errlen)
{
    ImportCtx *c = ud;
    reset_caches(&s->imp);
    for (size_t i = 0; i < c->n; i++) {
        int rc = import_one(s, &c->r[i], err, errlen);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    return SQLITE_OK;
}

int store_import(Store *s, const StoreImportRecord *r, size_t n, int64_t *inserted,
                 char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_record(&r[i], i + 1, err, errlen);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    ImportCtx c = {r, n};
    int rc = store_transaction(s, import_txn, &c, err, errlen);
    reset_caches(&s->imp);
    if (rc == SQLITE_OK && inserted != NULL) {
        *inserted = (int64_t)n;
    }
    return rc;
}

/* ---- streaming ----------------------------------------------------------------- */

/* The import's writes insert every parent row (definition, build) before
 * the value that references it, in the same transaction, so SQLite's
 * foreign-key lookups cannot fail; they are switched off for the streaming
 * import (about a tenth of its SQLite time) and back on when it ends. The pragma
 * only takes effect outside a transaction. */
static void foreign_keys(Store *s, int on)
{
    sqlite3_exec(s->db, on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF", NULL, NULL,
                 NULL);
}

/* The integer a pragma reports (`def` when it cannot be read). */
static int pragma_int(Store *s, const char *sql, int def)
{
    sqlite3_stmt *st = NULL;
    int v = def;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

/* A large import outgrows the 2 MiB page cache of storage.md §3 within its
 * one transaction, and every spill costs write and read system calls; the
 * import runs with IMPORT_CACHE_KIB instead (a fixed bound, reached at
 * about 100,000 records) and restores the previous size when it ends. */
#define IMPORT_CACHE_KIB 8192

static void cache_size(Store *s, int pragma_value)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%d", pragma_value);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

/* Ends the import (after COMMIT, or rolling back what is open). */
static void end_import(Store *s)
{
    store_reset_statements(s);
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (s->imp.fk_off) {
        foreign_keys(s, 1);
    }
    cache_size(s, s->imp.cache_size);
    s->imp.active = 0;
    s->imp.fk_off = 0;
    reset_caches(&s->imp);
}

int store_import_begin(Store *s, char *err, size_t errlen)
{
    if (s->imp.active || !sqlite3_get_autocommit(s->db)) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: a transaction is already open");
    }
    if (s->flags & STORE_READONLY) {
        return store_errf(SQLITE_READONLY, err, errlen,
                          "store: import: '%s' is open read-only", s->path);
    }
    int fk = pragma_int(s, "PRAGMA foreign_keys", 1);
    if (fk) {
        foreign_keys(s, 0);
    }
    int cache = pragma_int(s, "PRAGMA cache_size", -2000);
    int rc = SQLITE_BUSY;
    for (int attempt = 0; attempt < STORE_ATTEMPTS && is_busy(rc); attempt++) {
        if (attempt > 0) {
            sleep_ms(BACKOFF_MS[attempt - 1]);
        }
        rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK) {
        reset_caches(&s->imp);
        s->imp.active = 1;
        s->imp.fk_off = fk;
        s->imp.cache_size = cache;
        cache_size(s, -IMPORT_CACHE_KIB);
        return SQLITE_OK;
    }
    if (is_busy(rc)) {
        store_errf(SQLITE_BUSY, err, errlen, "database is locked (gave up after %d attempts)",
                   STORE_ATTEMPTS);
    } else {
        store_sql_error(s, rc, "begin", err, errlen);
    }
    if (fk) {
        foreign_keys(s, 1);
    }
    return rc;
}

int store_import_add(Store *s, const StoreImportRecord *r, char *err, size_t errlen)
{
    if (!s->imp.active) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: no import is open");
    }
    int rc = check_record(r, (size_t)s->imp.count + 1, err, errlen);
    if (rc != SQLITE_OK) {
        return rc;
    }
    if ((rc = import_one(s, r, err, errlen)) != SQLITE_OK) {
        end_import(s);
        return rc;
    }
    s->imp.count++;
    return SQLITE_OK;
}

int store_import_commit(Store *s, int64_t *inserted, char *err, size_t errlen)
{
    if (!s->imp.active) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: no import is open");
    }
    store_reset_statements(s);
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
        if (attempt > 0) {
            sleep_ms(BACKOFF_MS[attempt - 1]);
        }
        /* A COMMIT that fails with SQLITE_BUSY leaves the transaction open. */
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            if (inserted != NULL) {
                *inserted = s->imp.count;
            }
            end_import(s);
            return SQLITE_OK;
        }
        if (!is_busy(rc) || sqlite3_get_autocommit(s->db)) {
            break;
        }
    }
    if (is_busy(rc)) {
        store_errf(SQLITE_BUSY, err, errlen, "database is locked (gave up after %d attempts)",
                   STORE_ATTEMPTS);
    } else {
        store_sql_error(s, rc, "commit", err, errlen);
    }
    end_import(s);
    return rc;
}

void store_import_rollback(Store *s)
{
    if (s != NULL && s->imp.active) {
        end_import(s);
    }
}

int store_import_active(const Store *s)
{
    return s->imp.active;
}

int64_t store_import_count(const Store *s)
{
    return s->imp.count;
}
