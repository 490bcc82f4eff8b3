/* host.c: the single lua_State of unentropy. Sets up the standard libraries,
 * the preloaded C modules, the module searchers (dev directory first, then
 * the embedded scripts; never the working directory), a strict _G, and the
 * protected call into the CLI. Depends on Lua 5.4 and embedded.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "embedded.h"
#include "host.h"
#include "modules.h"

struct Host {
    lua_State *L;
    char *lua_dir;
};

/* Registry key (address-unique) for the Host pointer. */
static const char host_key = 'h';

static Host *host_ctx(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &host_key);
    Host *h = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return h;
}

const char *host_lua_dir(lua_State *L)
{
    Host *h = host_ctx(L);
    return h ? h->lua_dir : NULL;
}

/* Message handler: like lua.c's msghandler, honours __tostring and appends a
 * traceback. The result is a string "message\ntraceback". */
static int l_msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
            return 1;
        }
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* The one protected call: function and args on the stack as for lua_pcall.
 * On error leaves the message (with traceback) on the stack. */
static int host_pcall(lua_State *L, int nargs, int nres)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, l_msghandler);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nres, base);
    lua_remove(L, base);
    return rc;
}

static const luaL_Reg preloads[] = {
    {"unentropy.sys", luaopen_unentropy_sys},
    {"unentropy.assets", luaopen_unentropy_assets},
    {"unentropy.json", luaopen_unentropy_json},
    {"unentropy.exec", luaopen_unentropy_exec},
    {"unentropy.fs", luaopen_unentropy_fs},
    {"unentropy.store", luaopen_unentropy_store},
    {"unentropy.sloc", luaopen_unentropy_sloc},
    {"unentropy.covdata", luaopen_unentropy_covdata},
    {"unentropy.linescan", luaopen_unentropy_linescan},
    {"unentropy.xml", luaopen_unentropy_xml},
    {"unentropy.http", luaopen_unentropy_http},
    {"unentropy.provider", luaopen_unentropy_provider},
    {"unentropy.stats", luaopen_unentropy_stats},
    {"unentropy.pgstore", luaopen_unentropy_pgstore},
    {"cjson", luaopen_cjson},
    {NULL, NULL},
};

/* "unentropy.collectors.loc" -> "unentropy/collectors/loc.lua" in buf. */
static const char *module_path(lua_State *L, const char *prefix, const char *name)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, prefix);
    for (const char *p = name; *p; p++) {
        luaL_addchar(&b, *p == '.' ? '/' : *p);
    }
    luaL_addstring(&b, ".lua");
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* Searcher: the dev override directory (UNENTROPY_LUA_DIR / --lua-dir). */
static int l_search_dev(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const char *dir = host_lua_dir(L);
    if (dir == NULL) {
        lua_pushliteral(L, "no dev directory");
        return 1;
    }
    lua_pushfstring(L, "%s/", dir);
    const char *path = module_path(L, lua_tostring(L, -1), name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        lua_pushfstring(L, "no file '%s'", path);
        return 1;
    }
    fclose(f);
    if (luaL_loadfile(L, path) != LUA_OK) {
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s",
                          name, path, lua_tostring(L, -1));
    }
    lua_pushstring(L, path);
    return 2;
}

/* Searcher: scripts embedded at build time, chunkname "@lua/unentropy/x.lua". */
static int l_search_embedded(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const char *path = module_path(L, "lua/", name);
    const EmbeddedFile *e = embedded_find(path);
    if (e == NULL) {
        lua_pushfstring(L, "no embedded module '%s'", path);
        return 1;
    }
    const char *chunk = lua_pushfstring(L, "@%s", path);
    if (luaL_loadbuffer(L, (const char *)e->data, e->size, chunk) != LUA_OK) {
        return luaL_error(L, "error loading embedded module '%s':\n\t%s",
                          name, lua_tostring(L, -1));
    }
    lua_pushstring(L, path);
    return 2;
}

/* package.searchers = {preload, dev dir, embedded, package.path}; no C
 * searchers and empty paths, so a stray ./unentropy/x.lua in an untrusted
 * checkout cannot replace a module. */
