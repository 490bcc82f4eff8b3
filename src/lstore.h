/* lstore.h: private to the unentropy.store binding: lstore.c (the module,
 * the SQLite LdbOps, open and file maintenance) and lstore_annotations.c
 * (the noise-aware gate's methods). The shared Db methods live in the
 * backend-neutral ldb*.c. Depends on Lua, ldb.h and store.h. */
#ifndef UNENTROPY_LSTORE_H
#define UNENTROPY_LSTORE_H

#include <lauxlib.h>
#include <lua.h>

#include "ldb.h"
#include "store.h"

#define LSTORE_DB "unentropy.store.Db"

/* The SQLite backend of the shared Db binding (lstore.c). */
extern const LdbOps lstore_ops;

/* The Store of the Db at `idx`. May raise: not a Db, or a closed one
 * ("attempt to use a closed Db"). */
Store *lstore_check(lua_State *L, int idx);

/* Methods of lstore_annotations.c, added to the Db method table by
 * luaopen_unentropy_store. */
extern const luaL_Reg lstore_annotation_methods[];

#endif
