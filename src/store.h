/* store.h: the SQLite storage layer (storage.md). Opens a local database or a
 * provider's working copy, migrates it to the upstream 2.0.0 schema, records
 * builds in one IMMEDIATE transaction with busy retries, and answers the
 * report and baseline queries. Pure C over sqlite3 (no Lua): every function
 * returns an SQLite result code (SQLITE_OK on success) and fills `err`
 * (may be NULL) with a message on failure. Statements are always prepared
 * and bound; values are never formatted into SQL. */
#ifndef UNENTROPY_STORE_H
#define UNENTROPY_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct Store Store;

/* store_open flags. */
enum {
    STORE_READONLY = 1 << 0,       /* SQLITE_OPEN_READONLY, never migrates */
    STORE_CREATE = 1 << 1,         /* create a missing file (read-write only) */
    STORE_JOURNAL_DELETE = 1 << 2, /* working copy / single-file output:
                                      journal_mode DELETE instead of WAL */
};

#define STORE_SCHEMA_LATEST "2.0.0"
#define STORE_ATTEMPTS 4 /* one try + retries after 100, 200, 400 ms */

/* Opens `path` (":memory:" works) and applies the pragmas of storage.md §3.
 * Read-write opens run the migrations of §2 in one IMMEDIATE transaction;
 * read-only opens reject files without a schema_version table. A file that
 * is not a SQLite database, or whose schema cannot be read, is reported and
 * never written to. On success *out owns the connection: release it with
 * store_close. On failure *out is NULL. The path is copied. A Store is used
 * by one thread at a time (SQLITE_OPEN_NOMUTEX); other processes and other
 * Stores on the same file are fine. */
int store_open(Store **out, const char *path, unsigned flags, char *err, size_t errlen);

/* Checkpoints a local WAL database (wal_checkpoint(TRUNCATE)), finalizes
 * every statement and closes the connection. Accepts NULL. Never fails: a
 * checkpoint that cannot run (another reader) leaves the -wal file. */
void store_close(Store *s);

/* The path given to store_open; valid until store_close. */
const char *store_path(const Store *s);
unsigned store_flags(const Store *s);

/* Highest schema_version row at open ("" for a read-only file that has the
 * table but no row). Valid until store_close. */
const char *store_schema_version(const Store *s);

/* The warning produced at open (unknown schema version), or NULL. */
const char *store_warning(const Store *s);

/* Overrides the 5000 ms busy timeout (tests use short ones). */
void store_set_busy_timeout(Store *s, int ms);

/* Runs fn inside BEGIN IMMEDIATE ... COMMIT. When fn, BEGIN or COMMIT
 * returns SQLITE_BUSY or SQLITE_LOCKED (after the busy timeout), rolls back
 * and re-runs fn after 100, 200 and 400 ms; the fourth failure gives
 * "database is locked (gave up after 4 attempts)". Any other rc rolls back
 * and is returned with fn's message. fn must be idempotent and must fill
 * err on failures other than busy. SQLITE_MISUSE inside a transaction. */
typedef int (*store_txn_fn)(Store *s, void *ud, char *err, size_t errlen);
int store_transaction(Store *s, store_txn_fn fn, void *ud, char *err, size_t errlen);

/* True when `ts` is exactly YYYY-MM-DDTHH:MM:SS.sssZ with a valid date. */
int store_timestamp_ok(const char *ts);

/* ---- writes (store_write.c) -------------------------------------------- */

typedef struct StoreBuild {
    const char *commit_sha;
    const char *branch;
    const char *run_id;
    int64_t run_number;
    const char *event_name; /* NULL allowed */
    const char *timestamp;  /* YYYY-MM-DDTHH:MM:SS.sssZ */
} StoreBuild;

typedef struct StoreValue {
    const char *metric_id;
    const char *type;        /* "numeric" or "label" */
    const char *unit;        /* NULL keeps the stored unit */
    const char *description; /* NULL keeps the stored description */
    int is_numeric;          /* 1: value_numeric is used, 0: value_label */
    double value_numeric;    /* finite or infinite, never NaN */
    const char *value_label;
} StoreValue;

