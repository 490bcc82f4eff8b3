/* lutil.c: helpers shared by the Lua bindings; see lutil.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lutil.h"

void lutil_check_options(lua_State *L, int arg, const char *const known[])
{
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, arg)) {
        lua_pop(L, 1);                                  /* [key] */
        if (lua_type(L, -1) != LUA_TSTRING) {
            luaL_argerror(L, arg, "option names must be strings");
        }
        const char *k = lua_tostring(L, -1);
        int found = 0;
        for (int i = 0; known[i] && !found; i++) {
            found = strcmp(k, known[i]) == 0;
        }
        if (!found) {
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", k));
        }
    }
}
