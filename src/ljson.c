/* ljson.c: unentropy.json — module setup and ordered objects. Objects keep
 * their key order in a weak side table (object -> array of keys) that the
 * decoder (ljson_decode.c) fills and __pairs, __newindex, json.keys and the
 * encoder (ljson_encode.c) read. Depends on Lua 5.4, ljson.h. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "ljson.h"
#include "modules.h"

/* Marks a deleted entry in a key order array (a light userdata nobody else
 * can make); order arrays keep a key -> position map at index 0 once a key
 * has been added from Lua. */
static const char tombstone_key = 't';
#define TOMBSTONE ((void *)&tombstone_key)

int ljson_is_tombstone(lua_State *L, int idx)
{
    return lua_touserdata(L, idx) == TOMBSTONE && lua_islightuserdata(L, idx);
}

/* --- key order ----------------------------------------------------------- */

typedef struct KeyRef {
    const char *s;
    size_t len;
    lua_Integer i;
} KeyRef;

static int cmp_keyref(const void *a, const void *b)
{
    const KeyRef *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    if (c != 0) {
        return c;
    }
    return x->len < y->len ? -1 : x->len > y->len;
}

const char *ljson_push_sorted_keys(lua_State *L, int t)
{
    t = lua_absindex(L, t);
    luaL_checkstack(L, 8, "json: stack overflow");
    lua_Integer count = 0;
    lua_newtable(L); /* [strs] string forms */
    lua_newtable(L); /* [strs origs] original keys */
    int strs = lua_gettop(L) - 1, origs = strs + 1;
    lua_pushnil(L);
    while (lua_next(L, t)) { /* [strs origs key value] */
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            lua_pushvalue(L, -1);
        } else if (lua_isinteger(L, -1)) {
            lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, -1));
        } else {
            return lua_isnumber(L, -1)
                       ? "a non-integer number key"
                       : lua_pushfstring(L, "a key of type %s", luaL_typename(L, -1));
        }
        lua_rawseti(L, strs, ++count);
        lua_pushvalue(L, -1);
        lua_rawseti(L, origs, count);
    }
    KeyRef *refs = lua_newuserdatauv(L, (size_t)count * sizeof *refs + 1, 0);
    for (lua_Integer i = 0; i < count; i++) {
        lua_rawgeti(L, strs, i + 1);
        refs[i].s = lua_tolstring(L, -1, &refs[i].len); /* anchored in strs */
        refs[i].i = i + 1;
        lua_pop(L, 1);
    }
    qsort(refs, (size_t)count, sizeof *refs, cmp_keyref);
    lua_createtable(L, (int)count, 0); /* [strs origs refs res] */
    for (lua_Integer i = 0; i < count; i++) {
        if (i > 0 && cmp_keyref(&refs[i - 1], &refs[i]) == 0) {
            return lua_pushfstring(L, "both an integer key and a string key \"%s\"",
                                   refs[i].s);
        }
        lua_rawgeti(L, origs, refs[i].i);
        lua_rawseti(L, -2, i + 1);
    }
    lua_replace(L, strs);
    lua_settop(L, strs);
    return NULL;
}

/* Pushes obj's key order array and returns 1; returns 0 (pushing nothing)
 * if it has none, unless `create`: then one is made from the keys sorted by
 * byte order. May raise. */
static int push_record(lua_State *L, int obj, int create)
{
    obj = lua_absindex(L, obj);
    lua_pushvalue(L, obj);
    if (lua_rawget(L, LJSON_UV_ORDER) != LUA_TNIL) {
        return 1;
    }
    lua_pop(L, 1);
    if (!create) {
        return 0;
    }
    const char *bad = ljson_push_sorted_keys(L, obj);
    if (bad) {
        luaL_error(L, "json: cannot order a table with %s", bad);
    }
    lua_pushvalue(L, obj);
    lua_pushvalue(L, -2);
    lua_rawset(L, LJSON_UV_ORDER);
    return 1;
}

int ljson_push_order(lua_State *L, int obj)
{
    return push_record(L, obj, 0);
}

