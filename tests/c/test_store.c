/* test_store.c: cmocka suite for store.c — the schema is upstream 2.0.0's to
 * the byte (sqlite_master and schema_version), migrations of new, empty and
 * upstream-made files, unknown versions, pragmas and journal modes, files
 * that are not databases left untouched, read-only opens, integrity checks
 * and snapshots. Runs on files in a mkdtemp directory and on :memory:.
 * Depends on cmocka, sqlite3 and store.h. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "store_fixture.h"

/* SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name of a
 * database created by upstream from the storage.md DDL (sqlite3 3.40). */
static const char *const EXPECTED_MASTER[][4] = {
    {"table", "build_contexts", "build_contexts",
     "CREATE TABLE build_contexts (\n    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    "
     "commit_sha TEXT NOT NULL,\n    branch TEXT NOT NULL,\n    run_id TEXT NOT NULL,\n    "
     "run_number INTEGER NOT NULL,\n    event_name TEXT,\n    timestamp DATETIME NOT NULL,\n"
     "    UNIQUE(commit_sha, run_id)\n  )"},
    {"index", "idx_build_branch", "build_contexts",
     "CREATE INDEX idx_build_branch ON build_contexts(branch)"},
    {"index", "idx_build_commit", "build_contexts",
     "CREATE INDEX idx_build_commit ON build_contexts(commit_sha)"},
    {"index", "idx_build_event_timestamp", "build_contexts",
     "CREATE INDEX idx_build_event_timestamp ON build_contexts(event_name, timestamp)"},
    {"index", "idx_build_timestamp", "build_contexts",
     "CREATE INDEX idx_build_timestamp ON build_contexts(timestamp)"},
    {"index", "idx_metric_value_build", "metric_values",
     "CREATE INDEX idx_metric_value_build ON metric_values(build_id)"},
    {"table", "metric_definitions", "metric_definitions",
     "CREATE TABLE metric_definitions (\n    id TEXT PRIMARY KEY CHECK(id GLOB '[a-z0-9-]*'),"
     "\n    type TEXT NOT NULL CHECK(type IN ('numeric', 'label')),\n    unit TEXT,\n    "
     "description TEXT\n  )"},
    {"table", "metric_values", "metric_values",
     "CREATE TABLE metric_values (\n    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    metric_id "
     "TEXT NOT NULL,\n    build_id INTEGER NOT NULL,\n    value_numeric REAL,\n    value_label "
     "TEXT,\n    FOREIGN KEY (metric_id) REFERENCES metric_definitions(id),\n    FOREIGN KEY "
     "(build_id) REFERENCES build_contexts(id),\n    UNIQUE(metric_id, build_id),\n    CHECK(\n"
     "      (value_numeric IS NOT NULL AND value_label IS NULL) OR\n      (value_numeric IS NULL "
     "AND value_label IS NOT NULL)\n    )\n  )"},
    {"table", "schema_version", "schema_version",
     "CREATE TABLE schema_version (\n      version TEXT PRIMARY KEY,\n      applied_at DATETIME "
     "NOT NULL DEFAULT CURRENT_TIMESTAMP,\n      description TEXT\n    )"},
    {"index", "sqlite_autoindex_build_contexts_1", "build_contexts", NULL},
    {"index", "sqlite_autoindex_metric_definitions_1", "metric_definitions", NULL},
    {"index", "sqlite_autoindex_metric_values_1", "metric_values", NULL},
    {"index", "sqlite_autoindex_schema_version_1", "schema_version", NULL},
    {"table", "sqlite_sequence", "sqlite_sequence", "CREATE TABLE sqlite_sequence(name,seq)"},
};
#define N_MASTER (sizeof EXPECTED_MASTER / sizeof EXPECTED_MASTER[0])