/* The shape checks every backend applies before recording a build: its
 * required fields and timestamp form, then, value by value, the metric id
 * and a type matching the value (the value itself, NaN or a missing label,
 * each backend checks after this). Return 0, or 1 with the problem (without
 * a module prefix) in msg. */
int store_build_problem(const StoreBuild *b, char *msg, size_t len);
int store_value_problem(const StoreValue *v, size_t index, char *msg, size_t len);

/* Records one build and its values (storage.md §5) in one transaction with
 * busy retries. Recording the same (commit_sha, run_id) again replaces the
 * build's fields and values and keeps its id. Strings are borrowed for the
 * call. SQLITE_MISUSE for a bad timestamp, a NaN or a missing field. */
int store_record_build(Store *s, const StoreBuild *b, const StoreValue *v, size_t n,
                       int64_t *build_id, char *err, size_t errlen);

typedef struct StoreImportRecord {
    const char *commit_sha;
    const char *branch;
    const char *run_id;
    int64_t run_number;
    const char *timestamp; /* YYYY-MM-DDTHH:MM:SS.sssZ */
    const char *metric_id;
    int is_numeric;
    double value_numeric;
    const char *value_label;
} StoreImportRecord;

/* ---- imports (store_import.c) ------------------------------------------ */

/* Writes imported records (import.md §4) in one transaction with busy
 * retries: builds with event_name 'import' (the first record of a
 * (sha, run_id) wins), definitions without unit/description, values
 * replaced on conflict. *inserted = n on success; nothing on failure. */
int store_import(Store *s, const StoreImportRecord *r, size_t n, int64_t *inserted,
                 char *err, size_t errlen);

/* Streaming import: the same writes as store_import, fed one record at a
 * time inside one IMMEDIATE transaction, so the caller never holds more
 * than one record. Statements are prepared once and reused.
 *
 * store_import_begin: BEGIN IMMEDIATE with the busy retries of
 * store_transaction (100, 200, 400 ms; then "database is locked (gave up
 * after 4 attempts)"). SQLITE_MISUSE when a transaction or import is
 * already open; SQLITE_READONLY for a read-only Store.
 *
 * store_import_add: writes one record (strings borrowed for the call).
 * SQLITE_MISUSE (no import open, a missing field, a bad timestamp, a NaN)
 * changes nothing and leaves the import open; any other failure rolls the
 * whole import back and ends it.
 *
 * store_import_commit: COMMIT, retried after 100, 200, 400 ms while the
 * database is busy. On success *inserted (may be NULL) gets the number of
 * records added; on failure everything is rolled back. The import ends
 * either way. SQLITE_MISUSE when no import is open.
 *
 * store_import_rollback: rolls back and ends an open import; a no-op
 * otherwise (also for NULL). store_close rolls back an open import too.
 *
 * While an import is open, other writes (store_record_build, store_import,
 * store_begin_read) fail with SQLITE_MISUSE; queries see the added rows. */
int store_import_begin(Store *s, char *err, size_t errlen);
int store_import_add(Store *s, const StoreImportRecord *r, char *err, size_t errlen);
int store_import_commit(Store *s, int64_t *inserted, char *err, size_t errlen);
void store_import_rollback(Store *s);

/* Whether a streaming import is open, and how many records it holds. */
int store_import_active(const Store *s);
int64_t store_import_count(const Store *s);

/* ---- reads (store_query.c) ---------------------------------------------
 * Row callbacks get pointers that are valid only during the call. Return 0
 * to continue; any other value stops the query and is returned as the rc
 * (err is left empty). Every report query applies the event filter of
 * storage.md §6 unless STORE_WITH_PULL_REQUESTS is given, skips rows whose
 * timestamp SQLite cannot parse, and orders by julianday(timestamp), id. */
enum { STORE_WITH_PULL_REQUESTS = 1 };

