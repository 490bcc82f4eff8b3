/* lstore_write.c: the write methods of unentropy.store.Db — record_build
 * (collect, storage.md §5) and import (import.md §4; the streaming
 * import_begin lives in lstore_import.c). Every argument is
 * checked and every string copied into Lua-owned userdata (anchored on the
 * stack) before the C call, so a raise never strands C memory and the C
 * side never sees a string Lua could collect. Depends on Lua, store.h. */
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <sqlite3.h>

#include "lstore.h"
#include "store.h"

void lstore_push_str(lua_State *L, int t, const char *key, int optional, const char *what)
{
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TNIL && optional) {
        return;
    }
    if (ty != LUA_TSTRING) {
        luaL_error(L, "store: %s.%s must be a string (got %s)", what, key, lua_typename(L, ty));
    }
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len) {
        luaL_error(L, "store: %s.%s contains a NUL byte", what, key);
    }
}

/* Copies the n strings (or nils) at [first, first+n) into one userdata kept
 * alive by the anchor table at `anchor`; out[i] points into it (NULL for
 * nil). Valid while the anchor is on the stack. */
static void pin_strings(lua_State *L, int anchor, int first, int n, const char **out)
{
    size_t total = 1, len;
    for (int i = 0; i < n; i++) {
        if (!lua_isnil(L, first + i)) {
            lua_tolstring(L, first + i, &len);
            total += len + 1;
        }
    }
    char *p = lua_newuserdatauv(L, total, 0);
    for (int i = 0; i < n; i++) {
        out[i] = NULL;
        if (!lua_isnil(L, first + i)) {
            const char *s = lua_tolstring(L, first + i, &len);
            memcpy(p, s, len + 1);
            out[i] = p;
            p += len + 1;
        }
    }
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
}

lua_Integer lstore_field_int(lua_State *L, int t, const char *key, int optional,
                             const char *what)
{
    int ty = lua_getfield(L, t, key);
    int isint = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (ty == LUA_TNIL && optional) {
        v = 0;
    } else if (ty != LUA_TNUMBER || !isint || v < 0) {
        luaL_error(L, "store: %s.%s must be a non-negative integer", what, key);
    }
    lua_pop(L, 1);
    return v;
}

int lstore_read_value(lua_State *L, int t, double *num, const char *what)
{
    int ty = lua_getfield(L, t, "value_numeric");
    if (ty != LUA_TNIL && ty != LUA_TNUMBER) {
        luaL_error(L, "store: %s.value_numeric must be a number", what);
    }
    *num = lua_tonumber(L, -1);
    lua_pop(L, 1);
    lstore_push_str(L, t, "value_label", 1, what);
    if ((ty == LUA_TNIL) == lua_isnil(L, -1)) {
        luaL_error(L, "store: %s needs exactly one of value_numeric and value_label", what);
    }
    if (ty != LUA_TNIL && isnan(*num)) {
        luaL_error(L, "store: %s.value_numeric is NaN", what);
    }
    return ty != LUA_TNIL;
}

/* db:record_build(build, values) -> build_id | nil, msg, code */
static int l_record_build(lua_State *L)
{
    Store *s = lstore_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    size_t n = lua_rawlen(L, 3);
    lua_newtable(L); /* 4: anchor */
    StoreValue *v = lua_newuserdatauv(L, (n ? n : 1) * sizeof *v, 0); /* 5 */
    const char *bs[5];
    lstore_push_str(L, 2, "commit_sha", 0, "build");
    lstore_push_str(L, 2, "branch", 0, "build");
    lstore_push_str(L, 2, "run_id", 0, "build");
    lstore_push_str(L, 2, "event_name", 1, "build");
    lstore_push_str(L, 2, "timestamp", 0, "build");
    pin_strings(L, 4, 6, 5, bs);
    lua_settop(L, 5);
    StoreBuild b = {bs[0], bs[1],
                    bs[2], lstore_field_int(L, 2, "run_number", 0, "build"),
                    bs[3], bs[4]};
    if (!store_timestamp_ok(b.timestamp)) {
        return luaL_error(L, "store: build.timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ, got '%s'",
                          b.timestamp);
    }
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 3, (lua_Integer)i + 1) != LUA_TTABLE) { /* 6 */
            return luaL_error(L, "store: values[%d] must be a table", (int)i + 1);
        }
        if (lua_getfield(L, 6, "metric") != LUA_TTABLE) { /* 7 */
            return luaL_error(L, "store: values[%d].metric must be a table", (int)i + 1);
        }
        const char *ms[5];
        lstore_push_str(L, 7, "id", 0, "metric"); /* 8.. */
        lstore_push_str(L, 7, "type", 0, "metric");
        lstore_push_str(L, 7, "unit", 1, "metric");
        lstore_push_str(L, 7, "description", 1, "metric");
        v[i].is_numeric = lstore_read_value(L, 6, &v[i].value_numeric, "value"); /* 12: label */
        const char *type = lua_tostring(L, 9);
        if (strcmp(type, v[i].is_numeric ? "numeric" : "label") != 0) {
            return luaL_error(L, "store: values[%d]: metric type '%s' does not match its value",
                              (int)i + 1, type);
        }
        pin_strings(L, 4, 8, 5, ms);
        v[i].metric_id = ms[0];
        v[i].type = ms[1];
        v[i].unit = ms[2];
        v[i].description = ms[3];
        v[i].value_label = ms[4];
        lua_settop(L, 5);
    }
    char err[LSTORE_ERRLEN];
    int64_t id = 0;
    int rc = store_record_build(s, &b, v, n, &id, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)id);
    return 1;
}

/* db:import(records) -> count | nil, msg, code */
static int l_import(lua_State *L)
{
    Store *s = lstore_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    size_t n = lua_rawlen(L, 2);
    lua_newtable(L); /* 3: anchor */
    StoreImportRecord *r = lua_newuserdatauv(L, (n ? n : 1) * sizeof *r, 0); /* 4 */
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 2, (lua_Integer)i + 1) != LUA_TTABLE) { /* 5 */
            return luaL_error(L, "store: records[%d] must be a table", (int)i + 1);
        }
        const char *rs[6];
        lstore_push_str(L, 5, "commit_sha", 0, "record"); /* 6.. */
        lstore_push_str(L, 5, "branch", 0, "record");
        lstore_push_str(L, 5, "run_id", 0, "record");
        lstore_push_str(L, 5, "timestamp", 0, "record");
        lstore_push_str(L, 5, "metric_id", 0, "record");
        r[i].is_numeric = lstore_read_value(L, 5, &r[i].value_numeric, "record"); /* 11 */
        if (!store_timestamp_ok(lua_tostring(L, 9))) {
            return luaL_error(L, "store: records[%d].timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ",
                              (int)i + 1);
        }
        pin_strings(L, 3, 6, 6, rs);
        r[i].commit_sha = rs[0];
        r[i].branch = rs[1];
        r[i].run_id = rs[2];
        r[i].timestamp = rs[3];
        r[i].metric_id = rs[4];
        r[i].value_label = rs[5];
        r[i].run_number = lstore_field_int(L, 5, "run_number", 1, "record");
        lua_settop(L, 4);
    }
    char err[LSTORE_ERRLEN];
    int64_t count = 0;
    int rc = store_import(s, r, n, &count, err, sizeof err);
    if (rc != SQLITE_OK) {
        return lstore_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)count);
    return 1;
}

const luaL_Reg lstore_write_methods[] = {
    {"record_build", l_record_build},
    {"import",       l_import},
    {"import_begin", lstore_import_begin},
    {NULL, NULL},
};
