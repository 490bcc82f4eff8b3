/* store.c: opening, pragmas, schema migrations, IMMEDIATE transactions with
 * busy retries, integrity checks and single-file snapshots (storage.md
 * §1-4, §7.3). The DDL below is upstream Unentropy 2.0.0's, byte for byte:
 * SQLite keeps the statement text in sqlite_master, and databases must be
 * interchangeable with the TypeScript tool. Depends on sqlite3 and POSIX. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_history.h"
#include "store_internal.h"

#define BUSY_TIMEOUT_MS 5000
#define CLOSE_CHECKPOINT_TIMEOUT_MS 200

static const char SCHEMA_VERSION_SQL[] =
    "\n    CREATE TABLE IF NOT EXISTS schema_version (\n"
    "      version TEXT PRIMARY KEY,\n"
    "      applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
    "      description TEXT\n"
    "    );\n  ";

static const char SCHEMA_2_0_0_SQL[] =
    "\n  CREATE TABLE IF NOT EXISTS metric_definitions (\n"
    "    id TEXT PRIMARY KEY CHECK(id GLOB '[a-z0-9-]*'),\n"
    "    type TEXT NOT NULL CHECK(type IN ('numeric', 'label')),\n"
    "    unit TEXT,\n"
    "    description TEXT\n"
    "  );\n"
    "\n"
    "  CREATE TABLE IF NOT EXISTS build_contexts (\n"
    "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    commit_sha TEXT NOT NULL,\n"
    "    branch TEXT NOT NULL,\n"
    "    run_id TEXT NOT NULL,\n"
    "    run_number INTEGER NOT NULL,\n"
    "    event_name TEXT,\n"
    "    timestamp DATETIME NOT NULL,\n"
    "    UNIQUE(commit_sha, run_id)\n"
    "  );\n"
    "\n"
    "  CREATE INDEX IF NOT EXISTS idx_build_timestamp ON build_contexts(timestamp);\n"
    "  CREATE INDEX IF NOT EXISTS idx_build_branch ON build_contexts(branch);\n"
    "  CREATE INDEX IF NOT EXISTS idx_build_commit ON build_contexts(commit_sha);\n"
    "  CREATE INDEX IF NOT EXISTS idx_build_event_timestamp ON build_contexts(event_name, "
    "timestamp);\n"
    "\n"
    "  CREATE TABLE IF NOT EXISTS metric_values (\n"
    "    id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    metric_id TEXT NOT NULL,\n"
    "    build_id INTEGER NOT NULL,\n"
    "    value_numeric REAL,\n"
    "    value_label TEXT,\n"
    "    FOREIGN KEY (metric_id) REFERENCES metric_definitions(id),\n"
    "    FOREIGN KEY (build_id) REFERENCES build_contexts(id),\n"
    "    UNIQUE(metric_id, build_id),\n"
    "    CHECK(\n"
    "      (value_numeric IS NOT NULL AND value_label IS NULL) OR\n"
    "      (value_numeric IS NULL AND value_label IS NOT NULL)\n"
    "    )\n"
    "  );\n"
    "\n"
    "  CREATE INDEX IF NOT EXISTS idx_metric_value_build ON metric_values(build_id);\n";

static const struct {
    const char *version;
    const char *description;
    const char *sql;
} MIGRATIONS[] = {
    {"2.0.0", "Clean schema with string metric IDs", SCHEMA_2_0_0_SQL},
};
#define N_MIGRATIONS (sizeof MIGRATIONS / sizeof MIGRATIONS[0])

/* ---- shared helpers ------------------------------------------------------ */

int store_errf(int rc, char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int store_sql_error(Store *s, int rc, const char *what, char *err, size_t errlen)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        msg = "database is locked";
    }
    return store_errf(rc, err, errlen, "store: %s failed: %s", what, msg);
}

int store_bind_text(sqlite3_stmt *st, int idx, const char *v)
{
    return v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
}

sqlite3_stmt *store_stmt(Store *s, StoreStmt id, const char *sql, int *rc, char *err,
                         size_t errlen)
{
    sqlite3_stmt *st = s->stmts[id];
    if (st == NULL) {
        *rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (*rc != SQLITE_OK) {
            store_sql_error(s, *rc, "prepare", err, errlen);
            sqlite3_finalize(st);
            return NULL;
        }
        s->stmts[id] = st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    *rc = SQLITE_OK;
    return st;
}

void store_reset_statements(Store *s)
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (s->stmts[i] != NULL) {
            sqlite3_reset(s->stmts[i]);
        }
    }
}

