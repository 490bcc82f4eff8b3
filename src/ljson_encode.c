/* ljson_encode.c: json.encode, the encoder half of the unentropy.json
 * binding. Walks Lua values into a json.c growable buffer that Lua owns (a
 * to-be-closed userdata, so a raise mid-way leaks nothing). Ordered objects
 * follow their recorded key order, plain tables are arrays (1..n) or
 * objects with byte-sorted keys. Depends on Lua 5.4, json.h, ljson.h. */
#include <stdarg.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "json.h"
#include "ljson.h"

#define BUF_MT "unentropy.json.Buffer"

typedef struct Segment {
    int key_idx;       /* > 0: stack index of the member's key */
    lua_Integer index; /* else: 0-based array index, or -1 for none */
} Segment;

typedef struct Encoder {
    lua_State *L;
    JsonBuf *b;
    int pretty;
    int depth;                           /* open containers */
    const void *seen[JSON_MAX_DEPTH + 1]; /* seen[1..depth]: for cycles */
    Segment path[JSON_MAX_DEPTH + 1];     /* path[1..depth]: for messages */
} Encoder;

static int is_plain_key(const char *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '$' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

/* Raises "json: <message> at <path>" (path as in config.md §2). */
static int enc_fail(Encoder *e, const char *fmt, ...)
{
    lua_State *L = e->L;
    luaL_checkstack(L, 2 * e->depth + 8, "json: stack overflow");
    int top = lua_gettop(L);
    lua_pushliteral(L, "json: ");
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    int first = 1;
    for (int k = 1; k <= e->depth; k++) {
        Segment *s = &e->path[k];
        if (s->key_idx <= 0 && s->index < 0) {
            continue;
        }
        if (first) {
            lua_pushliteral(L, " at ");
        }
        if (s->key_idx > 0) {
            size_t n;
            const char *key = luaL_tolstring(L, s->key_idx, &n);
            if (is_plain_key(key, n)) {
                lua_pushfstring(L, "%s%s", first ? "" : ".", key);
            } else {
                key = luaL_gsub(L, key, "\\", "\\\\");
                key = luaL_gsub(L, key, "\"", "\\\"");
                lua_pushfstring(L, "[\"%s\"]", key);
                lua_replace(L, -3);
                lua_pop(L, 1);
            }
            lua_replace(L, -2);
        } else {
            lua_pushfstring(L, "[%I]", (LUAI_UACINT)s->index);
        }
        first = 0;
    }
    lua_concat(L, lua_gettop(L) - top);
    return lua_error(L);
}

static void put(Encoder *e, const char *s, size_t n)
{
    if (json_buf_add(e->b, s, n) != JSON_OK) {
        enc_fail(e, "out of memory");
    }
}

static void put_indent(Encoder *e, int depth)
{
    if (e->pretty && json_write_indent(e->b, depth) != JSON_OK) {
        enc_fail(e, "out of memory");
    }
}

static void enc_string(Encoder *e, int idx)
{
    size_t n, bad = 0;
    const char *s = lua_tolstring(e->L, idx, &n);
    int rc = json_write_string(e->b, s, n, &bad);
    if (rc == JSON_EUTF8) {
        enc_fail(e, "invalid UTF-8 in string (byte %d)", (int)bad + 1);
    } else if (rc != JSON_OK) {
        enc_fail(e, "out of memory");
    }
}

static void enc_value(Encoder *e, int idx);

/* The array part 1..n of the table at idx. */
static void enc_array(Encoder *e, int idx, lua_Integer n)
{
    lua_State *L = e->L;
    put(e, "[", 1);
    for (lua_Integer i = 1; i <= n; i++) {
        if (i > 1) {
            put(e, ",", 1);
        }
        put_indent(e, e->depth);
        e->path[e->depth] = (Segment){0, i - 1};
        lua_rawgeti(L, idx, i);
        enc_value(e, lua_gettop(L));
        lua_pop(L, 1);
    }
    if (n > 0) {
        put_indent(e, e->depth - 1);
    }
    put(e, "]", 1);
}

/* The members of the table at idx named by the key array at keys, in its
 * order; tombstones and keys whose value is nil are skipped. */
static void enc_object(Encoder *e, int idx, int keys)
{
    lua_State *L = e->L;
    int count = 0;
    put(e, "{", 1);
    for (lua_Integer i = 1; lua_rawgeti(L, keys, i) != LUA_TNIL; i++) {
        int k = lua_gettop(L); /* [key] */
        lua_pushvalue(L, k);
        if (ljson_is_tombstone(L, k) || lua_rawget(L, idx) == LUA_TNIL) {
            lua_pop(L, 2);
            continue;
        }
        if (count++ > 0) {
            put(e, ",", 1);
        }
        put_indent(e, e->depth);
        e->path[e->depth] = (Segment){k, -1};
        if (lua_type(L, k) == LUA_TSTRING) {
            enc_string(e, k);
        } else if (lua_isinteger(L, k)) {
            put(e, "\"", 1);
            if (json_write_integer(e->b, (long long)lua_tointeger(L, k)) != JSON_OK) {
                enc_fail(e, "out of memory");
            }
            put(e, "\"", 1);
        } else {
            e->path[e->depth] = (Segment){0, -1};
            enc_fail(e, "cannot encode an object key of type %s", luaL_typename(L, k));
        }
        put(e, ": ", e->pretty ? 2 : 1);
        enc_value(e, k + 1);
        lua_pop(L, 2);
    }
    lua_pop(L, 1); /* the nil that ended the loop */
    if (count > 0) {
        put_indent(e, e->depth - 1);
    }
    put(e, "}", 1);
}

/* Is the plain table at idx a proper sequence 1..n (n > 0) or empty? */
static int plain_is_array(lua_State *L, int idx, lua_Integer *len)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
        if (k < 1 || k > n) {
            lua_pop(L, 1);
            return 0;
        }
        count++;
    }
    *len = n;
    return count == n;
}

