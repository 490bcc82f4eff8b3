/* test_store_import.c: cmocka suite for the streaming import of store.h
 * (store_import_begin / _add / _commit / _rollback): the same rows as the
 * array import, idempotent re-imports, the per-transaction caches (builds
 * interleaved, more metric ids than the cache holds), rollback and close
 * leaving the file untouched, a failing record rolling everything back,
 * misuse, and busy retries on BEGIN and COMMIT against a second
 * connection. Depends on cmocka, sqlite3, pthreads and store.h. */
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
#include <time.h>

#include <cmocka.h>

#include "store.h"
#include "store_fixture.h"
#include "store_internal.h" /* the connection, to read PRAGMA foreign_keys */

#define TS "2024-01-01T00:00:00.000Z"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static StoreImportRecord num(const char *sha, const char *run, const char *ts, const char *m,
                             double v)
{
    return (StoreImportRecord){sha, "main", run, 0, ts, m, 1, v, NULL};
}

static int fk_on(Store *s)
{
    return (int)fx_query_int(s->db, "PRAGMA foreign_keys");
}

static void add_ok(Store *s, StoreImportRecord r)
{
    char err[512] = "";
    int rc = store_import_add(s, &r, err, sizeof err);
    if (rc != SQLITE_OK) {
        fail_msg("store_import_add = %d: %s", rc, err);
    }
}

static int64_t count_rows(const char *path, const char *sql)
{
    sqlite3 *db = fx_raw(path);
    int64_t n = fx_query_int(db, sql);
    sqlite3_close(db);
    return n;
}

/* The rows of every table, as one text, to compare two databases. */
static void dump(const char *path, char *out, size_t len)
{
    sqlite3 *db = fx_raw(path);
    fx_query_text(db,
                  "SELECT (SELECT group_concat(x, ';') FROM (SELECT id || ',' || commit_sha || ','"
                  " || branch || ',' || run_id || ',' || run_number || ',' || event_name || ','"
                  " || timestamp AS x FROM build_contexts ORDER BY id)) || '|' ||"
                  " (SELECT group_concat(x, ';') FROM (SELECT id || ',' || type AS x FROM"
                  " metric_definitions ORDER BY rowid)) || '|' || (SELECT group_concat(x, ';')"
                  " FROM (SELECT metric_id || ',' || build_id || ',' || coalesce(value_numeric,"
                  " '-') || ',' || coalesce(value_label, '-') AS x FROM metric_values ORDER BY"
                  " id))",
                  out, len);
    sqlite3_close(db);
}

static void test_streaming_matches_array_import(void **state)
{
    StoreImportRecord rec[] = {
        {"s1", "main", "import:x:s1", 0, TS, "cov", 1, 50, NULL},
        {"s1", "other", "import:x:s1", 5, "2024-06-01T00:00:00.000Z", "size", 1, 7, NULL},
        {"s2", "main", "import:x:s2", 0, "2024-01-02T00:00:00.000Z", "state", 0, 0, "ok"},
        {"s1", "main", "import:x:s1", 0, TS, "state", 0, 0, "green"}, /* back to s1 */
        {"s2", "main", "import:x:s2", 0, "2024-01-02T00:00:00.000Z", "state", 0, 0, "late"},
        {"t1", "main", "42", 3, TS, "cov", 1, 60, NULL}, /* one run id, two commits */
        {"t2", "main", "42", 3, TS, "cov", 1, 70, NULL},
        {"t2", "main", "43", 4, TS, "cov", 1, 80, NULL}, /* one commit, two run ids */
    };
    const size_t n = sizeof rec / sizeof rec[0];
    char err[512];
    int64_t count = 0;
    Store *a = fx_open(fx_path("array.db"), STORE_CREATE | STORE_JOURNAL_DELETE);
    assert_int_equal(store_import(a, rec, n, &count, err, sizeof err), SQLITE_OK);
    store_close(a);

    Store *s = fx_open(fx_path("stream.db"), STORE_CREATE | STORE_JOURNAL_DELETE);
    for (int round = 0; round < 2; round++) { /* the second round changes nothing */
        assert_int_equal(fk_on(s), 1);
        assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
        assert_true(store_import_active(s));
        assert_int_equal(fk_on(s), 0); /* parents are always written first */
        assert_int_equal(fx_query_int(s->db, "PRAGMA cache_size"), -8192);
        for (size_t i = 0; i < n; i++) {
            add_ok(s, rec[i]);
        }
        assert_int_equal(store_import_count(s), (int64_t)n);
        count = 0;
        assert_int_equal(store_import_commit(s, &count, err, sizeof err), SQLITE_OK);
        assert_int_equal(count, (int64_t)n);
        assert_false(store_import_active(s));
        assert_int_equal(fk_on(s), 1);
        assert_int_equal(fx_query_int(s->db, "PRAGMA cache_size"), -2000);
    }
    store_close(s);

    char x[4096], y[4096];
    dump(fx_path("array.db"), x, sizeof x);
    dump(fx_path("stream.db"), y, sizeof y);
    assert_string_equal(x, y);
    /* First record of a build wins (branch main, run 0, Jan 1st); labels are
     * replaced. The INSERTs that hit an existing build (records 4 and 5)
     * still consume an AUTOINCREMENT value, as upstream's do. */
    assert_string_equal(y, "1,s1,main,import:x:s1,0,import,2024-01-01T00:00:00.000Z;"
                           "2,s2,main,import:x:s2,0,import,2024-01-02T00:00:00.000Z;"
                           "5,t1,main,42,3,import,2024-01-01T00:00:00.000Z;"
                           "6,t2,main,42,3,import,2024-01-01T00:00:00.000Z;"
                           "7,t2,main,43,4,import,2024-01-01T00:00:00.000Z|"
                           "cov,numeric;size,numeric;state,label|"
                           "cov,1,50.0,-;size,1,7.0,-;state,2,-,late;state,1,-,green;"
                           "cov,5,60.0,-;cov,6,70.0,-;cov,7,80.0,-");
}

