/* lstore.c: unentropy.store — the Lua binding of store.c: store.open, the
 * SQLite LdbOps behind the shared Db binding (ldb*.c: "unentropy.store.Db",
 * its reads, writes, streaming Import and lifecycle) and the SQLite-only
 * maintenance methods (integrity_check, snapshot). The gate's methods live
 * in lstore_annotations.c. Depends on Lua, sqlite3 (result codes), ldb.h
 * and store.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <sqlite3.h>

#include "ldb.h"
#include "lstore.h"
#include "modules.h"
#include "store.h"

/* ---- the SQLite LdbOps: store.h behind void * handles -------------------------- */

static void op_close(void *h) { store_close(h); }
static const char *op_location(const void *h) { return store_path(h); }
static int op_readonly(const void *h) { return (store_flags(h) & STORE_READONLY) != 0; }

LDB_OPS_FORWARD(store)

const LdbOps lstore_ops = {
    .name               = "store",
    .db_tname           = LSTORE_DB,
    .import_tname       = "unentropy.store.Import",
    .ok_rc              = SQLITE_OK,
    .misuse_rc          = SQLITE_MISUSE,
    .stream_ts_check    = 0, /* store_import_add names the record itself */
    .close              = op_close,
    .location           = op_location,
    .readonly           = op_readonly,
    LDB_OPS_FORWARDED,
};

Store *lstore_check(lua_State *L, int idx)
{
    return ldb_check(L, idx, &lstore_ops);
}

/* ---- SQLite-only maintenance -------------------------------------------------- */

/* db:integrity_check([{quick=bool}]) -> true | false, first_line | nil, msg, code */
static int l_integrity_check(lua_State *L)
{
    static const char *const keys[] = {"quick", NULL};
    Store *s = lstore_check(L, 1);
    int quick = ldb_opts(L, &lstore_ops, 2, keys) ? ldb_optbool(L, &lstore_ops, 2, "quick", 0) : 0;
    char err[LDB_ERRLEN], detail[LDB_ERRLEN];
    int ok = 0;
    int rc = store_integrity_check(s, quick, &ok, detail, sizeof detail, err, sizeof err);
    if (rc != SQLITE_OK) {
        return ldb_fail(L, &lstore_ops, rc, err);
    }
    lua_pushboolean(L, ok);
    if (ok) {
        return 1;
    }
    lua_pushstring(L, detail);
    return 2;
}

/* db:snapshot(path[, {replace=bool}]) -> true | nil, msg, code */
static int l_snapshot(lua_State *L)
{
    static const char *const keys[] = {"replace", NULL};
    Store *s = lstore_check(L, 1);
    const char *path = luaL_checkstring(L, 2);
    int replace =
        ldb_opts(L, &lstore_ops, 3, keys) ? ldb_optbool(L, &lstore_ops, 3, "replace", 0) : 0;
    char err[LDB_ERRLEN];
    int rc = store_snapshot(s, path, replace, err, sizeof err);
    if (rc != SQLITE_OK) {
        return ldb_fail(L, &lstore_ops, rc, err);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* store.open(path[, {readonly=, create=, journal="wal"|"delete", busy_timeout=ms}])
 * -> Db | nil, msg, code */
static int l_open(lua_State *L)
{
    static const char *const keys[] = {"readonly", "create", "journal", "busy_timeout", NULL};
    static const char *const journals[] = {"wal", "delete", NULL};
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    luaL_argcheck(L, strlen(path) == len, 1, "path contains a NUL byte");
    int has = ldb_opts(L, &lstore_ops, 2, keys);
    int ro = has ? ldb_optbool(L, &lstore_ops, 2, "readonly", 0) : 0;
    int create = has ? ldb_optbool(L, &lstore_ops, 2, "create", !ro) : !ro;
    luaL_argcheck(L, !(ro && create), 2, "'create' needs a read-write open");
    int journal = 0;
    lua_Integer busy = -1;
    if (has) {
        int ty = lua_getfield(L, 2, "journal");
        luaL_argcheck(L, !ro || ty == LUA_TNIL, 2, "'journal' needs a read-write open");
        if (ty != LUA_TNIL) {
            const char *j = lua_tostring(L, -1);
            for (journal = 0; j && journals[journal] && strcmp(j, journals[journal]); journal++) {
            }
            luaL_argcheck(L, ty == LUA_TSTRING && journals[journal], 2,
                          "'journal' must be \"wal\" or \"delete\"");
        }
        ty = lua_getfield(L, 2, "busy_timeout");
        busy = lua_tointeger(L, -1);
        luaL_argcheck(L, ty == LUA_TNIL || (lua_isinteger(L, -1) && busy >= 0), 2,
                      "'busy_timeout' must be a non-negative integer");
        busy = ty == LUA_TNIL ? -1 : busy;
        lua_pop(L, 2);
    }
    unsigned flags = (ro ? STORE_READONLY : 0) | (create ? STORE_CREATE : 0) |
                     (journal == 1 ? STORE_JOURNAL_DELETE : 0);
    ldb_new(L, &lstore_ops); /* created closed */
    char err[LDB_ERRLEN];
    Store *s = NULL;
    int rc = store_open(&s, path, flags, err, sizeof err);
    if (rc != SQLITE_OK) {
        return ldb_fail(L, &lstore_ops, rc, err);
    }
    ldb_set(L, -1, &lstore_ops, s);
    if (busy >= 0) {
        store_set_busy_timeout(s, (int)busy);
    }
    return 1;
}

static const luaL_Reg store_funcs[] = {
    {"open", l_open},
    {NULL, NULL},
};

static const luaL_Reg db_methods[] = {
    {"integrity_check", l_integrity_check},
    {"snapshot",        l_snapshot},
    {NULL, NULL},
};

int luaopen_unentropy_store(lua_State *L)
{
    static const luaL_Reg *const extra[] = {db_methods, lstore_annotation_methods, NULL};
    ldb_register(L, &lstore_ops, extra);
    luaL_newlib(L, store_funcs);
    return 1;
}
