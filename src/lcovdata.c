/* lcovdata.c: unentropy.covdata, the Lua binding of covdata.h: a Cov
 * userdata that coverage scanners fill and Lua collectors (built-in or
 * user-written) read back per file, to filter by `sources` and sum.
 * Depends on Lua 5.4 and covdata.h. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "covdata.h"
#include "lcovdata.h"
#include "modules.h"

#define COV_MT "unentropy.covdata.Cov"

typedef struct Cov {
    CovData *cd; /* NULL once closed */
} Cov;

static const char *const kind_names[] = {"line", "branch", "function", "extra", NULL};

CovData *lcovdata_check(lua_State *L, int i)
{
    Cov *c = luaL_checkudata(L, i, COV_MT);
    if (c->cd == NULL) {
        luaL_error(L, "attempt to use a closed Cov");
    }
    return c->cd;
}

unsigned lcovdata_kind(lua_State *L, int i)
{
    return (unsigned)luaL_checkoption(L, i, NULL, kind_names);
}

unsigned lcovdata_kind_name(lua_State *L, const char *s, const char *what)
{
    for (unsigned k = 0; kind_names[k]; k++) {
        if (strcmp(kind_names[k], s) == 0) {
            return k;
        }
    }
    return (unsigned)luaL_error(L, "%s: invalid kind '%s'", what, s);
}

static void oom(lua_State *L)
{
    luaL_error(L, "covdata: out of memory");
}

/* covdata.new() -> Cov */
static int l_new(lua_State *L)
{
    Cov *c = lua_newuserdatauv(L, sizeof *c, 0);
    c->cd = NULL;
    luaL_setmetatable(L, COV_MT);
    if ((c->cd = covdata_new()) == NULL) {
        oom(L);
    }
    return 1;
}

static uint32_t file_arg(lua_State *L, CovData *cd, int i)
{
    size_t len;
    const char *name = luaL_checklstring(L, i, &len);
    uint32_t id;
    if (covdata_file(cd, name, len, &id) != 0) {
        oom(L);
    }
    return id;
}

/* cov:mark(file, kind, n, hit) */
static int l_mark(lua_State *L)
{
    CovData *cd = lcovdata_check(L, 1);
    unsigned kind = lcovdata_kind(L, 3);
    lua_Integer n = luaL_checkinteger(L, 4);
    luaL_argcheck(L, n >= 0 && n <= (lua_Integer)UINT32_MAX, 4, "out of range");
    bool hit = lua_toboolean(L, 5);
    uint32_t id = file_arg(L, cd, 2);
    if (covdata_mark(cd, id, kind, (uint32_t)n, hit) != 0) {
        oom(L);
    }
    return 0;
}

/* cov:entry(file, kind, key, total, covered): maxima per key */
static int l_entry(lua_State *L)
{
    CovData *cd = lcovdata_check(L, 1);
    unsigned kind = lcovdata_kind(L, 3);
    size_t klen;
    const char *key = luaL_checklstring(L, 4, &klen);
    double total = luaL_checknumber(L, 5), covered = luaL_checknumber(L, 6);
    uint32_t id = file_arg(L, cd, 2);
    if (covdata_entry(cd, id, kind, key, klen, total, covered) != 0) {
        oom(L);
    }
    return 0;
}

/* cov:add(file, kind, total, covered): plain sums */
static int l_add(lua_State *L)
{
    CovData *cd = lcovdata_check(L, 1);
    unsigned kind = lcovdata_kind(L, 3);
    double total = luaL_checknumber(L, 4), covered = luaL_checknumber(L, 5);
    uint32_t id = file_arg(L, cd, 2);
    covdata_add(cd, id, kind, total, covered);
    return 0;
}

/* cov:merge(other) */
static int l_merge(lua_State *L)
{
    CovData *dst = lcovdata_check(L, 1);
    CovData *src = lcovdata_check(L, 2);
    luaL_argcheck(L, src != dst, 2, "cannot merge a Cov into itself");
    if (covdata_merge(dst, src) != 0) {
        oom(L);
    }
    return 0;
}

/* cov:files() -> {name...} in first-seen order */
static int l_files(lua_State *L)
{
    CovData *cd = lcovdata_check(L, 1);
    size_t n = covdata_nfiles(cd);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *name = covdata_file_name(cd, (uint32_t)i, &len);
        lua_pushlstring(L, name, len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* cov:totals(kind) -> totals, covered (arrays aligned with cov:files()) */
static int l_totals(lua_State *L)
{
    CovData *cd = lcovdata_check(L, 1);
    unsigned kind = lcovdata_kind(L, 2);
    size_t n = covdata_nfiles(cd);
    double *t = lua_newuserdatauv(L, (n ? n : 1) * 2 * sizeof(double), 0); /* Lua-owned */
    covdata_totals(cd, kind, t, t + n);
    lua_createtable(L, (int)n, 0);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, t[i]);
        lua_rawseti(L, -3, (lua_Integer)i + 1);
        lua_pushnumber(L, t[n + i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 2;
}

static int l_bytes(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)covdata_bytes(lcovdata_check(L, 1)));
    return 1;
}

static int l_close(lua_State *L)
{
    Cov *c = luaL_checkudata(L, 1, COV_MT);
    covdata_free(c->cd);
    c->cd = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    Cov *c = luaL_checkudata(L, 1, COV_MT);
    if (c->cd) {
        lua_pushfstring(L, "%s (%d files)", COV_MT, (int)covdata_nfiles(c->cd));
    } else {
        lua_pushfstring(L, "%s (closed)", COV_MT);
    }
    return 1;
}

static const luaL_Reg covdata_funcs[] = {
    {"new", l_new},
    {NULL,  NULL},
};

static const luaL_Reg cov_methods[] = {
    {"mark",   l_mark},
    {"entry",  l_entry},
    {"add",    l_add},
    {"merge",  l_merge},
    {"files",  l_files},
    {"totals", l_totals},
    {"bytes",  l_bytes},
    {"close",  l_close},
    {NULL,     NULL},
};

static const luaL_Reg cov_meta[] = {
    {"__gc",       l_close},
    {"__close",    l_close},
    {"__tostring", l_tostring},
    {NULL,         NULL},
};

int luaopen_unentropy_covdata(lua_State *L)
{
    luaL_newmetatable(L, COV_MT);
    luaL_setfuncs(L, cov_meta, 0);
    luaL_newlib(L, cov_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, covdata_funcs);
    return 1;
}
