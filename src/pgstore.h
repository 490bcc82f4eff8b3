/* pgstore.h: PostgreSQL storage (docs/postgres.md). The data model of
 * storage.md in one PostgreSQL schema per repository, over libpq, with the
 * domain verbs of store.h (record a build, import, report and baseline
 * queries, counts) and its row types, plus the dump and restore verbs of
 * `unentropy db copy`. Pure C (no Lua): every function returns a PGSTORE_*
 * code and fills `err` (may be NULL). Messages never contain credentials.
 * Values always travel as parameters of prepared statements; only the
 * (quoted) schema identifier is part of the SQL text. */
#ifndef UNENTROPY_PGSTORE_H
#define UNENTROPY_PGSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct PgStore PgStore;

/* Result codes (the third value of the Lua binding's nil, msg, code). */
enum {
    PGSTORE_OK = 0,
    PGSTORE_ERROR = 1,     /* an SQL error (constraint violation, bad input, ...) */
    PGSTORE_MISUSE = 2,    /* a programming error: bad argument, transaction state */
    PGSTORE_CONNECT = 3,   /* cannot connect, or the connection stayed lost */
    PGSTORE_AUTH = 4,      /* the server refused the credentials */
    PGSTORE_NOT_FOUND = 5, /* read-only open of a schema without unentropy tables */
    PGSTORE_CONFLICT = 6,  /* serialization failures/deadlocks outlasted the retries */
    PGSTORE_READONLY = 7,  /* a write through a read-only PgStore */
    PGSTORE_NOMEM = 8,
};

#define PGSTORE_SCHEMA_LATEST "2.0.0"

typedef struct PgStoreConfig {
    const char *conninfo; /* URL or "key=value" string; secret; copied */
    const char *schema;   /* the repository's schema, unquoted; required */
    const char *host;     /* NULL: from conninfo (these override it) */
    const char *port;
    const char *database;
    const char *sslmode;
    int readonly;         /* never migrate; the schema must exist */
    int connect_timeout;  /* seconds; 0 means 10 */
} PgStoreConfig;

/* Connects, sets the session up (UTC, exact float output) and, for
 * read-write opens, creates the schema and runs the migrations under a
 * transaction-level advisory lock, so concurrent jobs can connect at once.
 * Read-only opens give PGSTORE_NOT_FOUND when the schema has no
 * schema_version table. A server that refuses the password gives
 * PGSTORE_AUTH, one that cannot be reached PGSTORE_CONNECT. On success *out
 * owns the connection (release with pgstore_close); on failure *out is NULL.
 * Every string is copied. */
int pgstore_open(PgStore **out, const PgStoreConfig *cfg, char *err, size_t errlen);

/* Rolls back anything open and closes the connection; wipes the copied
 * connection string. Accepts NULL. */
void pgstore_close(PgStore *s);

/* "postgresql://user@host:port/db#schema", no password; valid until close. */
const char *pgstore_location(const PgStore *s);
const char *pgstore_schema(const PgStore *s);
int pgstore_readonly(const PgStore *s);
/* Highest schema_version row at open; valid until close. */
const char *pgstore_schema_version(const PgStore *s);
/* The unknown-schema-version warning of the open, or NULL. */
const char *pgstore_warning(const PgStore *s);

/* Retry policy of transactions (default 6 attempts, first pause 100 ms,
 * doubling, +-20 % jitter): serialization failures (40001), deadlocks
 * (40P01) and lost connections (reconnecting first). */
void pgstore_set_retry(PgStore *s, int attempts, int first_pause_ms);

/* Replaces every occurrence of the password of `conninfo` (raw and
 * percent-decoded, also a PGPASSWORD value) and any "scheme://user:pass@"
 * userinfo in `msg` by "***", in place. conninfo may be NULL. */
void pgstore_redact(char *msg, size_t msglen, const char *conninfo);

/* ---- writes (pgstore_write.c) -------------------------------------------- */

/* store_record_build's semantics (storage.md §5) in one transaction sent as
 * one pipeline, retried as a whole. PGSTORE_MISUSE for a bad timestamp, NaN
 * or missing field, or when a transaction is open. */
int pgstore_record_build(PgStore *s, const StoreBuild *b, const StoreValue *v, size_t n,
                         int64_t *build_id, char *err, size_t errlen);

