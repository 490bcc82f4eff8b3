/* pgstore_write.c: the writes of the PostgreSQL store, with the semantics
 * of store_write.c and store_import.c. A build is one transaction sent as
 * one pipeline (BEGIN, upsert, values, COMMIT: one round trip), re-run as a
 * whole after a serialization failure, deadlock or lost connection (the
 * upsert makes that safe even when a COMMIT's fate is unknown). Imports
 * queue each record's statements in the pipeline and sync every few
 * hundred records. Depends on libpq and pgstore_exec.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgstore.h"
#include "pgstore_internal.h"

/* Text parameters of one value: (number, NULL) or (NULL, label). */
static void value_params(int is_numeric, double num, const char *label, char *buf,
                         size_t len, const char **pnum, const char **plabel)
{
    if (is_numeric) {
        pg_fmt_double(buf, len, num);
        *pnum = buf;
        *plabel = NULL;
    } else {
        *pnum = NULL;
        *plabel = label;
    }
}

/* ---- record_build ------------------------------------------------------------ */

typedef struct RecordCtx {
    const StoreBuild *b;
    const StoreValue *v;
    size_t n;
    int64_t id;
} RecordCtx;

static int record_id(void *ud, int pos, const PGresult *r)
{
    RecordCtx *c = ud;
    if (pos == 1 && PQntuples(r) > 0) { /* [0] BEGIN, [1] the upsert */
        c->id = pg_i64(r, 0, 0);
    }
    return 0;
}

static int record_txn(PgStore *s, void *ud, char *err, size_t errlen)
{
    RecordCtx *c = ud;
    const StoreBuild *b = c->b;
    char runno[32], num[40];
    pg_fmt_i64(runno, sizeof runno, b->run_number);
    c->id = -1;
    int rc = pg_pipe_begin(s, err, errlen);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    const char *bp[6] = {b->commit_sha, b->branch, b->run_id, runno, b->event_name, b->timestamp};
    const char *kp[2] = {b->commit_sha, b->run_id};
    if ((rc = pg_pipe_send(s, -1, "BEGIN", 0, NULL, err, errlen)) != PGSTORE_OK ||
        (rc = pg_pipe_send(s, PS_UPSERT_BUILD, NULL, 6, bp, err, errlen)) != PGSTORE_OK ||
        (rc = pg_pipe_send(s, PS_DELETE_VALUES, NULL, 2, kp, err, errlen)) != PGSTORE_OK) {
        pg_pipe_abort(s);
        return rc;
    }
    for (size_t i = 0; i < c->n; i++) {
        const StoreValue *v = &c->v[i];
        const char *dp[4] = {v->metric_id, v->type, v->unit, v->description};
        const char *vp[5] = {v->metric_id, b->commit_sha, b->run_id, NULL, NULL};
        value_params(v->is_numeric, v->value_numeric, v->value_label, num, sizeof num, &vp[3],
                     &vp[4]);
        rc = pg_pipe_send(s, PS_INSERT_DEF, NULL, 4, dp, err, errlen);
        if (rc == PGSTORE_OK && (v->unit != NULL || v->description != NULL)) {
            const char *up[3] = {v->metric_id, v->unit, v->description};
            rc = pg_pipe_send(s, PS_UPDATE_DEF, NULL, 3, up, err, errlen);
        }
        if (rc == PGSTORE_OK) {
            rc = pg_pipe_send(s, PS_INSERT_VALUE, NULL, 5, vp, err, errlen);
        }
        if (rc != PGSTORE_OK) {
            pg_pipe_abort(s);
            return rc;
        }
    }
    if ((rc = pg_pipe_send(s, -1, "COMMIT", 0, NULL, err, errlen)) != PGSTORE_OK) {
        pg_pipe_abort(s);
        return rc;
    }
    rc = pg_pipe_sync(s, record_id, c, "record_build", err, errlen);
    if (rc == PGSTORE_OK && c->id < 0) {
        rc = pg_errf(PGSTORE_ERROR, err, errlen, "pgstore: record_build: no build id returned");
    }
    return rc;
}

int pgstore_record_build(PgStore *s, const StoreBuild *b, const StoreValue *v, size_t n,
                         int64_t *build_id, char *err, size_t errlen)
{
    char problem[160];
    if (store_build_problem(b, problem, sizeof problem)) {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: record_build: %s", problem);
    }
    for (size_t i = 0; i < n; i++) {
        if (store_value_problem(&v[i], i + 1, problem, sizeof problem)) {
            return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: record_build: %s", problem);
        }
        if (v[i].is_numeric ? isnan(v[i].value_numeric) : v[i].value_label == NULL) {
            return pg_errf(PGSTORE_MISUSE, err, errlen,
                           "pgstore: record_build: value %zu: %s", i + 1,
                           v[i].is_numeric ? "value_numeric is NaN" : "value_label is missing");
        }
    }
    RecordCtx c = {b, v, n, -1};
    int rc = pg_transaction(s, record_txn, &c, "record_build", err, errlen);
    if (rc == PGSTORE_OK && build_id != NULL) {
        *build_id = c.id;
    }
    return rc;
}

