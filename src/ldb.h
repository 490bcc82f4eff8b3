/* ldb.h: the backend-neutral Lua binding of a metrics Db, shared by
 * unentropy.store (SQLite, lstore.c) and unentropy.pgstore (PostgreSQL,
 * lpgstore.c). A backend fills one LdbOps (the engine vtable, as in style
 * item 6) and ldb_register builds the Db metatable: ldb.c holds the Db
 * userdata, option and record readers and row pushers, ldb_query.c the read
 * methods, ldb_write.c record_build/import and ldb_import.c the streaming
 * Import. Every Db method gets its LdbOps as upvalue 1. Depends on Lua and
 * store.h (the row and callback types both backends use). */
#ifndef UNENTROPY_LDB_H
#define UNENTROPY_LDB_H

#include <stddef.h>
#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "store.h"

#define LDB_ERRLEN 1024

/* One backend. `h` is the backend's handle (Store *, PgStore *); every
 * function has the contract of the store.h function of the same name. */
typedef struct LdbOps {
    const char *name;        /* message prefix: "store", "pgstore" */
    const char *db_tname;    /* Db metatable name */
    const char *import_tname; /* Import metatable name */
    int ok_rc;               /* success rc (SQLITE_OK, PGSTORE_OK) */
    int misuse_rc;           /* rc that raises instead of returning */
    int stream_ts_check;     /* imp:add checks the timestamp in Lua */
    void (*close)(void *h);
    const char *(*location)(const void *h); /* db:path() and __tostring */
    int (*readonly)(const void *h);
    const char *(*warning)(const void *h);
    const char *(*schema_version)(const void *h);
    int (*record_build)(void *h, const StoreBuild *b, const StoreValue *v, size_t n,
                        int64_t *id, char *err, size_t errlen);
    int (*import)(void *h, const StoreImportRecord *r, size_t n, int64_t *inserted, char *err,
                  size_t errlen);
    int (*import_begin)(void *h, char *err, size_t errlen);
    int (*import_add)(void *h, const StoreImportRecord *r, char *err, size_t errlen);
    int (*import_commit)(void *h, int64_t *inserted, char *err, size_t errlen);
    void (*import_rollback)(void *h);
    int (*import_active)(const void *h);
    int64_t (*import_count)(const void *h);
    int (*timeline)(void *h, unsigned qflags, store_build_cb cb, void *ud, char *err,
                    size_t errlen);
    int (*values)(void *h, unsigned qflags, store_value_cb cb, void *ud, char *err,
                  size_t errlen);
    int (*series)(void *h, const char *metric_id, unsigned qflags, store_series_cb cb, void *ud,
                  char *err, size_t errlen);
    int (*baseline_latest)(void *h, const char *metric_id, const char *branch,
                           double max_age_days, const char *now, store_series_cb cb, void *ud,
                           int *found, char *err, size_t errlen);
    int (*baseline_commit)(void *h, const char *metric_id, const char *sha, store_series_cb cb,
                           void *ud, int *found, char *err, size_t errlen);
    int (*metric_definitions)(void *h, store_def_cb cb, void *ud, char *err, size_t errlen);
    int (*build_count)(void *h, int64_t *out, char *err, size_t errlen);
    int (*max_run_number)(void *h, int64_t *out, char *err, size_t errlen);
    int (*begin_read)(void *h, char *err, size_t errlen);
    int (*end_read)(void *h, char *err, size_t errlen);
} LdbOps;

/* LDB_OPS_FORWARD(P) defines the static forwarders op_<verb>(void *h, ...)
 * -> P_<verb>(h, ...) for every LdbOps verb whose backend function is named
 * P_<verb> with the store.h parameters (P is `store` or `pgstore`), and
 * LDB_OPS_FORWARDED lists them as designated initializers. The handle
 * converts from void * to the backend's type, so each call is type-checked.
 * close, location and readonly differ per backend and are written by hand. */
