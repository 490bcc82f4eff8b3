/* pgstore_copy.c: the PostgreSQL end of `unentropy db copy` — dumping every
 * build (any event, with or without values) and the values of chosen
 * builds, and restoring definitions and builds: an existing (commit_sha,
 * run_id) is updated in place, a new one keeps the source's id when that id
 * is free. Restores hold SHARE ROW EXCLUSIVE on build_contexts (concurrent
 * collects wait a moment instead of racing for ids) and move the id
 * sequence past the highest id. Depends on libpq and pgstore_exec.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgstore.h"
#include "pgstore_internal.h"

#define PIPE_MAX 1000 /* statements per pipeline sync (see libpq's deadlock note) */

int pgstore_dump_builds(PgStore *s, store_build_cb cb, void *ud, char *err, size_t errlen)
{
    PgFwd f = {(void *)cb, ud, 0};
    return pg_cursor(s, PC_DUMP_BUILDS, 0, NULL, pg_build_row, &f, "dump", err, errlen);
}

int pgstore_dump_values(PgStore *s, const int64_t *ids, size_t n, store_value_cb cb, void *ud,
                        char *err, size_t errlen)
{
    /* The ids travel as one bigint[] parameter: "{1,2,3}". */
    char *arr = malloc(n * 21 + 3);
    if (arr == NULL) {
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    char *o = arr;
    *o++ = '{';
    for (size_t i = 0; i < n; i++) {
        o += sprintf(o, i ? ",%lld" : "%lld", (long long)ids[i]);
    }
    *o++ = '}';
    *o = '\0';
    PgFwd f = {(void *)cb, ud, 0};
    const char *p[1] = {arr};
    int rc = pg_cursor(s, PC_DUMP_VALUES, 1, p, pg_value_row, &f, "dump", err, errlen);
    free(arr);
    return rc;
}

/* Syncs the pipeline when it is long; the transaction stays open. */
static int maybe_sync(PgStore *s, const char *what, char *err, size_t errlen)
{
    if (s->pipe_n < PIPE_MAX) {
        return PGSTORE_OK;
    }
    int rc = pg_pipe_sync(s, NULL, NULL, what, err, errlen);
    return rc == PGSTORE_OK ? pg_pipe_begin(s, err, errlen) : rc;
}

typedef struct DefsCtx {
    const StoreMetricDef *d;
    size_t n;
} DefsCtx;

static int defs_txn(PgStore *s, void *ud, char *err, size_t errlen)
{
    DefsCtx *c = ud;
    int rc = pg_pipe_begin(s, err, errlen);
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, -1, "BEGIN", 0, NULL, err, errlen);
    }
    for (size_t i = 0; i < c->n && rc == PGSTORE_OK; i++) {
        const StoreMetricDef *d = &c->d[i];
        const char *dp[4] = {d->id, d->type, d->unit, d->description};
        const char *up[3] = {d->id, d->unit, d->description};
        rc = pg_pipe_send(s, PS_INSERT_DEF, NULL, 4, dp, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = pg_pipe_send(s, PS_UPDATE_DEF, NULL, 3, up, err, errlen);
        }
        if (rc == PGSTORE_OK) {
            rc = maybe_sync(s, "restore", err, errlen);
            if (rc != PGSTORE_OK) {
                return rc;
            }
        }
    }
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, -1, "COMMIT", 0, NULL, err, errlen);
    }
    if (rc != PGSTORE_OK) {
        pg_pipe_abort(s);
        return rc;
    }
    return pg_pipe_sync(s, NULL, NULL, "restore", err, errlen);
}

int pgstore_restore_definitions(PgStore *s, const StoreMetricDef *d, size_t n, char *err,
                                size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i].id == NULL || d[i].type == NULL) {
            return pg_errf(PGSTORE_MISUSE, err, errlen,
                           "pgstore: restore: definition %zu needs an id and a type", i + 1);
        }
    }
    DefsCtx c = {d, n};
    return pg_transaction(s, defs_txn, &c, "restore", err, errlen);
}

typedef struct BuildsCtx {
    const PgCopyBuild *b;
    size_t n;
    char *table; /* "<schema>".build_contexts */
    char *lock;  /* LOCK TABLE ... */
} BuildsCtx;

