/* store_fixture.h: helpers shared by test_store.c and test_store_queries.c:
 * a mkdtemp directory, file snapshots, raw sqlite3 access (to play the part
 * of upstream Unentropy and of a second writer) and small recorders.
 * Header-only; include after cmocka.h. Depends on sqlite3 and store.h. */
#ifndef UNENTROPY_STORE_FIXTURE_H
#define UNENTROPY_STORE_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

/* Upstream Unentropy 2.0.0's initializeSchema, as its template literals are
 * written (storage.md §1): what a database made by the TypeScript tool
 * contains. */
#define UPSTREAM_SCHEMA_VERSION_SQL                                                          \
    "\n    CREATE TABLE IF NOT EXISTS schema_version (\n"                                    \
    "      version TEXT PRIMARY KEY,\n"                                                     \
    "      applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"                       \
    "      description TEXT\n"                                                              \
    "    );\n  "

#define UPSTREAM_SCHEMA_SQL                                                                  \
    "\n  CREATE TABLE IF NOT EXISTS metric_definitions (\n"                                  \
    "    id TEXT PRIMARY KEY CHECK(id GLOB '[a-z0-9-]*'),\n"                                 \
    "    type TEXT NOT NULL CHECK(type IN ('numeric', 'label')),\n"                          \
    "    unit TEXT,\n    description TEXT\n  );\n\n"                                         \
    "  CREATE TABLE IF NOT EXISTS build_contexts (\n"                                        \
    "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    commit_sha TEXT NOT NULL,\n"             \
    "    branch TEXT NOT NULL,\n    run_id TEXT NOT NULL,\n"                                 \
    "    run_number INTEGER NOT NULL,\n    event_name TEXT,\n"                               \
    "    timestamp DATETIME NOT NULL,\n    UNIQUE(commit_sha, run_id)\n  );\n\n"             \
    "  CREATE INDEX IF NOT EXISTS idx_build_timestamp ON build_contexts(timestamp);\n"       \
    "  CREATE INDEX IF NOT EXISTS idx_build_branch ON build_contexts(branch);\n"             \
    "  CREATE INDEX IF NOT EXISTS idx_build_commit ON build_contexts(commit_sha);\n"         \
    "  CREATE INDEX IF NOT EXISTS idx_build_event_timestamp ON build_contexts(event_name, "  \
    "timestamp);\n\n"                                                                        \
    "  CREATE TABLE IF NOT EXISTS metric_values (\n"                                         \
    "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    metric_id TEXT NOT NULL,\n"              \
    "    build_id INTEGER NOT NULL,\n    value_numeric REAL,\n    value_label TEXT,\n"       \
    "    FOREIGN KEY (metric_id) REFERENCES metric_definitions(id),\n"                      \
    "    FOREIGN KEY (build_id) REFERENCES build_contexts(id),\n"                           \
    "    UNIQUE(metric_id, build_id),\n    CHECK(\n"                                         \
    "      (value_numeric IS NOT NULL AND value_label IS NULL) OR\n"                        \
    "      (value_numeric IS NULL AND value_label IS NOT NULL)\n    )\n  );\n\n"             \
    "  CREATE INDEX IF NOT EXISTS idx_metric_value_build ON metric_values(build_id);\n"

static char fx_dir[64];

static inline void fx_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    closedir(d);
    rmdir(dir);
}

static inline int fx_setup(void **state)
{
    (void)state;
    snprintf(fx_dir, sizeof fx_dir, "/tmp/unentropy-store-XXXXXX");
    return mkdtemp(fx_dir) ? 0 : -1;
}

static inline int fx_teardown(void **state)
{
    (void)state;
    fx_rmdir(fx_dir);
    return 0;
}

/* "<tmpdir>/<name>" in one of 4 rotating buffers. */
static inline const char *fx_path(const char *name)
{
    static char bufs[4][256];
    static int i;
    char *b = bufs[i++ % 4];
    snprintf(b, 256, "%s/%s", fx_dir, name);
    return b;
}

static inline int fx_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static inline int fx_count_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    if (d) {
        closedir(d);
    }
    return n;
}

/* Whole file into a malloc'd buffer; *len gets its size. */
static inline char *fx_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static inline void fx_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static inline sqlite3 *fx_raw(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static inline void fx_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        fail_msg("sql failed (%d): %s\n%s", rc, msg ? msg : "", sql);
    }
}

/* First column of the first row as text into out ("" for none/NULL). */
static inline void fx_query_text(sqlite3 *db, const char *sql, char *out, size_t len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
}

static inline int64_t fx_query_int(sqlite3 *db, const char *sql)
{
    char buf[64];
    fx_query_text(db, sql, buf, sizeof buf);
    return strtoll(buf, NULL, 10);
}

/* A database exactly as upstream creates it (journal mode DELETE). */
static inline void fx_make_upstream_db(const char *path)
{
    sqlite3 *db = fx_raw(path);
    fx_exec(db, UPSTREAM_SCHEMA_VERSION_SQL);
    fx_exec(db, UPSTREAM_SCHEMA_SQL);
    fx_exec(db, "INSERT OR IGNORE INTO schema_version (version, description) VALUES "
                "('2.0.0', 'Clean schema with string metric IDs')");
    sqlite3_close(db);
}

static inline Store *fx_open(const char *path, unsigned flags)
{
    Store *s = NULL;
    char err[512] = "";
    int rc = store_open(&s, path, flags, err, sizeof err);
    if (rc != SQLITE_OK) {
        fail_msg("store_open(%s) = %d: %s", path, rc, err);
    }
    return s;
}

/* Records a build with one numeric value per metric id in `ids`. */
static inline int64_t fx_record(Store *s, const char *sha, const char *branch,
                                const char *run_id, const char *event, const char *ts,
                                const char *const *ids, const double *vals, size_t n)
{
    StoreBuild b = {sha, branch, run_id, 1, event, ts};
    StoreValue v[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        v[i] = (StoreValue){ids[i], "numeric", "integer", NULL, 1, vals[i], NULL};
    }
    int64_t id = -1;
    char err[512] = "";
    int rc = store_record_build(s, &b, v, n, &id, err, sizeof err);
    if (rc != SQLITE_OK) {
        fail_msg("store_record_build = %d: %s", rc, err);
    }
    return id;
}

/* Collects build ids of a timeline. */
typedef struct FxIds {
    int64_t ids[256];
    int n;
} FxIds;

static inline int fx_collect_build(void *ud, const StoreBuildRow *r)
{
    FxIds *x = ud;
    x->ids[x->n++] = r->id;
    return 0;
}

#endif
