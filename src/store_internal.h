/* store_internal.h: private to store.c, store_write.c, store_import.c and
 * store_query.c. The Store struct, the cached prepared statements (prepared
 * on first use, finalized by store_close), the state of a streaming import
 * and the error and statement helpers they share. Depends on sqlite3 only. */
#ifndef UNENTROPY_STORE_INTERNAL_H
#define UNENTROPY_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

typedef enum StoreStmt {
    ST_UPSERT_BUILD,
    ST_DELETE_VALUES,
    ST_UPSERT_DEF,
    ST_INSERT_VALUE,
    ST_IMPORT_BUILD,
    ST_FIND_BUILD,
    ST_IMPORT_DEF,
    ST_IMPORT_VALUE,
    ST_TIMELINE,
    ST_VALUES,
    ST_SERIES,
    ST_BASELINE_LATEST,
    ST_BASELINE_COMMIT,
    ST_DEFS,
    ST_BUILD_COUNT,
    ST_MAX_RUN,
    ST_JULIANDAY,
    ST_COUNT
} StoreStmt;

#define STORE_IMPORT_KEYLEN 136 /* cached keys longer than this are not cached */
#define STORE_IMPORT_DEFS 16    /* metric ids remembered per import */

/* Per-transaction caches of the import writes (store_import.c). They only
 * skip statements whose effect is already in the open transaction: the
 * build id of the last (commit_sha, run_id) and the metric ids already
 * inserted into metric_definitions. Reset at the start of every import
 * transaction (and every busy retry of store_import). */
typedef struct StoreImportState {
    int active;      /* a streaming import (store_import_begin) is open */
    int fk_off;      /* foreign_keys was switched off for it (restore at the end) */
    int cache_size;  /* PRAGMA cache_size before it (restored at the end) */
    int64_t count;   /* records added in the open import */
    int64_t last_build; /* -1: no cached build */
    char last_sha[STORE_IMPORT_KEYLEN];
    char last_run[STORE_IMPORT_KEYLEN];
    int ndefs;
    char defs[STORE_IMPORT_DEFS][STORE_IMPORT_KEYLEN];
} StoreImportState;

struct Store {
    sqlite3 *db;
    char *path;
    unsigned flags;
    char *warning;    /* malloc'd or NULL */
    char version[64]; /* schema version at open */
    sqlite3_stmt *stmts[ST_COUNT];
    StoreImportState imp;
};

/* The cached statement `id` (prepared from `sql` on first use), reset with
 * bindings cleared; NULL with *rc set and err filled when it cannot be
 * prepared. Owned by the Store. */
sqlite3_stmt *store_stmt(Store *s, StoreStmt id, const char *sql, int *rc, char *err,
                         size_t errlen);

/* Formats "store: <what> failed: <sqlite message>" into err; returns rc. */
int store_sql_error(Store *s, int rc, const char *what, char *err, size_t errlen);

/* snprintf into err when err is not NULL; returns rc. */
int store_errf(int rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Binds text (NULL binds NULL) with SQLITE_TRANSIENT. */
int store_bind_text(sqlite3_stmt *st, int idx, const char *v);

/* Runs a statement that returns no rows to completion and resets it. */
int store_run_done(Store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen);

/* Steps a `RETURNING id` / `SELECT id` statement and resets it; *id = -1
 * when no row came back. */
int store_run_id(Store *s, sqlite3_stmt *st, int64_t *id, const char *what, char *err,
                 size_t errlen);

/* Binds a value pair at idx, idx + 1: (number, NULL) or (NULL, label). */
void store_bind_value(sqlite3_stmt *st, int idx, int is_numeric, double num, const char *label);

/* SQLITE_MISUSE with a message for a NaN number or a missing label. */
int store_check_value(int is_numeric, double num, const char *label, const char *who,
                      char *err, size_t errlen);

#endif
