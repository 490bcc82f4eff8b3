/* pgstore_exec.c: how the PostgreSQL store talks to the server. Failures
 * are classified (lost connection, serialization failure or deadlock,
 * read-only, other) into a redacted one-line message; statements are
 * prepared once per connection; writes go out as pipelines (one round trip
 * for a whole build) inside transactions that are re-run with backoff on
 * 40001, 40P01 and lost connections (reconnecting first); large reads are
 * fetched from a cursor in batches. Depends on libpq and POSIX. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgstore.h"
#include "pgstore_internal.h"

#define FETCH_ROWS "16384"

/* ---- small helpers ---------------------------------------------------------- */

void pg_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void pg_fmt_i64(char *buf, size_t len, int64_t v)
{
    snprintf(buf, len, "%" PRId64, v);
}

void pg_fmt_double(char *buf, size_t len, double v)
{
    if (isinf(v)) {
        snprintf(buf, len, "%s", v > 0 ? "Infinity" : "-Infinity");
    } else {
        snprintf(buf, len, "%.17g", v);
    }
}

/* Big-endian bytes of a binary-format value. */
static uint64_t be_bytes(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

int64_t pg_i64(const PGresult *r, int row, int col)
{
    if (PQfformat(r, col) == 1) { /* int8, int4 or int2 in network order */
        int n = PQgetlength(r, row, col);
        uint64_t v = be_bytes((const unsigned char *)PQgetvalue(r, row, col), n);
        if (n < 8 && (v >> (n * 8 - 1)) & 1) {
            v |= ~(uint64_t)0 << (n * 8); /* sign-extend */
        }
        return (int64_t)v;
    }
    return (int64_t)strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg_double(const PGresult *r, int row, int col)
{
    if (PQfformat(r, col) == 1) { /* float8: IEEE 754 in network order */
        uint64_t bits = be_bytes((const unsigned char *)PQgetvalue(r, row, col), 8);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    return strtod(PQgetvalue(r, row, col), NULL);
}

const char *pg_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void stmt_name(char *buf, size_t len, int id)
{
    snprintf(buf, len, "unentropy_%d", id);
}

/* ---- errors --------------------------------------------------------------------- */

int pg_fail(PgStore *s, const PGresult *r, const char *what, char *err, size_t errlen)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(s->sqlstate, sizeof s->sqlstate, "%s", state ? state : "");
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (msg == NULL || *msg == '\0') {
        msg = s->conn ? PQerrorMessage(s->conn) : NULL;
    }
    if (msg == NULL || *msg == '\0') {
        msg = "unknown error";
    }
    if (s->conn == NULL || PQstatus(s->conn) == CONNECTION_BAD ||
        strncmp(s->sqlstate, "08", 2) == 0 || strcmp(s->sqlstate, "57P01") == 0 ||
        strcmp(s->sqlstate, "57P02") == 0 || strcmp(s->sqlstate, "57P03") == 0) {
        s->lost = 1;
    }
    int rc = PGSTORE_ERROR;
    if (s->lost) {
        rc = PGSTORE_CONNECT;
    } else if (!strcmp(s->sqlstate, "40001") || !strcmp(s->sqlstate, "40P01")) {
        rc = PGSTORE_CONFLICT;
    } else if (!strcmp(s->sqlstate, "25006")) {
        rc = PGSTORE_READONLY;
    }
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "pgstore: %s failed: %s", what, msg);
        pg_one_line(err); /* libpq's messages end with "\n" and may continue */
        pgstore_redact(err, errlen, s->vals[PG_CONNINFO_SLOT]);
    }
    return rc;
}

int pg_retryable(const PgStore *s)
{
    return s->lost || !strcmp(s->sqlstate, "40001") || !strcmp(s->sqlstate, "40P01") ||
           !strcmp(s->sqlstate, "55P03") || !strcmp(s->sqlstate, "53300");
}

