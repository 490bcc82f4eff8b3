/* lcovdata.h: what other bindings (llinescan.c, lxml.c) need from the
 * unentropy.covdata binding: checking a Cov userdata argument and the
 * coverage kind names. Depends on Lua 5.4 and covdata.h. */
#ifndef UNENTROPY_LCOVDATA_H
#define UNENTROPY_LCOVDATA_H

#include <lua.h>

#include "covdata.h"

/* The open CovData of the Cov userdata at index i. May raise (wrong type,
 * closed handle). */
CovData *lcovdata_check(lua_State *L, int i);

/* A kind argument: "line", "branch", "function" or "extra" (0..3). May
 * raise. */
unsigned lcovdata_kind(lua_State *L, int i);

/* Same for a value already read from a table (name is for the message). */
unsigned lcovdata_kind_name(lua_State *L, const char *s, const char *what);

#endif
