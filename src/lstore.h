/* lstore.h: private to the unentropy.store binding: lstore.c (the module,
 * Db lifecycle, maintenance), lstore_write.c (writes) and lstore_query.c
 * (reads). Depends on Lua and store.h. */
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

/* Methods defined in lstore_write.c and lstore_query.c, merged into the Db
 * method table by luaopen_unentropy_store. */
extern const luaL_Reg lstore_write_methods[];
extern const luaL_Reg lstore_query_methods[];

#endif
