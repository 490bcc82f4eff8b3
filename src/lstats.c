/* lstats.c: unentropy.stats — the Lua binding of stats.c: t and normal
 * quantiles/CDFs, sample summaries, quantiles, Welch's t-test and the
 * sliding-window Welch scan used by `unentropy changes`. Every failure here
 * is misuse (a probability outside (0, 1), too few or non-finite values),
 * so it raises. Arrays are copied into userdata buffers that Lua owns, so a
 * raise never leaks. Depends on Lua and stats.h. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "modules.h"
#include "stats.h"

#define ERRLEN 256

static int raise_rc(lua_State *L, const char *err)
{
    return luaL_error(L, "%s", err);
}

/* Copies the array of numbers at idx into a new userdata buffer (pushed on
 * the stack, owned by Lua). May raise. */
static double *read_array(lua_State *L, int idx, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_Integer len = luaL_len(L, idx);
    double *buf = lua_newuserdatauv(L, (size_t)(len > 0 ? len : 1) * sizeof *buf, 0);
    for (lua_Integer i = 1; i <= len; i++) {
        if (lua_geti(L, idx, i) != LUA_TNUMBER) {
            luaL_error(L, "stats: bad argument #%d (element %d is %s, expected number)", idx,
                       (int)i, luaL_typename(L, -1));
        }
        buf[i - 1] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    *n = (size_t)len;
    return buf;
}

static void set_num(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

/* Pushes a distribution function's result, or raises its error. */
static int push_number(lua_State *L, int rc, double out, const char *err)
{
    if (rc) {
        return raise_rc(L, err);
    }
    lua_pushnumber(L, out);
    return 1;
}

/* stats.t_quantile(p, df) / stats.t_cdf(x, df) / stats.normal_quantile(p) /
 * stats.normal_cdf(x) -> number */
static int l_t_quantile(lua_State *L)
{
    double out = 0;
    char err[ERRLEN];
    int rc = stats_t_quantile(luaL_checknumber(L, 1), luaL_checknumber(L, 2), &out, err, sizeof err);
    return push_number(L, rc, out, err);
}

static int l_t_cdf(lua_State *L)
{
    double out = 0;
    char err[ERRLEN];
    int rc = stats_t_cdf(luaL_checknumber(L, 1), luaL_checknumber(L, 2), &out, err, sizeof err);
    return push_number(L, rc, out, err);
}

static int l_normal_quantile(lua_State *L)
{
    double out = 0;
    char err[ERRLEN];
    int rc = stats_normal_quantile(luaL_checknumber(L, 1), &out, err, sizeof err);
    return push_number(L, rc, out, err);
}

static int l_normal_cdf(lua_State *L)
{
    double out = 0;
    char err[ERRLEN];
    int rc = stats_normal_cdf(luaL_checknumber(L, 1), &out, err, sizeof err);
    return push_number(L, rc, out, err);
}

/* stats.summary(xs) -> {n, mean, variance, sd, min, max, median, q1, q3} */
static int l_summary(lua_State *L)
{
    size_t n = 0;
    const double *x = read_array(L, 1, &n);
    double *scratch = lua_newuserdatauv(L, (n > 0 ? n : 1) * sizeof *scratch, 0);
    StatsSummary s;
    char err[ERRLEN];
    if (stats_summary(x, n, scratch, &s, err, sizeof err)) {
        return raise_rc(L, err);
    }
    lua_createtable(L, 0, 9);
    lua_pushinteger(L, (lua_Integer)s.n);
    lua_setfield(L, -2, "n");
    set_num(L, "mean", s.mean);
    set_num(L, "variance", s.variance);
    set_num(L, "sd", s.sd);
    set_num(L, "min", s.min);
    set_num(L, "max", s.max);
    set_num(L, "median", s.median);
    set_num(L, "q1", s.q1);
    set_num(L, "q3", s.q3);
    return 1;
}

/* stats.quantile(xs, p) -> number (type 7, as numpy's default) */
static int l_quantile(lua_State *L)
{
    double p = luaL_checknumber(L, 2);
    luaL_argcheck(L, p >= 0 && p <= 1, 2, "probability must be between 0 and 1");
    size_t n = 0;
    const double *x = read_array(L, 1, &n);
    double *scratch = lua_newuserdatauv(L, (n > 0 ? n : 1) * sizeof *scratch, 0);
    StatsSummary s;
    char err[ERRLEN];
    if (stats_summary(x, n, scratch, &s, err, sizeof err)) {
        return raise_rc(L, err);
    }
    lua_pushnumber(L, stats_quantile_sorted(scratch, n, p));
    return 1;
}

static void push_welch(lua_State *L, const StatsWelch *w)
{
    lua_createtable(L, 0, 5);
    set_num(L, "t", w->t);
    set_num(L, "df", w->df);
    set_num(L, "p", w->p);
    set_num(L, "mean_a", w->mean_a);
    set_num(L, "mean_b", w->mean_b);
}

/* stats.welch(a, b) -> {t, df, p, mean_a, mean_b}; t > 0 when b's mean is higher */
static int l_welch(lua_State *L)
{
    size_t na = 0, nb = 0;
    const double *a = read_array(L, 1, &na);
    const double *b = read_array(L, 2, &nb);
    StatsWelch w;
    char err[ERRLEN];
    if (stats_welch(a, na, b, nb, &w, err, sizeof err)) {
        return raise_rc(L, err);
    }
    push_welch(L, &w);
    return 1;
}

/* Reads an integer option >= min from the table at idx (def when nil). */
static size_t opt_size(lua_State *L, int idx, const char *key, lua_Integer def, lua_Integer min)
{
    int t = lua_getfield(L, idx, key);
    lua_Integer v = def;
    if (t != LUA_TNIL) {
        int ok = 0;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < min) {
            luaL_error(L, "stats: option '%s' must be an integer >= %d", key, (int)min);
        }
    }
    lua_pop(L, 1);
    return (size_t)v;
}

/* stats.welch_scan(xs, {window = 30, min_side = 5, bounds = {i, ...},
 * alpha = p}) -> {{index, t, df, p, mean_before, mean_after}, ...}: one row
 * per testable split (only those with p < alpha when alpha is given),
 * index = the 1-based position of the first value after the split; bounds
 * are 1-based such positions already accepted as change points. */
static int l_welch_scan(lua_State *L)
{
    static const char *const keys[] = {"window", "min_side", "bounds", "alpha", NULL};
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
        lua_pop(L, 1);
        int known = 0;
        for (int i = 0; keys[i] != NULL && !known; i++) {
            known = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), keys[i]) == 0;
        }
        if (!known) {
            return luaL_error(L, "stats: unknown option '%s'", luaL_tolstring(L, -1, NULL));
        }
    }
    size_t window = opt_size(L, 2, "window", 30, 2);
    size_t min_side = opt_size(L, 2, "min_side", 5, 2);
    int ta = lua_getfield(L, 2, "alpha");
    double alpha = lua_tonumber(L, -1);
    luaL_argcheck(L, ta == LUA_TNIL || (ta == LUA_TNUMBER && alpha > 0 && alpha < 1), 2,
                  "'alpha' must be between 0 and 1");
    lua_pop(L, 1);
    size_t n = 0;
    const double *x = read_array(L, 1, &n); /* [.., xbuf] */
    size_t nb = 0;
    size_t *bounds = NULL;
    if (lua_getfield(L, 2, "bounds") != LUA_TNIL) {
        size_t k = 0;
        const double *raw = read_array(L, lua_gettop(L), &k); /* [.., xbuf, bounds, rawbuf] */
        bounds = lua_newuserdatauv(L, (k > 0 ? k : 1) * sizeof *bounds, 0);
        for (size_t i = 0; i < k; i++) {
            if (raw[i] != floor(raw[i]) || raw[i] < 1) {
                return luaL_error(L, "stats: bounds must be positive integers");
            }
            bounds[i] = (size_t)raw[i] - 1;
        }
        nb = k;
    }
    StatsWelch *out = lua_newuserdatauv(L, (n > 0 ? n : 1) * sizeof *out, 0);
    char err[ERRLEN];
    if (stats_welch_scan(x, n, window, min_side, bounds, nb, alpha, out, err, sizeof err)) {
        return raise_rc(L, err);
    }
    lua_newtable(L);
    lua_Integer row = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(out[i].p)) {
            continue;
        }
        lua_createtable(L, 0, 6);
        lua_pushinteger(L, (lua_Integer)i + 1);
        lua_setfield(L, -2, "index");
        set_num(L, "t", out[i].t);
        set_num(L, "df", out[i].df);
        set_num(L, "p", out[i].p);
        set_num(L, "mean_before", out[i].mean_a);
        set_num(L, "mean_after", out[i].mean_b);
        lua_rawseti(L, -2, ++row);
    }
    return 1;
}

