/* ldb.c: the Db userdata of the backend-neutral binding (ldb.h): created
 * closed, close/__gc/__close share one idempotent close; option readers,
 * the nil, msg, code failure shape, the shared maintenance methods
 * (counters, warnings, schema_version, path) and ldb_register, which
 * builds a backend's Db metatable. Depends on Lua and ldb.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "ldb.h"

typedef struct LdbHandle {
    void *h; /* NULL once closed */
} LdbHandle;

void ldb_new(lua_State *L, const LdbOps *ops)
{
    LdbHandle *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->h = NULL;
    luaL_setmetatable(L, ops->db_tname);
}

void ldb_set(lua_State *L, int idx, const LdbOps *ops, void *h)
{
    LdbHandle *u = luaL_checkudata(L, idx, ops->db_tname);
    u->h = h;
}

void *ldb_check(lua_State *L, int idx, const LdbOps *ops)
{
    LdbHandle *u = luaL_checkudata(L, idx, ops->db_tname);
    if (u->h == NULL) {
        luaL_error(L, "attempt to use a closed Db");
    }
    return u->h;
}

void *ldb_peek(lua_State *L, int idx, const LdbOps *ops)
{
    LdbHandle *u = luaL_checkudata(L, idx, ops->db_tname);
    return u->h;
}

int ldb_fail(lua_State *L, const LdbOps *ops, int rc, const char *err)
{
    if (rc == ops->misuse_rc) {
        return luaL_error(L, "%s", err);
    }
    luaL_pushfail(L);
    lua_pushstring(L, err);
    lua_pushinteger(L, rc);
    return 3;
}

int ldb_opts(lua_State *L, const LdbOps *ops, int idx, const char *const keys[])
{
    if (lua_isnoneornil(L, idx)) {
        return 0;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        int known = 0;
        if (lua_type(L, -1) == LUA_TSTRING) {
            for (int i = 0; keys[i] != NULL && !known; i++) {
                known = strcmp(lua_tostring(L, -1), keys[i]) == 0;
            }
        }
        if (!known) {
            return luaL_error(L, "%s: unknown option '%s'", ops->name,
                              luaL_tolstring(L, -1, NULL));
        }
    }
    return 1;
}

int ldb_optbool(lua_State *L, const LdbOps *ops, int idx, const char *key, int def)
{
    int t = lua_getfield(L, idx, key);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
        luaL_error(L, "%s: option '%s' must be a boolean", ops->name, key);
    }
    int v = t == LUA_TNIL ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

void ldb_set_str(lua_State *L, const char *key, const char *v)
{
    if (v != NULL) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, key);
    }
}

void ldb_set_int(lua_State *L, const char *key, int64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

/* ---- shared maintenance methods ---------------------------------------------- */

/* db:build_count() / db:max_run_number() / db:next_run_number() -> integer
 * | nil, msg, code */
static int counter(lua_State *L, int which)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    char err[LDB_ERRLEN];
    int64_t v = 0;
    int rc = which == 0 ? ops->build_count(h, &v, err, sizeof err)
                        : ops->max_run_number(h, &v, err, sizeof err);
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)(v + (which == 2)));
    return 1;
}
static int l_build_count(lua_State *L) { return counter(L, 0); }
static int l_max_run_number(lua_State *L) { return counter(L, 1); }
static int l_next_run_number(lua_State *L) { return counter(L, 2); }

/* db:warnings() -> {string...} (the unknown-schema warning of the open) */
static int l_warnings(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    const char *w = ops->warning(ldb_check(L, 1, ops));
    lua_createtable(L, w ? 1 : 0, 0);
    if (w != NULL) {
        lua_pushstring(L, w);
        lua_rawseti(L, -2, 1);
    }
    return 1;
}

static int l_schema_version(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    lua_pushstring(L, ops->schema_version(ldb_check(L, 1, ops)));
    return 1;
}

/* db:path() -> the file path, or the redacted server location */
static int l_path(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    lua_pushstring(L, ops->location(ldb_check(L, 1, ops)));
    return 1;
}

/* db:close() -> true; also __gc and __close. Idempotent. */
static int l_db_close(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    LdbHandle *u = luaL_checkudata(L, 1, ops->db_tname);
    if (u->h != NULL) {
        ops->close(u->h);
        u->h = NULL;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_db_tostring(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    LdbHandle *u = luaL_checkudata(L, 1, ops->db_tname);
    if (u->h == NULL) {
        lua_pushfstring(L, "%s (closed)", ops->db_tname);
    } else {
        lua_pushfstring(L, "%s ('%s', %s)", ops->db_tname, ops->location(u->h),
                        ops->readonly(u->h) ? "read-only" : "read-write");
    }
    return 1;
}

static const luaL_Reg db_methods[] = {
    {"build_count",     l_build_count},
    {"max_run_number",  l_max_run_number},
    {"next_run_number", l_next_run_number},
    {"warnings",        l_warnings},
    {"schema_version",  l_schema_version},
    {"path",            l_path},
    {"close",           l_db_close},
    {NULL, NULL},
};

static const luaL_Reg db_meta[] = {
    {"__gc",       l_db_close},
    {"__close",    l_db_close},
    {"__tostring", l_db_tostring},
    {NULL, NULL},
};

/* Sets the functions of `l` into the table on top, with ops as upvalue. */
static void set_funcs(lua_State *L, const LdbOps *ops, const luaL_Reg *l)
{
    lua_pushlightuserdata(L, (void *)ops);
    luaL_setfuncs(L, l, 1);
}

void ldb_register(lua_State *L, const LdbOps *ops, const luaL_Reg *const extra[])
{
    luaL_newmetatable(L, ops->db_tname); /* [mt] */
    set_funcs(L, ops, db_meta);
    lua_newtable(L); /* [mt, methods] */
    set_funcs(L, ops, db_methods);
    set_funcs(L, ops, ldb_write_methods);
    set_funcs(L, ops, ldb_query_methods);
    for (int i = 0; extra[i] != NULL; i++) {
        set_funcs(L, ops, extra[i]);
    }
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}
