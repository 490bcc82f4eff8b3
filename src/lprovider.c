/* lprovider.c: unentropy.provider — the Lua binding of provider.h (storage
 * providers) and unzip.h. provider.new(type, opts) returns a Provider
 * userdata ("unentropy.provider.Provider"; close/__gc/__close share one
 * idempotent close that removes the temp files). S3 credentials are read
 * here from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * and never reach Lua. Misuse raises; environmental failures return
 * nil, msg, code (code = HTTP status, 0 without one). Depends on Lua,
 * http.h (retry default), provider.h, unzip.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "http.h"
#include "modules.h"
#include "provider.h"
#include "unzip.h"

#define LPROVIDER "unentropy.provider.Provider"
#define ERRLEN 1024

typedef struct LProvider {
    Provider *p; /* NULL once closed */
} LProvider;

static Provider *check_provider(lua_State *L, int idx)
{
    LProvider *u = luaL_checkudata(L, idx, LPROVIDER);
    if (u->p == NULL) {
        luaL_error(L, "attempt to use a closed Provider");
    }
    return u->p;
}

static int fail(lua_State *L, const char *msg, long code)
{
    luaL_pushfail(L);
    lua_pushstring(L, msg);
    lua_pushinteger(L, code);
    return 3;
}

/* Reads string option key of the table at idx (NULL when absent). */
static const char *opt_string(lua_State *L, int idx, const char *key)
{
    int t = lua_getfield(L, idx, key);
    if (t != LUA_TNIL && t != LUA_TSTRING) {
        luaL_error(L, "provider: option '%s' must be a string", key);
    }
    const char *v = lua_tostring(L, -1); /* the table keeps it alive */
    lua_pop(L, 1);
    return v;
}

static lua_Integer opt_int(lua_State *L, int idx, const char *key, lua_Integer def)
{
    int t = lua_getfield(L, idx, key);
    if (t != LUA_TNIL && !lua_isinteger(L, -1)) {
        luaL_error(L, "provider: option '%s' must be an integer", key);
    }
    lua_Integer v = t == LUA_TNIL ? def : lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
}

static int opt_bool(lua_State *L, int idx, const char *key)
{
    int t = lua_getfield(L, idx, key);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
        luaL_error(L, "provider: option '%s' must be a boolean", key);
    }
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Rejects keys of the options table that are not in keys. */
static void check_keys(lua_State *L, int idx, const char *const keys[])
{
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
            luaL_error(L, "provider: unknown option '%s'", luaL_tolstring(L, -1, NULL));
        }
    }
}

static const char *need(lua_State *L, const char *v, const char *key)
{
    if (v == NULL) {
        luaL_error(L, "provider: option '%s' is required", key);
    }
    return v;
}

static void debug_line(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "debug: %s\n", line);
    fflush(stderr);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* provider.new(type, opts) -> Provider | nil, msg, 0 */
static int l_new(lua_State *L)
{
    static const char *const types[] = {"sqlite-local", "sqlite-s3", "sqlite-artifact", NULL};
    static const char *const local_keys[] = {"path", NULL};
    static const char *const s3_keys[] = {"endpoint", "bucket", "region", "key",
                                          "retries", "base_delay_ms", "debug", NULL};
    static const char *const artifact_keys[] = {"name", "output", NULL};
    int type = luaL_checkoption(L, 1, NULL, types);
    luaL_checktype(L, 2, LUA_TTABLE);
    check_keys(L, 2, type == 0 ? local_keys : type == 1 ? s3_keys : artifact_keys);
    /* Read every option (may raise) before acquiring anything. */
    const char *path = NULL, *name = NULL, *output = NULL;
    S3Target t = {0};
    S3Options o = {0};
    if (type == 0) {
        path = need(L, opt_string(L, 2, "path"), "path");
    } else if (type == 1) {
        t.endpoint = need(L, opt_string(L, 2, "endpoint"), "endpoint");
        t.bucket = opt_string(L, 2, "bucket");
        t.region = need(L, opt_string(L, 2, "region"), "region");
        t.key = need(L, opt_string(L, 2, "key"), "key");
        lua_Integer retries = opt_int(L, 2, "retries", http_env_retries());
        lua_Integer base = opt_int(L, 2, "base_delay_ms", HTTP_DEFAULT_BASE_DELAY_MS);
        luaL_argcheck(L, retries >= 0 && retries <= HTTP_MAX_RETRIES, 2,
                      "retries must be 0..10");
        luaL_argcheck(L, base >= 0 && base <= 60000, 2, "base_delay_ms must be 0..60000");
        o.retries = (int)retries;
        o.base_delay_ms = (int)base;
        if (opt_bool(L, 2, "debug")) {
            o.log = debug_line;
        }
    } else {
        name = need(L, opt_string(L, 2, "name"), "name");
        output = need(L, opt_string(L, 2, "output"), "output");
    }
    LProvider *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->p = NULL;
    luaL_setmetatable(L, LPROVIDER);
    char err[ERRLEN] = "";
    int rc;
    if (type == 0) {
        rc = provider_new_local(&u->p, path, err, sizeof err);
    } else if (type == 1) {
        S3Credentials cred = {env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"),
                              env("AWS_SESSION_TOKEN")};
        rc = provider_new_s3(&u->p, &t, &cred, &o, err, sizeof err);
    } else {
        rc = provider_new_artifact(&u->p, name, output, err, sizeof err);
    }
    if (rc != PROVIDER_OK) {
        return fail(L, err, 0);
    }
    return 1;
}