static int is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int exec_sql(Store *s, const char *sql, const char *what, char *err, size_t errlen)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? rc : store_sql_error(s, rc, what, err, errlen);
}

/* Debian builds SQLite with SQLITE_USE_URI, so a relative name starting
 * with "file:" would be parsed as a URI. Returns a malloc'd "./<path>" for
 * those (caller frees), NULL for every other path. */
static char *plain_name(const char *path)
{
    char *fixed = NULL;
    if (strncmp(path, "file:", 5) == 0 && (fixed = malloc(strlen(path) + 3)) != NULL) {
        sprintf(fixed, "./%s", path);
    }
    return fixed;
}

/* ---- accessors ------------------------------------------------------------ */

const char *store_path(const Store *s) { return s->path; }
unsigned store_flags(const Store *s) { return s->flags; }
const char *store_schema_version(const Store *s) { return s->version; }
const char *store_warning(const Store *s) { return s->warning; }

void store_set_busy_timeout(Store *s, int ms)
{
    sqlite3_busy_timeout(s->db, ms);
}

static int two(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

int store_timestamp_ok(const char *ts)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (ts == NULL || strlen(ts) != sizeof shape - 1) {
        return 0;
    }
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? (ts[i] < '0' || ts[i] > '9') : ts[i] != shape[i]) {
            return 0;
        }
    }
    int y = two(ts) * 100 + two(ts + 2), mo = two(ts + 5), d = two(ts + 8);
    int h = two(ts + 11), mi = two(ts + 14), sec = two(ts + 17);
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) {
        return 0;
    }
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[mo - 1] + (mo == 2 && leap);
}

/* ---- transactions ---------------------------------------------------------- */

static void rollback(Store *s)
{
    store_reset_statements(s);
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

int store_transaction(Store *s, store_txn_fn fn, void *ud, char *err, size_t errlen)
{
    static const int backoff_ms[STORE_ATTEMPTS - 1] = {100, 200, 400};
    if (!sqlite3_get_autocommit(s->db)) {
        return store_errf(SQLITE_MISUSE, err, errlen, "store: a transaction is already open");
    }
    for (int attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
        if (attempt > 0) {
            sleep_ms(backoff_ms[attempt - 1]);
        }
        int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            if (!is_busy(rc)) {
                return store_sql_error(s, rc, "begin", err, errlen);
            }
            continue;
        }
        rc = fn(s, ud, err, errlen);
        if (rc == SQLITE_OK) {
            rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
            if (rc == SQLITE_OK) {
                return SQLITE_OK;
            }
            if (!is_busy(rc)) {
                store_sql_error(s, rc, "commit", err, errlen);
            }
        }
        rollback(s);
        if (!is_busy(rc)) {
            return rc;
        }
    }
    return store_errf(SQLITE_BUSY, err, errlen, "database is locked (gave up after %d attempts)",
                      STORE_ATTEMPTS);
}

/* ---- schema ---------------------------------------------------------------- */

