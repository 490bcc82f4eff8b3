/* ldb_query.c: the read methods of a Db (ldb.h) — timeline, all_values
 * (columnar, one query for every report value), series, baseline,
 * metric_definitions and read_transaction — and the row pushers, also used
 * by lpgstore_copy.c. Rows arrive through the backend's callbacks and are
 * pushed straight into Lua tables; a raise there (out of memory only)
 * leaves nothing behind that the Db's close or next query does not clean
 * up, since the handle is owned by the Db userdata. Depends on Lua, ldb.h. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>

#include "ldb.h"
#include "store.h"

/* {include_pull_requests = bool} -> STORE_WITH_PULL_REQUESTS. May raise. */
static unsigned query_flags(lua_State *L, const LdbOps *ops, int idx)
{
    static const char *const keys[] = {"include_pull_requests", NULL};
    if (!ldb_opts(L, ops, idx, keys)) {
        return 0;
    }
    return ldb_optbool(L, ops, idx, "include_pull_requests", 0) ? STORE_WITH_PULL_REQUESTS : 0;
}

/* ---- pushers ---------------------------------------------------------------- */

int ldb_push_build(void *ud, const StoreBuildRow *r)
{
    LdbAcc *a = ud;
    lua_State *L = a->L;
    lua_createtable(L, 0, 7);
    ldb_set_int(L, "id", r->id);
    ldb_set_str(L, "commit_sha", r->commit_sha);
    ldb_set_str(L, "branch", r->branch);
    ldb_set_str(L, "run_id", r->run_id);
    ldb_set_int(L, "run_number", r->run_number);
    ldb_set_str(L, "event_name", r->event_name);
    ldb_set_str(L, "timestamp", r->timestamp);
    lua_rawseti(L, a->tbl, ++a->n);
    return 0;
}

int ldb_push_value(void *ud, const StoreValueRow *r)
{
    LdbAcc *a = ud;
    lua_State *L = a->L;
    lua_Integer i = ++a->n;
    lua_pushinteger(L, (lua_Integer)r->build_id);
    lua_rawseti(L, a->tbl, i);
    lua_pushstring(L, r->metric_id);
    lua_rawseti(L, a->tbl + 1, i);
    if (r->is_numeric) {
        lua_pushnumber(L, r->value_numeric);
        lua_rawseti(L, a->tbl + 2, i);
    } else if (r->value_label != NULL) {
        lua_pushstring(L, r->value_label);
        lua_rawseti(L, a->tbl + 3, i);
    }
    return 0;
}

int ldb_push_series(void *ud, const StoreSeriesRow *r)
{
    LdbAcc *a = ud;
    lua_State *L = a->L;
    lua_createtable(L, 0, 8);
    ldb_set_int(L, "build_id", r->build_id);
    if (r->is_numeric) {
        lua_pushnumber(L, r->value_numeric);
        lua_setfield(L, -2, a->source ? "value" : "value_numeric");
    } else {
        ldb_set_str(L, "value_label", r->value_label);
    }
    ldb_set_str(L, "commit_sha", r->commit_sha);
    ldb_set_str(L, "branch", r->branch);
    ldb_set_int(L, "run_number", r->run_number);
    ldb_set_str(L, "timestamp", r->timestamp);
    if (a->source != NULL) {
        ldb_set_str(L, "source", a->source);
        return 0; /* the result stays on the stack */
    }
    lua_rawseti(L, a->tbl, ++a->n);
    return 0;
}

int ldb_push_def(void *ud, const StoreMetricDef *d)
{
    LdbAcc *a = ud;
    lua_State *L = a->L;
    lua_createtable(L, 0, 4);
    ldb_set_str(L, "id", d->id);
    ldb_set_str(L, "type", d->type);
    ldb_set_str(L, "unit", d->unit);
    ldb_set_str(L, "description", d->description);
    lua_rawseti(L, a->tbl, ++a->n);
    return 0;
}

void ldb_values_start(lua_State *L)
{
    for (int i = 0; i < 4; i++) {
        lua_newtable(L);
    }
}

void ldb_values_finish(lua_State *L, lua_Integer n)
{
    static const char *const cols[] = {"build_id", "metric_id", "value_numeric", "value_label"};
    lua_createtable(L, 0, 5); /* [c1, c2, c3, c4, result] */
    lua_insert(L, -5);        /* [result, c1, c2, c3, c4] */
    for (int i = 3; i >= 0; i--) {
        lua_setfield(L, -2 - i, cols[i]);
    }
    lua_pushinteger(L, n);
    lua_setfield(L, -2, "n");
}

/* ---- queries ---------------------------------------------------------------- */

/* db:timeline([{include_pull_requests=}]) -> {{id, commit_sha, branch,
 * run_id, run_number, event_name, timestamp}, ...} | nil, msg, code */
static int l_timeline(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    unsigned qf = query_flags(L, ops, 2);
    lua_settop(L, 2);
    lua_newtable(L);
    LdbAcc a = {L, 3, 0, NULL};
    char err[LDB_ERRLEN];
    int rc = ops->timeline(h, qf, ldb_push_build, &a, err, sizeof err);
    return rc == ops->ok_rc ? 1 : ldb_fail(L, ops, rc, err);
}

/* db:all_values([{include_pull_requests=}]) -> {n=, build_id={}, metric_id={},
 * value_numeric={}, value_label={}} (columns; nil holes) | nil, msg, code */
