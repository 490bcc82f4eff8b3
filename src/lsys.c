/* lsys.c: unentropy.sys — clock, environment, sleep, version, terminal
 * checks. Small enough that the mechanism and the binding share a file: each
 * function is a direct libc call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "modules.h"

extern char **environ;

/* sys.now_ms() -> wall-clock milliseconds since the epoch (integer) */
static int l_now_ms(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lua_pushinteger(L, (lua_Integer)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    return 1;
}

/* sys.monotonic_ms() -> milliseconds from an arbitrary start (float) */
static int l_monotonic_ms(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec * 1000.0 + (lua_Number)ts.tv_nsec / 1e6);
    return 1;
}

/* sys.getenv(name) -> string or nil; an empty value is returned as "" */
static int l_getenv(lua_State *L)
{
    const char *v = getenv(luaL_checkstring(L, 1));
    if (v == NULL) {
        lua_pushnil(L);
    } else {
        lua_pushstring(L, v);
    }
    return 1;
}

/* sys.environ() -> {NAME = value, ...} */
static int l_environ(lua_State *L)
{
    lua_newtable(L);
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL) {
            continue;
        }
        lua_pushlstring(L, *e, (size_t)(eq - *e));
        lua_pushstring(L, eq + 1);
        lua_rawset(L, -3);
    }
    return 1;
}

/* sys.setenv(name, value|nil): for tests and child environments */
static int l_setenv(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int rc = lua_isnoneornil(L, 2) ? unsetenv(name)
                                   : setenv(name, luaL_checkstring(L, 2), 1);
    if (rc != 0) {
        return luaL_error(L, "sys: cannot set '%s': %s", name, strerror(errno));
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* sys.sleep(ms) */
static int l_sleep(lua_State *L)
{
    lua_Number ms = luaL_checknumber(L, 1);
    luaL_argcheck(L, ms >= 0, 1, "negative duration");
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
}

/* sys.isatty("stdin"|"stdout"|"stderr") -> boolean */
static int l_isatty(lua_State *L)
{
    static const char *const names[] = {"stdin", "stdout", "stderr", NULL};
    int fd = luaL_checkoption(L, 1, "stdout", names);
    lua_pushboolean(L, isatty(fd));
    return 1;
}

/* sys.pid() -> integer */
static int l_pid(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

static const luaL_Reg sys_funcs[] = {
    {"now_ms",       l_now_ms},
    {"monotonic_ms", l_monotonic_ms},
    {"getenv",       l_getenv},
    {"environ",      l_environ},
    {"setenv",       l_setenv},
    {"sleep",        l_sleep},
    {"isatty",       l_isatty},
    {"pid",          l_pid},
    {NULL, NULL},
};

int luaopen_unentropy_sys(lua_State *L)
{
    luaL_newlib(L, sys_funcs);
    lua_pushliteral(L, UNENTROPY_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushliteral(L, UNENTROPY_DOCS_URL);
    lua_setfield(L, -2, "docs_url");
#if defined(__APPLE__)
    lua_pushliteral(L, "darwin");
#else
    lua_pushliteral(L, "linux");
#endif
    lua_setfield(L, -2, "platform");
    return 1;
}
