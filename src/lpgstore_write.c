/* lpgstore_write.c: the write methods of unentropy.pgstore.Db — record_build
 * and import (the streaming import_begin is in lpgstore_import.c) — and the
 * record readers they share, with the argument rules and return shapes of
 * unentropy.store. Every argument is checked
 * before the C call; strings are kept alive by an anchor table on the
 * stack, and arrays live in Lua-owned userdata, so a raise strands nothing.
 * Depends on Lua and pgstore.h. */
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpgstore.h"
#include "pgstore.h"

void lpg_push_str(lua_State *L, int t, const char *key, int optional, const char *what)
{
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TNIL && optional) {
        return;
    }
    if (ty != LUA_TSTRING) {
        luaL_error(L, "pgstore: %s.%s must be a string (got %s)", what, key,
                   lua_typename(L, ty));
    }
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len) {
        luaL_error(L, "pgstore: %s.%s contains a NUL byte", what, key);
    }
}

lua_Integer lpg_field_int(lua_State *L, int t, const char *key, int optional, const char *what)
{
    int ty = lua_getfield(L, t, key);
    int isint = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (ty == LUA_TNIL && optional) {
        v = 0;
    } else if (ty != LUA_TNUMBER || !isint || v < 0) {
        luaL_error(L, "pgstore: %s.%s must be a non-negative integer", what, key);
    }
    lua_pop(L, 1);
    return v;
}

int lpg_read_value(lua_State *L, int t, double *num, const char *what)
{
    int ty = lua_getfield(L, t, "value_numeric");
    if (ty != LUA_TNIL && ty != LUA_TNUMBER) {
        luaL_error(L, "pgstore: %s.value_numeric must be a number", what);
    }
    *num = lua_tonumber(L, -1);
    lua_pop(L, 1);
    lpg_push_str(L, t, "value_label", 1, what);
    if ((ty == LUA_TNIL) == lua_isnil(L, -1)) {
        luaL_error(L, "pgstore: %s needs exactly one of value_numeric and value_label", what);
    }
    if (ty != LUA_TNIL && isnan(*num)) {
        luaL_error(L, "pgstore: %s.value_numeric is NaN", what);
    }
    return ty != LUA_TNIL;
}

const char *lpg_pin(lua_State *L, int anchor)
{
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    const char *s = lua_tostring(L, -1);
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    return s;
}

/* db:record_build(build, values) -> build_id | nil, msg, code */
static int l_record_build(lua_State *L)
{
    PgStore *s = lpg_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    size_t n = lua_rawlen(L, 3);
    lua_newtable(L); /* 4: anchor */
    StoreValue *v = lua_newuserdatauv(L, (n ? n : 1) * sizeof *v, 0); /* 5 */
    StoreBuild b;
    lpg_push_str(L, 2, "commit_sha", 0, "build");
    b.commit_sha = lpg_pin(L, 4);
    lpg_push_str(L, 2, "branch", 0, "build");
    b.branch = lpg_pin(L, 4);
    lpg_push_str(L, 2, "run_id", 0, "build");
    b.run_id = lpg_pin(L, 4);
    lpg_push_str(L, 2, "event_name", 1, "build");
    b.event_name = lua_isnil(L, -1) ? (lua_pop(L, 1), NULL) : lpg_pin(L, 4);
    lpg_push_str(L, 2, "timestamp", 0, "build");
    b.timestamp = lpg_pin(L, 4);
    b.run_number = lpg_field_int(L, 2, "run_number", 0, "build");
    if (!store_timestamp_ok(b.timestamp)) {
        return luaL_error(L, "pgstore: build.timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ, got '%s'",
                          b.timestamp);
    }
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 3, (lua_Integer)i + 1) != LUA_TTABLE) { /* 6 */
            return luaL_error(L, "pgstore: values[%d] must be a table", (int)i + 1);
        }
        if (lua_getfield(L, 6, "metric") != LUA_TTABLE) { /* 7 */
            return luaL_error(L, "pgstore: values[%d].metric must be a table", (int)i + 1);
        }
        v[i].is_numeric = lpg_read_value(L, 6, &v[i].value_numeric, "value"); /* 8: label */
        v[i].value_label = lua_isnil(L, -1) ? (lua_pop(L, 1), NULL) : lpg_pin(L, 4);
        lpg_push_str(L, 7, "id", 0, "metric");
        v[i].metric_id = lpg_pin(L, 4);
        lpg_push_str(L, 7, "type", 0, "metric");
        v[i].type = lpg_pin(L, 4);
        lpg_push_str(L, 7, "unit", 1, "metric");
        v[i].unit = lua_isnil(L, -1) ? (lua_pop(L, 1), NULL) : lpg_pin(L, 4);
        lpg_push_str(L, 7, "description", 1, "metric");
        v[i].description = lua_isnil(L, -1) ? (lua_pop(L, 1), NULL) : lpg_pin(L, 4);
        if (strcmp(v[i].type, v[i].is_numeric ? "numeric" : "label") != 0) {
            return luaL_error(L, "pgstore: values[%d]: metric type '%s' does not match its value",
                              (int)i + 1, v[i].type);
        }
        lua_settop(L, 5);
    }
    char err[LPG_ERRLEN];
    int64_t id = 0;
    int rc = pgstore_record_build(s, &b, v, n, &id, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return lpg_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)id);
    return 1;
}

void lpg_read_record(lua_State *L, int t, int anchor, StoreImportRecord *r, lua_Integer i)
{
    lpg_push_str(L, t, "commit_sha", 0, "record");
    r->commit_sha = lpg_pin(L, anchor);
    lpg_push_str(L, t, "branch", 0, "record");
    r->branch = lpg_pin(L, anchor);
    lpg_push_str(L, t, "run_id", 0, "record");
    r->run_id = lpg_pin(L, anchor);
    lpg_push_str(L, t, "timestamp", 0, "record");
    r->timestamp = lpg_pin(L, anchor);
    lpg_push_str(L, t, "metric_id", 0, "record");
    r->metric_id = lpg_pin(L, anchor);
    r->is_numeric = lpg_read_value(L, t, &r->value_numeric, "record");
    r->value_label = lua_isnil(L, -1) ? (lua_pop(L, 1), NULL) : lpg_pin(L, anchor);
    r->run_number = lpg_field_int(L, t, "run_number", 1, "record");
    if (!store_timestamp_ok(r->timestamp)) {
        luaL_error(L, "pgstore: records[%d].timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ", (int)i);
    }
}

/* db:import(records) -> count | nil, msg, code */
static int l_import(lua_State *L)
{
    PgStore *s = lpg_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    size_t n = lua_rawlen(L, 2);
    lua_newtable(L); /* 3: anchor */
    StoreImportRecord *r = lua_newuserdatauv(L, (n ? n : 1) * sizeof *r, 0); /* 4 */
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 2, (lua_Integer)i + 1) != LUA_TTABLE) { /* 5 */
            return luaL_error(L, "pgstore: records[%d] must be a table", (int)i + 1);
        }
        lpg_read_record(L, 5, 3, &r[i], (lua_Integer)i + 1);
        lua_settop(L, 4);
    }
    char err[LPG_ERRLEN];
    int64_t count = 0;
    int rc = pgstore_import(s, r, n, &count, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return lpg_fail(L, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)count);
    return 1;
}

const luaL_Reg lpg_write_methods[] = {
    {"record_build", l_record_build},
    {"import",       l_import},
    {"import_begin", lpg_import_begin},
    {NULL, NULL},
};
