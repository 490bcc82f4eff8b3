/* lexec.c: unentropy.exec — placeholder until the module lands. */
#include <lauxlib.h>
#include <lua.h>

#include "modules.h"

int luaopen_unentropy_exec(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