static int l_all_values(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    unsigned qf = query_flags(L, ops, 2);
    lua_settop(L, 2);
    ldb_values_start(L); /* 3..6 */
    LdbAcc a = {L, 3, 0, NULL};
    char err[LDB_ERRLEN];
    int rc = ops->values(h, qf, ldb_push_value, &a, err, sizeof err);
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    ldb_values_finish(L, a.n);
    return 1;
}

/* db:series(metric_id[, {include_pull_requests=}]) -> {{build_id,
 * value_numeric | value_label, commit_sha, branch, run_number, timestamp},
 * ...} | nil, msg, code */
static int l_series(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    const char *metric = luaL_checkstring(L, 2);
    unsigned qf = query_flags(L, ops, 3);
    lua_settop(L, 3);
    lua_newtable(L);
    LdbAcc a = {L, 4, 0, NULL};
    char err[LDB_ERRLEN];
    int rc = ops->series(h, metric, qf, ldb_push_series, &a, err, sizeof err);
    return rc == ops->ok_rc ? 1 : ldb_fail(L, ops, rc, err);
}

/* Epoch milliseconds -> YYYY-MM-DDTHH:MM:SS.sssZ */
static void format_ms(lua_Number ms, char *out, size_t len)
{
    double secs = floor(ms / 1000.0);
    time_t t = (time_t)secs;
    int frac = (int)(ms - secs * 1000.0);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, len - n, ".%03dZ", frac);
}

/* db:baseline(metric_id, {commit=sha}) or
 * db:baseline(metric_id, {branch=, max_age_days=, now=ISO|epoch ms})
 * -> {value, build_id, commit_sha, branch, run_number, timestamp, source}
 *    | nil (no baseline) | nil, msg, code */
static int l_baseline(lua_State *L)
{
    static const char *const keys[] = {"commit", "branch", "max_age_days", "now", NULL};
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    const char *metric = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    ldb_opts(L, ops, 3, keys);
    lua_settop(L, 3);
    int tc = lua_getfield(L, 3, "commit");       /* 4 */
    int tb = lua_getfield(L, 3, "branch");       /* 5 */
    int ta = lua_getfield(L, 3, "max_age_days"); /* 6 */
    int tn = lua_getfield(L, 3, "now");          /* 7 */
    char now[64];
    const char *nowp = NULL;
    if (tc != LUA_TNIL) {
        luaL_argcheck(L, tc == LUA_TSTRING, 3, "'commit' must be a string");
        luaL_argcheck(L, tb == LUA_TNIL && ta == LUA_TNIL && tn == LUA_TNIL, 3,
                      "'commit' excludes 'branch', 'max_age_days' and 'now'");
    } else {
        luaL_argcheck(L, tb == LUA_TSTRING, 3, "'branch' (string) is required");
        luaL_argcheck(L, ta == LUA_TNUMBER && lua_tonumber(L, 6) >= 0, 3,
                      "'max_age_days' (non-negative number) is required");
        if (tn == LUA_TNUMBER) {
            format_ms(lua_tonumber(L, 7), now, sizeof now);
            nowp = now;
        } else {
            luaL_argcheck(L, tn == LUA_TNIL || tn == LUA_TSTRING, 3,
                          "'now' must be a timestamp string or epoch milliseconds");
            nowp = lua_tostring(L, 7);
        }
    }
    LdbAcc a = {L, 0, 0, tc != LUA_TNIL ? "merge-base" : "latest"};
    char err[LDB_ERRLEN];
    int found = 0, rc;
    if (tc != LUA_TNIL) {
        rc = ops->baseline_commit(h, metric, lua_tostring(L, 4), ldb_push_series, &a, &found,
                                  err, sizeof err);
    } else {
        rc = ops->baseline_latest(h, metric, lua_tostring(L, 5), lua_tonumber(L, 6), nowp,
                                  ldb_push_series, &a, &found, err, sizeof err);
    }
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    if (!found) {
        lua_pushnil(L);
    }
    return 1;
}

/* db:metric_definitions() -> {{id, type, unit, description}, ...} in
 * insertion order | nil, msg, code */
static int l_metric_definitions(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    lua_settop(L, 1);
    lua_newtable(L);
    LdbAcc a = {L, 2, 0, NULL};
    char err[LDB_ERRLEN];
    int rc = ops->metric_definitions(h, ldb_push_def, &a, err, sizeof err);
    return rc == ops->ok_rc ? 1 : ldb_fail(L, ops, rc, err);
}

/* db:read_transaction(fn) -> fn(db)'s results. The queries inside see one
 * snapshot of the database; writes inside raise. Errors in fn propagate. */
static int l_read_transaction(lua_State *L)
{
    const LdbOps *ops = LDB_OPS(L);
    void *h = ldb_check(L, 1, ops);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    char err[LDB_ERRLEN];
    int rc = ops->begin_read(h, err, sizeof err);
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 1);
    int status = lua_pcall(L, 1, LUA_MULTRET, 0);
    h = ldb_peek(L, 1, ops); /* fn may have closed the Db */
    rc = h ? ops->end_read(h, err, sizeof err) : ops->ok_rc;
    if (status != LUA_OK) {
        return lua_error(L);
    }
    if (rc != ops->ok_rc) {
        return ldb_fail(L, ops, rc, err);
    }
    return lua_gettop(L) - 2;
}

const luaL_Reg ldb_query_methods[] = {
    {"timeline",           l_timeline},
    {"all_values",         l_all_values},
    {"series",             l_series},
    {"baseline",           l_baseline},
    {"metric_definitions", l_metric_definitions},
    {"read_transaction",   l_read_transaction},
    {NULL, NULL},
};