/* ---- statements ---------------------------------------------------------------------- */

static int prepare_all(PgStore *s, char *err, size_t errlen)
{
    char name[32];
    if (!PQenterPipelineMode(s->conn)) {
        return pg_fail(s, NULL, "prepare", err, errlen);
    }
    int sent = 0, rc = PGSTORE_OK;
    for (int i = 0; i < PS_COUNT; i++) {
        stmt_name(name, sizeof name, i);
        if (!PQsendPrepare(s->conn, name, s->sql[i], 0, NULL)) {
            break;
        }
        sent++;
    }
    s->pipe_n = sent;
    if (sent < PS_COUNT) {
        rc = pg_fail(s, NULL, "prepare", err, errlen);
        pg_pipe_abort(s);
        return rc;
    }
    rc = pg_pipe_sync(s, NULL, NULL, "prepare", err, errlen);
    s->prepared = rc == PGSTORE_OK;
    return rc;
}

int pg_ready(PgStore *s, char *err, size_t errlen)
{
    if (s->conn == NULL || s->lost || PQstatus(s->conn) != CONNECTION_OK) {
        if (s->txn != TXN_NONE) {
            s->lost = 1;
            return pg_errf(PGSTORE_CONNECT, err, errlen,
                           "pgstore: the connection to PostgreSQL was lost in the middle of a "
                           "transaction");
        }
        int rc = pg_reconnect(s, err, errlen);
        if (rc != PGSTORE_OK) {
            return rc;
        }
    }
    return s->prepared ? PGSTORE_OK : prepare_all(s, err, errlen);
}

int pg_exec(PgStore *s, const char *sql, const char *what, char *err, size_t errlen)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = PGSTORE_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_fail(s, r, what, err, errlen);
    }
    PQclear(r);
    return rc;
}

int pg_run(PgStore *s, PgStmt id, int n, const char *const *params, PGresult **out,
           const char *what, char *err, size_t errlen)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (s->imp.in_pipeline) {
        int rc = pg_import_flush(s, err, errlen);
        if (rc != PGSTORE_OK) {
            return rc;
        }
    }
    char name[32];
    stmt_name(name, sizeof name, id);
    PGresult *r = PQexecPrepared(s->conn, name, n, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pg_fail(s, r, what, err, errlen);
        PQclear(r);
        return rc;
    }
    if (out != NULL) {
        *out = r;
    } else {
        PQclear(r);
    }
    return PGSTORE_OK;
}

static int backoff(const PgStore *s, int attempt)
{
    static unsigned seed;
    if (seed == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        seed = (unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 16) ^ 1u;
    }
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    double jitter = 0.8 + 0.4 * (double)(seed % 1000) / 1000.0;
    double ms = s->pause_ms * pow(2.0, attempt - 1) * jitter;
    return (int)(ms > 30000 ? 30000 : ms);
}

int pg_query(PgStore *s, PgStmt id, int n, const char *const *params, PGresult **out,
             const char *what, char *err, size_t errlen)
{
    int rc = PGSTORE_OK;
    for (int attempt = 0; attempt < s->attempts; attempt++) {
        if (attempt > 0) {
            pg_sleep_ms(backoff(s, attempt));
        }
        s->sqlstate[0] = '\0';
        rc = pg_ready(s, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = pg_run(s, id, n, params, out, what, err, errlen);
        }
        if (rc == PGSTORE_OK || s->txn != TXN_NONE || !(s->lost || rc == PGSTORE_CONNECT)) {
            break;
        }
    }
    return rc;
}

/* ---- pipelines ------------------------------------------------------------------------- */

int pg_pipe_begin(PgStore *s, char *err, size_t errlen)
{
    s->pipe_n = 0;
    if (!PQenterPipelineMode(s->conn)) {
        return pg_fail(s, NULL, "pipeline", err, errlen);
    }
    return PGSTORE_OK;
}