/* ---- imports ---------------------------------------------------------------------- */

static void reset_caches(PgImport *imp)
{
    for (int i = 0; i < imp->ndefs; i++) {
        free(imp->defs[i]);
    }
    imp->ndefs = 0;
    imp->have_last = 0;
}

static int check_record(const StoreImportRecord *r, size_t i, char *err, size_t errlen)
{
    if (!r->commit_sha || !r->branch || !r->run_id || !r->metric_id ||
        !store_timestamp_ok(r->timestamp)) {
        return pg_errf(PGSTORE_MISUSE, err, errlen,
                       "pgstore: import: record %zu needs commit_sha, branch, run_id, "
                       "metric_id and a YYYY-MM-DDTHH:MM:SS.sssZ timestamp",
                       i);
    }
    if (r->is_numeric ? isnan(r->value_numeric) : r->value_label == NULL) {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: import: %s",
                       r->is_numeric ? "value_numeric is NaN" : "value_label is missing");
    }
    return PGSTORE_OK;
}

static int seen_def(PgImport *imp, const char *id)
{
    for (int i = 0; i < imp->ndefs; i++) {
        if (strcmp(imp->defs[i], id) == 0) {
            return 1;
        }
    }
    if (imp->ndefs == imp->capdefs) {
        int cap = imp->capdefs ? imp->capdefs * 2 : 16;
        char **d = realloc(imp->defs, (size_t)cap * sizeof *d);
        if (d == NULL) {
            return 0; /* not cached: the insert is simply sent again */
        }
        imp->defs = d;
        imp->capdefs = cap;
    }
    char *copy = strdup(id);
    if (copy != NULL) {
        imp->defs[imp->ndefs++] = copy;
    }
    return 0;
}

/* Queues one record: its build (unless it is the previous record's), its
 * definition (unless already sent in this transaction), its value. */
static int queue_record(PgStore *s, const StoreImportRecord *r, char *err, size_t errlen)
{
    PgImport *imp = &s->imp;
    int rc = PGSTORE_OK;
    if (!imp->have_last || strcmp(imp->last_sha, r->commit_sha) != 0 ||
        strcmp(imp->last_run, r->run_id) != 0) {
        char runno[32];
        pg_fmt_i64(runno, sizeof runno, r->run_number);
        const char *bp[5] = {r->commit_sha, r->branch, r->run_id, runno, r->timestamp};
        if ((rc = pg_pipe_send(s, PS_IMPORT_BUILD, NULL, 5, bp, err, errlen)) != PGSTORE_OK) {
            return rc;
        }
        imp->have_last = strlen(r->commit_sha) < PG_KEYLEN && strlen(r->run_id) < PG_KEYLEN;
        if (imp->have_last) {
            strcpy(imp->last_sha, r->commit_sha);
            strcpy(imp->last_run, r->run_id);
        }
    }
    if (!seen_def(imp, r->metric_id)) {
        const char *dp[2] = {r->metric_id, r->is_numeric ? "numeric" : "label"};
        if ((rc = pg_pipe_send(s, PS_IMPORT_DEF, NULL, 2, dp, err, errlen)) != PGSTORE_OK) {
            return rc;
        }
    }
    char num[40];
    const char *vp[5] = {r->metric_id, r->commit_sha, r->run_id, NULL, NULL};
    value_params(r->is_numeric, r->value_numeric, r->value_label, num, sizeof num, &vp[3],
                 &vp[4]);
    return pg_pipe_send(s, PS_IMPORT_VALUE, NULL, 5, vp, err, errlen);
}

typedef struct ImportCtx {
    const StoreImportRecord *r;
    size_t n;
} ImportCtx;

static int import_txn(PgStore *s, void *ud, char *err, size_t errlen)
{
    ImportCtx *c = ud;
    reset_caches(&s->imp);
    int rc = pg_pipe_begin(s, err, errlen);
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, -1, "BEGIN", 0, NULL, err, errlen);
    }
    for (size_t i = 0; i < c->n && rc == PGSTORE_OK; i++) {
        rc = queue_record(s, &c->r[i], err, errlen);
        if (rc == PGSTORE_OK && (i + 1) % PG_IMPORT_FLUSH == 0) {
            if ((rc = pg_pipe_sync(s, NULL, NULL, "import", err, errlen)) == PGSTORE_OK) {
                rc = pg_pipe_begin(s, err, errlen);
            }
            if (rc != PGSTORE_OK) {
                reset_caches(&s->imp);
                return rc;
            }
        }
    }
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, -1, "COMMIT", 0, NULL, err, errlen);
    }
    if (rc != PGSTORE_OK) {
        pg_pipe_abort(s);
    } else {
        rc = pg_pipe_sync(s, NULL, NULL, "import", err, errlen);
    }
    reset_caches(&s->imp);
    return rc;
}