static void test_many_metrics_and_builds(void **state)
{
    /* 40 metric ids (more than the definition cache holds) over 30 builds,
     * metric-major so that consecutive records never share a build. */
    const char *p = fx_path("many.db");
    Store *s = fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE);
    char err[512], sha[30][16], metric[40][16];
    for (int b = 0; b < 30; b++) {
        snprintf(sha[b], sizeof sha[b], "sha%d", b);
    }
    for (int m = 0; m < 40; m++) {
        snprintf(metric[m], sizeof metric[m], "m-%d", m);
    }
    for (int round = 0; round < 2; round++) {
        assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
        for (int m = 0; m < 40; m++) {
            for (int b = 0; b < 30; b++) {
                add_ok(s, num(sha[b], sha[b], TS, metric[m], m * 100 + b + round));
            }
        }
        int64_t n = 0;
        assert_int_equal(store_import_commit(s, &n, err, sizeof err), SQLITE_OK);
        assert_int_equal(n, 1200);
    }
    store_close(s);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM build_contexts"), 30);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM metric_definitions"), 40);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM metric_values"), 1200);
    /* Values of the second round replaced the first. */
    assert_int_equal(count_rows(p, "SELECT sum(value_numeric) FROM metric_values"),
                     30 * (100 * (39 * 40 / 2)) + 40 * (29 * 30 / 2) + 1200);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM metric_values v JOIN build_contexts b"
                                   " ON b.id = v.build_id WHERE v.value_numeric % 100 !="
                                   " CAST(substr(b.commit_sha, 4) AS INTEGER) + 1"),
                     0);
}

static void test_rollback_and_close_write_nothing(void **state)
{
    const char *p = fx_path("rollback.db");
    Store *s = fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE);
    char err[512];
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
    add_ok(s, num("a", "r", TS, "m", 1));
    store_import_rollback(s);
    assert_false(store_import_active(s));
    assert_int_equal(fk_on(s), 1);
    assert_int_equal(fx_query_int(s->db, "PRAGMA cache_size"), -2000);
    store_import_rollback(s); /* idempotent */
    store_import_rollback(NULL);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM build_contexts"), 0);

    /* Closing with an open import rolls it back. */
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
    add_ok(s, num("a", "r", TS, "m", 1));
    store_close(s);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM build_contexts"), 0);
    assert_false(fx_exists(fx_path("rollback.db-journal")));

    /* The Store is usable for other writes after a rollback. */
    s = fx_open(p, STORE_JOURNAL_DELETE);
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
    store_import_rollback(s);
    StoreImportRecord r = num("b", "r", TS, "m", 2);
    assert_int_equal(store_import(s, &r, 1, NULL, err, sizeof err), SQLITE_OK);
    store_close(s);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM build_contexts"), 1);
}

static void test_failing_record_rolls_everything_back(void **state)
{
    const char *p = fx_path("fail.db");
    Store *s = fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE);
    char err[512];
    StoreImportRecord first = num("old", "r", TS, "m", 1);
    assert_int_equal(store_import(s, &first, 1, NULL, err, sizeof err), SQLITE_OK);
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
    add_ok(s, num("a", "r", TS, "m", 1));
    add_ok(s, num("b", "r", TS, "m", 2));
    /* "Bad" fails the metric_definitions GLOB check inside SQLite. */
    StoreImportRecord bad = num("c", "r", TS, "Bad", 3);
    int rc = store_import_add(s, &bad, err, sizeof err);
    assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
    assert_non_null(strstr(err, "store: import failed: CHECK constraint failed"));
    assert_false(store_import_active(s));
    assert_int_equal(fk_on(s), 1);
    assert_int_equal(store_import_commit(s, NULL, err, sizeof err), SQLITE_MISUSE);
    store_close(s);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM build_contexts"), 1);
    assert_int_equal(count_rows(p, "SELECT count(*) FROM metric_values"), 1);
}

