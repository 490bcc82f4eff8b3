/* store_internal.h: private to store.c, store_write.c and store_query.c.
 * The Store struct, the cached prepared statements (prepared on first use,
 * finalized by store_close) and the error helpers they share. Depends on
 * sqlite3 only. */
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

struct Store {
    sqlite3 *db;
    char *path;
    unsigned flags;
    char *warning;    /* malloc'd or NULL */
    char version[64]; /* schema version at open */
    sqlite3_stmt *stmts[ST_COUNT];
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

#endif
