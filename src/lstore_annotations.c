/* lstore_annotations.c: the Db methods of the noise-aware gate —
 * db:window (the statistical window), db:annotate, db:annotations and
 * db:remove_annotation — over store_window.c and store_annotations.c.
 * Registered on the Db method table by luaopen_unentropy_store
 * (lstore_annotation_methods). Depends on Lua, store.h, store_history.h
 * and ldb.h (LdbAcc, option and row helpers). */
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <sqlite3.h>

#include "ldb.h"
#include "lstore.h"
#include "store.h"
#include "store_history.h"

/* A required string field of the table at idx (no NUL bytes). May raise. */
static const char *field_str(lua_State *L, int idx, const char *key, int optional)
{
    int t = lua_getfield(L, idx, key);
    if (t == LUA_TNIL && optional) {
        lua_pop(L, 1);
        return NULL;
    }
    size_t len = 0;
    const char *v = t == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    if (v == NULL || strlen(v) != len) {
        luaL_error(L, "store: '%s' must be a string", key);
    }
    lua_pop(L, 1); /* still referenced by the table at idx */
    return v;
}

static int push_window_row(void *ud, const StoreSeriesRow *r)
{
    LdbAcc *a = ud;
    lua_State *L = a->L;
    lua_createtable(L, 0, 6);
    ldb_set_int(L, "build_id", r->build_id);
    lua_pushnumber(L, r->value_numeric);
    lua_setfield(L, -2, "value");
    ldb_set_str(L, "commit_sha", r->commit_sha);
    ldb_set_str(L, "branch", r->branch);
    ldb_set_int(L, "run_number", r->run_number);
    ldb_set_str(L, "timestamp", r->timestamp);
    lua_rawseti(L, a->tbl, ++a->n);
    return 0;
}

/* db:window(metric_id, {branch=, limit=, max_age_days=, now=epoch ms,
 * after_reset=bool}) -> {{build_id, value, commit_sha, branch, run_number,
 * timestamp}, ...} oldest first | nil, msg, code */
static int l_window(lua_State *L)
{
    static const char *const keys[] = {"branch", "limit", "max_age_days", "now", "after_reset",
                                       NULL};
    Store *s = lstore_check(L, 1);
    StoreWindowQuery q = {0};
    q.metric_id = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    ldb_opts(L, &lstore_ops, 3, keys);
    q.branch = field_str(L, 3, "branch", 0);
    int ok = 0;
    lua_getfield(L, 3, "limit");
    q.limit = (int64_t)lua_tointegerx(L, -1, &ok);
    luaL_argcheck(L, ok && q.limit >= 1, 3, "'limit' (integer >= 1) is required");
    int ta = lua_getfield(L, 3, "max_age_days");
    luaL_argcheck(L, ta == LUA_TNIL || ta == LUA_TNUMBER, 3, "'max_age_days' must be a number");
    q.max_age_days = ta == LUA_TNIL ? 0 : lua_tonumber(L, -1);
    int tn = lua_getfield(L, 3, "now");
    luaL_argcheck(L, tn == LUA_TNUMBER || (tn == LUA_TNIL && q.max_age_days <= 0), 3,
                  "'now' (epoch milliseconds) is required with 'max_age_days'");
    q.now_ms = tn == LUA_TNIL ? NAN : lua_tonumber(L, -1);
    lua_pop(L, 3);
    q.after_reset = ldb_optbool(L, &lstore_ops, 3, "after_reset", 0);
    lua_newtable(L);
    LdbAcc a = {L, lua_gettop(L), 0, NULL};
    char err[LDB_ERRLEN];
    int rc = store_window(s, &q, push_window_row, &a, err, sizeof err);
    return rc == SQLITE_OK ? 1 : ldb_fail(L, &lstore_ops, rc, err);
}

/* db:annotate({metric_id=, commit_sha=, note=, reset=bool, created_at=ISO})
 * -> id | nil, msg, code */
static int l_annotate(lua_State *L)
{
    static const char *const keys[] = {"metric_id", "commit_sha", "note", "reset", "created_at",
                                       NULL};
    Store *s = lstore_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    ldb_opts(L, &lstore_ops, 2, keys);
    StoreAnnotation an = {0};
    an.metric_id = field_str(L, 2, "metric_id", 0);
    an.commit_sha = field_str(L, 2, "commit_sha", 0);
    an.note = field_str(L, 2, "note", 0);
    an.created_at = field_str(L, 2, "created_at", 0);
    an.reset = ldb_optbool(L, &lstore_ops, 2, "reset", 0);
    int64_t id = 0;
    char err[LDB_ERRLEN];
    int rc = store_annotation_add(s, &an, &id, err, sizeof err);
    if (rc != SQLITE_OK) {
        return ldb_fail(L, &lstore_ops, rc, err);
    }
    lua_pushinteger(L, (lua_Integer)id);
    return 1;
}

/* db:remove_annotation(metric_id, commit_sha) -> removed (boolean) | nil, msg, code */
static int l_remove_annotation(lua_State *L)
{
    Store *s = lstore_check(L, 1);
    const char *metric = luaL_checkstring(L, 2);
    const char *sha = luaL_checkstring(L, 3);
    int removed = 0;
    char err[LDB_ERRLEN];
    int rc = store_annotation_remove(s, metric, sha, &removed, err, sizeof err);
    if (rc != SQLITE_OK) {
        return ldb_fail(L, &lstore_ops, rc, err);
    }
    lua_pushboolean(L, removed > 0);
    return 1;
}

static int push_annotation(void *ud, const StoreAnnotation *an)
{
    LdbAcc *a = ud;
    lua_State *L = a->L;
    lua_createtable(L, 0, 6);
    ldb_set_int(L, "id", an->id);
    ldb_set_str(L, "metric_id", an->metric_id);
    ldb_set_str(L, "commit_sha", an->commit_sha);
    ldb_set_str(L, "note", an->note);
    lua_pushboolean(L, an->reset);
    lua_setfield(L, -2, "reset");
    ldb_set_str(L, "created_at", an->created_at);
    lua_rawseti(L, a->tbl, ++a->n);
    return 0;
}

/* db:annotations([metric_id]) -> {{id, metric_id, commit_sha, note, reset,
 * created_at}, ...} ({} without the table) | nil, msg, code */
static int l_annotations(lua_State *L)
{
    Store *s = lstore_check(L, 1);
    const char *metric = luaL_optstring(L, 2, NULL);
    lua_newtable(L);
    LdbAcc a = {L, lua_gettop(L), 0, NULL};
    char err[LDB_ERRLEN];
    int rc = store_annotations(s, metric, push_annotation, &a, err, sizeof err);
    return rc == SQLITE_OK ? 1 : ldb_fail(L, &lstore_ops, rc, err);
}

const luaL_Reg lstore_annotation_methods[] = {
    {"window",            l_window},
    {"annotate",          l_annotate},
    {"remove_annotation", l_remove_annotation},
    {"annotations",       l_annotations},
    {NULL, NULL},
};
