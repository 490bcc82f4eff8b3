/* ldb_import.c: the streaming import of a Db (ldb.h) — db:import_begin()
 * and the Import userdata (ops->import_tname: add, add_batch, commit,
 * rollback, count). The Import keeps its Db alive (user value 1) and holds
 * no C memory: the transaction state lives in the backend handle. __gc and
 * __close roll back an import that was not committed. Its methods get the
 * LdbOps as upvalue 1, like the Db's. Depends on Lua and ldb.h. */
#include <lauxlib.h>
#include <lua.h>

#include "ldb.h"
#include "store.h"

typedef struct LImport {
    int open; /* 0 once committed, rolled back or failed */
} LImport;

/* The handle behind the open Import at idx. May raise: not an Import, a
 * finished one, or a closed Db. */
static void *check_import(lua_State *L, const LdbOps *ops, int idx, LImport **out)
{
    LImport *u = luaL_checkudata(L, idx, ops->import_tname);
    lua_getiuservalue(L, idx, 1);
    void *h = ldb_peek(L, -1, ops);
    lua_pop(L, 1);
    if (h == NULL) {
        luaL_error(L, "attempt to use a closed Db");
    }
    if (!u->open || !ops->import_active(h)) {
        u->open = 0;
        luaL_error(L, "attempt to use a finished Import");
    }
    *out = u;
    return h;
}

/* Reads the record table at t (records[i] in messages, when the backend
 * checks timestamps here) and adds it; the strings it borrows are anchored
 * on the stack for the call, then popped. Returns the backend rc; raises
 * for a malformed record (ops->misuse_rc). */
static int add_record(lua_State *L, const LdbOps *ops, void *h, int t, lua_Integer i, char *err,
                      size_t errlen)
{
    int top = lua_gettop(L);
    lua_newtable(L); /* anchor */
    StoreImportRecord r;
    ldb_read_record(L, ops, t, top + 1, &r, ops->stream_ts_check ? i : 0);
    int rc = ops->import_add(h, &r, err, errlen);
    if (rc == ops->misuse_rc) {
        luaL_error(L, "%s", err);
    }
    lua_settop(L, top);
    return rc;
}

/* imp:add(record) -> true | nil, msg, code (the import is then rolled back) */
static int l_add(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    LImport *u;
    void *h = check_import(L, ops, 1, &u);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    char err[LDB_ERRLEN];
    int rc = add_record(L, ops, h, 2, ops->import_count(h) + 1, err, sizeof err);
    if (rc != ops->ok_rc) {
        u->open = 0;
        return ldb_fail(L, ops, rc, err);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* imp:add_batch(records) -> #records | nil, msg, code (then rolled back) */
static int l_add_batch(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    LImport *u;
    void *h = check_import(L, ops, 1, &u);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    char err[LDB_ERRLEN];
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 2, i) != LUA_TTABLE) { /* 3 */
            return luaL_error(L, "%s: records[%d] must be a table", ops->name, (int)i);
        }
        int rc = add_record(L, ops, h, 3, i, err, sizeof err);
        if (rc != ops->ok_rc) {
            u->open = 0;
            return ldb_fail(L, ops, rc, err);
        }
        lua_settop(L, 2);
    }
    lua_pushinteger(L, n);
    return 1;
}

/* imp:commit() -> count | nil, msg, code (everything rolled back) */
static int l_commit(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    LImport *u;
    void *h = check_import(L, ops, 1, &u);
    char err[LDB_ERRLEN];
    int64_t n = 0;
    u->open = 0;
    int rc = ops->import_commit(h, &n, err, sizeof err);
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

/* imp:rollback() -> true; also __gc and __close. Idempotent, never raises
 * for a finished Import or a closed Db. */
static int l_rollback(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    LImport *u = luaL_checkudata(L, 1, ops->import_tname);
    if (u->open) {
        u->open = 0;
        lua_getiuservalue(L, 1, 1);
        void *h = ldb_peek(L, -1, ops);
        if (h != NULL) {
            ops->import_rollback(h);
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* The handle of a live Import at 1 (pushes its Db), or NULL. */
static void *live_import(lua_State *L, const LdbOps *ops)
{
    LImport *u = luaL_checkudata(L, 1, ops->import_tname);
    lua_getiuservalue(L, 1, 1);
    void *h = ldb_peek(L, -1, ops);
    return u->open && h != NULL && ops->import_active(h) ? h : NULL;
}

/* imp:count() -> records added so far (0 once finished) */
static int l_count(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = live_import(L, ops);
    lua_pushinteger(L, h ? (lua_Integer)ops->import_count(h) : 0);
    return 1;
}

static int l_tostring(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = live_import(L, ops);
    if (h != NULL) {
        lua_pushfstring(L, "%s (open, %I records)", ops->import_tname,
                        (lua_Integer)ops->import_count(h));
    } else {
        lua_pushfstring(L, "%s (finished)", ops->import_tname);
    }
    return 1;
}

static const luaL_Reg import_methods[] = {
    {"add",       l_add},
    {"add_batch", l_add_batch},
    {"commit",    l_commit},
    {"rollback",  l_rollback},
    {"count",     l_count},
    {NULL, NULL},
};

static const luaL_Reg import_meta[] = {
    {"__gc",       l_rollback},
    {"__close",    l_rollback},
    {"__tostring", l_tostring},
    {NULL, NULL},
};

/* db:import_begin() -> Import | nil, msg, code. Raises when a transaction
 * or another import is open on this Db. */
int ldb_import_begin(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    lua_settop(L, 1);
    LImport *u = lua_newuserdatauv(L, sizeof *u, 1); /* 2: created finished */
    u->open = 0;
    if (luaL_newmetatable(L, ops->import_tname)) { /* 3: first use registers the type */
        lua_pushlightuserdata(L, (void *)ops);
        luaL_setfuncs(L, import_meta, 1);
        lua_newtable(L);
        lua_pushlightuserdata(L, (void *)ops);
        luaL_setfuncs(L, import_methods, 1);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, 2);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, 2, 1);
    char err[LDB_ERRLEN];
    int rc = ops->import_begin(h, err, sizeof err);
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    u->open = 1;
    return 1;
}