static void assert_upstream_schema(const char *path)
{
    sqlite3 *db = fx_raw(path);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT type, name, tbl_name, sql FROM sqlite_master "
                                        "ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    size_t i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(i < N_MASTER);
        for (int c = 0; c < 4; c++) {
            const char *got = (const char *)sqlite3_column_text(st, c);
            if (EXPECTED_MASTER[i][c] == NULL) {
                assert_null(got);
            } else {
                assert_non_null(got);
                assert_string_equal(got, EXPECTED_MASTER[i][c]);
            }
        }
        i++;
    }
    assert_int_equal(i, N_MASTER);
    sqlite3_finalize(st);
    char buf[128];
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM schema_version"), 1);
    fx_query_text(db, "SELECT version || '|' || description FROM schema_version", buf,
                  sizeof buf);
    assert_string_equal(buf, "2.0.0|Clean schema with string metric IDs");
    fx_query_text(db, "SELECT typeof(applied_at) FROM schema_version", buf, sizeof buf);
    assert_string_equal(buf, "text");
    sqlite3_close(db);
}

static void test_new_file_gets_upstream_schema(void **state)
{
    const char *p = fx_path("new.db");
    Store *s = fx_open(p, STORE_CREATE);
    assert_string_equal(store_schema_version(s), "2.0.0");
    assert_null(store_warning(s));
    store_close(s);
    assert_false(fx_exists(fx_path("new.db-wal"))); /* checkpointed on close */
    assert_upstream_schema(p);
    sqlite3 *db = fx_raw(p);
    char mode[32];
    fx_query_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal"); /* local read-write files use WAL */
    sqlite3_close(db);
    /* Reopening migrates nothing and adds no row. */
    store_close(fx_open(p, STORE_CREATE));
    assert_upstream_schema(p);
}

static void test_upstream_database_is_kept_as_is(void **state)
{
    const char *p = fx_path("ts.db");
    fx_make_upstream_db(p);
    sqlite3 *db = fx_raw(p);
    fx_exec(db, "INSERT INTO metric_definitions VALUES ('coverage', 'numeric', 'percent', 'C');"
                "INSERT INTO build_contexts (commit_sha, branch, run_id, run_number, event_name,"
                " timestamp) VALUES ('abc', 'main', '7', 7, 'push', '2025-01-01T10:00:00Z');"
                "INSERT INTO metric_values (metric_id, build_id, value_numeric)"
                " VALUES ('coverage', 1, 81.5);");
    char applied[64];
    fx_query_text(db, "SELECT applied_at FROM schema_version", applied, sizeof applied);
    sqlite3_close(db);

    Store *s = fx_open(p, STORE_CREATE);
    assert_string_equal(store_schema_version(s), "2.0.0");
    int64_t n = 0;
    assert_int_equal(store_build_count(s, &n, NULL, 0), SQLITE_OK);
    assert_int_equal(n, 1);
    store_close(s);
    assert_upstream_schema(p);
    db = fx_raw(p);
    char again[64];
    fx_query_text(db, "SELECT applied_at FROM schema_version", again, sizeof again);
    assert_string_equal(applied, again);
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM metric_values"), 1);
    sqlite3_close(db);
}

static void test_empty_file_and_partial_schema_migrate(void **state)
{
    const char *p = fx_path("empty.db");
    fx_write(p, "", 0);
    store_close(fx_open(p, STORE_CREATE));
    assert_upstream_schema(p);

    /* schema_version exists but has no row: the whole list runs. */
    const char *q = fx_path("partial.db");
    sqlite3 *db = fx_raw(q);
    fx_exec(db, UPSTREAM_SCHEMA_VERSION_SQL);
    sqlite3_close(db);
    store_close(fx_open(q, STORE_CREATE));
    assert_upstream_schema(q);
}

static void test_unknown_version_warns_and_reruns(void **state)
{
    const char *p = fx_path("future.db");
    sqlite3 *db = fx_raw(p);
    fx_exec(db, UPSTREAM_SCHEMA_VERSION_SQL);
    fx_exec(db, "INSERT INTO schema_version (version, description) VALUES ('9.1.0', 'x')");
    sqlite3_close(db);
    Store *s = fx_open(p, STORE_CREATE);
    assert_non_null(store_warning(s));
    assert_string_equal(store_warning(s), "database schema version 9.1.0 is not known to this "
                                          "unentropy (latest known: 2.0.0)");
    assert_string_equal(store_schema_version(s), "9.1.0");
    store_close(s);
    db = fx_raw(p);
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
                                      "'metric_values'"),
                     1);
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM schema_version"), 2);
    sqlite3_close(db);
    /* Read-only opens report it too. */
    s = fx_open(p, STORE_READONLY);
    assert_non_null(store_warning(s));
    store_close(s);
}

