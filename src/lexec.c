/* lexec.c: unentropy.exec — Lua binding over exec.c. exec.run(opts) checks
 * and copies every option into Lua-owned memory first, then runs the child
 * (no Lua call can raise meanwhile), then pushes the result table while the
 * C buffers sit in a to-be-closed userdata, so a raise never leaks.
 * Depends on Lua 5.4 and exec.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "exec.h"
#include "lutil.h"
#include "modules.h"

#define RESULT_MT "unentropy.exec.Result"

static const char *const run_keys[] = {
    "argv", "shell", "cwd", "env", "clear_env", "timeout", "kill_grace",
    "max_output", "drain", "stdin", NULL,
};

/* Raises "bad argument #1 to 'run' (option 'k' ...)". */
static int opt_error(lua_State *L, const char *key, const char *what)
{
    return luaL_argerror(L, 1, lua_pushfstring(L, "option '%s' %s", key, what));
}

/* Pushes opts[key] (raw) and returns its type. */
static int opt_get(lua_State *L, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, 1);
}

/* A string (or number) that contains no NUL byte; its length in *len. May raise. */
static const char *plain_string(lua_State *L, int idx, const char *key, size_t *len)
{
    int t = lua_type(L, idx);
    if (t != LUA_TSTRING && t != LUA_TNUMBER) {
        opt_error(L, key, lua_pushfstring(L, "has a %s, expected strings", luaL_typename(L, idx)));
    }
    const char *s = lua_tolstring(L, idx, len);
    if (strlen(s) != *len) {
        opt_error(L, key, "contains a NUL byte");
    }
    return s;
}

static double opt_number(lua_State *L, const char *key, double dflt, double min, int strict)
{
    int t = opt_get(L, key);
    double v = dflt;
    if (t != LUA_TNIL) {
        if (t != LUA_TNUMBER) {
            opt_error(L, key, "must be a number");
        }
        v = (double)lua_tonumber(L, -1);
        if (!(strict ? v > min : v >= min)) { /* also rejects NaN */
            opt_error(L, key, strict ? "must be positive" : "must not be negative");
        }
    }
    lua_pop(L, 1);
    return v;
}

/* Copies argv (array) and env (map) into one userdata: the pointer arrays
 * followed by the string bytes. Two passes over raw tables, so no Lua code
 * runs between measuring and copying. May raise. */
static void copy_args(lua_State *L, int argv_idx, int env_idx, const char *shell, ExecOpts *o)
{
    size_t nargv = shell ? 3 : lua_rawlen(L, argv_idx), nenv = 0, bytes = 0, len;
    if (!shell) {
        if (nargv == 0) {
            opt_error(L, "argv", "must be a non-empty array");
        }
        for (size_t i = 1; i <= nargv; i++) {
            lua_rawgeti(L, argv_idx, (lua_Integer)i);
            plain_string(L, -1, "argv", &len);
            bytes += len + 1;
            lua_pop(L, 1);
        }
    }
    if (env_idx) {
        lua_pushnil(L);
        while (lua_next(L, env_idx)) { /* [.., key, value] */
            const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
            if (!name || !name[0] || strchr(name, '=') || strlen(name) != lua_rawlen(L, -2)) {
                opt_error(L, "env", "has an invalid variable name");
            }
            bytes += lua_rawlen(L, -2) + 1;
            if (!(lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
                plain_string(L, -1, "env", &len); /* false removes; anything else is a value */
                bytes += len + 1;
            }
            nenv++;
            lua_pop(L, 1);
        }
    }
    size_t head = (nargv + 1) * sizeof(char *) + nenv * sizeof(ExecEnvVar);
    char *mem = lua_newuserdatauv(L, head + bytes, 0); /* anchored on the stack */
    const char **argv = (const char **)mem;
    ExecEnvVar *env = (ExecEnvVar *)(mem + (nargv + 1) * sizeof(char *));
    char *p = mem + head;
    if (shell) {
        argv[0] = "/bin/sh";
        argv[1] = "-c";
        argv[2] = shell;
    }
    for (size_t i = 1; !shell && i <= nargv; i++) {
        lua_rawgeti(L, argv_idx, (lua_Integer)i);
        const char *s = lua_tolstring(L, -1, &len);
        argv[i - 1] = memcpy(p, s, len + 1);
        p += len + 1;
        lua_pop(L, 1);
    }
    argv[nargv] = NULL;
    size_t k = 0;
    if (env_idx) {
        lua_pushnil(L);
        while (lua_next(L, env_idx)) {
            const char *s = lua_tolstring(L, -2, &len);
            env[k].name = memcpy(p, s, len + 1);
            p += len + 1;
            env[k].value = NULL;
            if (!(lua_type(L, -1) == LUA_TBOOLEAN)) {
                s = lua_tolstring(L, -1, &len); /* a value slot, not the key */
                env[k].value = memcpy(p, s, len + 1);
                p += len + 1;
            }
            k++;
            lua_pop(L, 1);
        }
    }
    o->argv = argv;
    o->env = env;
    o->n_env = k;
}

static int l_result_gc(lua_State *L)
{
    exec_result_free(luaL_checkudata(L, 1, RESULT_MT));
    return 0;
}

static void set_bool(lua_State *L, const char *k, int v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, k);
}

