/* lpgstore_sqlite.c: "unentropy.pgstore.SqliteFile", the SQLite end of
 * `db copy`, returned by pgstore.sqlite(path[, {readonly=}]): the copy verbs
 * of lpgstore_copy.c plus metric_definitions, build_count, path and close
 * (also __gc and __close; created closed, one idempotent close). Depends
 * on Lua and pgstore_sqlite.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpgstore.h"
#include "pgstore.h"
#include "pgstore_sqlite.h"

typedef struct LSqlite {
    PgSqlite *q; /* NULL once closed */
} LSqlite;

void *lpg_sqlite_test(lua_State *L, int idx)
{
    LSqlite *u = luaL_testudata(L, idx, LPG_SQLITE);
    if (u == NULL) {
        return NULL;
    }
    if (u->q == NULL) {
        luaL_error(L, "attempt to use a closed SqliteFile");
    }
    return u->q;
}

static PgSqlite *check_sqlite(lua_State *L)
{
    LSqlite *u = luaL_checkudata(L, 1, LPG_SQLITE);
    if (u->q == NULL) {
        luaL_error(L, "attempt to use a closed SqliteFile");
    }
    return u->q;
}

static int l_sq_definitions(lua_State *L)
{
    PgSqlite *q = check_sqlite(L);
    lua_settop(L, 1);
    lua_newtable(L);
    LdbAcc a = {L, 2, 0, NULL};
    char err[LDB_ERRLEN];
    int rc = pgsqlite_definitions(q, ldb_push_def, &a, err, sizeof err);
    return rc == PGSTORE_OK ? 1 : ldb_fail(L, &lpg_ops, rc, err);
}

static int l_sq_build_count(lua_State *L)
{
    PgSqlite *q = check_sqlite(L);
    char err[LDB_ERRLEN];
    int64_t n = 0;
    int rc = pgsqlite_build_count(q, &n, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return ldb_fail(L, &lpg_ops, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

static int l_sq_path(lua_State *L)
{
    lua_pushstring(L, pgsqlite_path(check_sqlite(L)));
    return 1;
}

static int l_sq_close(lua_State *L)
{
    LSqlite *u = luaL_checkudata(L, 1, LPG_SQLITE);
    if (u->q != NULL) {
        pgsqlite_close(u->q);
        u->q = NULL;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_sq_tostring(lua_State *L)
{
    LSqlite *u = luaL_checkudata(L, 1, LPG_SQLITE);
    if (u->q == NULL) {
        lua_pushstring(L, LPG_SQLITE " (closed)");
    } else {
        lua_pushfstring(L, LPG_SQLITE " ('%s')", pgsqlite_path(u->q));
    }
    return 1;
}

/* pgstore.sqlite(path[, {readonly=bool}]) -> SqliteFile | nil, msg, code */
int lpg_sqlite_open(lua_State *L)
{
    static const char *const keys[] = {"readonly", NULL};
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    luaL_argcheck(L, strlen(path) == len, 1, "path contains a NUL byte");
    int ro = ldb_opts(L, &lpg_ops, 2, keys) ? ldb_optbool(L, &lpg_ops, 2, "readonly", 0) : 0;
    LSqlite *u = lua_newuserdatauv(L, sizeof *u, 0); /* created closed */
    u->q = NULL;
    luaL_setmetatable(L, LPG_SQLITE);
    char err[LDB_ERRLEN];
    PgSqlite *q = NULL;
    int rc = pgsqlite_open(&q, path, ro, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return ldb_fail(L, &lpg_ops, rc, err);
    }
    u->q = q;
    return 1;
}

static const luaL_Reg sqlite_methods[] = {
    {"metric_definitions", l_sq_definitions},
    {"build_count",        l_sq_build_count},
    {"path",               l_sq_path},
    {"close",              l_sq_close},
    {NULL, NULL},
};

static const luaL_Reg sqlite_meta[] = {
    {"__gc",       l_sq_close},
    {"__close",    l_sq_close},
    {"__tostring", l_sq_tostring},
    {"__index",    NULL},
    {NULL, NULL},
};

void lpg_sqlite_register(lua_State *L)
{
    luaL_newmetatable(L, LPG_SQLITE);
    luaL_setfuncs(L, sqlite_meta, 0);
    luaL_newlibtable(L, sqlite_methods);
    luaL_setfuncs(L, sqlite_methods, 0);
    luaL_setfuncs(L, lpg_copy_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}