static void install_searchers(lua_State *L)
{
    lua_getglobal(L, "package");                   /* [package] */
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "path");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_getfield(L, -1, "searchers");              /* [package, old] */
    lua_createtable(L, 4, 0);                      /* [package, old, new] */
    lua_rawgeti(L, -2, 1);                         /* preload searcher */
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, l_search_dev);
    lua_rawseti(L, -2, 2);
    lua_pushcfunction(L, l_search_embedded);
    lua_rawseti(L, -2, 3);
    lua_rawgeti(L, -2, 2);                         /* Lua file searcher */
    lua_rawseti(L, -2, 4);
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 2);

    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    for (const luaL_Reg *r = preloads; r->name; r++) {
        lua_pushcfunction(L, r->func);
        lua_setfield(L, -2, r->name);
    }
    lua_pop(L, 1);
}

/* os.exit always closes the state so finalisers run (temp files, child
 * processes, database handles) and leak checkers see a clean exit. */
static int l_os_exit(lua_State *L)
{
    int status;
    if (lua_isboolean(L, 1)) {
        status = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
    } else {
        status = (int)luaL_optinteger(L, 1, EXIT_SUCCESS);
    }
    fflush(stdout);
    lua_close(L);
    exit(status);
    return 0;
}

/* Strict globals (as Lua's etc/strict.lua and lite's strict.lua): reading
 * an undeclared global raises; declaring one is allowed only from a main
 * chunk or from C. */
static int l_strict_index(lua_State *L)
{
    return luaL_error(L, "undefined global '%s'", luaL_tolstring(L, 2, NULL));
}

static int l_strict_newindex(lua_State *L)
{
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "S", &ar) &&
        strcmp(ar.what, "main") != 0 && strcmp(ar.what, "C") != 0) {
        return luaL_error(L, "assignment to undeclared global '%s'",
                          luaL_tolstring(L, 2, NULL));
    }
    lua_rawset(L, 1);
    return 0;
}

static void install_strict(lua_State *L)
{
    lua_pushglobaltable(L);
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, l_strict_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_strict_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

/* pmain: everything that may allocate runs protected. Args: argc, argv. */
static int l_pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = lua_touserdata(L, 2);
    luaL_openlibs(L);
    install_searchers(L);
    lua_getglobal(L, "os");
    lua_pushcfunction(L, l_os_exit);
    lua_setfield(L, -2, "exit");
    lua_pop(L, 1);
    /* `arg` is the only global C sets; the CLI replaces it for `run`. */
    lua_createtable(L, argc, 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushvalue(L, -1);
    lua_setglobal(L, "arg");
    install_strict(L);

    lua_getglobal(L, "require");
    lua_pushliteral(L, "unentropy.cli");
    lua_call(L, 1, 1);                     /* [args, cli] */
    lua_getfield(L, -1, "main");
    lua_pushvalue(L, -3);
    lua_call(L, 1, 1);                     /* [args, cli, rc] */
    return 1;
}

Host *host_open(const char *lua_dir)
{
    Host *h = calloc(1, sizeof *h);
    if (h == NULL) {
        return NULL;
    }
    if (lua_dir != NULL && *lua_dir != '\0') {
        h->lua_dir = strdup(lua_dir);
    }
    h->L = luaL_newstate();
    if (h->L == NULL) {
        free(h->lua_dir);
        free(h);
        return NULL;
    }
    lua_pushlightuserdata(h->L, h);
    lua_rawsetp(h->L, LUA_REGISTRYINDEX, &host_key);
    return h;
}

int host_run(Host *h, int argc, char **argv)
{
    lua_State *L = h->L;
    if (h->lua_dir != NULL) {
        fprintf(stderr, "unentropy: loading Lua scripts from %s\n", h->lua_dir);
    }
    lua_pushcfunction(L, l_pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    if (host_pcall(L, 2, 1) != LUA_OK) {
        fprintf(stderr, "Error: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
        return 1;
    }
    int rc;
    if (lua_isinteger(L, -1)) {
        rc = (int)lua_tointeger(L, -1);
    } else if (lua_isboolean(L, -1)) {
        rc = lua_toboolean(L, -1) ? 0 : 1;
    } else {
        rc = lua_isnil(L, -1) ? 0 : 1;
    }
    lua_pop(L, 1);
    fflush(stdout);
    return rc;
}

void host_close(Host *h)
{
    if (h == NULL) {
        return;
    }
    lua_close(h->L);
    free(h->lua_dir);
    free(h);
}
