/* lstore.c: unentropy.store — the Lua binding of store.c: store.open, the Db
 * userdata ("unentropy.store.Db": close/__gc/__close share one idempotent
 * close), option helpers and maintenance (counts, integrity_check,
 * snapshot, warnings). Writes live in lstore_write.c, reads in
 * lstore_query.c; their methods are merged into one method table here.
 * Depends on Lua, sqlite3 (result codes) and store.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <sqlite3.h>

#include "lstore.h"
#include "modules.h"
#include "store.h"

typedef struct LDb {
    Store *s; /* NULL once closed */
} LDb;

Store *lstore_check(lua_State *L, int idx)
{
    LDb *u = luaL_checkudata(L, idx, LSTORE_DB);
    if (u->s == NULL) {
        luaL_error(L, "attempt to use a closed Db");
    }
    return u->s;
}

Store *lstore_peek(lua_State *L, int idx)
{
    LDb *u = luaL_checkudata(L, idx, LSTORE_DB);
    return u->s;
}

int lstore_fail(lua_State *L, int rc, const char *err)
{
    if (rc == SQLITE_MISUSE) {
        return luaL_error(L, "%s", err);
    }
    luaL_pushfail(L);
    lua_pushstring(L, err);
    lua_pushinteger(L, rc);
    return 3;
}

int lstore_opts(lua_State *L, int idx, const char *const keys[])
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
            return luaL_error(L, "store: unknown option '%s'", luaL_tolstring(L, -1, NULL));
        }
    }
    return 1;
}

int lstore_optbool(lua_State *L, int idx, const char *key, int def)
{
    int t = lua_getfield(L, idx, key);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
        luaL_error(L, "store: option '%s' must be a boolean", key);
    }
    int v = t == LUA_TNIL ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* db:build_count() / db:max_run_number() / db:next_run_number() -> integer */
static int counter(lua_State *L, int which)
{
    Store *s = lstore_check(L, 1);
    char err[LSTORE_ERRLEN];
    int64_t v = 0;
    int rc = which == 0 ? store_build_count(s, &v, err, sizeof err)
                        : store_max_run_number(s, &v, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)(v + (which == 2)));
    return 1;
}
static int l_build_count(lua_State *L) { return counter(L, 0); }
static int l_max_run_number(lua_State *L) { return counter(L, 1); }
static int l_next_run_number(lua_State *L) { return counter(L, 2); }

/* db:integrity_check([{quick=bool}]) -> true | false, first_line | nil, msg, code */
static int l_integrity_check(lua_State *L)
{
    static const char *const keys[] = {"quick", NULL};
    Store *s = lstore_check(L, 1);
    int quick = lstore_opts(L, 2, keys) ? lstore_optbool(L, 2, "quick", 0) : 0;
    char err[LSTORE_ERRLEN], detail[LSTORE_ERRLEN];
    int ok = 0;
    int rc = store_integrity_check(s, quick, &ok, detail, sizeof detail, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
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
    int replace = lstore_opts(L, 3, keys) ? lstore_optbool(L, 3, "replace", 0) : 0;
    char err[LSTORE_ERRLEN];
    int rc = store_snapshot(s, path, replace, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* db:warnings() -> {string...} (the unknown-schema warning of the open) */
static int l_warnings(lua_State *L)
{
    const char *w = store_warning(lstore_check(L, 1));
    lua_createtable(L, w ? 1 : 0, 0);
    if (w != NULL) {
        lua_pushstring(L, w);
        lua_rawseti(L, -2, 1);
    }
    return 1;
}

static int l_schema_version(lua_State *L)
{
    lua_pushstring(L, store_schema_version(lstore_check(L, 1)));
    return 1;
}

static int l_path(lua_State *L)
{
    lua_pushstring(L, store_path(lstore_check(L, 1)));
    return 1;
}

/* db:close() -> true; also __gc and __close. Idempotent. */
static int l_db_close(lua_State *L)
{
    LDb *u = luaL_checkudata(L, 1, LSTORE_DB);
    if (u->s != NULL) {
        store_close(u->s);
        u->s = NULL;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_db_tostring(lua_State *L)
{
    LDb *u = luaL_checkudata(L, 1, LSTORE_DB);
    if (u->s == NULL) {
        lua_pushstring(L, LSTORE_DB " (closed)");
    } else {
        lua_pushfstring(L, LSTORE_DB " ('%s', %s)", store_path(u->s),
                        (store_flags(u->s) & STORE_READONLY) ? "read-only" : "read-write");
    }
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
    int has = lstore_opts(L, 2, keys);
    int ro = has ? lstore_optbool(L, 2, "readonly", 0) : 0;
    int create = has ? lstore_optbool(L, 2, "create", !ro) : !ro;
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
    LDb *u = lua_newuserdatauv(L, sizeof *u, 0); /* created closed */
    u->s = NULL;
    luaL_setmetatable(L, LSTORE_DB);
    char err[LSTORE_ERRLEN];
    Store *s = NULL;
    int rc = store_open(&s, path, flags, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
    }
    u->s = s;
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
    {"build_count",      l_build_count},
    {"max_run_number",   l_max_run_number},
    {"next_run_number",  l_next_run_number},
    {"integrity_check",  l_integrity_check},
    {"snapshot",         l_snapshot},
    {"warnings",         l_warnings},
    {"schema_version",   l_schema_version},
    {"path",             l_path},
    {"close",            l_db_close},
    {NULL, NULL},
};

static const luaL_Reg db_meta[] = {
    {"__gc",       l_db_close},
    {"__close",    l_db_close},
    {"__tostring", l_db_tostring},
    {"__index",    NULL},
    {NULL, NULL},
};

int luaopen_unentropy_store(lua_State *L)
{
    luaL_newmetatable(L, LSTORE_DB);
    luaL_setfuncs(L, db_meta, 0);
    luaL_newlibtable(L, db_methods);
    luaL_setfuncs(L, db_methods, 0);
    luaL_setfuncs(L, lstore_write_methods, 0);
    luaL_setfuncs(L, lstore_query_methods, 0);
    luaL_setfuncs(L, lstore_annotation_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, store_funcs);
    return 1;
}