static void test_memory_database(void **state)
{
    Store *s = fx_open(":memory:", STORE_CREATE);
    assert_string_equal(store_schema_version(s), "2.0.0");
    const char *ids[] = {"a"};
    double v[] = {1};
    assert_int_equal(fx_record(s, "c1", "main", "r1", "push", "2025-01-01T00:00:00.000Z", ids,
                               v, 1),
                     1);
    int64_t n = 0;
    assert_int_equal(store_build_count(s, &n, NULL, 0), SQLITE_OK);
    assert_int_equal(n, 1);
    store_close(s);
    store_close(NULL);
}

/* Writes `data`, opens it both ways, and checks the bytes did not change and
 * no journal appeared. */
static void assert_left_untouched(const char *name, const void *data, size_t len,
                                  const char *expect)
{
    const char *p = fx_path(name);
    fx_write(p, data, len);
    int before = fx_count_entries(fx_dir);
    unsigned modes[] = {STORE_CREATE, 0, STORE_READONLY, STORE_CREATE | STORE_JOURNAL_DELETE};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        Store *s = (Store *)1;
        char err[512] = "";
        int rc = store_open(&s, p, modes[m], err, sizeof err);
        assert_int_not_equal(rc, SQLITE_OK);
        assert_null(s);
        if (strstr(err, expect) == NULL) {
            fail_msg("mode %u: '%s' lacks '%s'", modes[m], err, expect);
        }
        assert_non_null(strstr(err, p));
    }
    size_t got_len;
    char *got = fx_read(p, &got_len);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, data, len);
    free(got);
    assert_int_equal(fx_count_entries(fx_dir), before);
    unlink(p);
}

static void test_not_a_database_is_left_untouched(void **state)
{
    char garbage[8192];
    for (size_t i = 0; i < sizeof garbage; i++) {
        garbage[i] = (char)((i * 7919u + 13u) & 0xff);
    }
    assert_left_untouched("garbage.db", garbage, sizeof garbage, "is not a SQLite database");
    const char text[] = "{\"this\": \"is json\"}\n";
    assert_left_untouched("text.db", text, sizeof text - 1, "is not a SQLite database");

    /* A valid header over damaged pages: error, no rewrite. */
    const char *p = fx_path("good.db");
    store_close(fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE));
    size_t len;
    char *bytes = fx_read(p, &len);
    assert_true(len > 4096);
    memset(bytes + 100, 0xA5, len - 100);
    unlink(p);
    assert_left_untouched("damaged.db", bytes, len, "store: ");
    free(bytes);
}

static void test_open_errors(void **state)
{
    Store *s = NULL;
    char err[512] = "";
    const char *missing = fx_path("missing.db");
    assert_int_equal(store_open(&s, missing, STORE_READONLY, err, sizeof err), SQLITE_CANTOPEN);
    assert_null(s);
    assert_non_null(strstr(err, "store: cannot open '"));
    assert_non_null(strstr(err, "No such file or directory"));
    assert_false(fx_exists(missing));
    /* Read-write without create does not create either. */
    assert_int_equal(store_open(&s, missing, 0, err, sizeof err), SQLITE_CANTOPEN);
    assert_false(fx_exists(missing));
    /* Missing parent directories are not created. */
    assert_int_equal(store_open(&s, fx_path("no/such/dir.db"), STORE_CREATE, err, sizeof err),
                     SQLITE_CANTOPEN);
    assert_non_null(strstr(err, "no/such/dir.db"));
}

