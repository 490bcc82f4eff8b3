/* lpgstore_copy.c: the verbs of `unentropy db copy`, the same on both ends:
 * db:dump_builds() (every build, id order), db:dump_values(ids) (columnar,
 * like all_values), db:restore_definitions(defs), db:restore_builds(builds)
 * (each build {id, commit_sha, branch, run_id, run_number, event_name,
 * timestamp, values = {{metric_id, value_numeric | value_label}, ...}}).
 * They exist on unentropy.pgstore.Db and on the SqliteFile of
 * lpgstore_sqlite.c. Depends on Lua, ldb.h, pgstore.h and pgstore_sqlite.h. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lpgstore.h"
#include "pgstore.h"
#include "pgstore_sqlite.h"

/* The handle behind argument 1 (a Db or a SqliteFile); *is_pg says which.
 * May raise: wrong type, closed handle. */
static void *check_end(lua_State *L, int *is_pg)
{
    void *q = lpg_sqlite_test(L, 1);
    *is_pg = q == NULL;
    return q != NULL ? q : (void *)lpg_check(L, 1);
}

/* h:dump_builds() -> {{id, commit_sha, branch, run_id, run_number, event_name,
 * timestamp}, ...} in id order | nil, msg, code */
static int l_dump_builds(lua_State *L)
{
    int pg;
    void *h = check_end(L, &pg);
    lua_settop(L, 1);
    lua_newtable(L);
    LdbAcc a = {L, 2, 0, NULL};
    char err[LDB_ERRLEN];
    int rc = pg ? pgstore_dump_builds(h, ldb_push_build, &a, err, sizeof err)
                : pgsqlite_dump_builds(h, ldb_push_build, &a, err, sizeof err);
    return rc == PGSTORE_OK ? 1 : ldb_fail(L, &lpg_ops, rc, err);
}

/* h:dump_values(ids) -> {n=, build_id={}, metric_id={}, value_numeric={},
 * value_label={}} | nil, msg, code */
static int l_dump_values(lua_State *L)
{
    int pg;
    void *h = check_end(L, &pg);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    size_t n = lua_rawlen(L, 2);
    int64_t *ids = lua_newuserdatauv(L, (n ? n : 1) * sizeof *ids, 0); /* 3 */
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i + 1);
        int isint = 0;
        ids[i] = (int64_t)lua_tointegerx(L, -1, &isint);
        if (!isint) {
            return luaL_error(L, "pgstore: ids[%d] must be an integer", (int)i + 1);
        }
        lua_pop(L, 1);
    }
    ldb_values_start(L); /* 4..7 */
    LdbAcc a = {L, 4, 0, NULL};
    char err[LDB_ERRLEN];
    int rc = pg ? pgstore_dump_values(h, ids, n, ldb_push_value, &a, err, sizeof err)
                : pgsqlite_dump_values(h, ids, n, ldb_push_value, &a, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return ldb_fail(L, &lpg_ops, rc, err);
    }
    ldb_values_finish(L, a.n);
    return 1;
}

/* h:restore_definitions({{id, type, unit?, description?}, ...}) -> true | nil, msg, code */
static int l_restore_definitions(lua_State *L)
{
    int pg;
    void *h = check_end(L, &pg);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    size_t n = lua_rawlen(L, 2);
    lua_newtable(L); /* 3: anchor */
    StoreMetricDef *d = lua_newuserdatauv(L, (n ? n : 1) * sizeof *d, 0); /* 4 */
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 2, (lua_Integer)i + 1) != LUA_TTABLE) { /* 5 */
            return luaL_error(L, "pgstore: definitions[%d] must be a table", (int)i + 1);
        }
        ldb_push_str(L, &lpg_ops, 5, "id", 0, "definition");
        d[i].id = ldb_pin(L, 3);
        ldb_push_str(L, &lpg_ops, 5, "type", 0, "definition");
        d[i].type = ldb_pin(L, 3);
        ldb_push_str(L, &lpg_ops, 5, "unit", 1, "definition");
        d[i].unit = ldb_pin(L, 3);
        ldb_push_str(L, &lpg_ops, 5, "description", 1, "definition");
        d[i].description = ldb_pin(L, 3);
        lua_settop(L, 4);
    }
    char err[LDB_ERRLEN];
    int rc = pg ? pgstore_restore_definitions(h, d, n, err, sizeof err)
                : pgsqlite_restore_definitions(h, d, n, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return ldb_fail(L, &lpg_ops, rc, err);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* Reads builds[i].values into v (count values). May raise. */
static void read_values(lua_State *L, int t, int anchor, StoreValueRow *v, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        if (lua_rawgeti(L, t, (lua_Integer)k + 1) != LUA_TTABLE) {
            luaL_error(L, "pgstore: values[%d] must be a table", (int)k + 1);
        }
        int vt = lua_gettop(L);
        memset(&v[k], 0, sizeof v[k]);
        v[k].is_numeric = ldb_read_value(L, &lpg_ops, vt, &v[k].value_numeric, "value");
        v[k].value_label = ldb_pin(L, anchor);
        ldb_push_str(L, &lpg_ops, vt, "metric_id", 0, "value");
        v[k].metric_id = ldb_pin(L, anchor);
        lua_settop(L, vt - 1);
    }
}

