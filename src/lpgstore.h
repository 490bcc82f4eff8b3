/* lpgstore.h: private to the unentropy.pgstore binding: lpgstore.c (module,
 * Db lifecycle, maintenance, argument helpers), lpgstore_write.c (writes),
 * lpgstore_import.c (the streaming Import), lpgstore_query.c (reads and the
 * row pushers), lpgstore_copy.c (the dump/restore verbs of `db copy`) and
 * lpgstore_sqlite.c (the SqliteFile end of a copy). Depends on Lua and
 * pgstore.h. */
#ifndef UNENTROPY_LPGSTORE_H
#define UNENTROPY_LPGSTORE_H

#include <stddef.h>

#include <lauxlib.h>
#include <lua.h>

#include "pgstore.h"

#define LPG_DB "unentropy.pgstore.Db"
#define LPG_IMPORT "unentropy.pgstore.Import"
#define LPG_SQLITE "unentropy.pgstore.SqliteFile"
#define LPG_ERRLEN 1024

/* The PgStore of the Db at idx. May raise: not a Db, or a closed one
 * ("attempt to use a closed Db"). */
PgStore *lpg_check(lua_State *L, int idx);
/* The PgStore of the Db at idx, NULL when closed. May raise: not a Db. */
PgStore *lpg_peek(lua_State *L, int idx);

/* Pushes nil, err, rc and returns 3; raises err instead for PGSTORE_MISUSE. */
int lpg_fail(lua_State *L, int rc, const char *err);

/* nil or a table whose keys are all in `keys` (NULL terminated); may raise
 * "unknown option 'x'". Returns 1 for a table. */
int lpg_opts(lua_State *L, int idx, const char *const keys[]);
/* Boolean option `key` of the table at idx (nil -> def). May raise. */
int lpg_optbool(lua_State *L, int idx, const char *key, int def);

/* Record fields (messages name the table `what`). lpg_push_str pushes
 * t[key]: a string without NUL bytes, or nil when `optional`.
 * lpg_field_int reads a non-negative integer (0 for nil when optional).
 * lpg_read_value reads value_numeric into *num and pushes value_label (or
 * nil); exactly one must be set; NaN is refused. Returns 1 for numeric.
 * All may raise. */
void lpg_push_str(lua_State *L, int t, const char *key, int optional, const char *what);
lua_Integer lpg_field_int(lua_State *L, int t, const char *key, int optional, const char *what);
int lpg_read_value(lua_State *L, int t, double *num, const char *what);

/* Pops the string (or nil) on top into the anchor table at `anchor`;
 * returns its pointer (valid while the anchor lives) or NULL. */
const char *lpg_pin(lua_State *L, int anchor);
/* Reads the import record table at t into *r (records[i] in messages);
 * its strings go to the anchor table. May raise. */
void lpg_read_record(lua_State *L, int t, int anchor, StoreImportRecord *r, lua_Integer i);

/* Row accumulators for the store.h callbacks: tbl is the absolute index of
 * the result array (for values: of the first of four column tables). */
typedef struct LpgAcc {
    lua_State *L;
    int tbl;
    lua_Integer n;
    const char *source; /* baseline: "latest" / "merge-base" */
} LpgAcc;
int lpg_push_build(void *ud, const StoreBuildRow *r);
int lpg_push_value(void *ud, const StoreValueRow *r);
int lpg_push_def(void *ud, const StoreMetricDef *d);
/* Pushes 4 empty column tables (build_id, metric_id, value_numeric,
 * value_label); lpg_values_finish folds them into {n=, columns...}. */
void lpg_values_start(lua_State *L);
void lpg_values_finish(lua_State *L, lua_Integer n);

int lpg_import_begin(lua_State *L);                   /* lpgstore_import.c */
int lpg_sqlite_open(lua_State *L);                    /* lpgstore_sqlite.c */
void lpg_sqlite_register(lua_State *L);
/* The SqliteFile at idx (raises when it is closed), or NULL when idx is
 * not a SqliteFile. Returns a PgSqlite *. */
void *lpg_sqlite_test(lua_State *L, int idx);

extern const luaL_Reg lpg_write_methods[];
extern const luaL_Reg lpg_query_methods[];
extern const luaL_Reg lpg_copy_methods[];

#endif
