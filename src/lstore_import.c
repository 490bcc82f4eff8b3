/* lstore_import.c: the streaming import of unentropy.store —
 * db:import_begin() and the "unentropy.store.Import" userdata (add,
 * add_batch, commit, rollback, count). The Import keeps its Db alive
 * (user value 1) and holds no C memory: the transaction state lives in the
 * Store. __gc and __close roll back an import that was not committed.
 * Record strings are read from the Lua stack and used only while they stay
 * there. Depends on Lua, sqlite3 (result codes), lstore.h and store.h. */
#include <lauxlib.h>
#include <lua.h>
#include <sqlite3.h>

#include "lstore.h"
#include "store.h"

#define LSTORE_IMPORT "unentropy.store.Import"

typedef struct LImport {
    int open; /* 0 once committed, rolled back or failed */
} LImport;

/* The Store behind the open Import at idx. May raise: not an Import, a
 * finished one, or a closed Db. */
static Store *check_import(lua_State *L, int idx, LImport **out)
{
    LImport *u = luaL_checkudata(L, idx, LSTORE_IMPORT);
    lua_getiuservalue(L, idx, 1);
    Store *s = lstore_peek(L, -1);
    lua_pop(L, 1);
    if (s == NULL) {
        luaL_error(L, "attempt to use a closed Db");
    }
    if (!u->open || !store_import_active(s)) {
        u->open = 0;
        luaL_error(L, "attempt to use a finished Import");
    }
    *out = u;
    return s;
}

/* Reads the record table at t and adds it. Pushes 6 values (the strings
 * the C call borrows), then pops them. Returns the store rc; raises for a
 * malformed record (SQLITE_MISUSE). */
static int add_record(lua_State *L, Store *s, int t, char *err, size_t errlen)
{
    int top = lua_gettop(L);
    StoreImportRecord r;
    lstore_push_str(L, t, "commit_sha", 0, "record"); /* top+1 .. top+5 */
    lstore_push_str(L, t, "branch", 0, "record");
    lstore_push_str(L, t, "run_id", 0, "record");
    lstore_push_str(L, t, "timestamp", 0, "record");
    lstore_push_str(L, t, "metric_id", 0, "record");
    r.is_numeric = lstore_read_value(L, t, &r.value_numeric, "record"); /* top+6: label */
    r.run_number = lstore_field_int(L, t, "run_number", 1, "record");
    r.commit_sha = lua_tostring(L, top + 1);
    r.branch = lua_tostring(L, top + 2);
    r.run_id = lua_tostring(L, top + 3);
    r.timestamp = lua_tostring(L, top + 4);
    r.metric_id = lua_tostring(L, top + 5);
    r.value_label = lua_tostring(L, top + 6);
    int rc = store_import_add(s, &r, err, errlen);
    if (rc == SQLITE_MISUSE) {
        luaL_error(L, "%s", err);
    }
    lua_settop(L, top);
    return rc;
}

/* imp:add(record) -> true | nil, msg, code (the import is then rolled back) */
static int l_add(lua_State *L)
{
    LImport *u;
    Store *s = check_import(L, 1, &u);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    char err[LSTORE_ERRLEN];
    int rc = add_record(L, s, 2, err, sizeof err);
    if (rc != SQLITE_OK) {
        u->open = 0;
        return lstore_fail(L, rc, err);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* imp:add_batch(records) -> #records | nil, msg, code (then rolled back) */
static int l_add_batch(lua_State *L)
{
    LImport *u;
    Store *s = check_import(L, 1, &u);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    char err[LSTORE_ERRLEN];
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 2, i) != LUA_TTABLE) { /* 3 */
            return luaL_error(L, "store: records[%d] must be a table", (int)i);
        }
        int rc = add_record(L, s, 3, err, sizeof err);
        if (rc != SQLITE_OK) {
            u->open = 0;
            return lstore_fail(L, rc, err);
        }
        lua_settop(L, 2);
    }
    lua_pushinteger(L, n);
    return 1;
}

/* imp:commit() -> count | nil, msg, code (everything rolled back) */
static int l_commit(lua_State *L)
{
    LImport *u;
    Store *s = check_import(L, 1, &u);
    char err[LSTORE_ERRLEN];
    int64_t n = 0;
    u->open = 0;
    int rc = store_import_commit(s, &n, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

/* imp:rollback() -> true; also __gc and __close. Idempotent, never raises
 * for a finished Import or a closed Db. */
static int l_rollback(lua_State *L)
{
    LImport *u = luaL_checkudata(L, 1, LSTORE_IMPORT);
    if (u->open) {
        u->open = 0;
        lua_getiuservalue(L, 1, 1);
        Store *s = lstore_peek(L, -1);
        if (s != NULL) {
            store_import_rollback(s);
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* imp:count() -> records added so far (0 once finished) */
static int l_count(lua_State *L)
{
    LImport *u = luaL_checkudata(L, 1, LSTORE_IMPORT);
    lua_getiuservalue(L, 1, 1);
    Store *s = lstore_peek(L, -1);
    int live = u->open && s != NULL && store_import_active(s);
    lua_pushinteger(L, live ? (lua_Integer)store_import_count(s) : 0);
    return 1;
}

static int l_tostring(lua_State *L)
{
    LImport *u = luaL_checkudata(L, 1, LSTORE_IMPORT);
    lua_getiuservalue(L, 1, 1);
    Store *s = lstore_peek(L, -1);
    if (u->open && s != NULL && store_import_active(s)) {
        lua_pushfstring(L, LSTORE_IMPORT " (open, %I records)",
                        (lua_Integer)store_import_count(s));
    } else {
        lua_pushstring(L, LSTORE_IMPORT " (finished)");
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
    {"__index",    NULL},
    {NULL, NULL},
};

/* db:import_begin() -> Import | nil, msg, code. Raises when a transaction
 * or another import is open on this Db. */
int lstore_import_begin(lua_State *L)
{
    Store *s = lstore_check(L, 1);
    lua_settop(L, 1);
    LImport *u = lua_newuserdatauv(L, sizeof *u, 1); /* 2: created finished */
    u->open = 0;
    if (luaL_newmetatable(L, LSTORE_IMPORT)) { /* 3: first use registers the type */
        luaL_setfuncs(L, import_meta, 0);
        luaL_newlib(L, import_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, 2);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, 2, 1);
    char err[LSTORE_ERRLEN];
    int rc = store_import_begin(s, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
    }
    u->open = 1;
    return 1;
}