/* exec.run(opts) -> result | nil, msg, errno. May raise on misuse. */
static int l_run(lua_State *L)
{
    ExecOpts o;
    exec_opts_init(&o);
    lutil_check_options(L, 1, run_keys);
    lua_settop(L, 1);
    int t_argv = opt_get(L, "argv"); /* stack slot 2 */
    int t_shell = opt_get(L, "shell"); /* 3 */
    int t_env = opt_get(L, "env"); /* 4 */
    int t_stdin = opt_get(L, "stdin"); /* 5: stdin bytes stay anchored here */
    int t_cwd = opt_get(L, "cwd"); /* 6 */
    if ((t_argv == LUA_TNIL) == (t_shell == LUA_TNIL)) {
        return luaL_argerror(L, 1, "exactly one of 'argv' and 'shell' is required");
    }
    if (t_argv != LUA_TNIL && t_argv != LUA_TTABLE) {
        return opt_error(L, "argv", "must be an array of strings");
    }
    const char *shell = NULL;
    size_t len;
    if (t_shell != LUA_TNIL) {
        if (t_shell != LUA_TSTRING) {
            return opt_error(L, "shell", "must be a string");
        }
        shell = plain_string(L, 3, "shell", &len);
    }
    if (t_env != LUA_TNIL && t_env != LUA_TTABLE) {
        return opt_error(L, "env", "must be a table");
    }
    if (t_stdin != LUA_TNIL) {
        if (t_stdin != LUA_TSTRING) {
            return opt_error(L, "stdin", "must be a string");
        }
        o.stdin_data = lua_tolstring(L, 5, &o.stdin_len);
    }
    if (t_cwd != LUA_TNIL) {
        if (t_cwd != LUA_TSTRING) {
            return opt_error(L, "cwd", "must be a string");
        }
        o.cwd = plain_string(L, 6, "cwd", &len);
    }
    int t = opt_get(L, "clear_env");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) {
        return opt_error(L, "clear_env", "must be a boolean");
    }
    o.clear_env = lua_toboolean(L, -1);
    lua_pop(L, 1);
    o.timeout_ms = opt_number(L, "timeout", 0, 0, 1);
    o.kill_grace_ms = opt_number(L, "kill_grace", o.kill_grace_ms, 0, 0);
    o.drain_ms = opt_number(L, "drain", o.drain_ms, 0, 0);
    if (opt_get(L, "max_output") != LUA_TNIL) {
        int isint;
        lua_Integer m = lua_tointegerx(L, -1, &isint);
        if (!isint || m < 0 || lua_type(L, -1) != LUA_TNUMBER) {
            return opt_error(L, "max_output", "must be a non-negative integer");
        }
        o.max_output = (size_t)m;
    }
    lua_pop(L, 1);
    copy_args(L, t_argv == LUA_TTABLE ? 2 : 0, t_env == LUA_TTABLE ? 4 : 0, shell, &o);

    /* Everything checked: the result holder is the last thing that can raise
     * before the run. */
    ExecResult *r = lua_newuserdatauv(L, sizeof *r, 0);
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, RESULT_MT);
    lua_toclose(L, -1);
    char msg[512];
    int rc = exec_run(&o, r, msg, sizeof msg);
    if (rc != 0) {
        luaL_pushfail(L);
        lua_pushstring(L, msg);
        lua_pushinteger(L, rc);
        return 3;
    }
    char sigbuf[32];
    const char *signame = r->signal ? exec_signal_name(r->signal, sigbuf, sizeof sigbuf) : NULL;
    lua_createtable(L, 0, 12);
    set_bool(L, "ok", r->exited && r->status == 0 && !r->timed_out);
    if (r->exited) {
        lua_pushinteger(L, r->status);
        lua_setfield(L, -2, "status");
    }
    if (signame) {
        lua_pushstring(L, signame);
        lua_setfield(L, -2, "signal");
        lua_pushinteger(L, r->signal);
        lua_setfield(L, -2, "signal_number");
    }
    set_bool(L, "timed_out", r->timed_out);
    lua_pushlstring(L, r->out, r->out_len);
    lua_setfield(L, -2, "stdout");
    lua_pushlstring(L, r->err, r->err_len);
    lua_setfield(L, -2, "stderr");
    set_bool(L, "stdout_truncated", r->out_truncated);
    set_bool(L, "stderr_truncated", r->err_truncated);
    set_bool(L, "truncated", r->out_truncated || r->err_truncated);
    lua_pushnumber(L, r->duration_ms);
    lua_setfield(L, -2, "duration_ms");
    exec_result_free(r); /* the to-be-closed slot would do it too */
    return 1;
}

/* exec.signal_name(n) -> "SIGTERM" | nil */
static int l_signal_name(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    char buf[32];
    const char *name = n > 0 && n < 1024 ? exec_signal_name((int)n, buf, sizeof buf) : NULL;
    if (name) {
        lua_pushstring(L, name);
    } else {
        luaL_pushfail(L);
    }
    return 1;
}

static const luaL_Reg exec_funcs[] = {
    {"run",         l_run},
    {"signal_name", l_signal_name},
    {NULL, NULL},
};

static const luaL_Reg result_meta[] = {
    {"__gc",    l_result_gc},
    {"__close", l_result_gc},
    {NULL, NULL},
};

int luaopen_unentropy_exec(lua_State *L)
{
    luaL_newmetatable(L, RESULT_MT);
    luaL_setfuncs(L, result_meta, 0);
    lua_pop(L, 1);
    luaL_newlib(L, exec_funcs);
    return 1;
}
