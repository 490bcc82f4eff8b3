/* lpgstore_import.c: the streaming import of unentropy.pgstore —
 * db:import_begin() and the "unentropy.pgstore.Import" userdata (add,
 * add_batch, commit, rollback, count), shaped like unentropy.store's. The
 * Import keeps its Db alive (user value 1) and holds no C memory: the
 * transaction lives in the PgStore. __gc and __close roll back an import
 * that was not committed. Depends on Lua, pgstore.h and lpgstore_write.c. */
#include <lauxlib.h>
#include <lua.h>

#include "lpgstore.h"
#include "pgstore.h"

typedef struct LImport {
    int open; /* 0 once committed, rolled back or failed */
} LImport;

static PgStore *check_import(lua_State *L, int idx, LImport **out)
{
    LImport *u = luaL_checkudata(L, idx, LPG_IMPORT);
    lua_getiuservalue(L, idx, 1);
    PgStore *s = lpg_peek(L, -1);
    lua_pop(L, 1);
    if (s == NULL) {
        luaL_error(L, "attempt to use a closed Db");
    }
    if (!u->open || !pgstore_import_active(s)) {
        u->open = 0;
        luaL_error(L, "attempt to use a finished Import");
    }
    *out = u;
    return s;
}

/* Adds the record at t; raises for a malformed one. Returns the rc. */
static int add_record(lua_State *L, PgStore *s, int t, lua_Integer i, char *err, size_t errlen)
{
    int top = lua_gettop(L);
    lua_newtable(L); /* anchor */
    StoreImportRecord r;
    lpg_read_record(L, t, top + 1, &r, i);
    int rc = pgstore_import_add(s, &r, err, errlen);
    if (rc == PGSTORE_MISUSE) {
        luaL_error(L, "%s", err);
    }
    lua_settop(L, top);
    return rc;
}

/* imp:add(record) -> true | nil, msg, code (the import is then rolled back) */
static int l_add(lua_State *L)
{
    LImport *u;
    PgStore *s = check_import(L, 1, &u);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    char err[LPG_ERRLEN];
    int rc = add_record(L, s, 2, pgstore_import_count(s) + 1, err, sizeof err);
    if (rc != PGSTORE_OK) {
        u->open = 0;
        return lpg_fail(L, rc, err);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* imp:add_batch(records) -> #records | nil, msg, code (then rolled back) */
static int l_add_batch(lua_State *L)
{
    LImport *u;
    PgStore *s = check_import(L, 1, &u);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    char err[LPG_ERRLEN];
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 2, i) != LUA_TTABLE) { /* 3 */
            return luaL_error(L, "pgstore: records[%d] must be a table", (int)i);
        }
        int rc = add_record(L, s, 3, i, err, sizeof err);
        if (rc != PGSTORE_OK) {
            u->open = 0;
            return lpg_fail(L, rc, err);
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
    PgStore *s = check_import(L, 1, &u);
    char err[LPG_ERRLEN];
    int64_t n = 0;
    u->open = 0;
    int rc = pgstore_import_commit(s, &n, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return lpg_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

/* imp:rollback() -> true; also __gc and __close. Idempotent. */
static int l_rollback(lua_State *L)
{
    LImport *u = luaL_checkudata(L, 1, LPG_IMPORT);
    if (u->open) {
        u->open = 0;
        lua_getiuservalue(L, 1, 1);
        PgStore *s = lpg_peek(L, -1);
        if (s != NULL) {
            pgstore_import_rollback(s);
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_count(lua_State *L)
{
    LImport *u = luaL_checkudata(L, 1, LPG_IMPORT);
    lua_getiuservalue(L, 1, 1);
    PgStore *s = lpg_peek(L, -1);
    int live = u->open && s != NULL && pgstore_import_active(s);
    lua_pushinteger(L, live ? (lua_Integer)pgstore_import_count(s) : 0);
    return 1;
}

static int l_import_tostring(lua_State *L)
{
    LImport *u = luaL_checkudata(L, 1, LPG_IMPORT);
    lua_getiuservalue(L, 1, 1);
    PgStore *s = lpg_peek(L, -1);
    if (u->open && s != NULL && pgstore_import_active(s)) {
        lua_pushfstring(L, LPG_IMPORT " (open, %I records)", (lua_Integer)pgstore_import_count(s));
    } else {
        lua_pushstring(L, LPG_IMPORT " (finished)");
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
    {"__tostring", l_import_tostring},
    {"__index",    NULL},
    {NULL, NULL},
};

/* db:import_begin() -> Import | nil, msg, code */
int lpg_import_begin(lua_State *L)
{
    PgStore *s = lpg_check(L, 1);
    lua_settop(L, 1);
    LImport *u = lua_newuserdatauv(L, sizeof *u, 1); /* 2: created finished */
    u->open = 0;
    if (luaL_newmetatable(L, LPG_IMPORT)) {
        luaL_setfuncs(L, import_meta, 0);
        luaL_newlib(L, import_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, 2);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, 2, 1);
    char err[LPG_ERRLEN];
    int rc = pgstore_import_begin(s, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return lpg_fail(L, rc, err);
    }
    u->open = 1;
    return 1;
}