int pg_pipe_send(PgStore *s, int id, const char *sql, int n, const char *const *params,
                 char *err, size_t errlen)
{
    int ok;
    if (id >= 0) {
        char name[32];
        stmt_name(name, sizeof name, id);
        ok = PQsendQueryPrepared(s->conn, name, n, params, NULL, NULL, 0);
    } else {
        ok = PQsendQueryParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    }
    if (!ok) {
        return pg_fail(s, NULL, "send", err, errlen);
    }
    s->pipe_n++;
    return PGSTORE_OK;
}

void pg_pipe_abort(PgStore *s)
{
    /* Whatever was queued is unusable: drop the connection (the server
     * rolls back anything open); pg_ready connects again. */
    if (s->conn != NULL && !PQexitPipelineMode(s->conn)) {
        PQfinish(s->conn);
        s->conn = NULL;
        s->lost = 1;
        s->prepared = 0;
    }
    s->pipe_n = 0;
}

int pg_pipe_sync(PgStore *s, pg_tuples_fn on_tuples, void *ud, const char *what, char *err,
                 size_t errlen)
{
    int rc = PGSTORE_OK;
    if (!PQpipelineSync(s->conn)) {
        rc = pg_fail(s, NULL, what, err, errlen);
        pg_pipe_abort(s);
        return rc;
    }
    int pos = 0, guard = 4 * s->pipe_n + 16;
    while (guard-- > 0) {
        PGresult *r = PQgetResult(s->conn);
        if (r == NULL) {
            if (PQstatus(s->conn) == CONNECTION_BAD) {
                if (rc == PGSTORE_OK) {
                    rc = pg_fail(s, NULL, what, err, errlen);
                }
                s->lost = 1;
                break;
            }
            continue; /* the end of one statement's results */
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st == PGRES_FATAL_ERROR && rc == PGSTORE_OK) {
            rc = pg_fail(s, r, what, err, errlen);
        } else if (st == PGRES_TUPLES_OK && rc == PGSTORE_OK && on_tuples != NULL) {
            int stop = on_tuples(ud, pos, r);
            if (stop != 0) {
                rc = stop;
            }
        } /* after the first error the rest come back aborted: skipped */
        pos++;
        PQclear(r);
    }
    if (guard < 0 && rc == PGSTORE_OK) {
        s->lost = 1;
        rc = pg_errf(PGSTORE_CONNECT, err, errlen, "pgstore: %s failed: lost track of the "
                     "pipeline", what);
    }
    if (s->lost || !PQexitPipelineMode(s->conn)) {
        s->lost = 1;
        if (rc == PGSTORE_OK) {
            rc = pg_errf(PGSTORE_CONNECT, err, errlen, "pgstore: %s failed: connection lost",
                         what);
        }
    }
    s->pipe_n = 0;
    if (!s->lost && PQtransactionStatus(s->conn) == PQTRANS_INERROR) {
        PGresult *r = PQexec(s->conn, "ROLLBACK");
        PQclear(r);
    }
    return rc;
}

/* ---- transactions ------------------------------------------------------------------------ */

int pg_transaction(PgStore *s, pg_txn_fn fn, void *ud, const char *what, char *err,
                   size_t errlen)
{
    if (s->txn != TXN_NONE) {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: a transaction is already open");
    }
    if (s->readonly) {
        return pg_errf(PGSTORE_READONLY, err, errlen, "pgstore: %s: %s is open read-only", what,
                       pgstore_location(s));
    }
    int rc = PGSTORE_OK, attempt;
    char last[512] = "";
    for (attempt = 0; attempt < s->attempts; attempt++) {
        if (attempt > 0) {
            pg_sleep_ms(backoff(s, attempt));
        }
        s->sqlstate[0] = '\0';
        rc = pg_ready(s, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = fn(s, ud, err, errlen);
            if (rc == PGSTORE_OK) {
                return rc;
            }
            if (!s->lost && PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
                PGresult *r = PQexec(s->conn, "ROLLBACK");
                PQclear(r);
            }
        } else if (rc == PGSTORE_CONNECT) {
            s->lost = 1; /* the server is unreachable: try again later */
        }
        if (err != NULL) {
            snprintf(last, sizeof last, "%s", err);
        }
        if (!pg_retryable(s)) {
            return rc;
        }
    }
    const char *detail = strncmp(last, "pgstore: ", 9) == 0 ? last + 9 : last;
    return pg_errf(rc, err, errlen, "pgstore: %s gave up after %d attempts: %s", what, attempt,
                   detail);
}

