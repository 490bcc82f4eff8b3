/* llinescan.c: unentropy.linescan, the Lua binding of linescan.h. Compiles
 * a Lua rule table (prefix -> operation) into LineRules and runs the
 * streaming scanners into a unentropy.covdata Cov. Argument checks and
 * push/pull only. Depends on Lua 5.4, linescan.h and lcovdata.h. */
#include <errno.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lcovdata.h"
#include "linescan.h"
#include "modules.h"

static const char *const ops[] = {"", "record", "end", "mark", "entry", "summary", NULL};

static int int_field(lua_State *L, int t, const char *k, int def)
{
    int ty = lua_getfield(L, t, k);
    int v = def;
    if (ty != LUA_TNIL) {
        if (!lua_isinteger(L, -1)) {
            luaL_error(L, "linescan: rule field '%s' must be an integer", k);
        }
        lua_Integer x = lua_tointeger(L, -1);
        if (x < -64 || x > 64) {
            luaL_error(L, "linescan: rule field '%s' out of range", k);
        }
        v = (int)x;
    }
    lua_pop(L, 1);
    return v;
}

/* Reads one rule {prefix, op, kind=, key=n|{from,to}, count=, skip_int=,
 * covered=} from the table at t. May raise. */
static void read_rule(lua_State *L, int t, LineRule *r)
{
    static const char *const keys[] = {"kind", "key", "count", "skip_int", "covered", NULL};
    memset(r, 0, sizeof *r);
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        bool ok = lua_isinteger(L, -2) && (lua_tointeger(L, -2) == 1 || lua_tointeger(L, -2) == 2);
        for (int i = 0; !ok && keys[i]; i++) {
            ok = lua_type(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -2), keys[i]) == 0;
        }
        if (!ok) {
            luaL_error(L, "linescan: unknown rule field '%s'", luaL_tolstring(L, -2, NULL));
        }
        lua_pop(L, 1);
    }
    lua_rawgeti(L, t, 1);
    size_t plen;
    const char *prefix = lua_tolstring(L, -1, &plen);
    if (prefix == NULL || plen == 0 || plen >= LINESCAN_PREFIX_MAX) {
        luaL_error(L, "linescan: a rule needs a prefix (1-%d characters) first", LINESCAN_PREFIX_MAX - 1);
    }
    for (size_t i = 0; i <= plen; i++) {
        char c = prefix[i];
        r->prefix[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    r->plen = plen;
    lua_pop(L, 1);
    lua_rawgeti(L, t, 2);
    r->op = luaL_checkoption(L, -1, NULL, ops);
    if (r->op == 0) {
        luaL_error(L, "linescan: invalid operation");
    }
    lua_pop(L, 1);
    if (lua_getfield(L, t, "kind") == LUA_TSTRING) {
        r->kind = lcovdata_kind_name(L, lua_tostring(L, -1), "linescan");
    } else if (r->op >= LS_MARK) {
        luaL_error(L, "linescan: rule '%s' needs a kind", r->prefix);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, t, "key") == LUA_TTABLE) {
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        r->key_from = (int)luaL_checkinteger(L, -2);
        r->key_to = (int)luaL_checkinteger(L, -1);
        lua_pop(L, 2);
    } else if (!lua_isnil(L, -1)) {
        r->key_from = r->key_to = (int)luaL_checkinteger(L, -1);
    }
    lua_pop(L, 1);
    if ((r->op == LS_MARK || r->op == LS_ENTRY) && (r->key_from == 0 || r->key_to == 0)) {
        luaL_error(L, "linescan: rule '%s' needs a key field", r->prefix);
    }
    if (r->op == LS_MARK && r->key_from != r->key_to) {
        luaL_error(L, "linescan: rule '%s': a mark key is one field", r->prefix);
    }
    r->count = int_field(L, t, "count", 0);
    lua_getfield(L, t, "skip_int");
    r->skip_int = lua_toboolean(L, -1);
    lua_getfield(L, t, "covered");
    r->covered = lua_toboolean(L, -1);
    lua_pop(L, 2);
}

/* linescan.records(path, rules, cov [, {threads=}]) -> stats | nil, msg, errno */
static int l_records(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    CovData *cd = lcovdata_check(L, 3);
    int threads = 1;
    if (!lua_isnoneornil(L, 4)) {
        luaL_checktype(L, 4, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 4) != 0) {
            if (lua_type(L, -2) != LUA_TSTRING || strcmp(lua_tostring(L, -2), "threads") != 0) {
                return luaL_error(L, "linescan.records: unknown option '%s'", luaL_tolstring(L, -2, NULL));
            }
            threads = (int)luaL_checkinteger(L, -1);
            lua_pop(L, 1);
        }
    }
    LineRules *rules = lua_newuserdatauv(L, sizeof *rules, 0); /* Lua-owned scratch */
    memset(rules, 0, sizeof *rules);
    lua_Integer n = luaL_len(L, 2);
    luaL_argcheck(L, n <= LINESCAN_MAX_RULES, 2, "too many rules");
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        luaL_argcheck(L, lua_istable(L, -1), 2, "rules must be tables");
        read_rule(L, lua_gettop(L), &rules->rules[rules->n++]);
        lua_pop(L, 1);
    }
    LineStats st;
    char err[256];
    int rc = linescan_records(path, rules, cd, threads, &st, err, sizeof err);
    if (rc != 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "linescan: cannot read '%s': %s", path, err);
        lua_pushinteger(L, rc);
        return 3;
    }
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)st.lines);
    lua_setfield(L, -2, "lines");
    lua_pushinteger(L, (lua_Integer)st.records);
    lua_setfield(L, -2, "records");
    lua_pushinteger(L, (lua_Integer)st.dropped);
    lua_setfield(L, -2, "dropped");
    lua_pushinteger(L, (lua_Integer)st.malformed);
    lua_setfield(L, -2, "malformed");
    return 1;
}

/* linescan.coverprofile(path, cov, kind) -> stats
 *   | nil, msg, code ("mode" | "line" | errno) [, line] */
static int l_coverprofile(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    CovData *cd = lcovdata_check(L, 2);
    unsigned kind = lcovdata_kind(L, 3);
    LineStats st;
    uint64_t bad = 0;
    char err[256];
    int rc = linescan_coverprofile(path, cd, kind, &bad, &st, err, sizeof err);
    if (rc == LINESCAN_EMODE) {
        luaL_pushfail(L);
        lua_pushfstring(L, "linescan: missing mode line in '%s'", path);
        lua_pushliteral(L, "mode");
        return 3;
    }
    if (rc == LINESCAN_ELINE) {
        luaL_pushfail(L);
        lua_pushfstring(L, "linescan: invalid coverprofile line %I in '%s'", (lua_Integer)bad, path);
        lua_pushliteral(L, "line");
        lua_pushinteger(L, (lua_Integer)bad);
        return 4;
    }
    if (rc != 0) {
        luaL_pushfail(L);
        lua_pushfstring(L, "linescan: cannot read '%s': %s", path, err);
        lua_pushinteger(L, rc);
        return 3;
    }
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, (lua_Integer)st.lines);
    lua_setfield(L, -2, "lines");
    return 1;
}

static const luaL_Reg linescan_funcs[] = {
    {"records",      l_records},
    {"coverprofile", l_coverprofile},
    {NULL,           NULL},
};

int luaopen_unentropy_linescan(lua_State *L)
{
    luaL_newlib(L, linescan_funcs);
    return 1;
}
