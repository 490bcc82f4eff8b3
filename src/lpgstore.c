/* lpgstore.c: unentropy.pgstore — the Lua binding of pgstore.c:
 * pgstore.open(conninfo, {schema=, ...}) -> Db with the same methods and
 * return shapes as unentropy.store's Db (so collect, gate, report and
 * custom scripts work unchanged: both are the shared ldb*.c binding, here
 * over the PostgreSQL LdbOps), pgstore.sqlite(path) (the SQLite end of
 * `db copy`) and pgstore.redact(text, conninfo). Only what is PostgreSQL's
 * own lives here and in lpgstore_copy.c / lpgstore_sqlite.c: connection
 * options, schema, redaction, the copy verbs. Depends on Lua, ldb.h and
 * pgstore.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "ldb.h"
#include "lpgstore.h"
#include "modules.h"
#include "pgstore.h"

/* ---- the PostgreSQL LdbOps: pgstore.h behind void * handles ------------------- */

static void op_close(void *h) { pgstore_close(h); }
static const char *op_location(const void *h) { return pgstore_location(h); }
static int op_readonly(const void *h) { return pgstore_readonly(h); }

LDB_OPS_FORWARD(pgstore)

const LdbOps lpg_ops = {
    .name               = "pgstore",
    .db_tname           = LPG_DB,
    .import_tname       = LPG_IMPORT,
    .ok_rc              = PGSTORE_OK,
    .misuse_rc          = PGSTORE_MISUSE,
    .stream_ts_check    = 1, /* imp:add names records[i] for a bad timestamp */
    .close              = op_close,
    .location           = op_location,
    .readonly           = op_readonly,
    LDB_OPS_FORWARDED,
};

PgStore *lpg_check(lua_State *L, int idx)
{
    return ldb_check(L, idx, &lpg_ops);
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

/* ---- PostgreSQL-only maintenance ----------------------------------------------- */

/* db:integrity_check([{quick=bool}]) -> true: PostgreSQL keeps its own
 * invariants (checksums, constraints); there is no file to check. */
static int l_integrity_check(lua_State *L)
{
    static const char *const keys[] = {"quick", NULL};
    lpg_check(L, 1);
    if (ldb_opts(L, &lpg_ops, 2, keys)) {
        ldb_optbool(L, &lpg_ops, 2, "quick", 0);
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
    if (ldb_opts(L, &lpg_ops, 3, keys)) {
        ldb_optbool(L, &lpg_ops, 3, "replace", 0);
    }
    return ldb_fail(L, &lpg_ops, PGSTORE_ERROR,
                    "pgstore: snapshot is not supported for PostgreSQL storage (use "
                    "'unentropy db copy' to make a SQLite copy)");
}

/* db:schema() -> the schema name */
static int l_schema(lua_State *L)
{
    lua_pushstring(L, pgstore_schema(lpg_check(L, 1)));
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
    ldb_opts(L, &lpg_ops, 2, keys);
    lua_settop(L, 2);
    PgStoreConfig cfg = {.conninfo = conninfo};
    cfg.schema = opt_string(L, 2, "schema", 0); /* 3.. (each getfield stays pushed) */
    luaL_argcheck(L, cfg.schema != NULL, 2, "'schema' (string) is required");
    cfg.host = opt_string(L, 2, "host", 0);
    cfg.port = opt_string(L, 2, "port", 1);
    cfg.database = opt_string(L, 2, "database", 0);
    cfg.sslmode = opt_string(L, 2, "sslmode", 0);
    cfg.readonly = ldb_optbool(L, &lpg_ops, 2, "readonly", 0);
    cfg.connect_timeout = (int)opt_int(L, 2, "connect_timeout", 1, 0);
    lua_Integer attempts = opt_int(L, 2, "retry_attempts", 1, 0);
    lua_Integer pause = opt_int(L, 2, "retry_pause_ms", 0, -1);
    ldb_new(L, &lpg_ops); /* created closed */
    char err[LDB_ERRLEN];
    PgStore *s = NULL;
    int rc = pgstore_open(&s, &cfg, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return ldb_fail(L, &lpg_ops, rc, err);
    }
    ldb_set(L, -1, &lpg_ops, s);
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
    {"integrity_check", l_integrity_check},
    {"snapshot",        l_snapshot},
    {"schema",          l_schema},
    {NULL, NULL},
};

int luaopen_unentropy_pgstore(lua_State *L)
{
    static const luaL_Reg *const extra[] = {db_methods, lpg_copy_methods, NULL};
    ldb_register(L, &lpg_ops, extra);
    lpg_sqlite_register(L);
    luaL_newlib(L, pgstore_funcs);
    return 1;
}