/* Iterator made by __pairs; upvalues: the order array, the position. */
static int l_obj_iter(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    for (;;) {
        if (lua_rawgeti(L, lua_upvalueindex(1), ++i) == LUA_TNIL) {
            return 1;
        }
        if (ljson_is_tombstone(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, 1) != LUA_TNIL) {
            lua_pushinteger(L, i);
            lua_replace(L, lua_upvalueindex(2));
            return 2;
        }
        lua_pop(L, 2);
    }
}

/* object_mt.__pairs(obj) -> iterator over the keys in recorded order */
static int l_obj_pairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_record(L, 1, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, l_obj_iter, 2);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* object_mt.__newindex(obj, k, v): k is not in obj; append it to the order
 * (moving it to the end if it was deleted earlier), then rawset. */
static int l_obj_newindex(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 3);
    if (lua_isnil(L, 3)) {
        return 0;
    }
    push_record(L, 1, 1); /* [obj k v rec] */
    if (lua_rawgeti(L, 4, 0) == LUA_TNIL) { /* [obj k v rec pos] */
        lua_pop(L, 1);
        lua_newtable(L);
        lua_Integer n = (lua_Integer)lua_rawlen(L, 4);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, 4, i);
            if (ljson_is_tombstone(L, -1)) {
                lua_pop(L, 1);
            } else {
                lua_pushinteger(L, i);
                lua_rawset(L, 5);
            }
        }
        lua_pushvalue(L, 5);
        lua_rawseti(L, 4, 0);
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_rawset(L, 1); /* raises for a nil or NaN key before the order changes */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, 5) != LUA_TNIL) { /* deleted earlier: drop old slot */
        lua_pushlightuserdata(L, TOMBSTONE);
        lua_rawseti(L, 4, lua_tointeger(L, -2));
    }
    lua_pop(L, 1);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 4) + 1;
    lua_pushvalue(L, 2);
    lua_rawseti(L, 4, n);
    lua_pushvalue(L, 2);
    lua_pushinteger(L, n);
    lua_rawset(L, 5);
    return 0;
}

/* --- objects and arrays -------------------------------------------------- */

/* json.object([{ {k, v}, ... }]) -> new ordered object. A repeated key keeps
 * its first position and last value; a nil value leaves the key out. */
static int l_object(lua_State *L)
{
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
    }
    lua_settop(L, 1);
    lua_newtable(L); /* 2: obj */
    lua_pushvalue(L, LJSON_UV_OBJECT_MT);
    lua_setmetatable(L, 2);
    lua_newtable(L); /* 3: rec */
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    lua_rawset(L, LJSON_UV_ORDER);
    lua_Integer n = lua_isnil(L, 1) ? 0 : (lua_Integer)luaL_len(L, 1), nkeys = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, 1, i) != LUA_TTABLE) { /* 4: pair */
            return luaL_error(L, "json.object: entry %I is not a {key, value} pair",
                              (LUAI_UACINT)i);
        }
        if (lua_geti(L, 4, 1) != LUA_TSTRING) { /* 5: key */
            return luaL_error(L, "json.object: entry %I has a %s key (expected string)",
                              (LUAI_UACINT)i, luaL_typename(L, 5));
        }
        if (lua_geti(L, 4, 2) != LUA_TNIL) { /* 6: value */
            lua_pushvalue(L, 5);
            if (lua_rawget(L, 2) == LUA_TNIL) {
                lua_pushvalue(L, 5);
                lua_rawseti(L, 3, ++nkeys);
            }
            lua_pop(L, 1);
            lua_pushvalue(L, 5);
            lua_pushvalue(L, 6);
            lua_rawset(L, 2);
        }
        lua_settop(L, 3);
    }
    lua_settop(L, 2);
    return 1;
}

/* json.array([t]) -> t (or a new table) marked as a JSON array */
static int l_array(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_newtable(L);
    } else {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_settop(L, 1);
    }
    lua_pushvalue(L, LJSON_UV_ARRAY_MT);
    lua_setmetatable(L, -2);
    return 1;
}