static void test_misuse(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    char err[512];
    StoreImportRecord r = num("a", "r", TS, "m", 1);
    assert_int_equal(store_import_add(s, &r, err, sizeof err), SQLITE_MISUSE);
    assert_string_equal(err, "store: no import is open");
    assert_int_equal(store_import_commit(s, NULL, err, sizeof err), SQLITE_MISUSE);

    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_MISUSE);
    assert_string_equal(err, "store: a transaction is already open");
    StoreBuild b = {"c", "main", "r", 1, NULL, TS};
    assert_int_equal(store_record_build(s, &b, NULL, 0, NULL, err, sizeof err), SQLITE_MISUSE);
    assert_int_equal(store_import(s, &r, 1, NULL, err, sizeof err), SQLITE_MISUSE);
    assert_int_equal(store_begin_read(s, err, sizeof err), SQLITE_MISUSE);

    /* A malformed record changes nothing and keeps the import open. */
    add_ok(s, r);
    StoreImportRecord bad = num("b", "r", "2024-01-01T00:00:00Z", "m", 1);
    assert_int_equal(store_import_add(s, &bad, err, sizeof err), SQLITE_MISUSE);
    assert_non_null(strstr(err, "record 2 needs"));
    bad = num("b", "r", TS, "m", NAN);
    assert_int_equal(store_import_add(s, &bad, err, sizeof err), SQLITE_MISUSE);
    bad = (StoreImportRecord){"b", "main", "r", 0, TS, "m", 0, 0, NULL};
    assert_int_equal(store_import_add(s, &bad, err, sizeof err), SQLITE_MISUSE);
    bad = (StoreImportRecord){NULL, "main", "r", 0, TS, "m", 1, 0, NULL};
    assert_int_equal(store_import_add(s, &bad, err, sizeof err), SQLITE_MISUSE);
    assert_true(store_import_active(s));
    int64_t n = 0;
    assert_int_equal(store_import_commit(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_build_count(s, &n, err, sizeof err), SQLITE_OK);
    assert_int_equal(n, 1);
    store_close(s);

    /* A read-only Store cannot import. */
    fx_make_upstream_db(fx_path("ro.db"));
    s = fx_open(fx_path("ro.db"), STORE_READONLY);
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_READONLY);
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

static void test_busy_begin(void **state)
{
    const char *p = fx_path("busy.db");
    Store *s = fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE);
    store_set_busy_timeout(s, 20);
    sqlite3 *other = fx_raw(p);
    fx_exec(other, "BEGIN IMMEDIATE");
    char err[512];
    double t0 = now_ms();
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_BUSY);
    double took = now_ms() - t0;
    assert_string_equal(err, "database is locked (gave up after 4 attempts)");
    assert_true(took >= 700 - 5); /* 100 + 200 + 400 ms of backoff */
    assert_false(store_import_active(s));
    assert_int_equal(fk_on(s), 1);
    /* The lock goes away during the backoff: a later attempt succeeds. */
    Holder h = {other, 250};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_later, &h), 0);
    int rc = store_import_begin(s, err, sizeof err);
    pthread_join(th, NULL);
    if (rc != SQLITE_OK) {
        fail_msg("import_begin after release: %s", err);
    }
    add_ok(s, num("a", "r", TS, "m", 1));
    assert_int_equal(store_import_commit(s, NULL, err, sizeof err), SQLITE_OK);
    sqlite3_close(other);
    store_close(s);
}

static void test_busy_commit(void **state)
{
    const char *p = fx_path("busycommit.db");
    Store *s = fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE);
    store_set_busy_timeout(s, 20);
    /* A reader holding a SHARED lock keeps COMMIT from taking EXCLUSIVE. */
    sqlite3 *reader = fx_raw(p);
    char err[512];
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
    add_ok(s, num("a", "r", TS, "m", 1));
    fx_exec(reader, "BEGIN; SELECT count(*) FROM build_contexts");
    double t0 = now_ms();
    assert_int_equal(store_import_commit(s, NULL, err, sizeof err), SQLITE_BUSY);
    assert_true(now_ms() - t0 >= 700 - 5);
    assert_string_equal(err, "database is locked (gave up after 4 attempts)");
    assert_false(store_import_active(s));
    assert_int_equal(fk_on(s), 1);
    fx_exec(reader, "COMMIT");
    assert_int_equal(fx_query_int(reader, "SELECT count(*) FROM build_contexts"), 0);

    /* A reader that leaves during the backoff: the retried COMMIT succeeds. */
    assert_int_equal(store_import_begin(s, err, sizeof err), SQLITE_OK);
    add_ok(s, num("a", "r", TS, "m", 1));
    fx_exec(reader, "BEGIN; SELECT count(*) FROM build_contexts");
    Holder h = {reader, 250};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_later, &h), 0);
    int64_t n = 0;
    int rc = store_import_commit(s, &n, err, sizeof err);
    pthread_join(th, NULL);
    if (rc != SQLITE_OK) {
        fail_msg("commit after release: %s", err);
    }
    assert_int_equal(n, 1);
    assert_int_equal(fx_query_int(reader, "SELECT count(*) FROM build_contexts"), 1);
    sqlite3_close(reader);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streaming_matches_array_import),
        cmocka_unit_test(test_many_metrics_and_builds),
        cmocka_unit_test(test_rollback_and_close_write_nothing),
        cmocka_unit_test(test_failing_record_rolls_everything_back),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_busy_begin),
        cmocka_unit_test(test_busy_commit),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