static int send_build(PgStore *s, const BuildsCtx *c, const PgCopyBuild *cb, char *err,
                      size_t errlen)
{
    const StoreBuild *b = &cb->b;
    char id[32], runno[32], num[40];
    pg_fmt_i64(id, sizeof id, cb->id);
    pg_fmt_i64(runno, sizeof runno, b->run_number);
    const char *bp[8] = {id, b->commit_sha, b->branch, b->run_id, runno, b->event_name,
                         b->timestamp, c->table};
    const char *kp[2] = {b->commit_sha, b->run_id};
    int rc = pg_pipe_send(s, PS_RESTORE_BUILD, NULL, 8, bp, err, errlen);
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, PS_DELETE_VALUES, NULL, 2, kp, err, errlen);
    }
    for (size_t i = 0; i < cb->nvalues && rc == PGSTORE_OK; i++) {
        const StoreValueRow *v = &cb->values[i];
        const char *vp[5] = {v->metric_id, b->commit_sha, b->run_id, NULL, NULL};
        if (v->is_numeric) {
            pg_fmt_double(num, sizeof num, v->value_numeric);
            vp[3] = num;
        } else {
            vp[4] = v->value_label;
        }
        rc = pg_pipe_send(s, PS_INSERT_VALUE, NULL, 5, vp, err, errlen);
    }
    return rc;
}

static int builds_txn(PgStore *s, void *ud, char *err, size_t errlen)
{
    BuildsCtx *c = ud;
    int rc = pg_pipe_begin(s, err, errlen);
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, -1, "BEGIN", 0, NULL, err, errlen);
    }
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, -1, c->lock, 0, NULL, err, errlen);
    }
    for (size_t i = 0; i < c->n && rc == PGSTORE_OK; i++) {
        if ((rc = send_build(s, c, &c->b[i], err, errlen)) == PGSTORE_OK &&
            (rc = maybe_sync(s, "restore", err, errlen)) != PGSTORE_OK) {
            return rc;
        }
    }
    if (rc == PGSTORE_OK) {
        const char *p[1] = {c->table};
        rc = pg_pipe_send(s, PS_SET_SEQUENCE, NULL, 1, p, err, errlen);
    }
    if (rc == PGSTORE_OK) {
        rc = pg_pipe_send(s, -1, "COMMIT", 0, NULL, err, errlen);
    }
    if (rc != PGSTORE_OK) {
        pg_pipe_abort(s);
        return rc;
    }
    return pg_pipe_sync(s, NULL, NULL, "restore", err, errlen);
}

int pgstore_restore_builds(PgStore *s, const PgCopyBuild *b, size_t n, char *err,
                           size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const StoreBuild *x = &b[i].b;
        if (!x->commit_sha || !x->branch || !x->run_id || !x->timestamp) {
            return pg_errf(PGSTORE_MISUSE, err, errlen,
                           "pgstore: restore: build %zu needs commit_sha, branch, run_id and "
                           "timestamp",
                           i + 1);
        }
        for (size_t k = 0; k < b[i].nvalues; k++) {
            const StoreValueRow *v = &b[i].values[k];
            if (v->metric_id == NULL || (!v->is_numeric && v->value_label == NULL)) {
                return pg_errf(PGSTORE_MISUSE, err, errlen,
                               "pgstore: restore: build %zu: value %zu needs a metric id and "
                               "a value",
                               i + 1, k + 1);
            }
        }
    }
    size_t len = strlen(s->qschema) + 80;
    BuildsCtx c = {b, n, malloc(len), malloc(len)};
    int rc = PGSTORE_NOMEM;
    if (c.table != NULL && c.lock != NULL) {
        snprintf(c.table, len, "%s.build_contexts", s->qschema);
        snprintf(c.lock, len, "LOCK TABLE %s.build_contexts IN SHARE ROW EXCLUSIVE MODE",
                 s->qschema);
        rc = pg_transaction(s, builds_txn, &c, "restore", err, errlen);
    } else {
        pg_errf(rc, err, errlen, "pgstore: out of memory");
    }
    free(c.table);
    free(c.lock);
    return rc;
}