static int has_mt(lua_State *L, int mt)
{
    int yes = lua_type(L, 1) == LUA_TTABLE && lua_getmetatable(L, 1) && lua_rawequal(L, -1, mt);
    lua_pushboolean(L, yes);
    return 1;
}

/* json.is_object(v), json.is_array(v) -> boolean */
static int l_is_object(lua_State *L)
{
    return has_mt(L, LJSON_UV_OBJECT_MT);
}

static int l_is_array(lua_State *L)
{
    return has_mt(L, LJSON_UV_ARRAY_MT);
}

/* json.keys(t) -> array of t's keys: recorded order for objects, byte order
 * of the keys' string forms for other tables. Raises for non-tables. */
static int l_keys(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (!push_record(L, 1, 0)) {
        const char *bad = ljson_push_sorted_keys(L, 1);
        if (bad) {
            return luaL_error(L, "json.keys: cannot order a table with %s", bad);
        }
    }
    lua_newtable(L); /* [t rec res] */
    lua_pushvalue(L, LJSON_UV_ARRAY_MT);
    lua_setmetatable(L, 3);
    lua_Integer n = 0;
    for (lua_Integer i = 1; lua_rawgeti(L, 2, i) != LUA_TNIL; i++) {
        lua_pushvalue(L, -1);
        if (!ljson_is_tombstone(L, -1) && lua_rawget(L, 1) != LUA_TNIL) {
            lua_pop(L, 1);
            lua_rawseti(L, 3, ++n);
        } else {
            lua_pop(L, 2);
        }
    }
    lua_pop(L, 1);
    return 1;
}

/* tostring(json.null) -> "null"; installed as the metatable of all light
 * userdata unless something else already set one. */
static int l_light_tostring(lua_State *L)
{
    void *p = lua_touserdata(L, 1);
    if (p == NULL) {
        lua_pushliteral(L, "null");
    } else {
        lua_pushfstring(L, "userdata: %p", p);
    }
    return 1;
}

static const luaL_Reg json_funcs[] = {
    {"decode",    ljson_decode},
    {"encode",    ljson_encode},
    {"object",    l_object},
    {"array",     l_array},
    {"is_object", l_is_object},
    {"is_array",  l_is_array},
    {"keys",      l_keys},
    {NULL, NULL},
};

static const luaL_Reg object_meta[] = {
    {"__pairs",    l_obj_pairs},
    {"__newindex", l_obj_newindex},
    {NULL, NULL},
};

int luaopen_unentropy_json(lua_State *L)
{
    ljson_open_encoder(L);
    lua_newtable(L);
    int mod = lua_gettop(L), order = mod + 1, omt = mod + 2, amt = mod + 3;
    lua_newtable(L); /* order: object -> key array, weak keys */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, order);
    lua_createtable(L, 0, 3); /* object_mt */
    lua_pushliteral(L, "json.object");
    lua_setfield(L, omt, "__name");
    lua_createtable(L, 0, 1); /* array_mt */
    lua_pushliteral(L, "json.array");
    lua_setfield(L, amt, "__name");
    /* Every function gets the upvalues (order, object_mt, array_mt). */
    int targets[2] = {omt, mod};
    const luaL_Reg *regs[2] = {object_meta, json_funcs};
    for (int i = 0; i < 2; i++) {
        lua_pushvalue(L, targets[i]);
        lua_pushvalue(L, order);
        lua_pushvalue(L, omt);
        lua_pushvalue(L, amt);
        luaL_setfuncs(L, regs[i], 3);
        lua_pop(L, 1);
    }
    lua_pushvalue(L, omt);
    lua_setfield(L, mod, "object_mt");
    lua_pushvalue(L, amt);
    lua_setfield(L, mod, "array_mt");
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, mod, "null");
    lua_pushlightuserdata(L, NULL);
    if (lua_getmetatable(L, -1)) {
        lua_pop(L, 1);
    } else {
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, l_light_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_setmetatable(L, -2);
    }
    lua_settop(L, mod);
    return 1;
}