/* h:restore_builds(builds) -> #builds | nil, msg, code (one transaction) */
static int l_restore_builds(lua_State *L)
{
    int pg;
    void *h = check_end(L, &pg);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    size_t n = lua_rawlen(L, 2), total = 0;
    for (size_t i = 0; i < n; i++) {
        if (lua_rawgeti(L, 2, (lua_Integer)i + 1) != LUA_TTABLE) {
            return luaL_error(L, "pgstore: builds[%d] must be a table", (int)i + 1);
        }
        int ty = lua_getfield(L, -1, "values");
        luaL_argcheck(L, ty == LUA_TTABLE || ty == LUA_TNIL, 2, "'values' must be a table");
        total += ty == LUA_TTABLE ? lua_rawlen(L, -1) : 0;
        lua_pop(L, 2);
    }
    lua_newtable(L); /* 3: anchor */
    PgCopyBuild *b = lua_newuserdatauv(L, (n ? n : 1) * sizeof *b, 0);               /* 4 */
    StoreValueRow *v = lua_newuserdatauv(L, (total ? total : 1) * sizeof *v, 0); /* 5 */
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 2, (lua_Integer)i + 1); /* 6 */
        memset(&b[i], 0, sizeof b[i]);
        b[i].id = ldb_field_int(L, &lpg_ops, 6, "id", 1, "build");
        ldb_push_str(L, &lpg_ops, 6, "commit_sha", 0, "build");
        b[i].b.commit_sha = ldb_pin(L, 3);
        ldb_push_str(L, &lpg_ops, 6, "branch", 0, "build");
        b[i].b.branch = ldb_pin(L, 3);
        ldb_push_str(L, &lpg_ops, 6, "run_id", 0, "build");
        b[i].b.run_id = ldb_pin(L, 3);
        ldb_push_str(L, &lpg_ops, 6, "event_name", 1, "build");
        b[i].b.event_name = ldb_pin(L, 3);
        ldb_push_str(L, &lpg_ops, 6, "timestamp", 0, "build");
        b[i].b.timestamp = ldb_pin(L, 3);
        b[i].b.run_number = ldb_field_int(L, &lpg_ops, 6, "run_number", 0, "build");
        if (lua_getfield(L, 6, "values") == LUA_TTABLE) { /* 7 */
            size_t count = lua_rawlen(L, 7);
            luaL_argcheck(L, used + count <= total, 2, "'values' changed while reading");
            read_values(L, 7, 3, v + used, count);
            b[i].values = v + used;
            b[i].nvalues = count;
            used += count;
        }
        lua_settop(L, 5);
    }
    char err[LDB_ERRLEN];
    int rc = pg ? pgstore_restore_builds(h, b, n, err, sizeof err)
                : pgsqlite_restore_builds(h, b, n, err, sizeof err);
    if (rc != PGSTORE_OK) {
        return ldb_fail(L, &lpg_ops, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

const luaL_Reg lpg_copy_methods[] = {
    {"dump_builds",         l_dump_builds},
    {"dump_values",         l_dump_values},
    {"restore_definitions", l_restore_definitions},
    {"restore_builds",      l_restore_builds},
    {NULL, NULL},
};