/* Checks that every key of the options table at idx is in keys. May raise. */
static void check_keys(lua_State *L, int idx, const char *const keys[])
{
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        int known = 0;
        for (int i = 0; keys[i] != NULL && !known; i++) {
            known = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), keys[i]) == 0;
        }
        if (!known) {
            luaL_error(L, "stats: unknown option '%s'", luaL_tolstring(L, -1, NULL));
        }
    }
}

/* stats.changepoints(xs, {window = 30, min_side = 5, alpha = 0.001,
 * min_magnitude = percent, max_changes = 100}) -> {{index, t, df, p,
 * mean_before, mean_after}, ...} sorted by index (1-based position of the
 * first value after each change). */
static int l_changepoints(lua_State *L)
{
    static const char *const keys[] = {"window", "min_side", "alpha", "min_magnitude",
                                       "max_changes", NULL};
    if (lua_isnoneornil(L, 2)) {
        lua_settop(L, 1);
        lua_newtable(L);
    }
    check_keys(L, 2, keys);
    size_t window = opt_size(L, 2, "window", 30, 2);
    size_t min_side = opt_size(L, 2, "min_side", 5, 2);
    size_t max_changes = opt_size(L, 2, "max_changes", 100, 1);
    int ta = lua_getfield(L, 2, "alpha");
    double alpha = ta == LUA_TNIL ? 0.001 : lua_tonumber(L, -1);
    luaL_argcheck(L, ta == LUA_TNIL || (ta == LUA_TNUMBER && alpha > 0 && alpha < 1), 2,
                  "'alpha' must be between 0 and 1");
    int tm = lua_getfield(L, 2, "min_magnitude");
    double min_mag = tm == LUA_TNIL ? 0 : lua_tonumber(L, -1);
    luaL_argcheck(L, tm == LUA_TNIL || (tm == LUA_TNUMBER && min_mag >= 0), 2,
                  "'min_magnitude' must be a non-negative number");
    lua_pop(L, 2);
    size_t n = 0;
    const double *x = read_array(L, 1, &n);
    if (max_changes > n) {
        max_changes = n > 0 ? n : 1;
    }
    StatsChange *out = lua_newuserdatauv(L, max_changes * sizeof *out, 0);
    size_t count = 0;
    char err[ERRLEN];
    if (stats_changepoints(x, n, window, min_side, alpha, min_mag, max_changes, out, &count, err,
                           sizeof err)) {
        return raise_rc(L, err);
    }
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_createtable(L, 0, 6);
        lua_pushinteger(L, (lua_Integer)out[i].index + 1);
        lua_setfield(L, -2, "index");
        set_num(L, "t", out[i].t);
        set_num(L, "df", out[i].df);
        set_num(L, "p", out[i].p);
        set_num(L, "mean_before", out[i].mean_a);
        set_num(L, "mean_after", out[i].mean_b);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static const luaL_Reg stats_funcs[] = {
    {"t_quantile",      l_t_quantile},
    {"t_cdf",           l_t_cdf},
    {"normal_quantile", l_normal_quantile},
    {"normal_cdf",      l_normal_cdf},
    {"summary",         l_summary},
    {"quantile",        l_quantile},
    {"welch",           l_welch},
    {"welch_scan",      l_welch_scan},
    {"changepoints",    l_changepoints},
    {NULL, NULL},
};

int luaopen_unentropy_stats(lua_State *L)
{
    luaL_newlib(L, stats_funcs);
    return 1;
}
