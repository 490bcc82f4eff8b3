/* pgstore_sqlite.h: the SQLite end of `unentropy db copy` (docs/postgres.md):
 * the same dump and restore verbs as pgstore_copy.c on a local SQLite file.
 * store_open creates and migrates the file (the schema stays store.c's);
 * this module then reads every row and writes builds with chosen ids, which
 * unentropy.store's verbs do not offer. Pure C over sqlite3; codes are
 * PGSTORE_*, messages go to `err` (may be NULL). */
#ifndef UNENTROPY_PGSTORE_SQLITE_H
#define UNENTROPY_PGSTORE_SQLITE_H

#include <stddef.h>
#include <stdint.h>

#include "pgstore.h"
#include "store.h"

typedef struct PgSqlite PgSqlite;

/* Opens `path`: read-write creates and migrates it (store_open), read-only
 * needs an unentropy database (PGSTORE_NOT_FOUND for a missing file). On
 * success *out owns the handle (pgsqlite_close); on failure it is NULL. */
int pgsqlite_open(PgSqlite **out, const char *path, int readonly, char *err, size_t errlen);

/* Closes the handle (checkpointing a WAL file). Accepts NULL. */
void pgsqlite_close(PgSqlite *q);

/* The path given to pgsqlite_open; valid until close. */
const char *pgsqlite_path(const PgSqlite *q);

/* Definitions in insertion order; every build in id order (timestamps as
 * stored); the values of the given builds by build id, then value id. */
int pgsqlite_definitions(PgSqlite *q, store_def_cb cb, void *ud, char *err, size_t errlen);
int pgsqlite_dump_builds(PgSqlite *q, store_build_cb cb, void *ud, char *err, size_t errlen);
int pgsqlite_dump_values(PgSqlite *q, const int64_t *ids, size_t n, store_value_cb cb,
                         void *ud, char *err, size_t errlen);
int pgsqlite_build_count(PgSqlite *q, int64_t *out, char *err, size_t errlen);

/* pgstore_restore_definitions / pgstore_restore_builds on SQLite, each in
 * one IMMEDIATE transaction (5 s busy timeout). PGSTORE_READONLY for a
 * read-only handle. */
int pgsqlite_restore_definitions(PgSqlite *q, const StoreMetricDef *d, size_t n, char *err,
                                 size_t errlen);
int pgsqlite_restore_builds(PgSqlite *q, const PgCopyBuild *b, size_t n, char *err,
                            size_t errlen);

#endif