/* ---- cursors --------------------------------------------------------------------------------- */

static int cursor_once(PgStore *s, const char *declare, int n, const char *const *params,
                       pg_row_fn row, void *ud, long *delivered, const char *what, char *err,
                       size_t errlen)
{
    int own = s->txn == TXN_NONE;
    int rc = own ? pg_exec(s, "BEGIN READ ONLY", what, err, errlen) : PGSTORE_OK;
    if (rc != PGSTORE_OK) {
        return rc;
    }
    PGresult *r = PQexecParams(s->conn, declare, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = pg_fail(s, r, what, err, errlen);
    }
    PQclear(r);
    int stop = 0, more = 1;
    while (rc == PGSTORE_OK && more && stop == 0) {
        /* binary rows: no number formatting on the server, no parsing here */
        r = PQexecParams(s->conn, "FETCH FORWARD " FETCH_ROWS " FROM unentropy_cursor", 0, NULL,
                         NULL, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = pg_fail(s, r, what, err, errlen);
        } else {
            int rows = PQntuples(r);
            for (int i = 0; i < rows && stop == 0; i++) {
                stop = row(r, i, ud);
                (*delivered)++;
            }
            more = rows == atoi(FETCH_ROWS);
        }
        PQclear(r);
    }
    if (rc == PGSTORE_OK) {
        rc = pg_exec(s, "CLOSE unentropy_cursor", what, err, errlen);
    }
    if (rc == PGSTORE_OK && own) {
        rc = pg_exec(s, "COMMIT", what, err, errlen);
    }
    if (rc != PGSTORE_OK && !s->lost && PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
        if (own) {
            PGresult *rb = PQexec(s->conn, "ROLLBACK");
            PQclear(rb);
        }
    }
    return rc != PGSTORE_OK ? rc : stop;
}

int pg_cursor(PgStore *s, PgCursorSql q, int n, const char *const *params, pg_row_fn row,
              void *ud, const char *what, char *err, size_t errlen)
{
    if (s->imp.in_pipeline) {
        int rc = pg_import_flush(s, err, errlen);
        if (rc != PGSTORE_OK) {
            return rc;
        }
    }
    size_t len = strlen(s->cursor_sql[q]) + 64;
    char *declare = malloc(len);
    if (declare == NULL) {
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    snprintf(declare, len, "DECLARE unentropy_cursor NO SCROLL CURSOR FOR %s", s->cursor_sql[q]);
    int rc = PGSTORE_OK;
    for (int attempt = 0; attempt < s->attempts; attempt++) {
        if (attempt > 0) {
            pg_sleep_ms(backoff(s, attempt));
        }
        long delivered = 0;
        s->sqlstate[0] = '\0';
        rc = pg_ready(s, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = cursor_once(s, declare, n, params, row, ud, &delivered, what, err, errlen);
        }
        if (rc == PGSTORE_OK || s->txn != TXN_NONE || delivered > 0 ||
            !(s->lost || rc == PGSTORE_CONNECT)) {
            break;
        }
    }
    if (rc != PGSTORE_OK && s->txn == TXN_IMPORT &&
        (s->lost || PQtransactionStatus(s->conn) == PQTRANS_INERROR)) {
        pgstore_import_rollback(s); /* the import's transaction is gone */
    }
    free(declare);
    return rc;
}
