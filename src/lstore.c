/* lstore.c: unentropy.store — placeholder until the module lands. */
#include <lauxlib.h>
#include <lua.h>

#include "modules.h"

int luaopen_unentropy_store(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
