/* test_store_queries.c: cmocka suite for store_write.c and store_query.c —
 * recording builds and reading them back, re-run replacement, definition
 * upserts, the pull-request event filter, ordering by instant whatever the
 * stored timestamp form, baselines (age cutoff, merge-base), import, busy
 * retries against a second connection holding the write lock, read
 * snapshots, and forked processes writing one file at the same time.
 * Depends on cmocka, sqlite3, pthreads and store.h. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "store.h"
#include "store_fixture.h"

static const char *const ONE[] = {"m"};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Inserts a build the way another tool might have written it (any
 * timestamp form), with one numeric value of metric "m". */
static int64_t raw_build(sqlite3 *db, const char *sha, const char *branch, const char *event,
                         const char *ts, double v)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO build_contexts (commit_sha, branch, run_id,"
                                        " run_number, event_name, timestamp) VALUES (?, ?, ?, 1,"
                                        " ?, ?)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, branch, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ts, -1, SQLITE_TRANSIENT);
    if (event) {
        sqlite3_bind_text(st, 4, event, -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(st, 5, ts, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    int64_t id = sqlite3_last_insert_rowid(db);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO metric_values (metric_id, build_id,"
                                        " value_numeric) VALUES ('m', ?, ?)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_double(st, 2, v);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    return id;
}

/* ---- collectors ------------------------------------------------------------- */

typedef struct Rows {
    int n;
    int64_t build[64];
    char metric[64][32];
    double num[64];
    char label[64][32];
    int is_num[64];
    char ts[64][40];
    char sha[64][48];
} Rows;

static int collect_value(void *ud, const StoreValueRow *r)
{
    Rows *x = ud;
    x->build[x->n] = r->build_id;
    snprintf(x->metric[x->n], 32, "%s", r->metric_id);
    x->is_num[x->n] = r->is_numeric;
    x->num[x->n] = r->value_numeric;
    snprintf(x->label[x->n], 32, "%s", r->value_label ? r->value_label : "(null)");
    x->n++;
    return 0;
}

static int collect_series(void *ud, const StoreSeriesRow *r)
{
    Rows *x = ud;
    x->build[x->n] = r->build_id;
    x->is_num[x->n] = r->is_numeric;
    x->num[x->n] = r->value_numeric;
    snprintf(x->label[x->n], 32, "%s", r->value_label ? r->value_label : "(null)");
    snprintf(x->ts[x->n], 40, "%s", r->timestamp);
    snprintf(x->sha[x->n], 48, "%s", r->commit_sha);
    x->n++;
    return 0;
}

static int collect_def(void *ud, const StoreMetricDef *d)
{
    Rows *x = ud;
    snprintf(x->metric[x->n], 32, "%s", d->id);
    snprintf(x->label[x->n], 32, "%s|%s|%s", d->type, d->unit ? d->unit : "-",
             d->description ? d->description : "-");
    x->n++;
    return 0;
}

static void timeline(Store *s, unsigned qf, FxIds *ids)
{
    char err[512];
    ids->n = 0;
    assert_int_equal(store_timeline(s, qf, fx_collect_build, ids, err, sizeof err), SQLITE_OK);
}

static void assert_ids(const FxIds *ids, const int64_t *expect, int n)
{
    assert_int_equal(ids->n, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(ids->ids[i], expect[i]);
    }
}

/* ---- tests --------------------------------------------------------------------- */

static void test_record_and_read_back(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    StoreBuild b = {"abc123", "main", "run-1", 42, "push", "2025-03-01T12:00:00.250Z"};
    StoreValue v[] = {
        {"coverage", "numeric", "percent", "Line coverage", 1, 87.5, NULL},
        {"status", "label", NULL, NULL, 0, 0, "green"},
        {"size", "numeric", "bytes", NULL, 1, INFINITY, NULL},
        {"debt", "numeric", NULL, NULL, 1, -INFINITY, NULL},
    };
    int64_t id = 0;
    char err[512] = "";
    assert_int_equal(store_record_build(s, &b, v, 4, &id, err, sizeof err), SQLITE_OK);
    assert_int_equal(id, 1);

    FxIds ids;
    timeline(s, 0, &ids);
    assert_ids(&ids, (int64_t[]){1}, 1);
    Rows r = {0};
    assert_int_equal(store_values(s, 0, collect_value, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.metric[0], "coverage");
    assert_true(r.is_num[0] && r.num[0] == 87.5);
    assert_string_equal(r.metric[1], "status");
    assert_false(r.is_num[1]);
    assert_string_equal(r.label[1], "green");
    assert_true(isinf(r.num[2]) && r.num[2] > 0);
    assert_true(isinf(r.num[3]) && r.num[3] < 0);

    memset(&r, 0, sizeof r);
    assert_int_equal(store_series(s, "status", 0, collect_series, &r, err, sizeof err),
                     SQLITE_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.label[0], "green");
    assert_string_equal(r.ts[0], "2025-03-01T12:00:00.250Z");
    assert_string_equal(r.sha[0], "abc123");

    memset(&r, 0, sizeof r);
    assert_int_equal(store_metric_definitions(s, collect_def, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.metric[0], "coverage");
    assert_string_equal(r.label[0], "numeric|percent|Line coverage");
    assert_string_equal(r.metric[1], "status");
    assert_string_equal(r.label[1], "label|-|-");
    assert_string_equal(r.metric[3], "debt");

    int64_t n = 0;
    assert_int_equal(store_max_run_number(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 42);
    store_close(s);
}

static void test_rerun_replaces_values_and_keeps_id(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    const char *ids2[] = {"a", "b"};
    int64_t first = fx_record(s, "sha1", "main", "77", "push", "2025-01-01T00:00:00.000Z", ids2,
                              (double[]){1, 2}, 2);
    int64_t other = fx_record(s, "sha1", "main", "78", "push", "2025-01-01T00:05:00.000Z", ONE,
                              (double[]){5}, 1);
    assert_int_not_equal(first, other);
    /* Same commit and run id: a re-run job. */
    StoreBuild b = {"sha1", "fix", "77", 9, "workflow_dispatch", "2025-01-02T00:00:00.000Z"};
    StoreValue v[] = {{"a", "numeric", NULL, NULL, 1, 10, NULL}};
    int64_t again = 0;
    char err[512];
    assert_int_equal(store_record_build(s, &b, v, 1, &again, err, sizeof err), SQLITE_OK);
    assert_int_equal(again, first);
    int64_t n = 0;
    assert_int_equal(store_build_count(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 2);
    Rows r = {0};
    assert_int_equal(store_series(s, "a", 0, collect_series, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 1);
    assert_true(r.num[0] == 10);
    assert_string_equal(r.ts[0], "2025-01-02T00:00:00.000Z");
    memset(&r, 0, sizeof r);
    assert_int_equal(store_series(s, "b", 0, collect_series, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 0); /* replaced, not merged */
    assert_int_equal(store_max_run_number(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 9);
    FxIds t;
    timeline(s, 0, &t);
    assert_ids(&t, (int64_t[]){other, first}, 2); /* moved by its new timestamp */
    store_close(s);
}

static void test_definitions_upsert(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    StoreBuild b = {"c1", "main", "r1", 1, "push", "2025-01-01T00:00:00.000Z"};
    StoreValue v = {"x", "numeric", "bytes", "Bundle", 1, 1, NULL};
    char err[512];
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_OK);
    b.run_id = "r2";
    v = (StoreValue){"x", "numeric", NULL, NULL, 1, 2, NULL}; /* NULL keeps stored */
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_OK);
    Rows r = {0};
    assert_int_equal(store_metric_definitions(s, collect_def, &r, err, sizeof err), SQLITE_OK);
    assert_string_equal(r.label[0], "numeric|bytes|Bundle");
    b.run_id = "r3";
    v = (StoreValue){"x", "label", "percent", "New", 0, 0, "text"}; /* type is fixed */
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_OK);
    memset(&r, 0, sizeof r);
    assert_int_equal(store_metric_definitions(s, collect_def, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.label[0], "numeric|percent|New");
    store_close(s);
}

static void test_build_without_values(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    StoreBuild b = {"c1", "main", "r1", 3, "push", "2025-01-01T00:00:00.000Z"};
    int64_t id = 0;
    char err[512];
    assert_int_equal(store_record_build(s, &b, NULL, 0, &id, err, sizeof err), SQLITE_OK);
    assert_int_equal(id, 1);
    int64_t n = 0;
    assert_int_equal(store_build_count(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 1);
    FxIds t;
    timeline(s, STORE_WITH_PULL_REQUESTS, &t);
    assert_int_equal(t.n, 0);
    store_close(s);
}

static void test_event_filter(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    const char *events[] = {"push", "pull_request", NULL, "pull_request_target", "schedule",
                            "local", "import", "workflow_dispatch"};
    for (int i = 0; i < 8; i++) {
        char sha[8], ts[32];
        snprintf(sha, sizeof sha, "c%d", i);
        snprintf(ts, sizeof ts, "2025-01-0%dT00:00:00.000Z", i + 1);
        fx_record(s, sha, "main", sha, events[i], ts, ONE, (double[]){i}, 1);
    }
    FxIds t;
    timeline(s, 0, &t);
    assert_ids(&t, (int64_t[]){1, 3, 5, 6, 7, 8}, 6);
    timeline(s, STORE_WITH_PULL_REQUESTS, &t);
    assert_int_equal(t.n, 8);
    Rows r = {0};
    char err[512];
    assert_int_equal(store_values(s, 0, collect_value, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 6);
    memset(&r, 0, sizeof r);
    assert_int_equal(store_series(s, "m", 0, collect_series, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 6);
    assert_int_equal(r.build[1], 3);
    memset(&r, 0, sizeof r);
    assert_int_equal(store_series(s, "m", STORE_WITH_PULL_REQUESTS, collect_series, &r, err,
                                  sizeof err),
                     SQLITE_OK);
    assert_int_equal(r.n, 8);
    /* The newest build is a pull request on main: never a baseline. */
    fx_record(s, "pr", "main", "pr", "pull_request", "2025-02-01T00:00:00.000Z", ONE,
              (double[]){99}, 1);
    memset(&r, 0, sizeof r);
    int found = 0;
    assert_int_equal(store_baseline_latest(s, "m", "main", 365, "2025-02-02T00:00:00Z",
                                           collect_series, &r, &found, err, sizeof err),
                     SQLITE_OK);
    assert_true(found);
    assert_true(r.num[0] == 7);
    memset(&r, 0, sizeof r);
    assert_int_equal(store_baseline_commit(s, "m", "pr", collect_series, &r, &found, err,
                                           sizeof err),
                     SQLITE_OK);
    assert_false(found);
    store_close(s);
}

static void test_order_by_instant(void **state)
{
    const char *p = fx_path("order.db");
    store_close(fx_open(p, STORE_CREATE));
    sqlite3 *db = fx_raw(p);
    fx_exec(db, "INSERT INTO metric_definitions (id, type) VALUES ('m', 'numeric')");
    /* Lexical order differs from instant order; forms as upstream stored. */
    int64_t a = raw_build(db, "a", "main", "push", "2025-01-01T23:00:00+05:00", 1); /* 18:00Z */
    int64_t b = raw_build(db, "b", "main", "push", "2025-01-01T20:00:00Z", 2);
    int64_t c = raw_build(db, "c", "main", NULL, "2025-01-01 19:00:00", 3);
    int64_t d = raw_build(db, "d", "main", "push", "2025-01-01T18:00:00.000Z", 4); /* = a */
    raw_build(db, "e", "main", "push", "yesterday", 5);
    int64_t f = raw_build(db, "f", "main", "push", "2025-01-01T12:00:00.5-02:00", 6); /* 14:00Z */
    sqlite3_close(db);
    Store *s = fx_open(p, STORE_READONLY);
    FxIds t;
    timeline(s, 0, &t);
    assert_ids(&t, (int64_t[]){f, a, d, c, b}, 5); /* unparseable "yesterday" left out */
    Rows r = {0};
    char err[512];
    int found = 0;
    assert_int_equal(store_baseline_latest(s, "m", "main", 30, "2025-01-02T00:00:00.000Z",
                                           collect_series, &r, &found, err, sizeof err),
                     SQLITE_OK);
    assert_true(found);
    assert_true(r.num[0] == 2); /* 20:00Z is the latest instant */
    store_close(s);
}

static void test_baseline_max_age(void **state)
{
    const char *p = fx_path("age.db");
    store_close(fx_open(p, STORE_CREATE));
    sqlite3 *db = fx_raw(p);
    fx_exec(db, "INSERT INTO metric_definitions (id, type) VALUES ('m', 'numeric')");
    raw_build(db, "old", "main", "push", "2025-02-27T23:59:59.999Z", 1); /* 24h + 1 ms */
    raw_build(db, "dev", "dev", "push", "2025-02-28T12:00:00.000Z", 2);
    sqlite3_close(db);
    Store *s = fx_open(p, STORE_READONLY);
    const char *now = "2025-03-01T00:00:00.000Z";
    Rows r = {0};
    char err[512];
    int found = 1;
    assert_int_equal(store_baseline_latest(s, "m", "main", 1, now, collect_series, &r, &found,
                                           err, sizeof err),
                     SQLITE_OK);
    assert_false(found);
    store_close(s);
    /* Exactly 24 h before now, written with an offset: inside the window. */
    db = fx_raw(p);
    raw_build(db, "edge", "main", "push", "2025-02-28T01:00:00+01:00", 3);
    sqlite3_close(db);
    s = fx_open(p, STORE_READONLY);
    assert_int_equal(store_baseline_latest(s, "m", "main", 1, now, collect_series, &r, &found,
                                           err, sizeof err),
                     SQLITE_OK);
    assert_true(found);
    assert_string_equal(r.sha[0], "edge");
    /* Fractional days and other `now` forms. */
    memset(&r, 0, sizeof r);
    assert_int_equal(store_baseline_latest(s, "m", "main", 0.5, "2025-02-28T12:00:00+12:00",
                                           collect_series, &r, &found, err, sizeof err),
                     SQLITE_OK);
    assert_true(found); /* now = 00:00Z, the edge build is 1 h before */
    assert_int_equal(store_baseline_latest(s, "m", "main", 1, "2025-03-02T00:00:00.000Z",
                                           collect_series, &r, &found, err, sizeof err),
                     SQLITE_OK);
    assert_false(found);
    assert_int_equal(store_baseline_latest(s, "m", "main", 1, "tomorrow", collect_series, &r,
                                           &found, err, sizeof err),
                     SQLITE_MISUSE);
    assert_non_null(strstr(err, "tomorrow"));
    /* Without `now`, the clock: these builds are far in the past. */
    assert_int_equal(store_baseline_latest(s, "m", "main", 1, NULL, collect_series, &r, &found,
                                           err, sizeof err),
                     SQLITE_OK);
    assert_false(found);
    assert_int_equal(store_baseline_latest(s, "m", "main", 100000, NULL, collect_series, &r,
                                           &found, err, sizeof err),
                     SQLITE_OK);
    assert_true(found);
    store_close(s);
}

static void test_baseline_merge_base(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    fx_record(s, "ABCDEF", "feature", "1", "push", "2020-01-01T00:00:00.000Z", ONE,
              (double[]){1}, 1);
    fx_record(s, "ABCDEF", "feature", "2", NULL, "2020-01-03T00:00:00.000Z", ONE, (double[]){2},
              1);
    fx_record(s, "abcdef", "feature", "3", "pull_request", "2020-01-05T00:00:00.000Z", ONE,
              (double[]){3}, 1);
    StoreBuild b = {"abcdef", "main", "4", 4, "push", "2020-01-06T00:00:00.000Z"};
    StoreValue v = {"m", "label", NULL, NULL, 0, 0, "x"}; /* labels are not baselines */
    char err[512];
    int found = 0;
    Rows r = {0};
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_OK);
    assert_int_equal(store_baseline_commit(s, "m", "aBcDeF", collect_series, &r, &found, err,
                                           sizeof err),
                     SQLITE_OK);
    assert_true(found);
    assert_true(r.num[0] == 2);
    assert_int_equal(store_baseline_commit(s, "other", "abcdef", collect_series, &r, &found, err,
                                           sizeof err),
                     SQLITE_OK);
    assert_false(found);
    store_close(s);
}

static void test_import(void **state)
{
    Store *s = fx_open(fx_path("import.db"), STORE_CREATE | STORE_JOURNAL_DELETE);
    StoreImportRecord rec[] = {
        {"s1", "main", "import:x:s1", 0, "2024-01-01T00:00:00.000Z", "cov", 1, 50, NULL},
        {"s1", "other", "import:x:s1", 5, "2024-06-01T00:00:00.000Z", "size", 1, 7, NULL},
        {"s2", "main", "import:x:s2", 0, "2024-01-02T00:00:00.000Z", "state", 0, 0, "ok"},
        {"s2", "main", "import:x:s2", 0, "2024-01-02T00:00:00.000Z", "state", 0, 0, "late"},
    };
    int64_t n = 0;
    char err[512];
    assert_int_equal(store_import(s, rec, 4, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 4);
    assert_int_equal(store_import(s, rec, 4, &n, err, sizeof err), SQLITE_OK); /* idempotent */
    assert_int_equal(n, 4);
    assert_int_equal(store_build_count(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 2);
    Rows r = {0};
    assert_int_equal(store_series(s, "size", 0, collect_series, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.ts[0], "2024-01-01T00:00:00.000Z"); /* first record wins */
    memset(&r, 0, sizeof r);
    assert_int_equal(store_series(s, "state", 0, collect_series, &r, err, sizeof err),
                     SQLITE_OK);
    assert_string_equal(r.label[0], "late"); /* value replaced on conflict */
    memset(&r, 0, sizeof r);
    assert_int_equal(store_metric_definitions(s, collect_def, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.label[2], "label|-|-");
    store_close(s);
    sqlite3 *db = fx_raw(fx_path("import.db"));
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM build_contexts WHERE event_name"
                                      " = 'import' AND branch = 'main'"),
                     2);
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM metric_values"), 3);
    sqlite3_close(db);
}

static void test_invalid_input_is_misuse(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    char err[512];
    StoreBuild b = {"c", "main", "r", 1, NULL, "2025-01-01T00:00:00Z"};
    assert_int_equal(store_record_build(s, &b, NULL, 0, NULL, err, sizeof err), SQLITE_MISUSE);
    assert_non_null(strstr(err, "timestamp"));
    b.timestamp = "2025-01-01T00:00:00.000Z";
    StoreValue v = {"m", "numeric", NULL, NULL, 1, NAN, NULL};
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_MISUSE);
    assert_non_null(strstr(err, "NaN"));
    v = (StoreValue){"m", "label", NULL, NULL, 1, 1, NULL};
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_MISUSE);
    v = (StoreValue){"Bad", "numeric", NULL, NULL, 1, 1, NULL}; /* GLOB check */
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_CONSTRAINT);
    assert_non_null(strstr(err, "CHECK constraint failed"));
    int64_t n = -1;
    assert_int_equal(store_build_count(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 0); /* the failed transaction was rolled back */
    store_close(s);
}

typedef struct Holder {
    sqlite3 *db;
    int release_after_ms;
} Holder;

static void *release_later(void *arg)
{
    Holder *h = arg;
    struct timespec ts = {0, (long)h->release_after_ms * 1000000L};
    nanosleep(&ts, NULL);
    fx_exec(h->db, "COMMIT");
    return NULL;
}

static void test_busy_retries(void **state)
{
    const char *p = fx_path("busy.db");
    Store *s = fx_open(p, STORE_CREATE);
    store_set_busy_timeout(s, 20);
    sqlite3 *other = fx_raw(p);
    fx_exec(other, "BEGIN IMMEDIATE");
    StoreBuild b = {"c", "main", "r", 1, "push", "2025-01-01T00:00:00.000Z"};
    StoreValue v = {"m", "numeric", NULL, NULL, 1, 1, NULL};
    char err[512];
    double t0 = now_ms();
    assert_int_equal(store_record_build(s, &b, &v, 1, NULL, err, sizeof err), SQLITE_BUSY);
    double took = now_ms() - t0;
    assert_string_equal(err, "database is locked (gave up after 4 attempts)");
    assert_true(took >= 700 - 5); /* 100 + 200 + 400 ms of backoff */
    assert_true(took < 3000);
    /* The lock goes away during the backoff: a later attempt succeeds. */
    Holder h = {other, 250};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_later, &h), 0);
    int64_t id = 0;
    int rc = store_record_build(s, &b, &v, 1, &id, err, sizeof err);
    pthread_join(th, NULL);
    if (rc != SQLITE_OK) {
        fail_msg("record_build after release: %s", err);
    }
    assert_int_equal(id, 1);
    sqlite3_close(other);
    store_close(s);
}

static void test_read_snapshot(void **state)
{
    const char *p = fx_path("snapread.db");
    Store *s = fx_open(p, STORE_CREATE);
    fx_record(s, "c1", "main", "1", "push", "2025-01-01T00:00:00.000Z", ONE, (double[]){1}, 1);
    char err[512];
    assert_int_equal(store_begin_read(s, err, sizeof err), SQLITE_OK);
    FxIds t;
    timeline(s, 0, &t);
    assert_int_equal(t.n, 1);
    Store *w = fx_open(p, STORE_CREATE); /* another writer, e.g. a parallel collect */
    fx_record(w, "c2", "main", "2", "push", "2025-01-02T00:00:00.000Z", ONE, (double[]){2}, 1);
    store_close(w);
    Rows r = {0};
    assert_int_equal(store_values(s, 0, collect_value, &r, err, sizeof err), SQLITE_OK);
    assert_int_equal(r.n, 1); /* same snapshot as the timeline */
    StoreBuild b = {"c3", "main", "3", 1, NULL, "2025-01-03T00:00:00.000Z"};
    assert_int_equal(store_record_build(s, &b, NULL, 0, NULL, err, sizeof err), SQLITE_MISUSE);
    assert_int_equal(store_end_read(s, err, sizeof err), SQLITE_OK);
    timeline(s, 0, &t);
    assert_int_equal(t.n, 2);
    store_close(s);
}

static int stop_at_two(void *ud, const StoreBuildRow *r)
{
    int *n = ud;
    return ++*n == 2 ? 42 : 0;
}

static void test_callback_stops_query(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    for (int i = 0; i < 4; i++) {
        char sha[8];
        snprintf(sha, sizeof sha, "c%d", i);
        fx_record(s, sha, "main", sha, "push", "2025-01-01T00:00:00.000Z", ONE, (double[]){i}, 1);
    }
    int n = 0;
    char err[512] = "";
    assert_int_equal(store_timeline(s, 0, stop_at_two, &n, err, sizeof err), 42);
    assert_int_equal(n, 2);
    FxIds t;
    timeline(s, 0, &t); /* the statement was reset */
    assert_int_equal(t.n, 4);
    store_close(s);
}

#define WRITERS 8
#define BUILDS_EACH 15

static void test_concurrent_processes(void **state)
{
    const char *p = fx_path("shared.db");
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            /* Every child opens (and so migrates) the new file at once. */
            Store *s = NULL;
            char err[512];
            if (store_open(&s, p, STORE_CREATE, err, sizeof err) != SQLITE_OK) {
                fprintf(stderr, "child %d open: %s\n", w, err);
                _exit(2);
            }
            for (int i = 0; i < BUILDS_EACH; i++) {
                char sha[32], run[32];
                snprintf(sha, sizeof sha, "sha-%d-%d", w, i);
                snprintf(run, sizeof run, "%d", w * 100 + i);
                StoreBuild b = {sha, "main", run, w * 100 + i, "push",
                                "2025-01-01T00:00:00.000Z"};
                StoreValue v[3] = {
                    {"a", "numeric", NULL, NULL, 1, i, NULL},
                    {"b", "numeric", "bytes", NULL, 1, w, NULL},
                    {"c", "label", NULL, NULL, 0, 0, sha},
                };
                if (store_record_build(s, &b, v, 3, NULL, err, sizeof err) != SQLITE_OK) {
                    fprintf(stderr, "child %d build %d: %s\n", w, i, err);
                    _exit(3);
                }
            }
            store_close(s);
            _exit(0);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    sqlite3 *db = fx_raw(p);
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM build_contexts"),
                     WRITERS * BUILDS_EACH);
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM metric_values"),
                     WRITERS * BUILDS_EACH * 3);
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM schema_version"), 1);
    sqlite3_close(db);
    assert_false(fx_exists(fx_path("shared.db-wal")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_and_read_back),
        cmocka_unit_test(test_rerun_replaces_values_and_keeps_id),
        cmocka_unit_test(test_definitions_upsert),
        cmocka_unit_test(test_build_without_values),
        cmocka_unit_test(test_event_filter),
        cmocka_unit_test(test_order_by_instant),
        cmocka_unit_test(test_baseline_max_age),
        cmocka_unit_test(test_baseline_merge_base),
        cmocka_unit_test(test_import),
        cmocka_unit_test(test_invalid_input_is_misuse),
        cmocka_unit_test(test_busy_retries),
        cmocka_unit_test(test_read_snapshot),
        cmocka_unit_test(test_callback_stops_query),
        cmocka_unit_test(test_concurrent_processes),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
