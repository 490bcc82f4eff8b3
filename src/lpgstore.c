/* lpgstore.c: unentropy.pgstore — the Lua binding of pgstore.c:
 * pgstore.open(conninfo, {schema=, ...}) -> Db with the same methods and
 * return shapes as unentropy.store's Db (so collect, gate, report and
 * custom scripts work unchanged), pgstore.sqlite(path) (the SQLite end of
 * `db copy`) and pgstore.redact(text, conninfo). The Db userdata
 * ("unentropy.pgstore.Db") is created closed; close/__gc/__close share one
 * idempotent close. Writes, reads and copy verbs live in lpgstore_*.c.
 * Depends on Lua and pgstore.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpgstore.h"
#include "modules.h"
#include "pgstore.h"

typedef struct LDb {
    PgStore *s; /* NULL once closed */
} LDb;

PgStore *lpg_check(lua_State *L, int idx)
{
    LDb *u = luaL_checkudata(L, idx, LPG_DB);
    if (u->s == NULL) {
        luaL_error(L, "attempt to use a closed Db");
    }
    return u->s;
}

PgStore *lpg_peek(lua_State *L, int idx)
{
    LDb *u = luaL_checkudata(L, idx, LPG_DB);
    return u->s;
}

int lpg_fail(lua_State *L, int rc, const char *err)
{
    if (rc == PGSTORE_MISUSE) {
        return luaL_error(L, "%s", err);
    }
    luaL_pushfail(L);
    lua_pushstring(L, err);
    lua_pushinteger(L, rc);
    return 3;
}

int lpg_opts(lua_State *L, int idx, const char *const keys[])
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
            return luaL_error(L, "pgstore: unknown option '%s'", luaL_tolstring(L, -1, NULL));
        }
    }
    return 1;
}

int lpg_optbool(lua_State *L, int idx, const char *key, int def)
{
    int t = lua_getfield(L, idx, key);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
        luaL_error(L, "pgstore: option '%s' must be a boolean", key);
    }
    int v = t == LUA_TNIL ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Pushes option `key` of the table at idx as a string (integers allowed
 * when `numeric`) or nil. May raise. */
static const char *opt_string(lua_State *L, int idx, const char *key, int numeric)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL) {
        return NULL;
    }
    if (!(t == LUA_TSTRING || (numeric && lua_isinteger(L, -1)))) {
        luaL_error(L, "pgstore: option '%s' must be a string%s", key,
                   numeric ? " or an integer" : "");
    }
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len || len == 0) {
        luaL_error(L, "pgstore: option '%s' must be a non-empty string without NUL bytes", key);
    }
    return s;
}

static lua_Integer opt_int(lua_State *L, int idx, const char *key, lua_Integer min,
                           lua_Integer def)
{
    int t = lua_getfield(L, idx, key);
    int isint = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 1);
    if (t == LUA_TNIL) {
        return def;
    }
    if (!isint || v < min) {
        luaL_error(L, "pgstore: option '%s' must be an integer >= %d", key, (int)min);
    }
    return v;
}

/* ---- maintenance ---------------------------------------------------------------- */

static int counter(lua_State *L, int which)
{
    PgStore *s = lpg_check(L, 1);
    char err[LPG_ERRLEN];
    int64_t v = 0;
    int rc = which == 0 ? pgstore_build_count(s, &v, err, sizeof err)
                        : pgstore_max_run_number(s, &v, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return lpg_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)(v + (which == 2)));
    return 1;
}
static int l_build_count(lua_State *L) { return counter(L, 0); }
static int l_max_run_number(lua_State *L) { return counter(L, 1); }
static int l_next_run_number(lua_State *L) { return counter(L, 2); }

/* db:integrity_check([{quick=bool}]) -> true: PostgreSQL keeps its own
 * invariants (checksums, constraints); there is no file to check. */
