/* lfs.c: unentropy.fs — placeholder until the module lands. */
#include <lauxlib.h>
#include <lua.h>

#include "modules.h"

int luaopen_unentropy_fs(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