typedef struct StoreBuildRow {
    int64_t id;
    const char *commit_sha;
    const char *branch;
    const char *run_id;
    int64_t run_number;
    const char *event_name; /* NULL when stored as NULL */
    const char *timestamp;
} StoreBuildRow;

typedef struct StoreValueRow {
    int64_t build_id;
    const char *metric_id;
    int is_numeric;
    double value_numeric;
    const char *value_label; /* NULL when numeric */
} StoreValueRow;

typedef struct StoreSeriesRow {
    int64_t build_id;
    int is_numeric;
    double value_numeric;
    const char *value_label;
    const char *commit_sha;
    const char *branch;
    int64_t run_number;
    const char *timestamp;
} StoreSeriesRow;

typedef struct StoreMetricDef {
    const char *id;
    const char *type;
    const char *unit;        /* may be NULL */
    const char *description; /* may be NULL */
} StoreMetricDef;

typedef int (*store_build_cb)(void *ud, const StoreBuildRow *row);
typedef int (*store_value_cb)(void *ud, const StoreValueRow *row);
typedef int (*store_series_cb)(void *ud, const StoreSeriesRow *row);
typedef int (*store_def_cb)(void *ud, const StoreMetricDef *def);

/* Timeline: builds that have at least one value, ascending. */
int store_timeline(Store *s, unsigned qflags, store_build_cb cb, void *ud, char *err,
                   size_t errlen);

/* Values of every timeline build in one query, ordered by build id then
 * value id (the report aligns them by build id). */
int store_values(Store *s, unsigned qflags, store_value_cb cb, void *ud, char *err,
                 size_t errlen);

/* Values of one metric joined to their builds, ascending. */
int store_series(Store *s, const char *metric_id, unsigned qflags, store_series_cb cb,
                 void *ud, char *err, size_t errlen);

/* Baseline, latest: the most recent numeric value of `metric_id` on
 * `branch` no older than max_age_days x 24 h before `now` (a timestamp
 * SQLite can parse, or "now"). Baseline, merge-base: the most recent numeric
 * value of `metric_id` built from `sha` (case-insensitive). Pull-request
 * builds never count. cb runs at most once; *found says whether it did.
 * SQLITE_MISUSE when `now` cannot be parsed. */
int store_baseline_latest(Store *s, const char *metric_id, const char *branch,
                          double max_age_days, const char *now, store_series_cb cb,
                          void *ud, int *found, char *err, size_t errlen);
int store_baseline_commit(Store *s, const char *metric_id, const char *sha,
                          store_series_cb cb, void *ud, int *found, char *err,
                          size_t errlen);

/* Metric definitions in insertion (rowid) order. */
int store_metric_definitions(Store *s, store_def_cb cb, void *ud, char *err, size_t errlen);

/* count(*) of build_contexts (all events); coalesce(max(run_number), 0). */
int store_build_count(Store *s, int64_t *out, char *err, size_t errlen);
int store_max_run_number(Store *s, int64_t *out, char *err, size_t errlen);

/* Read transaction so that several queries see one snapshot. */
int store_begin_read(Store *s, char *err, size_t errlen);
int store_end_read(Store *s, char *err, size_t errlen);

/* Resets every cached statement (after a query was abandoned mid-way). */
void store_reset_statements(Store *s);

/* ---- maintenance (store.c) --------------------------------------------- */

/* PRAGMA integrity_check (quick_check when `quick`). *ok = 1 when the
 * result is "ok"; otherwise `detail` gets the first line. */
int store_integrity_check(Store *s, int quick, int *ok, char *detail, size_t detaillen,
                          char *err, size_t errlen);

/* Writes a single-file copy (VACUUM INTO, journal mode DELETE) to `dest`
 * through a temporary file renamed into place. An existing `dest` is an
 * error (SQLITE_CANTOPEN) unless `replace`. */
int store_snapshot(Store *s, const char *dest, int replace, char *err, size_t errlen);

#endif
