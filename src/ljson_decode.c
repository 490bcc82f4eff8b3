/* ljson_decode.c: json.decode, the decoder half of the unentropy.json
 * binding. Builds Lua values straight from json.c's parser events in one
 * pass: objects get json.object_mt and their key order array, arrays
 * json.array_mt, null the json.null light userdata. The parser's scratch
 * buffer grows as Lua userdata, so a raise (out of memory) leaks nothing.
 * Depends on Lua 5.4, json.h, ljson.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "json.h"
#include "ljson.h"

typedef struct Level {
    int is_obj;
    int key_idx;     /* objects: stack index of the pending key */
    lua_Integer n;   /* keys recorded / elements added */
} Level;

typedef struct Decoder {
    lua_State *L;
    const char *src;
    int scratch_idx; /* stack slot anchoring the grown scratch buffer */
    int dups_idx;    /* stack index of the duplicates list, 0 if unwanted */
    lua_Integer ndups;
    int depth;
    Level lev[JSON_MAX_DEPTH + 1];
} Decoder;

static char *dec_grow(void *ud, size_t need)
{
    Decoder *d = ud;
    char *b = lua_newuserdatauv(d->L, need * 2, 0);
    lua_replace(d->L, d->scratch_idx);
    return b;
}

/* [... obj rec key]: a key seen before in this object; record where. */
static void dec_duplicate(Decoder *d, const JsonToken *t)
{
    lua_State *L = d->L;
    luaL_checkstack(L, 6, "json: stack overflow");
    lua_createtable(L, 0, 4);
    lua_createtable(L, d->depth - 1, 0);
    for (int k = 1; k < d->depth; k++) {
        if (d->lev[k].is_obj) {
            lua_pushvalue(L, d->lev[k].key_idx);
        } else {
            lua_pushinteger(L, d->lev[k].n);
        }
        lua_rawseti(L, -2, k);
    }
    lua_setfield(L, -2, "path");
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "key");
    lua_pushinteger(L, (lua_Integer)t->line);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, (lua_Integer)json_column(d->src, t->line_start, t->offset));
    lua_setfield(L, -2, "column");
    lua_rawseti(L, d->dups_idx, ++d->ndups);
}

/* Stack while parsing: per open object [obj rec key?], per array [arr]; a
 * finished value is stored into its parent at once. */
static int dec_event(void *ud, JsonEvent ev, const JsonToken *t)
{
    Decoder *d = ud;
    lua_State *L = d->L;
    Level *lv;
    switch (ev) {
    case JSON_NULL:
        lua_pushlightuserdata(L, NULL);
        break;
    case JSON_FALSE:
    case JSON_TRUE:
        lua_pushboolean(L, ev == JSON_TRUE);
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)t->integer);
        break;
    case JSON_FLOAT:
        lua_pushnumber(L, (lua_Number)t->number);
        break;
    case JSON_STRING:
        lua_pushlstring(L, t->str, t->len);
        break;
    case JSON_KEY:
        lv = &d->lev[d->depth];
        lua_pushlstring(L, t->str, t->len); /* [obj rec key] */
        lua_pushvalue(L, -1);
        if (lua_rawget(L, -4) == LUA_TNIL) {
            lua_pushvalue(L, -2);
            lua_rawseti(L, -4, ++lv->n);
        } else if (d->dups_idx) {
            lua_pop(L, 1);
            dec_duplicate(d, t);
            lua_pushnil(L);
        }
        lua_pop(L, 1);
        lv->key_idx = lua_gettop(L);
        return 0;
    case JSON_BEGIN_OBJECT:
    case JSON_BEGIN_ARRAY:
        luaL_checkstack(L, 8, "json: stack overflow");
        lv = &d->lev[++d->depth];
        lv->is_obj = ev == JSON_BEGIN_OBJECT;
        lv->n = 0;
        lua_createtable(L, 0, lv->is_obj ? 4 : 0);
        lua_pushvalue(L, lv->is_obj ? LJSON_UV_OBJECT_MT : LJSON_UV_ARRAY_MT);
        lua_setmetatable(L, -2);
        if (lv->is_obj) {
            lua_createtable(L, 4, 0); /* [obj rec] */
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, LJSON_UV_ORDER);
        }
        return 0;
    case JSON_END_OBJECT:
        lua_pop(L, 1); /* rec */
        d->depth--;
        break;
    case JSON_END_ARRAY:
        d->depth--;
        break;
    }
    if (d->depth > 0) {
        lv = &d->lev[d->depth];
        if (lv->is_obj) {
            lua_rawset(L, -4); /* [obj rec key value] */
        } else {
            lua_rawseti(L, -2, ++lv->n);
        }
    }
    return 0;
}

/* json.decode(s [, {duplicates = bool}]) -> value [, dups] | nil, msg, line,
 * column. Raises only for misuse (non-string s, bad options). */
int ljson_decode(lua_State *L)
{
    size_t n;
    luaL_checktype(L, 1, LUA_TSTRING);
    const char *s = lua_tolstring(L, 1, &n);
    int want_dups = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            if (strcmp(k, "duplicates") != 0) {
                return luaL_error(L, "json.decode: unknown option '%s'", k);
            }
            luaL_argexpected(L, lua_isboolean(L, -1), 2, "boolean duplicates");
            want_dups = lua_toboolean(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_settop(L, 2);
    lua_pushnil(L); /* 3: scratch anchor */
    Decoder d; /* lev[] is written before it is read */
    d.L = L;
    d.src = s;
    d.scratch_idx = 3;
    d.dups_idx = 0;
    d.ndups = 0;
    d.depth = 0;
    if (want_dups) {
        lua_newtable(L);
        d.dups_idx = 4;
    }
    char scratch[256];
    JsonParseOpts opts = {.scratch = scratch, .scratch_cap = sizeof scratch, .grow = dec_grow};
    JsonError err;
    int rc = json_parse(s, n, dec_event, &d, &opts, &err);
    if (rc != JSON_OK) {
        lua_settop(L, 0);
        luaL_pushfail(L);
        lua_pushfstring(L, "%s at line %I, column %I", err.msg, (LUAI_UACINT)err.line,
                        (LUAI_UACINT)err.column);
        lua_pushinteger(L, (lua_Integer)err.line);
        lua_pushinteger(L, (lua_Integer)err.column);
        return 4;
    }
    if (want_dups) {
        lua_pushvalue(L, 4);
        return 2;
    }
    return 1;
}
