/* lsloc_files.c: sloc.count_files, the file loop of the loc collector:
 * one C loop over a path list (read into one reusable buffer owned by a
 * userdata, sniff, classify) so that 50,000 files cost one call.
 * Depends on Lua 5.4, sloc.h and lsloc.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lsloc.h"
#include "sloc.h"

int lsloc_buf_gc(lua_State *L)
{
    sloc_buf_free(luaL_checkudata(L, 1, BUF_MT));
    return 0;
}

/* sloc.count_files(base, paths, rules, opts) -> total, info
 * opts = {only = {ext = true}, nonempty = bool, skip_binary = bool,
 * per_file = bool}; info = {files, binary, counts = {n | false} (per_file),
 * errors = {{index, path, message, code}}}. A file that cannot be read is
 * listed in errors and counts 0; the caller decides what that means. */
int lsloc_count_files(lua_State *L)
{
    const char *base = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    Rules *r = lsloc_check_rules(L, 3);
    bool nonempty = false, skip_binary = false, per_file = false;
    int only = 0;
    if (!lua_isnoneornil(L, 4)) {
        luaL_checktype(L, 4, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 4) != 0) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            if (strcmp(k, "only") == 0) {
                luaL_argcheck(L, lua_istable(L, -1), 4, "'only' must be a table");
            } else if (strcmp(k, "nonempty") == 0) {
                nonempty = lua_toboolean(L, -1);
            } else if (strcmp(k, "skip_binary") == 0) {
                skip_binary = lua_toboolean(L, -1);
            } else if (strcmp(k, "per_file") == 0) {
                per_file = lua_toboolean(L, -1);
            } else {
                return luaL_error(L, "sloc.count_files: unknown option '%s'", k);
            }
            lua_pop(L, 1);
        }
        if (lua_getfield(L, 4, "only") == LUA_TTABLE) {
            only = lua_gettop(L);
        } else {
            lua_pop(L, 1);
        }
    }
    lua_Integer n = luaL_len(L, 2);
    for (lua_Integer i = 1; i <= n; i++) { /* check everything before looping */
        if (lua_rawgeti(L, 2, i) != LUA_TSTRING) {
            return luaL_error(L, "sloc.count_files: paths[%d] is not a string", (int)i);
        }
        lua_pop(L, 1);
    }
    SlocBuf *buf = lua_newuserdatauv(L, sizeof *buf, 0);
    memset(buf, 0, sizeof *buf);
    luaL_setmetatable(L, BUF_MT);
    lua_createtable(L, 0, 4); /* info */
    int info = lua_gettop(L);
    lua_createtable(L, per_file ? (int)n : 0, 0);
    int counts = lua_gettop(L);
    lua_newtable(L);
    int errors = lua_gettop(L);
    lua_Integer total = 0, files = 0, binary = 0, nerr = 0;
    size_t blen = strlen(base);
    bool dot = strcmp(base, ".") == 0 || blen == 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        size_t rlen;
        const char *rel = lua_tolstring(L, -1, &rlen);
        char ext[EXT_MAX + 1];
        sloc_extname(rel, ext, sizeof ext);
        bool counted = false;
        if (only) {
            lua_pushstring(L, ext);
            counted = lua_rawget(L, only) != LUA_TNIL && lua_toboolean(L, -1);
            lua_pop(L, 1);
            if (!counted) {
                if (per_file) {
                    lua_pushboolean(L, 0);
                    lua_rawseti(L, counts, i);
                }
                lua_pop(L, 1);
                continue;
            }
        }
        const SlocLang *lang = nonempty ? NULL : lsloc_lookup(r, ext);
        char path[PATH_MAX];
        int64_t c = 0;
        SlocFileKind kind = SLOC_COUNTED;
        char err[256];
        int rc;
        if ((dot ? rlen : blen + 1 + rlen) >= sizeof path) {
            rc = ENAMETOOLONG;
            snprintf(err, sizeof err, "%s", strerror(rc));
        } else {
            if (dot || rel[0] == '/') {
                memcpy(path, rel, rlen + 1);
            } else {
                memcpy(path, base, blen);
                path[blen] = '/';
                memcpy(path + blen + 1, rel, rlen + 1);
            }
            rc = sloc_count_path(path, lang, skip_binary, buf, &c, &kind, err, sizeof err);
        }
        if (rc != 0) {
            lua_createtable(L, 0, 4); /* [..., rel, error] */
            lua_pushinteger(L, i);
            lua_setfield(L, -2, "index");
            lua_pushvalue(L, -2);
            lua_setfield(L, -2, "path");
            lua_pushstring(L, err);
            lua_setfield(L, -2, "message");
            lua_pushinteger(L, rc);
            lua_setfield(L, -2, "code");
            lua_rawseti(L, errors, ++nerr);
        } else if (kind == SLOC_BINARY) {
            binary++;
        } else {
            files++;
            total += (lua_Integer)c;
        }
        if (per_file) {
            if (rc == 0 && kind == SLOC_COUNTED) {
                lua_pushinteger(L, (lua_Integer)c);
            } else {
                lua_pushboolean(L, 0);
            }
            lua_rawseti(L, counts, i);
        }
        lua_pop(L, 1); /* rel */
    }
    sloc_buf_free(buf);
    lua_setfield(L, info, "errors");
    if (per_file) {
        lua_setfield(L, info, "counts");
    } else {
        lua_pop(L, 1);
    }
    lua_pushinteger(L, files);
    lua_setfield(L, info, "files");
    lua_pushinteger(L, binary);
    lua_setfield(L, info, "binary");
    lua_pushinteger(L, total);
    lua_insert(L, info);
    return 2;
}