static void test_file_prefix_is_a_plain_name(void **state)
{
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx_dir), 0);
    /* Not a URI: "mode=ro" must not make it read-only, "?" stays in the name. */
    Store *s = fx_open("file:odd.db?mode=ro", STORE_CREATE);
    const char *ids[] = {"a"};
    double v[] = {1};
    fx_record(s, "c", "main", "r", NULL, "2025-01-01T00:00:00.000Z", ids, v, 1);
    char err[512];
    assert_int_equal(store_snapshot(s, "file:snap.db", 0, err, sizeof err), SQLITE_OK);
    store_close(s);
    assert_true(fx_exists("file:odd.db?mode=ro"));
    assert_true(fx_exists("file:snap.db"));
    unlink("file:odd.db?mode=ro");
    unlink("file:snap.db");
    assert_int_equal(chdir(cwd), 0);
}

static void test_readonly_open(void **state)
{
    /* A SQLite file that is not ours is rejected read-only, untouched. */
    const char *other = fx_path("other.db");
    sqlite3 *db = fx_raw(other);
    fx_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    sqlite3_close(db);
    Store *s = NULL;
    char err[512] = "", expect[600];
    assert_int_not_equal(store_open(&s, other, STORE_READONLY, err, sizeof err), SQLITE_OK);
    snprintf(expect, sizeof expect, "%s is not an unentropy database (no schema_version table)",
             other);
    assert_string_equal(err, expect);

    /* An upstream file: readable, never migrated, journal mode unchanged. */
    const char *p = fx_path("ro.db");
    fx_make_upstream_db(p);
    db = fx_raw(p);
    fx_exec(db, "DROP INDEX idx_build_branch");
    sqlite3_close(db);
    s = fx_open(p, STORE_READONLY);
    assert_string_equal(store_schema_version(s), "2.0.0");
    int64_t n = -1;
    assert_int_equal(store_build_count(s, &n, NULL, 0), SQLITE_OK);
    assert_int_equal(n, 0);
    StoreBuild b = {"c", "main", "r", 1, NULL, "2025-01-01T00:00:00.000Z"};
    int rc = store_record_build(s, &b, NULL, 0, NULL, err, sizeof err);
    assert_int_equal(rc, SQLITE_READONLY);
    assert_non_null(strstr(err, "readonly"));
    store_close(s);
    db = fx_raw(p);
    char mode[32];
    fx_query_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "delete");
    assert_int_equal(fx_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
                                      "'idx_build_branch'"),
                     0);
    sqlite3_close(db);
}

static void test_journal_delete_for_working_copies(void **state)
{
    const char *p = fx_path("copy.db");
    Store *s = fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE);
    const char *ids[] = {"a"};
    double v[] = {2};
    fx_record(s, "c1", "main", "r1", "push", "2025-01-01T00:00:00.000Z", ids, v, 1);
    assert_false(fx_exists(fx_path("copy.db-wal")));
    store_close(s);
    size_t len;
    char *bytes = fx_read(p, &len);
    assert_int_equal(bytes[18], 1); /* legacy (rollback journal) format */
    assert_int_equal(bytes[19], 1);
    free(bytes);
}

