/* pgstore_internal.h: private to pgstore*.c. The PgStore struct, the
 * prepared statements (named, prepared on each new connection), the
 * execution helpers (single statements, pipelines, cursors) with error
 * classification, and the retrying transaction runner. Depends on libpq
 * and pgstore.h. */
#ifndef UNENTROPY_PGSTORE_INTERNAL_H
#define UNENTROPY_PGSTORE_INTERNAL_H

#include <libpq-fe.h>

#include "pgstore.h"

typedef enum PgStmt {
    PS_UPSERT_BUILD,
    PS_DELETE_VALUES,
    PS_INSERT_DEF,
    PS_UPDATE_DEF,
    PS_INSERT_VALUE,
    PS_IMPORT_BUILD,
    PS_IMPORT_DEF,
    PS_IMPORT_VALUE,
    PS_BASELINE_LATEST,
    PS_BASELINE_COMMIT,
    PS_DEFS,
    PS_BUILD_COUNT,
    PS_MAX_RUN,
    PS_RESTORE_BUILD,
    PS_SET_SEQUENCE,
    PS_COUNT
} PgStmt;

/* Cursor queries (DECLARE ... FOR <sql>), not prepared. */
typedef enum PgCursorSql {
    PC_TIMELINE,
    PC_VALUES,
    PC_SERIES,
    PC_DUMP_BUILDS,
    PC_DUMP_VALUES,
    PC_COUNT
} PgCursorSql;

typedef enum PgTxn {
    TXN_NONE,
    TXN_READ,   /* pgstore_begin_read */
    TXN_IMPORT, /* a streaming import */
} PgTxn;

#define PG_IMPORT_FLUSH 256 /* records queued before the pipeline is synced */
#define PG_KEYLEN 136
#define PG_CONNINFO_SLOT 3 /* keys[3] = "dbname": the connection string, expanded */

typedef struct PgImport {
    int64_t count;     /* records added */
    int queued;        /* records in the unsynced pipeline */
    int in_pipeline;
    int have_last;
    char last_sha[PG_KEYLEN];
    char last_run[PG_KEYLEN];
    char **defs;       /* metric ids inserted in this transaction */
    int ndefs, capdefs;
} PgImport;

struct PgStore {
    PGconn *conn;
    /* connection parameters, NULL terminated; values[] holds the secret
     * conninfo and is wiped at close */
    const char *keys[12];
    char *vals[12];
    char *schema;   /* as given */
    char *qschema;  /* quoted identifier */
    char *location; /* redacted */
    int readonly;
    int prepared;   /* statements prepared on this connection */
    int pipe_n;     /* statements sent in the open pipeline */
    char version[64];
    char *warning;
    char *sql[PS_COUNT];
    char *cursor_sql[PC_COUNT];
    PgTxn txn;
    PgImport imp;
    int attempts, pause_ms;
    /* last failure */
    char sqlstate[6];
    int lost; /* the connection broke */
};

/* ---- pgstore.c --------------------------------------------------------- */

