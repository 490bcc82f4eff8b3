/* lutil.h: small helpers shared by the Lua bindings (l*.c). Only bindings
 * include it; plain C modules never see Lua. */
#ifndef UNENTROPY_LUTIL_H
#define UNENTROPY_LUTIL_H

#include <lua.h>

/* Checks that the table at `arg` has only string keys listed in `known`
 * (NULL-terminated). Raises luaL_argerror ("option names must be strings",
 * "unknown option 'x'") otherwise. May raise. */
void lutil_check_options(lua_State *L, int arg, const char *const known[]);

#endif
