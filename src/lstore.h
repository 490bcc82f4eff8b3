/* lstore.h: private to the unentropy.store binding: lstore.c (the module,
 * Db lifecycle, maintenance), lstore_write.c (writes), lstore_import.c (the
 * streaming Import) and lstore_query.c (reads). Depends on Lua and store.h. */
#ifndef UNENTROPY_LSTORE_H
#define UNENTROPY_LSTORE_H

#include <stddef.h>

#include <lauxlib.h>
#include <lua.h>

#include "store.h"

#define LSTORE_DB "unentropy.store.Db"
#define LSTORE_ERRLEN 512

/* The Store of the Db at `idx`. May raise: not a Db, or a closed one
 * ("attempt to use a closed Db"). */
Store *lstore_check(lua_State *L, int idx);

/* The Store of the Db at `idx`, NULL when closed. May raise: not a Db. */
Store *lstore_peek(lua_State *L, int idx);

/* Pushes nil, err, rc and returns 3; raises err instead for SQLITE_MISUSE
 * (a programming error such as a write inside read_transaction). */
int lstore_fail(lua_State *L, int rc, const char *err);

/* Accepts nil or a table at `idx` whose keys are all in `keys` (NULL
 * terminated). May raise "unknown option 'x'". Returns 1 for a table. */
int lstore_opts(lua_State *L, int idx, const char *const keys[]);

/* Reads boolean option `key` from the table at `idx` (nil -> def). May raise. */
int lstore_optbool(lua_State *L, int idx, const char *key, int def);

/* Record fields shared by lstore_write.c and lstore_import.c (`what` names
 * the table in messages). lstore_push_str pushes t[key]: a string without
 * NUL bytes, or nil when `optional`. lstore_field_int reads a
 * non-negative integer (0 for nil when `optional`) and pushes nothing.
 * lstore_read_value reads value_numeric into *num and pushes value_label
 * (or nil); exactly one must be set, and NaN is refused. Returns 1 for a
 * numeric value. All may raise. */
void lstore_push_str(lua_State *L, int t, const char *key, int optional, const char *what);
lua_Integer lstore_field_int(lua_State *L, int t, const char *key, int optional,
                             const char *what);
int lstore_read_value(lua_State *L, int t, double *num, const char *what);

/* db:import_begin() (lstore_import.c), listed in lstore_write_methods. */
int lstore_import_begin(lua_State *L);

/* Methods defined in lstore_write.c and lstore_query.c, merged into the Db
 * method table by luaopen_unentropy_store. */
extern const luaL_Reg lstore_write_methods[];
extern const luaL_Reg lstore_query_methods[];
extern const luaL_Reg lstore_annotation_methods[]; /* lstore_annotations.c */

#endif
