/* lassets.c: unentropy.assets — files embedded at build time (commands,
 * templates, config data, vendored JS), with the dev overrides:
 * UNENTROPY_LUA_DIR/--lua-dir for "lua/..." and UNENTROPY_TEMPLATES_DIR for
 * "templates/...". Names are repository paths ("templates/report.html"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "embedded.h"
#include "modules.h"

/* Pushes the override path for `name`, or returns 0 when none applies. */
static int push_override(lua_State *L, const char *name)
{
    const char *dir = NULL;
    const char *rest = NULL;
    if (strncmp(name, "lua/", 4) == 0) {
        dir = host_lua_dir(L);
        rest = name + 4;
    } else if (strncmp(name, "templates/", 10) == 0) {
        dir = getenv("UNENTROPY_TEMPLATES_DIR");
        rest = name + 10;
    }
    if (dir == NULL || *dir == '\0') {
        return 0;
    }
    lua_pushfstring(L, "%s/%s", dir, rest);
    return 1;
}

/* Reads a whole file into a Lua string; returns 1 on success, 0 if it does
 * not exist (nothing pushed), raises on read errors. */
static int push_file(lua_State *L, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return 0;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t n;
    do {
        char *p = luaL_prepbuffer(&b);
        n = fread(p, 1, LUAL_BUFFERSIZE, f);
        luaL_addsize(&b, n);
    } while (n == LUAL_BUFFERSIZE);
    int err = ferror(f);
    fclose(f);
    if (err) {
        return luaL_error(L, "assets: cannot read '%s'", path);
    }
    luaL_pushresult(&b);
    return 1;
}

/* Pushes content and origin ("@path" chunkname) of `name`; returns 0 when it
 * does not exist anywhere. */
static int find_asset(lua_State *L, const char *name)
{
    if (push_override(L, name)) {
        const char *path = lua_tostring(L, -1);
        if (push_file(L, path)) {            /* [path, content] */
            lua_pushfstring(L, "@%s", path);
            lua_remove(L, -3);
            return 1;                        /* [content, origin] */
        }
        lua_pop(L, 1);
    }
    const EmbeddedFile *e = embedded_find(name);
    if (e == NULL) {
        return 0;
    }
    lua_pushlstring(L, (const char *)e->data, e->size);
    lua_pushfstring(L, "@%s", name);
    return 1;
}

/* assets.read(name) -> content, origin | nil, msg */
static int l_read(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (!find_asset(L, name)) {
        luaL_pushfail(L);
        lua_pushfstring(L, "assets: no such asset '%s'", name);
        return 2;
    }
    return 2;
}

/* assets.exists(name) -> boolean */
static int l_exists(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int found = find_asset(L, name);
    lua_pushboolean(L, found);
    return 1;
}

/* assets.load(name) -> function | nil, msg: compiles a Lua asset with its
 * repository path as chunkname, so tracebacks point into the repo. */
static int l_load(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (!find_asset(L, name)) {
        luaL_pushfail(L);
        lua_pushfstring(L, "assets: no such asset '%s'", name);
        return 2;
    }
    size_t len;
    const char *src = lua_tolstring(L, -2, &len);
    if (luaL_loadbufferx(L, src, len, lua_tostring(L, -1), "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    return 1;
}

/* assets.list(prefix) -> sorted array of embedded names under prefix */
static int l_list(lua_State *L)
{
    size_t plen;
    const char *prefix = luaL_optlstring(L, 1, "", &plen);
    lua_newtable(L);
    lua_Integer n = 0;
    for (size_t i = 0; i < embedded_count; i++) {
        if (strncmp(embedded_files[i].name, prefix, plen) == 0) {
            lua_pushstring(L, embedded_files[i].name);
            lua_rawseti(L, -2, ++n);
        }
    }
    return 1;
}

static const luaL_Reg assets_funcs[] = {
    {"read",   l_read},
    {"exists", l_exists},
    {"load",   l_load},
    {"list",   l_list},
    {NULL, NULL},
};

int luaopen_unentropy_assets(lua_State *L)
{
    luaL_newlib(L, assets_funcs);
    return 1;
}
