/* lfs_util.c: helpers shared by the unentropy.fs binding files: the
 * to-be-closed "box" that lets Lua own C allocations across calls that may
 * raise, the nil/msg/errno triple, path and option checks (unknown keys
 * raise) and string arrays. Depends on Lua 5.4; see lfs.h. */
#include <stdbool.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lfs.h"

#define BOX_MT "unentropy.fs.Box"

typedef struct Box {
    void (*fin)(void *obj);
    bool live;
} Box;

#define BOX_HDR ((sizeof(Box) + 15) & ~(size_t)15)

static int l_box_close(lua_State *L)
{
    Box *b = luaL_checkudata(L, 1, BOX_MT);
    if (b->live) {
        b->live = false;
        b->fin((char *)b + BOX_HDR);
    }
    return 0;
}

void *lfs_box(lua_State *L, size_t size, void (*fin)(void *obj))
{
    Box *b = lua_newuserdatauv(L, BOX_HDR + size, 0);
    memset(b, 0, BOX_HDR + size);
    luaL_setmetatable(L, BOX_MT);
    lua_toclose(L, -1);
    b->fin = fin;
    b->live = true;
    return (char *)b + BOX_HDR;
}

int lfs_fail(lua_State *L, const char *msg, int code)
{
    luaL_pushfail(L);
    lua_pushstring(L, msg);
    lua_pushinteger(L, code);
    return 3;
}

const char *lfs_checkpath(lua_State *L, int arg)
{
    size_t len;
    const char *s = luaL_checklstring(L, arg, &len);
    luaL_argcheck(L, strlen(s) == len, arg, "path contains a NUL byte");
    return s;
}

void lfs_check_opts(lua_State *L, int idx, const char *fname, const char *const *allowed)
{
    if (lua_isnoneornil(L, idx)) {
        return;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool ok = false;
        for (size_t i = 0; key && allowed[i]; i++) {
            ok = ok || strcmp(key, allowed[i]) == 0;
        }
        if (!ok) {
            luaL_error(L, "%s: unknown option '%s'", fname, key ? key : luaL_typename(L, -1));
        }
    }
}

bool lfs_opt_bool(lua_State *L, int idx, const char *fname, const char *name, bool def)
{
    if (lua_isnoneornil(L, idx)) {
        return def;
    }
    int t = lua_getfield(L, idx, name);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
        luaL_error(L, "%s: option '%s' must be a boolean, got %s", fname, name,
                   luaL_typename(L, -1));
    }
    bool v = t == LUA_TNIL ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

const char **lfs_strings(lua_State *L, int idx, const char *fname, const char *what, size_t *n)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TSTRING) {
        const char **v = lua_newuserdatauv(L, sizeof(char *), 0);
        v[0] = lua_tostring(L, idx);
        *n = 1;
        return v;
    }
    if (lua_type(L, idx) != LUA_TTABLE) {
        luaL_error(L, "%s: %s must be a string or an array of strings, got %s", fname, what,
                   luaL_typename(L, idx));
    }
    size_t len = (size_t)lua_rawlen(L, idx);
    const char **v = lua_newuserdatauv(L, (len ? len : 1) * sizeof(char *), 0);
    for (size_t i = 0; i < len; i++) {
        if (lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TSTRING) {
            luaL_error(L, "%s: %s[%d] must be a string, got %s", fname, what, (int)i + 1,
                       luaL_typename(L, -1));
        }
        v[i] = lua_tostring(L, -1); /* stays alive: the array holds it */
        lua_pop(L, 1);
    }
    *n = len;
    return v;
}

static const luaL_Reg box_meta[] = {
    {"__close", l_box_close},
    {"__gc",    l_box_close},
    {NULL,      NULL},
};

void lfs_util_register(lua_State *L)
{
    if (luaL_newmetatable(L, BOX_MT)) {
        luaL_setfuncs(L, box_meta, 0);
    }
    lua_pop(L, 1);
}