static void test_integrity_and_snapshot(void **state)
{
    int entries = fx_count_entries(fx_dir);
    const char *p = fx_path("live.db");
    Store *s = fx_open(p, STORE_CREATE);
    const char *ids[] = {"size", "lines"};
    double v[] = {1024, 99};
    fx_record(s, "c1", "main", "r1", "push", "2025-01-01T00:00:00.000Z", ids, v, 2);
    int ok = 0;
    char detail[256], err[512];
    assert_int_equal(store_integrity_check(s, 0, &ok, detail, sizeof detail, err, sizeof err),
                     SQLITE_OK);
    assert_true(ok);
    assert_string_equal(detail, "ok");
    assert_int_equal(store_integrity_check(s, 1, &ok, detail, sizeof detail, err, sizeof err),
                     SQLITE_OK);
    assert_true(ok);

    const char *snap = fx_path("snap.db");
    assert_int_equal(store_snapshot(s, snap, 0, err, sizeof err), SQLITE_OK);
    size_t len;
    char *bytes = fx_read(snap, &len);
    assert_int_equal(bytes[18], 1); /* single file, journal mode DELETE */
    free(bytes);
    assert_false(fx_exists(fx_path("snap.db-wal")));
    /* An existing file is kept unless replace is asked for. */
    assert_int_equal(store_snapshot(s, snap, 0, err, sizeof err), SQLITE_CANTOPEN);
    assert_non_null(strstr(err, "File exists"));
    fx_record(s, "c2", "main", "r2", "push", "2025-01-02T00:00:00.000Z", ids, v, 2);
    assert_int_equal(store_snapshot(s, snap, 1, err, sizeof err), SQLITE_OK);
    assert_int_equal(store_snapshot(s, fx_path("no/dir/snap.db"), 0, err, sizeof err),
                     SQLITE_CANTOPEN);
    store_close(s);

    assert_upstream_schema(snap);
    s = fx_open(snap, STORE_READONLY);
    int64_t n = 0;
    assert_int_equal(store_build_count(s, &n, NULL, 0), SQLITE_OK);
    assert_int_equal(n, 2);
    store_close(s);
    /* live.db, snap.db: no temp files left behind. */
    assert_int_equal(fx_count_entries(fx_dir), entries + 2);
    unlink(p);
    unlink(snap);
}

static void test_integrity_check_reports_damage(void **state)
{
    const char *p = fx_path("broken.db");
    Store *s = fx_open(p, STORE_CREATE | STORE_JOURNAL_DELETE);
    static char shas[200][16];
    StoreImportRecord rec[200];
    for (int i = 0; i < 200; i++) {
        snprintf(shas[i], sizeof shas[i], "c%d", i);
        rec[i] = (StoreImportRecord){shas[i], "main", shas[i], i, "2025-01-01T00:00:00.000Z",
                                     "a", 1, i, NULL};
    }
    assert_int_equal(store_import(s, rec, 200, NULL, NULL, 0), SQLITE_OK);
    store_close(s);
    /* Drop every entry of the idx_build_branch index: the table still reads,
     * the index no longer matches it. */
    sqlite3 *db = fx_raw(p);
    fx_exec(db, "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql, "
                "'(branch)', '(run_id)') WHERE name = 'idx_build_branch'");
    sqlite3_close(db);
    s = fx_open(p, STORE_READONLY);
    int ok = 1;
    char detail[256], err[512];
    assert_int_equal(store_integrity_check(s, 0, &ok, detail, sizeof detail, err, sizeof err),
                     SQLITE_OK);
    assert_false(ok);
    assert_non_null(strstr(detail, "idx_build_branch"));
    assert_null(strchr(detail, '\n'));
    store_close(s);
}

static void test_timestamp_shape(void **state)
{
    assert_true(store_timestamp_ok("2025-01-31T23:59:59.999Z"));
    assert_true(store_timestamp_ok("2024-02-29T00:00:00.000Z"));
    assert_false(store_timestamp_ok("2023-02-29T00:00:00.000Z"));
    assert_false(store_timestamp_ok("2025-01-01T00:00:00Z"));
    assert_false(store_timestamp_ok("2025-01-01T00:00:00.000+00:00"));
    assert_false(store_timestamp_ok("2025-13-01T00:00:00.000Z"));
    assert_false(store_timestamp_ok("2025-01-01 00:00:00.000Z"));
    assert_false(store_timestamp_ok("2025-01-01T24:00:00.000Z"));
    assert_false(store_timestamp_ok(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_file_gets_upstream_schema),
        cmocka_unit_test(test_upstream_database_is_kept_as_is),
        cmocka_unit_test(test_empty_file_and_partial_schema_migrate),
        cmocka_unit_test(test_unknown_version_warns_and_reruns),
        cmocka_unit_test(test_memory_database),
        cmocka_unit_test(test_not_a_database_is_left_untouched),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_file_prefix_is_a_plain_name),
        cmocka_unit_test(test_readonly_open),
        cmocka_unit_test(test_journal_delete_for_working_copies),
        cmocka_unit_test(test_integrity_and_snapshot),
        cmocka_unit_test(test_integrity_check_reports_damage),
        cmocka_unit_test(test_timestamp_shape),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
