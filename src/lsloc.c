/* lsloc.c: unentropy.sloc, the Lua binding of sloc.h. Compiles the Lua
 * language rules (comment syntaxes + extension map) into a Rules userdata
 * and counts files in one C loop (read, sniff, classify) so that a tree of
 * 50,000 files costs one call. Policy (which extensions, excludes, what a
 * read error means) stays in lua/unentropy/collectors/loc.lua.
 * sloc.count_files lives in lsloc_files.c. Depends on Lua 5.4 and sloc.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lsloc.h"
#include "modules.h"
#include "sloc.h"

Rules *lsloc_check_rules(lua_State *L, int i)
{
    return luaL_checkudata(L, i, RULES_MT);
}

static void rules_close(Rules *r)
{
    for (size_t i = 0; i < r->nlangs; i++) {
        sloc_lang_free(r->langs[i]);
    }
    free(r->langs);
    free(r->exts);
    memset(r, 0, sizeof *r);
}

static int l_rules_gc(lua_State *L)
{
    rules_close(lsloc_check_rules(L, 1));
    return 0;
}

static int l_rules_tostring(lua_State *L)
{
    Rules *r = lsloc_check_rules(L, 1);
    lua_pushfstring(L, "sloc.Rules (%d syntaxes, %d extensions)", (int)r->nlangs, (int)r->nexts);
    return 1;
}

static int ext_cmp(const void *a, const void *b)
{
    return strcmp(((const ExtEntry *)a)->ext, ((const ExtEntry *)b)->ext);
}

const SlocLang *lsloc_lookup(const Rules *r, const char *ext)
{
    ExtEntry key;
    if (strlen(ext) >= EXT_MAX) {
        return NULL;
    }
    strcpy(key.ext, ext);
    const ExtEntry *e = bsearch(&key, r->exts, r->nexts, sizeof key, ext_cmp);
    return e ? r->langs[e->lang] : NULL;
}

/* Reads an optional string field of the syntax table at index t. */
static const char *opt_field(lua_State *L, int t, const char *k, const char *name)
{
    lua_getfield(L, t, k);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (lua_type(L, -1) != LUA_TSTRING) {
        luaL_error(L, "sloc.rules: syntax '%s': %s must be a string", name, k);
    }
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* still referenced by the spec table */
    return s;
}

/* sloc.rules{syntaxes = {name = {single=, block_start=, block_stop=,
 * quirk=}}, extensions = {ext = name}} -> Rules. May raise on bad specs. */
static int l_rules(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "syntaxes");
    luaL_argcheck(L, lua_istable(L, -1), 1, "'syntaxes' must be a table");
    lua_getfield(L, 1, "extensions");
    luaL_argcheck(L, lua_istable(L, -1), 1, "'extensions' must be a table");
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) { /* reject unknown keys */
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (strcmp(k, "syntaxes") != 0 && strcmp(k, "extensions") != 0) {
            return luaL_error(L, "sloc.rules: unknown key '%s'", k);
        }
        lua_pop(L, 1);
    }
    int syn = 2, exts = 3;
    size_t nsyn = 0, next = 0;
    lua_pushnil(L);
    while (lua_next(L, syn) != 0) {
        nsyn++;
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (lua_next(L, exts) != 0) {
        next++;
        lua_pop(L, 1);
    }
    Rules *r = lua_newuserdatauv(L, sizeof *r, 0); /* [spec, syn, exts, rules] */
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, RULES_MT);
    r->langs = calloc(nsyn ? nsyn : 1, sizeof *r->langs);
    r->exts = calloc(next ? next : 1, sizeof *r->exts);
    if (r->langs == NULL || r->exts == NULL) {
        return luaL_error(L, "sloc.rules: out of memory");
    }
    /* name -> index in a scratch table */
    lua_newtable(L); /* [spec, syn, exts, rules, index] */
    int index = 5;
    lua_pushnil(L);
    while (lua_next(L, syn) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1)) {
            return luaL_error(L, "sloc.rules: syntaxes must map names to tables");
        }
        const char *name = lua_tostring(L, -2);
        int t = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            if (strcmp(k, "single") && strcmp(k, "block_start") && strcmp(k, "block_stop") &&
                strcmp(k, "quirk")) {
                return luaL_error(L, "sloc.rules: syntax '%s': unknown key '%s'", name, k);
            }
            lua_pop(L, 1);
        }
        const char *single = opt_field(L, t, "single", name);
        const char *bstart = opt_field(L, t, "block_start", name);
        const char *bstop = opt_field(L, t, "block_stop", name);
        const char *quirk = opt_field(L, t, "quirk", name);
        int q = SLOC_QUIRK_NONE;
        if (quirk && strcmp(quirk, "nim") == 0) {
            q = SLOC_QUIRK_NIM;
        } else if (quirk) {
            return luaL_error(L, "sloc.rules: syntax '%s': unknown quirk '%s'", name, quirk);
        }
        char err[256];
        int rc = sloc_lang_new(single, bstart, bstop, q, &r->langs[r->nlangs], err, sizeof err);
        if (rc != 0) {
            return luaL_error(L, "%s (syntax '%s')", err, name);
        }
        lua_pushvalue(L, -2);
        lua_pushinteger(L, (lua_Integer)r->nlangs++);
        lua_rawset(L, index);
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (lua_next(L, exts) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
            return luaL_error(L, "sloc.rules: extensions must map strings to syntax names");
        }
        const char *ext = lua_tostring(L, -2);
        if (strlen(ext) >= EXT_MAX) {
            return luaL_error(L, "sloc.rules: extension '%s' is too long", ext);
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, index) != LUA_TNUMBER) {
            return luaL_error(L, "sloc.rules: extension '%s' uses unknown syntax '%s'", ext,
                              lua_tostring(L, -2));
        }
        ExtEntry *e = &r->exts[r->nexts++];
        for (size_t i = 0; i <= strlen(ext); i++) { /* lowercase, with the NUL */
            char c = ext[i];
            e->ext[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        e->lang = (size_t)lua_tointeger(L, -1);
        lua_pop(L, 2);
    }
    qsort(r->exts, r->nexts, sizeof *r->exts, ext_cmp);
    lua_pop(L, 1);
    return 1;
}

