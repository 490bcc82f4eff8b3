/* ldb_write.c: the write methods of a Db (ldb.h) — record_build (collect,
 * storage.md §5) and import (import.md §4; the streaming import_begin is
 * in ldb_import.c) — and the record readers they share with
 * lpgstore_copy.c. Every argument is checked before the C call; strings
 * are kept alive by an anchor table on the stack and arrays live in
 * Lua-owned userdata, so a raise never strands C memory and the C side
 * never sees a string Lua could collect. Depends on Lua and ldb.h. */
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "ldb.h"
#include "store.h"

void ldb_push_str(lua_State *L, const LdbOps *ops, int t, const char *key, int optional,
                  const char *what)
{
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TNIL && optional) {
        return;
    }
    if (ty != LUA_TSTRING) {
        luaL_error(L, "%s: %s.%s must be a string (got %s)", ops->name, what, key,
                   lua_typename(L, ty));
    }
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len) {
        luaL_error(L, "%s: %s.%s contains a NUL byte", ops->name, what, key);
    }
}

lua_Integer ldb_field_int(lua_State *L, const LdbOps *ops, int t, const char *key, int optional,
                          const char *what)
{
    int ty = lua_getfield(L, t, key);
    int isint = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isint);
    if (ty == LUA_TNIL && optional) {
        v = 0;
    } else if (ty != LUA_TNUMBER || !isint || v < 0) {
        luaL_error(L, "%s: %s.%s must be a non-negative integer", ops->name, what, key);
    }
    lua_pop(L, 1);
    return v;
}

int ldb_read_value(lua_State *L, const LdbOps *ops, int t, double *num, const char *what)
{
    int ty = lua_getfield(L, t, "value_numeric");
    if (ty != LUA_TNIL && ty != LUA_TNUMBER) {
        luaL_error(L, "%s: %s.value_numeric must be a number", ops->name, what);
    }
    *num = lua_tonumber(L, -1);
    lua_pop(L, 1);
    ldb_push_str(L, ops, t, "value_label", 1, what);
    if ((ty == LUA_TNIL) == lua_isnil(L, -1)) {
        luaL_error(L, "%s: %s needs exactly one of value_numeric and value_label", ops->name,
                   what);
    }
    if (ty != LUA_TNIL && isnan(*num)) {
        luaL_error(L, "%s: %s.value_numeric is NaN", ops->name, what);
    }
    return ty != LUA_TNIL;
}

const char *ldb_pin(lua_State *L, int anchor)
{
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    const char *s = lua_tostring(L, -1);
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    return s;
}

/* Pushes t[key] (see ldb_push_str) and pins it into `anchor`. May raise. */
static const char *pin_field(lua_State *L, const LdbOps *ops, int t, int anchor,
                             const char *key, int optional, const char *what)
{
    ldb_push_str(L, ops, t, key, optional, what);
    return ldb_pin(L, anchor);
}

void ldb_read_record(lua_State *L, const LdbOps *ops, int t, int anchor, StoreImportRecord *r,
                     lua_Integer i)
{
    r->commit_sha = pin_field(L, ops, t, anchor, "commit_sha", 0, "record");
    r->branch = pin_field(L, ops, t, anchor, "branch", 0, "record");
    r->run_id = pin_field(L, ops, t, anchor, "run_id", 0, "record");
    r->timestamp = pin_field(L, ops, t, anchor, "timestamp", 0, "record");
    r->metric_id = pin_field(L, ops, t, anchor, "metric_id", 0, "record");
    r->is_numeric = ldb_read_value(L, ops, t, &r->value_numeric, "record");
    r->value_label = ldb_pin(L, anchor);
    if (i > 0 && !store_timestamp_ok(r->timestamp)) {
        luaL_error(L, "%s: records[%d].timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ", ops->name,
                   (int)i);
    }
    r->run_number = ldb_field_int(L, ops, t, "run_number", 1, "record");
}

/* db:record_build(build, values) -> build_id | nil, msg, code */
static int l_record_build(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    size_t n = lua_rawlen(L, 3);
    lua_newtable(L); /* 4: anchor */
    StoreValue *v = lua_newuserdatauv(L, (n ? n : 1) * sizeof *v, 0); /* 5 */
    StoreBuild b;
    b.commit_sha = pin_field(L, ops, 2, 4, "commit_sha", 0, "build");
    b.branch = pin_field(L, ops, 2, 4, "branch", 0, "build");
    b.run_id = pin_field(L, ops, 2, 4, "run_id", 0, "build");
    b.event_name = pin_field(L, ops, 2, 4, "event_name", 1, "build");
    b.timestamp = pin_field(L, ops, 2, 4, "timestamp", 0, "build");
    b.run_number = ldb_field_int(L, ops, 2, "run_number", 0, "build");
    if (!store_timestamp_ok(b.timestamp)) {
        return luaL_error(L, "%s: build.timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ, got '%s'",
                          ops->name, b.timestamp);
    }
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 3, (lua_Integer)i + 1) != LUA_TTABLE) { /* 6 */
            return luaL_error(L, "%s: values[%d] must be a table", ops->name, (int)i + 1);
        }
        if (lua_getfield(L, 6, "metric") != LUA_TTABLE) { /* 7 */
            return luaL_error(L, "%s: values[%d].metric must be a table", ops->name, (int)i + 1);
        }
        v[i].metric_id = pin_field(L, ops, 7, 4, "id", 0, "metric");
        v[i].type = pin_field(L, ops, 7, 4, "type", 0, "metric");
        v[i].unit = pin_field(L, ops, 7, 4, "unit", 1, "metric");
        v[i].description = pin_field(L, ops, 7, 4, "description", 1, "metric");
        v[i].is_numeric = ldb_read_value(L, ops, 6, &v[i].value_numeric, "value"); /* 8 */
        v[i].value_label = ldb_pin(L, 4);
        if (strcmp(v[i].type, v[i].is_numeric ? "numeric" : "label") != 0) {
            return luaL_error(L, "%s: values[%d]: metric type '%s' does not match its value",
                              ops->name, (int)i + 1, v[i].type);
        }
        lua_settop(L, 5);
    }
    char err[LDB_ERRLEN];
    int64_t id = 0;
    int rc = ops->record_build(h, &b, v, n, &id, err, sizeof err);
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)id);
    return 1;
}

/* db:import(records) -> count | nil, msg, code */
static int l_import(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    size_t n = lua_rawlen(L, 2);
    lua_newtable(L); /* 3: anchor */
    StoreImportRecord *r = lua_newuserdatauv(L, (n ? n : 1) * sizeof *r, 0); /* 4 */
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 2, (lua_Integer)i + 1) != LUA_TTABLE) { /* 5 */
            return luaL_error(L, "%s: records[%d] must be a table", ops->name, (int)i + 1);
        }
        ldb_read_record(L, ops, 5, 3, &r[i], (lua_Integer)i + 1);
        lua_settop(L, 4);
    }
    char err[LDB_ERRLEN];
    int64_t count = 0;
    int rc = ops->import(h, r, n, &count, err, sizeof err);
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)count);
    return 1;
}

const luaL_Reg ldb_write_methods[] = {
    {"record_build", l_record_build},
    {"import",       l_import},
    {"import_begin", ldb_import_begin},
    {NULL, NULL},
};