static void enc_table(Encoder *e, int idx)
{
    lua_State *L = e->L;
    const void *p = lua_topointer(L, idx);
    for (int k = 1; k <= e->depth; k++) {
        if (e->seen[k] == p) {
            enc_fail(e, "cannot encode a table that contains itself");
        }
    }
    if (e->depth >= JSON_MAX_DEPTH) {
        enc_fail(e, "cannot encode tables nested deeper than %d levels", JSON_MAX_DEPTH);
    }
    luaL_checkstack(L, 8, "json: stack overflow");
    int is_array = 0, ordered = 0;
    lua_Integer n = 0;
    if (lua_getmetatable(L, idx)) {
        if (lua_rawequal(L, -1, LJSON_UV_ARRAY_MT)) {
            is_array = 1;
            n = (lua_Integer)lua_rawlen(L, idx);
        } else {
            ordered = lua_rawequal(L, -1, LJSON_UV_OBJECT_MT);
        }
        lua_pop(L, 1);
        if (!is_array && !ordered) {
            is_array = plain_is_array(L, idx, &n);
        }
    } else {
        is_array = plain_is_array(L, idx, &n);
    }
    if (!is_array && !(ordered && ljson_push_order(L, idx))) {
        const char *bad = ljson_push_sorted_keys(L, idx);
        if (bad) {
            enc_fail(e, "cannot encode a table with %s", bad);
        }
    }
    e->depth++;
    e->seen[e->depth] = p;
    e->path[e->depth] = (Segment){0, -1};
    if (is_array) {
        enc_array(e, idx, n);
    } else {
        enc_object(e, idx, lua_gettop(L));
        lua_pop(L, 1);
    }
    e->depth--;
}

static void enc_value(Encoder *e, int idx)
{
    lua_State *L = e->L;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        put(e, "null", 4);
        break;
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, idx)) {
            put(e, "true", 4);
        } else {
            put(e, "false", 5);
        }
        break;
    case LUA_TNUMBER: {
        int rc = lua_isinteger(L, idx)
                     ? json_write_integer(e->b, (long long)lua_tointeger(L, idx))
                     : json_write_double(e->b, (double)lua_tonumber(L, idx));
        if (rc != JSON_OK) {
            enc_fail(e, "out of memory");
        }
        break;
    }
    case LUA_TSTRING:
        enc_string(e, idx);
        break;
    case LUA_TTABLE:
        enc_table(e, idx);
        break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL) {
            put(e, "null", 4);
            break;
        }
        /* fall through */
    default:
        enc_fail(e, "cannot encode a %s value", luaL_typename(L, idx));
    }
}

static int l_buf_free(lua_State *L)
{
    json_buf_free(luaL_checkudata(L, 1, BUF_MT));
    return 0;
}

int ljson_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    int pretty = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            if (strcmp(k, "pretty") != 0) {
                return luaL_error(L, "json.encode: unknown option '%s'", k);
            }
            luaL_argexpected(L, lua_isboolean(L, -1), 2, "boolean pretty");
            pretty = lua_toboolean(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_settop(L, 2);
    JsonBuf *b = lua_newuserdatauv(L, sizeof *b, 0);
    *b = (JsonBuf){0};
    luaL_setmetatable(L, BUF_MT);
    lua_toclose(L, 3);
    Encoder e; /* the arrays are written before they are read */
    e.L = L;
    e.b = b;
    e.pretty = pretty;
    e.depth = 0;
    enc_value(&e, 1);
    lua_pushlstring(L, b->data ? b->data : "", b->len);
    json_buf_free(b);
    return 1;
}

void ljson_open_encoder(lua_State *L)
{
    static const luaL_Reg meta[] = {
        {"__gc",    l_buf_free},
        {"__close", l_buf_free},
        {NULL, NULL},
    };
    if (luaL_newmetatable(L, BUF_MT)) {
        luaL_setfuncs(L, meta, 0);
    }
    lua_pop(L, 1);
}
