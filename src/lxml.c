/* lxml.c: unentropy.xml, the Lua binding of xml.h. Subscriptions come as a
 * Lua table; each matching element calls its Lua function with the asked
 * attributes as arguments (strings, or numbers for "name:int", parsed like
 * JavaScript's parseInt; nil when absent). The callbacks run under
 * lua_pcall so that an error never unwinds through expat: the scan stops,
 * the parser is freed, and the error is raised again.
 * Depends on Lua 5.4 and xml.h. */
#include <errno.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "modules.h"
#include "xml.h"

typedef struct Ctx {
    lua_State *L;
    int base;                            /* stack index of rule 1's start function */
    size_t nrules;
    bool is_int[XML_MAX_RULES][XML_MAX_ATTRS];
    size_t nattrs[XML_MAX_RULES];
    bool failed;                         /* a callback raised: its error is on the stack */
} Ctx;

static int on_event(void *ud, const XmlEvent *ev)
{
    Ctx *c = ud;
    lua_State *L = c->L;
    /* functions: base + 2*rule (start), base + 2*rule + 1 (end) */
    int fi = c->base + 2 * (int)ev->rule + (ev->end ? 1 : 0);
    if (lua_isnil(L, fi)) {
        return 0;
    }
    if (!lua_checkstack(L, XML_MAX_ATTRS + 4)) {
        lua_pushliteral(L, "xml: stack overflow");
        c->failed = true;
        return 1;
    }
    lua_pushvalue(L, fi);
    int n = 0;
    if (!ev->end) {
        for (size_t k = 0; k < c->nattrs[ev->rule]; k++, n++) {
            const char *v = ev->values[k];
            double d;
            if (v == NULL) {
                lua_pushnil(L);
            } else if (!c->is_int[ev->rule][k]) {
                lua_pushstring(L, v);
            } else if (xml_parse_int(v, &d)) {
                lua_Integer i;
                if (lua_numbertointeger(d, &i)) {
                    lua_pushinteger(L, i);
                } else {
                    lua_pushnumber(L, d);
                }
            } else {
                lua_pushnil(L);
            }
        }
    }
    if (lua_pcall(L, n, 0, 0) != LUA_OK) {
        c->failed = true; /* the error stays on the stack */
        return 1;
    }
    return 0;
}

/* xml.scan(path, {{path=, attrs={}, start=fn, stop=fn}...})
 *   -> true | nil, msg, code ("syntax" | errno) [, line, column] */
static int l_scan(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_Integer nr = luaL_len(L, 2);
    luaL_argcheck(L, nr >= 1 && nr <= XML_MAX_RULES, 2, "1 to 16 rules");
    XmlRule rules[XML_MAX_RULES];
    Ctx c;
    memset(rules, 0, sizeof rules);
    memset(&c, 0, sizeof c);
    c.L = L;
    c.nrules = (size_t)nr;
    /* keep rule tables (their strings stay alive) at 3.., functions after */
    for (lua_Integer r = 1; r <= nr; r++) {
        if (lua_rawgeti(L, 2, r) != LUA_TTABLE) {
            return luaL_argerror(L, 2, "rules must be tables");
        }
        int t = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            if (strcmp(k, "path") && strcmp(k, "attrs") && strcmp(k, "start") && strcmp(k, "stop")) {
                return luaL_error(L, "xml.scan: unknown rule field '%s'", k);
            }
            lua_pop(L, 1);
        }
        lua_getfield(L, t, "path");
        rules[r - 1].path = luaL_checkstring(L, -1); /* kept alive by the rule table */
        lua_pop(L, 1);
        if (lua_getfield(L, t, "attrs") == LUA_TTABLE) {
            lua_Integer na = luaL_len(L, -1);
            if (na > XML_MAX_ATTRS) {
                return luaL_error(L, "xml.scan: at most %d attributes per rule", XML_MAX_ATTRS);
            }
            for (lua_Integer k = 1; k <= na; k++) {
                lua_rawgeti(L, -1, k);
                size_t len;
                const char *a = luaL_checklstring(L, -1, &len);
                bool is_int = len > 4 && strcmp(a + len - 4, ":int") == 0;
                if (is_int) { /* store "name" without the suffix, owned by Lua */
                    lua_pushlstring(L, a, len - 4);
                    lua_replace(L, -2);
                    lua_pushvalue(L, -1);
                    lua_rawseti(L, t, -(lua_Integer)k); /* anchor in the rule table */
                    a = lua_tostring(L, -1);
                }
                rules[r - 1].attrs[k - 1] = a;
                c.is_int[r - 1][k - 1] = is_int;
                lua_pop(L, 1);
            }
            rules[r - 1].nattrs = (size_t)na;
            c.nattrs[r - 1] = (size_t)na;
        }
        lua_pop(L, 2); /* attrs, rule table (still referenced by arg 2) */
    }
    c.base = lua_gettop(L) + 1;
    luaL_checkstack(L, 2 * (int)nr + XML_MAX_ATTRS + 8, "xml.scan");
    for (lua_Integer r = 1; r <= nr; r++) {
        lua_rawgeti(L, 2, r);
        int t = lua_gettop(L);
        lua_getfield(L, t, "start");
        lua_getfield(L, t, "stop");
        rules[r - 1].ends = !lua_isnil(L, -1);
        lua_remove(L, t);
    }
    XmlError err;
    int rc = xml_scan(path, rules, c.nrules, on_event, &c, &err);
    if (c.failed) {
        return lua_error(L); /* the callback's error, after expat is freed */
    }
    if (rc == 0) {
        lua_pushboolean(L, 1);
        return 1;
    }
    luaL_pushfail(L);
    if (rc == XMLSCAN_ESYNTAX) {
        lua_pushfstring(L, "xml: cannot parse '%s': line %d, column %d: %s", path, (int)err.line,
                        (int)err.column, err.msg);
        lua_pushliteral(L, "syntax");
        lua_pushinteger(L, (lua_Integer)err.line);
        lua_pushinteger(L, (lua_Integer)err.column);
        return 5;
    }
    if (rc == EINVAL && err.msg[0] == 'b') {
        return luaL_error(L, "xml.scan: %s", err.msg); /* a bad rule path is misuse */
    }
    lua_pushfstring(L, "xml: cannot read '%s': %s", path, err.msg);
    lua_pushinteger(L, rc);
    return 3;
}

static const luaL_Reg xml_funcs[] = {
    {"scan", l_scan},
    {NULL,   NULL},
};

int luaopen_unentropy_xml(lua_State *L)
{
    luaL_newlib(L, xml_funcs);
    return 1;
}