#define LDB_OPS_FORWARD(P)                                                                   \
    static const char *op_warning(const void *h) { return P##_warning(h); }                 \
    static const char *op_schema_version(const void *h) { return P##_schema_version(h); }   \
    static int op_record_build(void *h, const StoreBuild *b, const StoreValue *v, size_t n,  \
                               int64_t *id, char *err, size_t errlen)                        \
    {                                                                                        \
        return P##_record_build(h, b, v, n, id, err, errlen);                                \
    }                                                                                        \
    static int op_import(void *h, const StoreImportRecord *r, size_t n, int64_t *inserted,  \
                         char *err, size_t errlen)                                           \
    {                                                                                        \
        return P##_import(h, r, n, inserted, err, errlen);                                   \
    }                                                                                        \
    static int op_import_begin(void *h, char *err, size_t errlen)                            \
    {                                                                                        \
        return P##_import_begin(h, err, errlen);                                             \
    }                                                                                        \
    static int op_import_add(void *h, const StoreImportRecord *r, char *err, size_t errlen)  \
    {                                                                                        \
        return P##_import_add(h, r, err, errlen);                                            \
    }                                                                                        \
    static int op_import_commit(void *h, int64_t *inserted, char *err, size_t errlen)        \
    {                                                                                        \
        return P##_import_commit(h, inserted, err, errlen);                                  \
    }                                                                                        \
    static void op_import_rollback(void *h) { P##_import_rollback(h); }                      \
    static int op_import_active(const void *h) { return P##_import_active(h); }              \
    static int64_t op_import_count(const void *h) { return P##_import_count(h); }            \
    static int op_timeline(void *h, unsigned qf, store_build_cb cb, void *ud, char *err,     \
                           size_t errlen)                                                    \
    {                                                                                        \
        return P##_timeline(h, qf, cb, ud, err, errlen);                                     \
    }                                                                                        \
    static int op_values(void *h, unsigned qf, store_value_cb cb, void *ud, char *err,       \
                         size_t errlen)                                                      \
    {                                                                                        \
        return P##_values(h, qf, cb, ud, err, errlen);                                       \
    }                                                                                        \
    static int op_series(void *h, const char *metric, unsigned qf, store_series_cb cb,       \
                         void *ud, char *err, size_t errlen)                                 \
    {                                                                                        \
        return P##_series(h, metric, qf, cb, ud, err, errlen);                               \
    }                                                                                        \
    static int op_baseline_latest(void *h, const char *metric, const char *branch,           \
                                  double days, const char *now, store_series_cb cb,          \
                                  void *ud, int *found, char *err, size_t errlen)            \
    {                                                                                        \
        return P##_baseline_latest(h, metric, branch, days, now, cb, ud, found, err, errlen); \
    }                                                                                        \
    static int op_baseline_commit(void *h, const char *metric, const char *sha,              \
                                  store_series_cb cb, void *ud, int *found, char *err,       \
                                  size_t errlen)                                             \
    {                                                                                        \
        return P##_baseline_commit(h, metric, sha, cb, ud, found, err, errlen);              \
    }                                                                                        \
    static int op_metric_definitions(void *h, store_def_cb cb, void *ud, char *err,          \
                                     size_t errlen)                                          \
    {                                                                                        \
        return P##_metric_definitions(h, cb, ud, err, errlen);                               \
    }                                                                                        \
    static int op_build_count(void *h, int64_t *out, char *err, size_t errlen)               \
    {                                                                                        \
        return P##_build_count(h, out, err, errlen);                                         \
    }                                                                                        \
    static int op_max_run_number(void *h, int64_t *out, char *err, size_t errlen)            \
    {                                                                                        \
        return P##_max_run_number(h, out, err, errlen);                                      \
    }                                                                                        \
    static int op_begin_read(void *h, char *err, size_t errlen)                              \
    {                                                                                        \
        return P##_begin_read(h, err, errlen);                                               \
    }                                                                                        \
    static int op_end_read(void *h, char *err, size_t errlen)                                \
    {                                                                                        \
        return P##_end_read(h, err, errlen);                                                 \
    }

#define LDB_OPS_FORWARDED                                                                    \
    .warning = op_warning, .schema_version = op_schema_version,                              \
    .record_build = op_record_build, .import = op_import, .import_begin = op_import_begin,   \
    .import_add = op_import_add, .import_commit = op_import_commit,                          \
    .import_rollback = op_import_rollback, .import_active = op_import_active,                \
    .import_count = op_import_count, .timeline = op_timeline, .values = op_values,           \
    .series = op_series, .baseline_latest = op_baseline_latest,                              \
    .baseline_commit = op_baseline_commit, .metric_definitions = op_metric_definitions,      \
    .build_count = op_build_count, .max_run_number = op_max_run_number,                      \
    .begin_read = op_begin_read, .end_read = op_end_read

/* The LdbOps of the running Db method (its upvalue 1). */
#define LDB_OPS(L) ((const LdbOps *)lua_touserdata((L), lua_upvalueindex(1)))

/* Builds the Db metatable of `ops` (methods: the shared ones plus each list
 * of the NULL-terminated `extra`, all with `ops` as upvalue 1). Pushes
 * nothing. May raise (memory). */
void ldb_register(lua_State *L, const LdbOps *ops, const luaL_Reg *const extra[]);

/* Pushes a closed Db of `ops`; ldb_set then gives the Db at idx handle h
 * (ownership passes to the Db). May raise (memory). */
void ldb_new(lua_State *L, const LdbOps *ops);
void ldb_set(lua_State *L, int idx, const LdbOps *ops, void *h);

/* The handle of the Db at idx. May raise: not a Db, or a closed one
 * ("attempt to use a closed Db"). ldb_peek returns NULL when closed. */
void *ldb_check(lua_State *L, int idx, const LdbOps *ops);
void *ldb_peek(lua_State *L, int idx, const LdbOps *ops);

/* Pushes nil, err, rc and returns 3; raises err for ops->misuse_rc. */
int ldb_fail(lua_State *L, const LdbOps *ops, int rc, const char *err);

/* nil or a table at idx whose keys are all in `keys` (NULL terminated);
 * may raise "<name>: unknown option 'x'". Returns 1 for a table. */
int ldb_opts(lua_State *L, const LdbOps *ops, int idx, const char *const keys[]);
/* Boolean option `key` of the table at idx (nil -> def). May raise. */
int ldb_optbool(lua_State *L, const LdbOps *ops, int idx, const char *key, int def);

/* Record fields (messages name the table `what`). ldb_push_str pushes
 * t[key]: a string without NUL bytes, or nil when `optional`.
 * ldb_field_int reads a non-negative integer (0 for nil when optional).
 * ldb_read_value reads value_numeric into *num and pushes value_label (or
 * nil); exactly one must be set; NaN is refused. Returns 1 for numeric.
 * All may raise. */
void ldb_push_str(lua_State *L, const LdbOps *ops, int t, const char *key, int optional,
                  const char *what);
lua_Integer ldb_field_int(lua_State *L, const LdbOps *ops, int t, const char *key, int optional,
                          const char *what);
int ldb_read_value(lua_State *L, const LdbOps *ops, int t, double *num, const char *what);

/* Pops the string (or nil) on top into the anchor table at `anchor`;
 * returns its pointer (valid while the anchor lives) or NULL. */
const char *ldb_pin(lua_State *L, int anchor);
/* Reads the import record table at t into *r; its strings go to the anchor
 * table. i > 0 also checks the timestamp, naming records[i]. May raise. */
void ldb_read_record(lua_State *L, const LdbOps *ops, int t, int anchor, StoreImportRecord *r,
                     lua_Integer i);

/* Row accumulators for the store.h callbacks: tbl is the absolute index of
 * the result array (for values: of the first of four column tables);
 * source is set for a baseline ("latest" / "merge-base"), whose one row
 * stays on the stack. */
typedef struct LdbAcc {
    lua_State *L;
    int tbl;
    lua_Integer n;
    const char *source;
} LdbAcc;
int ldb_push_build(void *ud, const StoreBuildRow *r);
int ldb_push_value(void *ud, const StoreValueRow *r);
int ldb_push_series(void *ud, const StoreSeriesRow *r);
int ldb_push_def(void *ud, const StoreMetricDef *d);
/* Pushes 4 empty column tables (build_id, metric_id, value_numeric,
 * value_label); ldb_values_finish folds them into {n=, columns...}. */
void ldb_values_start(lua_State *L);
void ldb_values_finish(lua_State *L, lua_Integer n);

/* t[key] = v on the table on top (nothing for a NULL string). */
void ldb_set_str(lua_State *L, const char *key, const char *v);
void ldb_set_int(lua_State *L, const char *key, int64_t v);

/* Shared Db methods: ldb_query.c, ldb_write.c (with ldb_import.c). */
extern const luaL_Reg ldb_query_methods[];
extern const luaL_Reg ldb_write_methods[];
int ldb_import_begin(lua_State *L);

#endif
