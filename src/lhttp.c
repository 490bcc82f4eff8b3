/* lhttp.c: unentropy.http — Lua binding over http.c. http.request(opts)
 * checks every option first (header lines are built as Lua strings anchored
 * on the stack), then runs the request (nothing can raise meanwhile), then
 * pushes the result while the C response sits in a to-be-closed userdata,
 * so a raise never leaks. UNENTROPY_DEBUG=1 sends one log line per attempt
 * to stderr. Depends on Lua 5.4 and http.h. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "http.h"
#include "lutil.h"
#include "modules.h"

#define RESPONSE_MT "unentropy.http.Response"

static const char *const request_keys[] = {
    "method", "url", "headers", "body", "body_file", "output_file", "follow_redirects",
    "retries", "base_delay_ms", "timeout", "user_agent", NULL,
};

/* Stack slots of l_request after the option checks. */
enum { S_OPTS = 1, S_URL, S_METHOD, S_BODY, S_BODY_FILE, S_OUTPUT, S_UA, S_LINES, S_PTRS };

static int opt_error(lua_State *L, const char *key, const char *what)
{
    return luaL_argerror(L, 1, lua_pushfstring(L, "option '%s' %s", key, what));
}

/* Pushes opts[key] (raw) and returns its type. */
static int opt_get(lua_State *L, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, S_OPTS);
}

/* Leaves opts[key] on the stack; returns it when a string without NUL
 * bytes, NULL when nil. May raise. */
static const char *opt_string(lua_State *L, const char *key, size_t *len)
{
    int t = opt_get(L, key);
    if (t == LUA_TNIL) {
        return NULL;
    }
    if (t != LUA_TSTRING) {
        opt_error(L, key, "must be a string");
    }
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    if (len != NULL) {
        *len = n;
    } else if (strlen(s) != n) {
        opt_error(L, key, "contains a NUL byte");
    }
    return s;
}

static int is_token(const char *s, size_t len)
{
    if (len == 0) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c > 32 && c < 127 && !strchr("\"(),/:;<=>?@[\\]{}", c))) {
            return 0;
        }
    }
    return 1;
}

/* Builds "Name: value" lines from opts.headers into a table at S_LINES and
 * a pointer array (userdata) at S_PTRS. May raise. */
static size_t build_header_lines(lua_State *L)
{
    int t = opt_get(L, "headers"); // [.., headers]
    if (t != LUA_TNIL && t != LUA_TTABLE) {
        opt_error(L, "headers", "must be a table");
    }
    int hidx = lua_gettop(L);
    lua_newtable(L); // [.., headers, lines]
    size_t n = 0;
    if (t == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, hidx)) { // [.., headers, lines, name, value]
            size_t nlen, vlen;
            if (lua_type(L, -2) != LUA_TSTRING) {
                opt_error(L, "headers", "must map header names to values");
            }
            const char *name = lua_tolstring(L, -2, &nlen);
            if (!is_token(name, nlen)) {
                opt_error(L, "headers", lua_pushfstring(L, "has an invalid name '%s'", name));
            }
            int vt = lua_type(L, -1);
            if (vt != LUA_TSTRING && vt != LUA_TNUMBER) {
                opt_error(L, "headers", lua_pushfstring(L, "value of '%s' must be a string", name));
            }
            lua_pushvalue(L, -1);
            const char *value = lua_tolstring(L, -1, &vlen); /* a copy: keep the key intact */
            for (size_t i = 0; i < vlen; i++) {
                if (value[i] == '\r' || value[i] == '\n' || value[i] == '\0') {
                    opt_error(L, "headers", lua_pushfstring(L, "value of '%s' has a line break", name));
                }
            }
            lua_pushfstring(L, "%s: %s", name, value);
            lua_rawseti(L, -5, (lua_Integer)++n); // [.., headers, lines, name, value, copy]
            lua_pop(L, 2);
        }
    }
    lua_remove(L, hidx); // [.., lines]
    const char **ptrs = lua_newuserdatauv(L, (n ? n : 1) * sizeof *ptrs, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, -2, (lua_Integer)i + 1);
        ptrs[i] = lua_tostring(L, -1); /* anchored in the lines table */
        lua_pop(L, 1);
    }
    return n;
}

static int l_response_gc(lua_State *L)
{
    http_response_free(luaL_checkudata(L, 1, RESPONSE_MT));
    return 0;
}