/* store_import's semantics in one transaction, retried as a whole. */
int pgstore_import(PgStore *s, const StoreImportRecord *r, size_t n, int64_t *inserted,
                   char *err, size_t errlen);

/* The streaming import of store.h: begin opens a transaction (retrying a
 * lost connection); add queues one record's statements in the pipeline
 * (flushed every few hundred records, so a database error can surface at a
 * later add or at commit; it rolls back and ends the import); commit
 * flushes and commits. Misuse (no import open, bad record) changes nothing.
 * While an import is open other writes and read transactions are misuse;
 * queries see the records added so far. */
int pgstore_import_begin(PgStore *s, char *err, size_t errlen);
int pgstore_import_add(PgStore *s, const StoreImportRecord *r, char *err, size_t errlen);
int pgstore_import_commit(PgStore *s, int64_t *inserted, char *err, size_t errlen);
void pgstore_import_rollback(PgStore *s);
int pgstore_import_active(const PgStore *s);
int64_t pgstore_import_count(const PgStore *s);

/* ---- reads (pgstore_query.c) --------------------------------------------
 * The queries of storage.md §6 with the callbacks and row types of store.h:
 * the same event filter (STORE_WITH_PULL_REQUESTS keeps pull requests) and
 * the order by instant, then id. Timestamps come back as
 * YYYY-MM-DDTHH:MM:SS.sssZ. Row pointers are valid during the call only. A
 * connection lost before the first row is re-established and the query
 * re-run (outside read transactions). */
int pgstore_timeline(PgStore *s, unsigned qflags, store_build_cb cb, void *ud, char *err,
                     size_t errlen);
int pgstore_values(PgStore *s, unsigned qflags, store_value_cb cb, void *ud, char *err,
                   size_t errlen);
int pgstore_series(PgStore *s, const char *metric_id, unsigned qflags, store_series_cb cb,
                   void *ud, char *err, size_t errlen);
/* `now`: a timestamp PostgreSQL can parse, or NULL for the clock; exactly
 * max_age_days x 24 h before it. PGSTORE_MISUSE for an invalid `now`. */
int pgstore_baseline_latest(PgStore *s, const char *metric_id, const char *branch,
                            double max_age_days, const char *now, store_series_cb cb,
                            void *ud, int *found, char *err, size_t errlen);
int pgstore_baseline_commit(PgStore *s, const char *metric_id, const char *sha,
                            store_series_cb cb, void *ud, int *found, char *err,
                            size_t errlen);
int pgstore_metric_definitions(PgStore *s, store_def_cb cb, void *ud, char *err,
                               size_t errlen);
int pgstore_build_count(PgStore *s, int64_t *out, char *err, size_t errlen);
int pgstore_max_run_number(PgStore *s, int64_t *out, char *err, size_t errlen);

/* A REPEATABLE READ, READ ONLY transaction so that several queries see one
 * snapshot. end_read commits (ending a read that was never begun is a no-op). */
int pgstore_begin_read(PgStore *s, char *err, size_t errlen);
int pgstore_end_read(PgStore *s, char *err, size_t errlen);

/* ---- db copy (pgstore_copy.c) -------------------------------------------- */

/* One build to restore: fields, the id it should get when it is new (0 or a
 * taken id: a fresh one) and its values (build_id ignored). */
typedef struct PgCopyBuild {
    int64_t id;
    StoreBuild b; /* timestamp: anything PostgreSQL parses */
    const StoreValueRow *values;
    size_t nvalues;
} PgCopyBuild;

/* Every build (any event, with or without values) in id order. */
int pgstore_dump_builds(PgStore *s, store_build_cb cb, void *ud, char *err, size_t errlen);
/* The values of the given builds, ordered by build id, then value id. */
int pgstore_dump_values(PgStore *s, const int64_t *ids, size_t n, store_value_cb cb, void *ud,
                        char *err, size_t errlen);
/* Upserts definitions in order (unit and description: the given ones where
 * not NULL). One transaction. */
int pgstore_restore_definitions(PgStore *s, const StoreMetricDef *d, size_t n, char *err,
                                size_t errlen);
/* Writes builds in one transaction (retried as a whole): an existing
 * (commit_sha, run_id) gets the given fields and values and keeps its id; a
 * new one gets b->id when that id is free. The id sequence is moved past
 * the highest id. */
int pgstore_restore_builds(PgStore *s, const PgCopyBuild *b, size_t n, char *err,
                           size_t errlen);

#endif