static int l_integrity_check(lua_State *L)
{
    static const char *const keys[] = {"quick", NULL};
    lpg_check(L, 1);
    if (lpg_opts(L, 2, keys)) {
        lpg_optbool(L, 2, "quick", 0);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* db:snapshot(path[, {replace=}]) -> nil, msg, code: not for a server. */
static int l_snapshot(lua_State *L)
{
    static const char *const keys[] = {"replace", NULL};
    lpg_check(L, 1);
    luaL_checkstring(L, 2);
    if (lpg_opts(L, 3, keys)) {
        lpg_optbool(L, 3, "replace", 0);
    }
    return lpg_fail(L, PGSTORE_ERROR,
                    "pgstore: snapshot is not supported for PostgreSQL storage (use "
                    "'unentropy db copy' to make a SQLite copy)");
}

static int l_warnings(lua_State *L)
{
    const char *w = pgstore_warning(lpg_check(L, 1));
    lua_createtable(L, w ? 1 : 0, 0);
    if (w != NULL) {
        lua_pushstring(L, w);
        lua_rawseti(L, -2, 1);
    }
    return 1;
}

static int l_schema_version(lua_State *L)
{
    lua_pushstring(L, pgstore_schema_version(lpg_check(L, 1)));
    return 1;
}

/* db:path() -> the redacted location "postgresql://user@host:port/db (schema s)" */
static int l_path(lua_State *L)
{
    lua_pushstring(L, pgstore_location(lpg_check(L, 1)));
    return 1;
}

/* db:schema() -> the schema name */
static int l_schema(lua_State *L)
{
    lua_pushstring(L, pgstore_schema(lpg_check(L, 1)));
    return 1;
}

static int l_db_close(lua_State *L)
{
    LDb *u = luaL_checkudata(L, 1, LPG_DB);
    if (u->s != NULL) {
        pgstore_close(u->s);
        u->s = NULL;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_db_tostring(lua_State *L)
{
    LDb *u = luaL_checkudata(L, 1, LPG_DB);
    if (u->s == NULL) {
        lua_pushstring(L, LPG_DB " (closed)");
    } else {
        lua_pushfstring(L, LPG_DB " ('%s', %s)", pgstore_location(u->s),
                        pgstore_readonly(u->s) ? "read-only" : "read-write");
    }
    return 1;
}

/* ---- module functions ------------------------------------------------------------------- */

/* pgstore.open(conninfo, {schema=, host=, port=, database=, sslmode=,
 * readonly=, connect_timeout=, retry_attempts=, retry_pause_ms=})
 * -> Db | nil, msg, code */
static int l_open(lua_State *L)
{
    static const char *const keys[] = {"schema",   "host",     "port",          "database",
                                       "sslmode",  "readonly", "connect_timeout",
                                       "retry_attempts", "retry_pause_ms", NULL};
    size_t len;
    const char *conninfo = luaL_checklstring(L, 1, &len);
    luaL_argcheck(L, strlen(conninfo) == len, 1, "connection string contains a NUL byte");
    luaL_checktype(L, 2, LUA_TTABLE);
    lpg_opts(L, 2, keys);
    lua_settop(L, 2);
    PgStoreConfig cfg = {.conninfo = conninfo};
    cfg.schema = opt_string(L, 2, "schema", 0); /* 3.. (each getfield stays pushed) */
    luaL_argcheck(L, cfg.schema != NULL, 2, "'schema' (string) is required");
    cfg.host = opt_string(L, 2, "host", 0);
    cfg.port = opt_string(L, 2, "port", 1);
    cfg.database = opt_string(L, 2, "database", 0);
    cfg.sslmode = opt_string(L, 2, "sslmode", 0);
    cfg.readonly = lpg_optbool(L, 2, "readonly", 0);
    cfg.connect_timeout = (int)opt_int(L, 2, "connect_timeout", 1, 0);
    lua_Integer attempts = opt_int(L, 2, "retry_attempts", 1, 0);
    lua_Integer pause = opt_int(L, 2, "retry_pause_ms", 0, -1);
    LDb *u = lua_newuserdatauv(L, sizeof *u, 0); /* created closed */
    u->s = NULL;
    luaL_setmetatable(L, LPG_DB);
    char err[LPG_ERRLEN];
    PgStore *s = NULL;
    int rc = pgstore_open(&s, &cfg, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return lpg_fail(L, rc, err);
    }
    u->s = s;
    if (attempts > 0 || pause >= 0) {
        pgstore_set_retry(s, attempts > 0 ? (int)attempts : 6, pause >= 0 ? (int)pause : 100);
    }
    return 1;
}

/* pgstore.redact(text, conninfo) -> text without the connection's password
 * or any URL userinfo password */
static int l_redact(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *conninfo = luaL_optstring(L, 2, NULL);
    luaL_Buffer b;
    size_t size = len * 3 + 16; /* "***" may be longer than what it hides */
    char *buf = luaL_buffinitsize(L, &b, size);
    memcpy(buf, text, len + 1);
    pgstore_redact(buf, size, conninfo);
    luaL_pushresultsize(&b, strlen(buf));
    return 1;
}

static const luaL_Reg pgstore_funcs[] = {
    {"open",   l_open},
    {"sqlite", lpg_sqlite_open},
    {"redact", l_redact},
    {NULL, NULL},
};

static const luaL_Reg db_methods[] = {
    {"build_count",     l_build_count},
    {"max_run_number",  l_max_run_number},
    {"next_run_number", l_next_run_number},
    {"integrity_check", l_integrity_check},
    {"snapshot",        l_snapshot},
    {"warnings",        l_warnings},
    {"schema_version",  l_schema_version},
    {"path",            l_path},
    {"schema",          l_schema},
    {"close",           l_db_close},
    {NULL, NULL},
};

static const luaL_Reg db_meta[] = {
    {"__gc",       l_db_close},
    {"__close",    l_db_close},
    {"__tostring", l_db_tostring},
    {"__index",    NULL},
    {NULL, NULL},
};

int luaopen_unentropy_pgstore(lua_State *L)
{
    luaL_newmetatable(L, LPG_DB);
    luaL_setfuncs(L, db_meta, 0);
    luaL_newlibtable(L, db_methods);
    luaL_setfuncs(L, db_methods, 0);
    luaL_setfuncs(L, lpg_write_methods, 0);
    luaL_setfuncs(L, lpg_query_methods, 0);
    luaL_setfuncs(L, lpg_copy_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lpg_sqlite_register(L);
    luaL_newlib(L, pgstore_funcs);
    return 1;
}