int pgstore_import(PgStore *s, const StoreImportRecord *r, size_t n, int64_t *inserted,
                   char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_record(&r[i], i + 1, err, errlen);
        if (rc != PGSTORE_OK) {
            return rc;
        }
    }
    ImportCtx c = {r, n};
    int rc = pg_transaction(s, import_txn, &c, "import", err, errlen);
    if (rc == PGSTORE_OK && inserted != NULL) {
        *inserted = (int64_t)n;
    }
    return rc;
}

/* ---- streaming import ----------------------------------------------------------------- */

static void end_import(PgStore *s)
{
    PgImport *imp = &s->imp;
    if (imp->in_pipeline) {
        pg_pipe_abort(s); /* drops the connection: the server rolls back */
        imp->in_pipeline = 0;
    }
    if (s->conn != NULL && !s->lost && PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
        PGresult *r = PQexec(s->conn, "ROLLBACK");
        PQclear(r);
    }
    s->txn = TXN_NONE;
    imp->queued = 0;
    reset_caches(imp);
}

int pgstore_import_begin(PgStore *s, char *err, size_t errlen)
{
    if (s->txn != TXN_NONE) {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: a transaction is already open");
    }
    if (s->readonly) {
        return pg_errf(PGSTORE_READONLY, err, errlen, "pgstore: import: %s is open read-only",
                       pgstore_location(s));
    }
    int rc = PGSTORE_OK;
    for (int attempt = 0; attempt < s->attempts; attempt++) {
        if (attempt > 0) {
            pg_sleep_ms(100 << (attempt - 1 > 6 ? 6 : attempt - 1));
        }
        rc = pg_ready(s, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = pg_exec(s, "BEGIN", "import", err, errlen);
        }
        if (rc != PGSTORE_CONNECT) {
            break;
        }
    }
    if (rc != PGSTORE_OK) {
        return rc;
    }
    s->txn = TXN_IMPORT;
    s->imp.count = 0;
    s->imp.queued = 0;
    s->imp.in_pipeline = 0;
    reset_caches(&s->imp);
    return PGSTORE_OK;
}

int pg_import_flush(PgStore *s, char *err, size_t errlen)
{
    PgImport *imp = &s->imp;
    if (!imp->in_pipeline) {
        return PGSTORE_OK;
    }
    imp->in_pipeline = 0;
    imp->queued = 0;
    int rc = pg_pipe_sync(s, NULL, NULL, "import", err, errlen);
    if (rc != PGSTORE_OK) {
        end_import(s);
    }
    return rc;
}

int pgstore_import_add(PgStore *s, const StoreImportRecord *r, char *err, size_t errlen)
{
    if (s->txn != TXN_IMPORT) {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: no import is open");
    }
    int rc = check_record(r, (size_t)s->imp.count + 1, err, errlen);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    if (!s->imp.in_pipeline) {
        if ((rc = pg_pipe_begin(s, err, errlen)) != PGSTORE_OK) {
            end_import(s);
            return rc;
        }
        s->imp.in_pipeline = 1;
    }
    if ((rc = queue_record(s, r, err, errlen)) != PGSTORE_OK) {
        end_import(s);
        return rc;
    }
    s->imp.count++;
    if (++s->imp.queued >= PG_IMPORT_FLUSH) {
        return pg_import_flush(s, err, errlen);
    }
    return PGSTORE_OK;
}

int pgstore_import_commit(PgStore *s, int64_t *inserted, char *err, size_t errlen)
{
    if (s->txn != TXN_IMPORT) {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: no import is open");
    }
    int64_t count = s->imp.count;
    int rc = pg_import_flush(s, err, errlen);
    if (rc != PGSTORE_OK) {
        return rc; /* already rolled back and ended */
    }
    rc = pg_exec(s, "COMMIT", "import", err, errlen);
    end_import(s);
    if (rc == PGSTORE_OK && inserted != NULL) {
        *inserted = count;
    }
    return rc;
}

void pgstore_import_rollback(PgStore *s)
{
    if (s != NULL && s->txn == TXN_IMPORT) {
        end_import(s);
    }
}

int pgstore_import_active(const PgStore *s)
{
    return s->txn == TXN_IMPORT;
}

int64_t pgstore_import_count(const PgStore *s)
{
    return s->txn == TXN_IMPORT ? s->imp.count : 0;
}