/* Highest schema_version row into s->version ("" when none). */
static int read_version(Store *s, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db, "SELECT version FROM schema_version ORDER BY version DESC LIMIT 1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        s->version[0] = '\0';
        if (rc == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            snprintf(s->version, sizeof s->version, "%s", v ? (const char *)v : "");
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) {
        store_sql_error(s, rc, "reading schema_version", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

static int known_index(const char *version)
{
    for (size_t i = 0; i < N_MIGRATIONS; i++) {
        if (strcmp(MIGRATIONS[i].version, version) == 0) {
            return (int)i;
        }
    }
    /* Additive versions (2.1.0, store_history.h) sit on top of the last
     * migration: nothing to run, no "unknown version" warning. */
    if (store_history_version_known(version)) {
        return (int)N_MIGRATIONS - 1;
    }
    return -1;
}

static void set_unknown_warning(Store *s)
{
    static const char fmt[] =
        "database schema version %s is not known to this unentropy (latest known: %s)";
    free(s->warning);
    size_t n = sizeof fmt + strlen(s->version) + sizeof STORE_SCHEMA_LATEST;
    s->warning = malloc(n);
    if (s->warning != NULL) {
        snprintf(s->warning, n, fmt, s->version, STORE_SCHEMA_LATEST);
    }
}

static int insert_version(Store *s, size_t i, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db, "INSERT OR IGNORE INTO schema_version (version, description) VALUES (?, ?)", -1,
        &st, NULL);
    if (rc == SQLITE_OK) {
        store_bind_text(st, 1, MIGRATIONS[i].version);
        store_bind_text(st, 2, MIGRATIONS[i].description);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        store_sql_error(s, rc, "recording the schema version", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

/* storage.md §2: one IMMEDIATE transaction; upstream's list re-runs from the
 * start when the recorded version is unknown. */
static int migrate_txn(Store *s, void *ud, char *err, size_t errlen)
{
    (void)ud;
    int rc = exec_sql(s, SCHEMA_VERSION_SQL, "creating schema_version", err, errlen);
    if (rc == SQLITE_OK) {
        rc = read_version(s, err, errlen);
    }
    if (rc != SQLITE_OK) {
        return rc;
    }
    int current = -1;
    free(s->warning);
    s->warning = NULL;
    if (s->version[0] != '\0') {
        current = known_index(s->version);
        if (current < 0) {
            set_unknown_warning(s);
        }
    }
    for (size_t i = (size_t)(current + 1); i < N_MIGRATIONS; i++) {
        rc = exec_sql(s, MIGRATIONS[i].sql, "migrating the schema", err, errlen);
        if (rc == SQLITE_OK) {
            rc = insert_version(s, i, err, errlen);
        }
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    return read_version(s, err, errlen);
}

/* Reads the schema without writing anything: tells apart a database, a file
 * that is not one, and a damaged one. */
static int probe(Store *s, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        rc = rc == SQLITE_ROW ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK && (rc & 0xff) == SQLITE_NOTADB) {
        store_errf(rc, err, errlen, "store: '%s' is not a SQLite database", s->path);
    } else if (rc != SQLITE_OK && (rc & 0xff) == SQLITE_CORRUPT) {
        store_errf(rc, err, errlen, "store: '%s' is corrupt: %s", s->path, sqlite3_errmsg(s->db));
    } else if (rc != SQLITE_OK) {
        store_errf(rc, err, errlen, "store: cannot read '%s': %s", s->path,
                   is_busy(rc) ? "database is locked" : sqlite3_errmsg(s->db));
    }
    sqlite3_finalize(st);
    return rc;
}

static int has_schema_version(Store *s, int *yes, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", -1,
        &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        *yes = rc == SQLITE_ROW;
        rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        store_sql_error(s, rc, "reading the schema", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

/* journal_mode needs a brief exclusive lock: retried like a transaction. */
static int set_journal(Store *s, char *err, size_t errlen)
{
    const char *sql = (s->flags & STORE_JOURNAL_DELETE) ? "PRAGMA journal_mode=DELETE"
                                                         : "PRAGMA journal_mode=WAL";
    static const int backoff_ms[STORE_ATTEMPTS - 1] = {100, 200, 400};
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
        if (attempt > 0) {
            sleep_ms(backoff_ms[attempt - 1]);
        }
        rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (!is_busy(rc)) {
            return rc == SQLITE_OK ? rc
                                   : store_sql_error(s, rc, "setting journal_mode", err, errlen);
        }
    }
    return store_errf(SQLITE_BUSY, err, errlen, "database is locked (gave up after %d attempts)",
                      STORE_ATTEMPTS);
}

static int configure(Store *s, char *err, size_t errlen)
{
    int rc = exec_sql(s,
                      "PRAGMA foreign_keys=ON; PRAGMA cache_size=-2000; PRAGMA temp_store=MEMORY",
                      "setting pragmas", err, errlen);
    if (rc != SQLITE_OK) {
        return rc;
    }
    if (s->flags & STORE_READONLY) {
        int yes = 0;
        rc = has_schema_version(s, &yes, err, errlen);
        if (rc == SQLITE_OK && !yes) {
            return store_errf(SQLITE_NOTADB, err, errlen,
                              "%s is not an unentropy database (no schema_version table)",
                              s->path);
        }
        if (rc == SQLITE_OK) {
            rc = read_version(s, err, errlen);
        }
        if (rc == SQLITE_OK && s->version[0] != '\0' && known_index(s->version) < 0) {
            set_unknown_warning(s);
        }
        return rc;
    }
    rc = set_journal(s, err, errlen);
    if (rc == SQLITE_OK) {
        rc = exec_sql(s, "PRAGMA synchronous=NORMAL", "setting pragmas", err, errlen);
    }
    if (rc == SQLITE_OK) {
        rc = store_transaction(s, migrate_txn, NULL, err, errlen);
    }
    return rc;
}

/* ---- open / close ------------------------------------------------------------ */

int store_open(Store **out, const char *path, unsigned flags, char *err, size_t errlen)
{
    *out = NULL;
    if (flags & STORE_READONLY) {
        flags &= ~(unsigned)(STORE_CREATE | STORE_JOURNAL_DELETE);
    }
    Store *s = calloc(1, sizeof *s);
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return store_errf(SQLITE_NOMEM, err, errlen, "store: out of memory");
    }
    s->flags = flags;
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (flags & STORE_CREATE) {
        oflags |= SQLITE_OPEN_CREATE;
    }
    char *fixed = plain_name(path);
    int rc = sqlite3_open_v2(fixed ? fixed : path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    free(fixed);
    if (rc != SQLITE_OK) {
        int sys = s->db ? sqlite3_system_errno(s->db) : 0;
        store_errf(rc, err, errlen, "store: cannot open '%s': %s", path,
                   sys ? strerror(sys) : (s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc)));
        s->flags |= STORE_READONLY; /* nothing to checkpoint */
        store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    rc = probe(s, err, errlen);
    if (rc == SQLITE_OK) {
        rc = configure(s, err, errlen);
    }
    if (rc != SQLITE_OK) {
        s->flags |= STORE_READONLY; /* no checkpoint on the way out */
        store_close(s);
        return rc;
    }
    *out = s;
    return SQLITE_OK;
}

void store_close(Store *s)
{
    if (s == NULL) {
        return;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(s->stmts[i]);
        s->stmts[i] = NULL;
    }
    if (s->db != NULL) {
        if (!(s->flags & (STORE_READONLY | STORE_JOURNAL_DELETE)) &&
            sqlite3_get_autocommit(s->db)) {
            sqlite3_busy_timeout(s->db, CLOSE_CHECKPOINT_TIMEOUT_MS);
            sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        }
        sqlite3_close_v2(s->db);
    }
    free(s->warning);
    free(s->path);
    free(s);
}

/* ---- maintenance --------------------------------------------------------------- */

int store_integrity_check(Store *s, int quick, int *ok, char *detail, size_t detaillen,
                          char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    *ok = 0;
    if (detail != NULL && detaillen > 0) {
        detail[0] = '\0';
    }
    int rc = sqlite3_prepare_v2(s->db, quick ? "PRAGMA quick_check" : "PRAGMA integrity_check",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(st, 0);
            *ok = r != NULL && strcmp(r, "ok") == 0;
            if (detail != NULL && detaillen > 0) {
                snprintf(detail, detaillen, "%s", r ? r : "");
                detail[strcspn(detail, "\n")] = '\0';
            }
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) {
        store_sql_error(s, rc, quick ? "quick_check" : "integrity_check", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

int store_snapshot(Store *s, const char *dest, int replace, char *err, size_t errlen)
{
    struct stat sb;
    if (!replace && lstat(dest, &sb) == 0) {
        return store_errf(SQLITE_CANTOPEN, err, errlen, "store: cannot snapshot to '%s': %s",
                          dest, strerror(EEXIST));
    }
    size_t n = strlen(dest) + 32;
    char *tmp = malloc(n);
    if (tmp == NULL) {
        return store_errf(SQLITE_NOMEM, err, errlen, "store: out of memory");
    }
    int fd = -1;
    for (int i = 0; fd < 0 && i < 100; i++) {
        snprintf(tmp, n, "%s.tmp-%ld-%d", dest, (long)getpid(), i);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) {
            break;
        }
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return store_errf(SQLITE_CANTOPEN, err, errlen, "store: cannot snapshot to '%s': %s",
                          dest, strerror(e));
    }
    close(fd);
    sqlite3_stmt *st = NULL;
    char *fixed = plain_name(tmp);
    int rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        store_bind_text(st, 1, fixed ? fixed : tmp);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
        store_sql_error(s, rc, "snapshot", err, errlen);
    }
    sqlite3_finalize(st);
    free(fixed);
    if (rc == SQLITE_OK && rename(tmp, dest) != 0) {
        rc = store_errf(SQLITE_CANTOPEN, err, errlen, "store: cannot snapshot to '%s': %s", dest,
                        strerror(errno));
    }
    if (rc != SQLITE_OK) {
        unlink(tmp);
    }
    free(tmp);
    return rc;
}