/* http.request(opts) -> response | nil, msg, code. May raise on misuse. */
static int l_request(lua_State *L)
{
    HttpRequest req;
    http_request_init(&req);
    lutil_check_options(L, 1, request_keys);
    lua_settop(L, 1);
    req.url = opt_string(L, "url", NULL); /* S_URL */
    if (req.url == NULL) {
        return luaL_argerror(L, 1, "option 'url' is required");
    }
    char host[8], path[8];
    if (http_url_parts(req.url, host, sizeof host, path, sizeof path) != 0) {
        return opt_error(L, "url", "must be an absolute http:// or https:// URL");
    }
    const char *method = opt_string(L, "method", NULL); /* S_METHOD */
    if (method != NULL) {
        if (!is_token(method, strlen(method))) {
            return opt_error(L, "method", "must be an HTTP method name");
        }
        req.method = method;
    }
    req.body = opt_string(L, "body", &req.body_len); /* S_BODY */
    req.body_file = opt_string(L, "body_file", NULL); /* S_BODY_FILE */
    if (req.body != NULL && req.body_file != NULL) {
        return luaL_argerror(L, 1, "options 'body' and 'body_file' exclude each other");
    }
    req.output_file = opt_string(L, "output_file", NULL); /* S_OUTPUT */
    req.user_agent = opt_string(L, "user_agent", NULL); /* S_UA */
    lua_settop(L, S_UA);
    req.n_headers = build_header_lines(L); /* S_LINES, S_PTRS */
    req.headers = lua_touserdata(L, S_PTRS);

    int t = opt_get(L, "follow_redirects");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
        return opt_error(L, "follow_redirects", "must be a boolean");
    }
    req.follow_redirects = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (opt_get(L, "retries") != LUA_TNIL) {
        int isint;
        lua_Integer r = lua_tointegerx(L, -1, &isint);
        if (lua_type(L, -1) != LUA_TNUMBER || !isint || r < 0 || r > HTTP_MAX_RETRIES) {
            return opt_error(L, "retries", "must be an integer from 0 to 10");
        }
        req.retries = (int)r;
    }
    lua_pop(L, 1);
    if (opt_get(L, "base_delay_ms") != LUA_TNIL) {
        double d = lua_tonumber(L, -1);
        if (lua_type(L, -1) != LUA_TNUMBER || !(d >= 0 && d <= 3600000)) {
            return opt_error(L, "base_delay_ms", "must be a number of milliseconds >= 0");
        }
        req.base_delay_ms = (long)d;
    }
    lua_pop(L, 1);
    if (opt_get(L, "timeout") != LUA_TNIL) {
        double d = lua_tonumber(L, -1);
        if (lua_type(L, -1) != LUA_TNUMBER || !(d > 0 && d <= 86400000)) {
            return opt_error(L, "timeout", "must be a positive number of milliseconds");
        }
        req.timeout_ms = d < 1 ? 1 : (long)d;
    }
    lua_pop(L, 1);
    const char *dbg = getenv("UNENTROPY_DEBUG");
    req.log = dbg != NULL && strcmp(dbg, "1") == 0 ? stderr : NULL;

    /* Everything checked: the response holder is the last thing that can
     * raise before the request. */
    HttpResponse *resp = lua_newuserdatauv(L, sizeof *resp, 0);
    memset(resp, 0, sizeof *resp);
    luaL_setmetatable(L, RESPONSE_MT);
    lua_toclose(L, -1);
    char msg[1024];
    int rc = http_request(&req, resp, msg, sizeof msg);
    if (rc != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        lua_pushinteger(L, rc < 0 ? -rc : rc);
        return 3;
    }
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, resp->status);
    lua_setfield(L, -2, "status");
    lua_createtable(L, 0, (int)resp->headers.n);
    for (size_t i = 0; i < resp->headers.n; i++) { /* in order: the last one wins */
        lua_pushstring(L, resp->headers.items[i].value);
        lua_setfield(L, -2, resp->headers.items[i].name);
    }
    lua_setfield(L, -2, "headers");
    if (!resp->in_file) {
        lua_pushlstring(L, resp->body, resp->body_len);
        lua_setfield(L, -2, "body");
    }
    lua_pushstring(L, resp->url);
    lua_setfield(L, -2, "url");
    lua_pushinteger(L, resp->attempts);
    lua_setfield(L, -2, "attempts");
    http_response_free(resp); /* the to-be-closed slot would do it too */
    return 1;
}

/* http.url_encode(s) -> s with everything but RFC 3986 unreserved
 * characters percent-encoded. */
static int l_url_encode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, 3 * len + 1);
    luaL_pushresultsize(&b, http_url_encode(s, len, NULL, out));
    return 1;
}

static const luaL_Reg http_funcs[] = {
    {"request",    l_request},
    {"url_encode", l_url_encode},
    {NULL, NULL},
};

static const luaL_Reg response_meta[] = {
    {"__gc",    l_response_gc},
    {"__close", l_response_gc},
    {NULL, NULL},
};

int luaopen_unentropy_http(lua_State *L)
{
    luaL_newmetatable(L, RESPONSE_MT);
    luaL_setfuncs(L, response_meta, 0);
    lua_pop(L, 1);
    luaL_newlib(L, http_funcs);
    return 1;
}