/* snprintf into err (when not NULL); returns rc. */
int pg_errf(int rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Classifies a failed result (NULL: no result) into s->sqlstate/s->lost
 * and formats "pgstore: <what> failed: <message>" (redacted) into err.
 * Returns PGSTORE_ERROR, PGSTORE_CONNECT or PGSTORE_MISUSE (invalid
 * text representation and similar input errors stay PGSTORE_ERROR). */
int pg_fail(PgStore *s, const PGresult *r, const char *what, char *err, size_t errlen);

/* Whether the last failure may succeed when the transaction is re-run. */
int pg_retryable(const PgStore *s);

/* Makes sure the connection is up and the statements are prepared,
 * reconnecting after a loss. */
int pg_ready(PgStore *s, char *err, size_t errlen);

/* Drops the connection and connects again (session settings included;
 * statements are prepared again by the next pg_ready). */
int pg_reconnect(PgStore *s, char *err, size_t errlen);

/* pg_run after pg_ready, retried (reconnecting) when the connection was
 * lost outside a transaction: for single-statement reads. */
int pg_query(PgStore *s, PgStmt id, int n, const char *const *params, PGresult **out,
             const char *what, char *err, size_t errlen);

/* Runs `sql` (no parameters) and expects PGRES_COMMAND_OK/TUPLES_OK. */
int pg_exec(PgStore *s, const char *sql, const char *what, char *err, size_t errlen);

/* Executes prepared statement `id` with text parameters (NULL = SQL NULL).
 * On success *out (may be NULL: cleared) holds the result; caller PQclears. */
int pg_run(PgStore *s, PgStmt id, int n, const char *const *params, PGresult **out,
           const char *what, char *err, size_t errlen);

/* Pipelines: begin enters pipeline mode; send queues a prepared statement
 * (or, with id < 0, the parameterless `sql`); sync sends a Sync and reads
 * every result in order, calling on_tuples (may be NULL) for each
 * PGRES_TUPLES_OK with the statement's position; the first error is
 * classified and returned. Pipeline mode is left in any case and an
 * aborted transaction is rolled back. */
typedef int (*pg_tuples_fn)(void *ud, int pos, const PGresult *r);
int pg_pipe_begin(PgStore *s, char *err, size_t errlen);
int pg_pipe_send(PgStore *s, int id, const char *sql, int n, const char *const *params,
                 char *err, size_t errlen);
int pg_pipe_sync(PgStore *s, pg_tuples_fn on_tuples, void *ud, const char *what, char *err,
                 size_t errlen);
/* Leaves pipeline mode after a failure while sending. */
void pg_pipe_abort(PgStore *s);

/* Runs fn inside BEGIN ... COMMIT, which fn issues itself (typically in its
 * pipeline): retries fn from the start on serialization failures, deadlocks
 * and lost connections with backoff. `what` names the operation. */
typedef int (*pg_txn_fn)(PgStore *s, void *ud, char *err, size_t errlen);
int pg_transaction(PgStore *s, pg_txn_fn fn, void *ud, const char *what, char *err,
                   size_t errlen);

/* Streams the rows of cursor query `q` (FETCH in batches) to row(r, i, ud);
 * inside a read transaction or an import it uses that transaction, else its
 * own READ ONLY one, retried when the connection was lost before the first
 * row. A non-zero return of row stops and is returned. */
typedef int (*pg_row_fn)(const PGresult *r, int row, void *ud);
int pg_cursor(PgStore *s, PgCursorSql q, int n, const char *const *params, pg_row_fn row,
              void *ud, const char *what, char *err, size_t errlen);

/* Flushes a streaming import's pipeline (before a query or commit). On a
 * failure the import is rolled back and ended. */
int pg_import_flush(PgStore *s, char *err, size_t errlen);

/* Sets s->location from the connection, or from the parameters when not
 * connected (pgstore_redact.c). */
void pg_set_location(PgStore *s);

/* libpq's multi-line message as one line, in place: "a\n\tb\n" -> "a b". */
void pg_one_line(char *m);

/* Sleeps ms milliseconds (EINTR-safe). */
void pg_sleep_ms(int ms);

/* Text helpers for parameters and results. */
void pg_fmt_i64(char *buf, size_t len, int64_t v);
void pg_fmt_double(char *buf, size_t len, double v);
int64_t pg_i64(const PGresult *r, int row, int col);
double pg_double(const PGresult *r, int row, int col);
const char *pg_text(const PGresult *r, int row, int col); /* NULL for SQL NULL */

/* Row forwarders shared by the queries and the copy verbs (pgstore_query.c):
 * they turn a result row (id, commit_sha, branch, run_id, run_number,
 * event_name, timestamp) / (build_id, metric_id, value_numeric,
 * value_label) into a StoreBuildRow / StoreValueRow for a store callback. */
typedef struct PgFwd {
    void *cb;  /* store_build_cb or store_value_cb */
    void *ud;
    int count;
} PgFwd;
int pg_build_row(const PGresult *r, int i, void *fwd);
int pg_value_row(const PGresult *r, int i, void *fwd);

/* SQL fragment: the timestamp column as YYYY-MM-DDTHH:MM:SS.sssZ. */
#define PG_TS_TEXT(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Builds s->sql / s->cursor_sql (pgstore_sql.c). */
int pg_build_sql(PgStore *s);
void pg_free_sql(PgStore *s);
/* Migration script of `version` for the schema (malloc'd), NULL when out
 * of memory. */
char *pg_schema_sql(const PgStore *s);
/* "@." -> "<quoted schema>." in tmpl; malloc'd. */
char *pg_subst(const char *tmpl, const char *qschema);

#endif
