/* modules.h: the C modules the host preloads. Each one is a thin binding
 * (l*.c) over a plain C module that knows nothing of Lua. */
#ifndef UNENTROPY_MODULES_H
#define UNENTROPY_MODULES_H

#include <lua.h>

int luaopen_unentropy_sys(lua_State *L);
int luaopen_unentropy_assets(lua_State *L);
int luaopen_unentropy_json(lua_State *L);
int luaopen_unentropy_exec(lua_State *L);
int luaopen_unentropy_fs(lua_State *L);
int luaopen_unentropy_store(lua_State *L);
int luaopen_unentropy_sloc(lua_State *L);
int luaopen_unentropy_covdata(lua_State *L);
int luaopen_unentropy_linescan(lua_State *L);
int luaopen_unentropy_xml(lua_State *L);
int luaopen_unentropy_http(lua_State *L);
int luaopen_unentropy_provider(lua_State *L);
int luaopen_unentropy_stats(lua_State *L);
int luaopen_unentropy_pgstore(lua_State *L);
int luaopen_cjson(lua_State *L);

/* Where the dev override of embedded assets lives (NULL when unset); set by
 * the host before any module is loaded. Returned strings are owned by the
 * host and live as long as the lua_State. */
const char *host_lua_dir(lua_State *L);

#endif
