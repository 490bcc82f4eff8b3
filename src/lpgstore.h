/* lpgstore.h: private to the unentropy.pgstore binding: lpgstore.c (the
 * module, the PostgreSQL LdbOps, open, schema and redaction),
 * lpgstore_copy.c (the dump/restore verbs of `db copy`) and
 * lpgstore_sqlite.c (the SqliteFile end of a copy). The Db methods shared
 * with unentropy.store live in the backend-neutral ldb*.c. Depends on Lua,
 * ldb.h and pgstore.h. */
#ifndef UNENTROPY_LPGSTORE_H
#define UNENTROPY_LPGSTORE_H

#include <lauxlib.h>
#include <lua.h>

#include "ldb.h"
#include "pgstore.h"

#define LPG_DB "unentropy.pgstore.Db"
#define LPG_IMPORT "unentropy.pgstore.Import"
#define LPG_SQLITE "unentropy.pgstore.SqliteFile"

/* The PostgreSQL backend of the shared Db binding (lpgstore.c). */
extern const LdbOps lpg_ops;

/* The PgStore of the Db at idx. May raise: not a Db, or a closed one
 * ("attempt to use a closed Db"). */
PgStore *lpg_check(lua_State *L, int idx);

int lpg_sqlite_open(lua_State *L); /* lpgstore_sqlite.c */
void lpg_sqlite_register(lua_State *L);
/* The SqliteFile at idx (raises when it is closed), or NULL when idx is
 * not a SqliteFile. Returns a PgSqlite *. */
void *lpg_sqlite_test(lua_State *L, int idx);

extern const luaL_Reg lpg_copy_methods[];

#endif