static void push_counts(lua_State *L, const SlocCounts *c)
{
    lua_createtable(L, 0, 9);
    const struct {
        const char *k;
        int64_t v;
    } f[] = {{"total", c->total}, {"source", c->source}, {"comment", c->comment},
             {"single", c->single}, {"block", c->block}, {"mixed", c->mixed},
             {"empty", c->empty}, {"block_empty", c->block_empty}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        lua_pushinteger(L, (lua_Integer)f[i].v);
        lua_setfield(L, -2, f[i].k);
    }
    lua_pushboolean(L, c->error);
    lua_setfield(L, -2, "error");
}

/* rules:count(text, ext) -> {total, source, comment, single, block, mixed,
 * empty, block_empty, error} for a sloc extension, or {source = non-empty
 * lines} otherwise. */
static int l_rules_count(lua_State *L)
{
    Rules *r = lsloc_check_rules(L, 1);
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    const char *ext = luaL_checkstring(L, 3);
    char lower[EXT_MAX];
    size_t el = strlen(ext);
    const SlocLang *lang = NULL;
    if (el < EXT_MAX) {
        for (size_t i = 0; i <= el; i++) {
            lower[i] = (ext[i] >= 'A' && ext[i] <= 'Z') ? (char)(ext[i] + 32) : ext[i];
        }
        lang = lsloc_lookup(r, lower);
    }
    if (lang == NULL) {
        lua_createtable(L, 0, 1);
        lua_pushinteger(L, (lua_Integer)sloc_nonempty_lines(text, len));
        lua_setfield(L, -2, "source");
        return 1;
    }
    /* normalize a copy owned by Lua (a userdata, so a raise cannot leak) */
    char *copy = lua_newuserdatauv(L, len + 1, 0);
    memcpy(copy, text, len);
    size_t n = sloc_normalize(copy, len);
    SlocCounts c;
    if (sloc_count(lang, copy, n, &c) != 0) {
        return luaL_error(L, "sloc: out of memory");
    }
    push_counts(L, &c);
    return 1;
}

/* rules:has(ext) -> boolean (ext without dot, any case) */
static int l_rules_has(lua_State *L)
{
    Rules *r = lsloc_check_rules(L, 1);
    const char *ext = luaL_checkstring(L, 2);
    char lower[EXT_MAX];
    size_t el = strlen(ext);
    bool has = false;
    if (el < EXT_MAX) {
        for (size_t i = 0; i <= el; i++) {
            lower[i] = (ext[i] >= 'A' && ext[i] <= 'Z') ? (char)(ext[i] + 32) : ext[i];
        }
        has = lsloc_lookup(r, lower) != NULL;
    }
    lua_pushboolean(L, has);
    return 1;
}

static int l_nonempty(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    lua_pushinteger(L, (lua_Integer)sloc_nonempty_lines(text, len));
    return 1;
}

static int l_extname(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    char ext[PATH_MAX];
    size_t n = sloc_extname(path, ext, sizeof ext);
    lua_pushlstring(L, ext, n);
    return 1;
}

static const luaL_Reg sloc_funcs[] = {
    {"rules",       l_rules},
    {"count_files", lsloc_count_files},
    {"nonempty",    l_nonempty},
    {"extname",     l_extname},
    {NULL, NULL},
};

static const luaL_Reg rules_methods[] = {
    {"count", l_rules_count},
    {"has",   l_rules_has},
    {NULL, NULL},
};

static const luaL_Reg rules_meta[] = {
    {"__gc",       l_rules_gc},
    {"__tostring", l_rules_tostring},
    {NULL, NULL},
};

int luaopen_unentropy_sloc(lua_State *L)
{
    luaL_newmetatable(L, RULES_MT);
    luaL_setfuncs(L, rules_meta, 0);
    luaL_newlib(L, rules_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newmetatable(L, BUF_MT);
    lua_pushcfunction(L, lsloc_buf_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    luaL_newlib(L, sloc_funcs);
    lua_pushinteger(L, SLOC_SNIFF_BYTES);
    lua_setfield(L, -2, "SNIFF_BYTES");
    return 1;
}