static void push_info(lua_State *L, const ProviderInfo *info)
{
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)info->bytes);
    lua_setfield(L, -2, "bytes");
    if (info->etag[0] != '\0') {
        lua_pushstring(L, info->etag);
        lua_setfield(L, -2, "etag");
    }
    lua_pushinteger(L, info->status);
    lua_setfield(L, -2, "status");
    lua_pushinteger(L, info->attempts);
    lua_setfield(L, -2, "attempts");
}

/* p:fetch([source]) -> {found, bytes, etag?, status, attempts} | nil, msg, status */
static int l_fetch(lua_State *L)
{
    Provider *p = check_provider(L, 1);
    const char *source = luaL_optstring(L, 2, NULL);
    ProviderInfo info;
    char err[ERRLEN];
    int rc = provider_fetch(p, source, &info, err, sizeof err);
    if (rc == PROVIDER_ERROR) {
        return fail(L, err, info.status);
    }
    push_info(L, &info);
    lua_pushboolean(L, rc == PROVIDER_OK);
    lua_setfield(L, -2, "found");
    return 1;
}

/* p:persist(snapshot) -> {bytes, etag?, status, attempts} | nil, msg, status
 * (a lost conditional write: nil, "conflict", 412 or 409) */
static int l_persist(lua_State *L)
{
    Provider *p = check_provider(L, 1);
    const char *snapshot = luaL_checkstring(L, 2);
    ProviderInfo info;
    char err[ERRLEN];
    int rc = provider_persist(p, snapshot, &info, err, sizeof err);
    if (rc == PROVIDER_CONFLICT) {
        return fail(L, "conflict", info.status);
    }
    if (rc == PROVIDER_ERROR) {
        return fail(L, err, info.status);
    }
    push_info(L, &info);
    return 1;
}

static int l_type(lua_State *L)
{
    lua_pushstring(L, provider_type(check_provider(L, 1)));
    return 1;
}

static int l_path(lua_State *L)
{
    lua_pushstring(L, provider_path(check_provider(L, 1)));
    return 1;
}

/* p:snapshot_path() -> string | nil (sqlite-local has none) */
static int l_snapshot_path(lua_State *L)
{
    const char *s = provider_snapshot_path(check_provider(L, 1));
    if (s == NULL) {
        lua_pushnil(L);
    } else {
        lua_pushstring(L, s);
    }
    return 1;
}

static int l_keep_snapshot(lua_State *L)
{
    provider_keep_snapshot(check_provider(L, 1));
    lua_pushboolean(L, 1);
    return 1;
}

/* p:cleanup() -> true: removes the temp files; the Provider stays usable. */
static int l_cleanup(lua_State *L)
{
    provider_cleanup(check_provider(L, 1));
    lua_pushboolean(L, 1);
    return 1;
}

/* p:close() -> true; also __gc and __close. Idempotent. */
static int l_close(lua_State *L)
{
    LProvider *u = luaL_checkudata(L, 1, LPROVIDER);
    provider_free(u->p);
    u->p = NULL;
    lua_pushboolean(L, 1);
    return 1;
}

static int l_tostring(lua_State *L)
{
    LProvider *u = luaL_checkudata(L, 1, LPROVIDER);
    if (u->p == NULL) {
        lua_pushstring(L, "Provider (closed)");
    } else {
        lua_pushfstring(L, "Provider (%s, %s)", provider_type(u->p), provider_path(u->p));
    }
    return 1;
}

/* provider.zip_db_entries(zip) -> {name...}, count | nil, msg, 0. At most
 * 16 names are listed; count is the number of .db entries. */
static int l_zip_db_entries(lua_State *L)
{
    const char *zip = luaL_checkstring(L, 1);
    UnzipDbList list;
    char err[ERRLEN];
    if (unzip_list_db(zip, &list, err, sizeof err) != 0) {
        return fail(L, err, 0);
    }
    int shown = list.count < UNZIP_MAX_LISTED ? list.count : UNZIP_MAX_LISTED;
    lua_createtable(L, shown, 0);
    for (int i = 0; i < shown; i++) {
        lua_pushstring(L, list.names[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushinteger(L, list.count);
    return 2;
}

static const luaL_Reg provider_funcs[] = {
    {"new",            l_new},
    {"zip_db_entries", l_zip_db_entries},
    {NULL,             NULL},
};

static const luaL_Reg provider_methods[] = {
    {"fetch",         l_fetch},
    {"persist",       l_persist},
    {"type",          l_type},
    {"path",          l_path},
    {"snapshot_path", l_snapshot_path},
    {"keep_snapshot", l_keep_snapshot},
    {"cleanup",       l_cleanup},
    {"close",         l_close},
    {NULL,            NULL},
};

static const luaL_Reg provider_meta[] = {
    {"__gc",       l_close},
    {"__close",    l_close},
    {"__tostring", l_tostring},
    {"__index",    NULL},
    {NULL,         NULL},
};

int luaopen_unentropy_provider(lua_State *L)
{
    luaL_newmetatable(L, LPROVIDER);
    luaL_setfuncs(L, provider_meta, 0);
    luaL_newlibtable(L, provider_methods);
    luaL_setfuncs(L, provider_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, provider_funcs);
    return 1;
}
