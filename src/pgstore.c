/* pgstore.c: opening and closing the PostgreSQL store — connection
 * parameters (the secret connection string plus the config's overrides),
 * connecting with retries while the server (re)starts and a clear
 * classification of failures (unreachable server, refused credentials),
 * the session settings, and the migrations, run under a transaction-level
 * advisory lock so that many jobs can connect at once. Redaction and the
 * location shown in messages are in pgstore_redact.c. Depends on libpq and
 * POSIX. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgstore.h"
#include "pgstore_internal.h"

#define DEFAULT_CONNECT_TIMEOUT 10
#define DEFAULT_ATTEMPTS 6
#define DEFAULT_PAUSE_MS 100

/* Known migrations, oldest first; the script is pg_schema_sql's. */
static const struct {
    const char *version;
    const char *description;
} MIGRATIONS[] = {
    {"2.0.0", "Clean schema with string metric IDs"},
};
#define N_MIGRATIONS (sizeof MIGRATIONS / sizeof MIGRATIONS[0])

int pg_errf(int rc, char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

const char *pgstore_schema(const PgStore *s) { return s->schema; }
int pgstore_readonly(const PgStore *s) { return s->readonly; }
const char *pgstore_schema_version(const PgStore *s) { return s->version; }
const char *pgstore_warning(const PgStore *s) { return s->warning; }

void pgstore_set_retry(PgStore *s, int attempts, int first_pause_ms)
{
    s->attempts = attempts < 1 ? 1 : attempts;
    s->pause_ms = first_pause_ms < 0 ? 0 : first_pause_ms;
}

/* ---- connecting ------------------------------------------------------------------ */

static void silent_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

void pg_one_line(char *m)
{
    char *o = m;
    int space = 0;
    for (char *p = m; *p; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = o != m;
        } else {
            if (space) {
                *o++ = ' ';
            }
            space = 0;
            *o++ = *p;
        }
    }
    *o = '\0';
}

static int contains(const char *hay, const char *needle)
{
    return hay != NULL && strstr(hay, needle) != NULL;
}

/* A connection failure worth another try: the server is (re)starting,
 * shutting down, out of connection slots, or not listening (yet). Bad
 * parameters, unknown hosts, databases or roles are not. */
static int transient_connect(const char *m)
{
    return contains(m, "starting up") || contains(m, "shutting down") ||
           contains(m, "too many clients") || contains(m, "in recovery mode") ||
           contains(m, "remaining connection slots") || contains(m, "Connection refused") ||
           contains(m, "closed the connection unexpectedly") ||
           contains(m, "Connection reset") || contains(m, "could not receive data") ||
           contains(m, "No such file or directory") || contains(m, "timeout expired");
}

/* Connects once. On failure fills err and returns PGSTORE_AUTH or
 * PGSTORE_CONNECT; *transient says whether trying again may help. */
static int connect_once(PgStore *s, int *transient, char *err, size_t errlen)
{
    *transient = 0;
    s->conn = PQconnectdbParams(s->keys, (const char *const *)s->vals, 1);
    if (s->conn == NULL) {
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    if (PQstatus(s->conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(s->conn, silent_notice, NULL);
        return PGSTORE_OK;
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", PQerrorMessage(s->conn));
    pg_one_line(msg);
    int auth = contains(msg, "password authentication failed") ||
               contains(msg, "authentication failed") || contains(msg, "no password supplied") ||
               PQconnectionNeedsPassword(s->conn);
    *transient = !auth && transient_connect(msg);
    PQfinish(s->conn);
    s->conn = NULL;
    pg_set_location(s);
    int rc = auth ? PGSTORE_AUTH : PGSTORE_CONNECT;
    if (auth) {
        pg_errf(rc, err, errlen,
                "pgstore: PostgreSQL refused the credentials for %s: %s (check UNENTROPY_PG_URL "
                "or DATABASE_URL)",
                pgstore_location(s), msg);
    } else {
        pg_errf(rc, err, errlen, "pgstore: cannot connect to PostgreSQL at %s: %s",
                pgstore_location(s), msg);
    }
    pgstore_redact(err, errlen, s->vals[PG_CONNINFO_SLOT]);
    return rc;
}

static int session_setup(PgStore *s, char *err, size_t errlen)
{
    const char *sql = s->readonly
                          ? "SET TimeZone = 'UTC'; SET extra_float_digits = 3;"
                            " SET client_min_messages = warning;"
                            " SET default_transaction_read_only = on"
                          : "SET TimeZone = 'UTC'; SET extra_float_digits = 3;"
                            " SET client_min_messages = warning";
    return pg_exec(s, sql, "session setup", err, errlen);
}

/* Connects (up to `tries` times while the failure is transient, with
 * backoff) and sets the session up. */
static int connect_session(PgStore *s, int tries, char *err, size_t errlen)
{
    int rc = PGSTORE_CONNECT, transient = 1;
    int pause = s->pause_ms;
    for (int attempt = 0; attempt < tries && transient; attempt++) {
        if (attempt > 0) {
            pg_sleep_ms(pause);
            pause *= 2;
        }
        rc = connect_once(s, &transient, err, errlen);
        if (rc == PGSTORE_OK) {
            break;
        }
    }
    if (rc != PGSTORE_OK) {
        return rc;
    }
    s->lost = 0;
    s->prepared = 0;
    pg_set_location(s);
    return session_setup(s, err, errlen);
}

int pg_reconnect(PgStore *s, char *err, size_t errlen)
{
    if (s->conn != NULL) {
        PQfinish(s->conn);
        s->conn = NULL;
    }
    return connect_session(s, 1, err, errlen); /* the callers retry */
}

/* ---- migrations ---------------------------------------------------------------------- */

static uint64_t fnv1a(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = a; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    }
    for (const char *p = b; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    }
    return h;
}

/* Reads the highest schema_version row into s->version ("" when the table
 * is missing); *exists says whether the table is there. */
static int read_version(PgStore *s, int *exists, char *err, size_t errlen)
{
    *exists = 0;
    s->version[0] = '\0';
    size_t n = strlen(s->qschema) + 32;
    char *rel = malloc(n);
    if (rel == NULL) {
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    snprintf(rel, n, "%s.schema_version", s->qschema);
    const char *p[1] = {rel};
    PGresult *r = PQexecParams(s->conn, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, p, NULL,
                               NULL, 0);
    free(rel);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pg_fail(s, r, "open", err, errlen);
        PQclear(r);
        return rc;
    }
    *exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!*exists) {
        return PGSTORE_OK;
    }
    char *sql = pg_subst("SELECT version FROM @.schema_version ORDER BY version DESC LIMIT 1",
                         s->qschema);
    if (sql == NULL) {
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    r = PQexec(s->conn, sql);
    free(sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pg_fail(s, r, "open", err, errlen);
        PQclear(r);
        return rc;
    }
    if (PQntuples(r) > 0) {
        snprintf(s->version, sizeof s->version, "%s", PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return PGSTORE_OK;
}

static int known_index(const char *v)
{
    for (size_t i = 0; i < N_MIGRATIONS; i++) {
        if (strcmp(v, MIGRATIONS[i].version) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Inside the locked transaction: create what is missing, then every
 * migration after the current version (all of them for an unknown one). */
static int migrate_locked(PgStore *s, char *err, size_t errlen)
{
    char key[32];
    pg_fmt_i64(key, sizeof key, (int64_t)fnv1a("unentropy:", s->schema));
    const char *p[1] = {key};
    PGresult *r = PQexecParams(s->conn, "SELECT pg_advisory_xact_lock($1::bigint)", 1, NULL, p,
                               NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? PGSTORE_OK
                                                   : pg_fail(s, r, "migration lock", err, errlen);
    PQclear(r);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    char *table = pg_subst("CREATE TABLE IF NOT EXISTS @.schema_version (\n"
                           "  version text PRIMARY KEY,\n"
                           "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
                           "  description text\n"
                           ")",
                           s->qschema);
    size_t n = table ? strlen(table) + strlen(s->qschema) + 40 : 0;
    char *ddl = table ? malloc(n) : NULL;
    if (ddl == NULL) {
        free(table);
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    snprintf(ddl, n, "CREATE SCHEMA IF NOT EXISTS %s;\n%s", s->qschema, table);
    free(table);
    rc = pg_exec(s, ddl, "migration", err, errlen);
    free(ddl);
    int exists;
    if (rc != PGSTORE_OK || (rc = read_version(s, &exists, err, errlen)) != PGSTORE_OK) {
        return rc;
    }
    int from = s->version[0] ? known_index(s->version) + 1 : 0;
    if (s->version[0] && from == 0) { /* unknown: re-run the idempotent list */
        from = 0;
    }
    char *ins = pg_subst("INSERT INTO @.schema_version (version, description) VALUES ($1, $2)"
                         " ON CONFLICT (version) DO NOTHING",
                         s->qschema);
    char *script = pg_schema_sql(s);
    if (ins == NULL || script == NULL) {
        free(ins);
        free(script);
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    for (size_t i = (size_t)from; i < N_MIGRATIONS && rc == PGSTORE_OK; i++) {
        rc = pg_exec(s, script, "migration", err, errlen);
        if (rc == PGSTORE_OK) {
            const char *vp[2] = {MIGRATIONS[i].version, MIGRATIONS[i].description};
            r = PQexecParams(s->conn, ins, 2, NULL, vp, NULL, NULL, 0);
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                rc = pg_fail(s, r, "migration", err, errlen);
            }
            PQclear(r);
        }
    }
    free(ins);
    free(script);
    return rc == PGSTORE_OK ? read_version(s, &exists, err, errlen) : rc;
}

static int migrate(PgStore *s, char *err, size_t errlen)
{
    int exists;
    int rc = read_version(s, &exists, err, errlen);
    if (rc != PGSTORE_OK) {
        return rc;
    }
    if (s->readonly) {
        if (!exists) {
            return pg_errf(PGSTORE_NOT_FOUND, err, errlen,
                           "pgstore: no unentropy data at %s (no schema_version table)",
                           pgstore_location(s));
        }
    } else if (strcmp(s->version, PGSTORE_SCHEMA_LATEST) != 0) {
        if ((rc = pg_exec(s, "BEGIN", "migration", err, errlen)) != PGSTORE_OK) {
            return rc;
        }
        rc = migrate_locked(s, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = pg_exec(s, "COMMIT", "migration", err, errlen);
        } else if (!s->lost) {
            PGresult *r = PQexec(s->conn, "ROLLBACK");
            PQclear(r);
        }
        if (rc != PGSTORE_OK) {
            return rc;
        }
    }
    if (s->version[0] && known_index(s->version) < 0) {
        char w[160];
        snprintf(w, sizeof w,
                 "database schema version %s is not known to this unentropy (latest known: %s)",
                 s->version, PGSTORE_SCHEMA_LATEST);
        s->warning = strdup(w);
    }
    return PGSTORE_OK;
}

/* ---- open and close ----------------------------------------------------------------------- */

static char *quote_ident(const char *name)
{
    size_t n = strlen(name);
    char *q = malloc(n * 2 + 3), *o = q;
    if (q == NULL) {
        return NULL;
    }
    *o++ = '"';
    for (const char *p = name; *p; p++) {
        if (*p == '"') {
            *o++ = '"';
        }
        *o++ = *p;
    }
    *o++ = '"';
    *o = '\0';
    return q;
}

static int add_param(PgStore *s, int *i, const char *key, const char *val)
{
    if (val == NULL) {
        return 1;
    }
    s->keys[*i] = key;
    s->vals[*i] = strdup(val);
    return s->vals[(*i)++] != NULL;
}

int pgstore_open(PgStore **out, const PgStoreConfig *cfg, char *err, size_t errlen)
{
    *out = NULL;
    if (cfg->schema == NULL || cfg->schema[0] == '\0') {
        return pg_errf(PGSTORE_MISUSE, err, errlen, "pgstore: a schema name is required");
    }
    if (strlen(cfg->schema) > 63) {
        return pg_errf(PGSTORE_ERROR, err, errlen,
                       "pgstore: schema name '%s' is longer than 63 bytes", cfg->schema);
    }
    PgStore *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    s->readonly = cfg->readonly;
    s->attempts = DEFAULT_ATTEMPTS;
    s->pause_ms = DEFAULT_PAUSE_MS;
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d",
             cfg->connect_timeout > 0 ? cfg->connect_timeout : DEFAULT_CONNECT_TIMEOUT);
    int i = 0, ok = 1;
    /* Order matters: later keys override what the connection string says. */
    ok &= add_param(s, &i, "connect_timeout", timeout);
    ok &= add_param(s, &i, "fallback_application_name", "unentropy");
    ok &= add_param(s, &i, "client_encoding", "UTF8");
    ok &= add_param(s, &i, "dbname", cfg->conninfo ? cfg->conninfo : "");
    ok &= add_param(s, &i, "host", cfg->host);
    ok &= add_param(s, &i, "port", cfg->port);
    ok &= add_param(s, &i, "dbname", cfg->database);
    ok &= add_param(s, &i, "sslmode", cfg->sslmode);
    s->schema = strdup(cfg->schema);
    s->qschema = quote_ident(cfg->schema);
    if (!ok || s->schema == NULL || s->qschema == NULL || pg_build_sql(s) != PGSTORE_OK) {
        pgstore_close(s);
        return pg_errf(PGSTORE_NOMEM, err, errlen, "pgstore: out of memory");
    }
    pg_set_location(s);
    /* Connecting is retried while the server is (re)starting; a server
     * that drops the connection during the open (a restart) is tried
     * again from the start. */
    int rc, after_loss = 0, pause = s->pause_ms;
    for (int attempt = 1;; attempt++) {
        rc = connect_session(s, s->attempts, err, errlen);
        if (rc == PGSTORE_OK) {
            rc = migrate(s, err, errlen);
        }
        if (rc == PGSTORE_OK) {
            rc = pg_ready(s, err, errlen);
        }
        after_loss |= s->lost;
        if (rc == PGSTORE_OK || attempt >= s->attempts || rc == PGSTORE_AUTH ||
            !(s->lost || (after_loss && rc == PGSTORE_CONNECT))) {
            break;
        }
        PQfinish(s->conn);
        s->conn = NULL;
        s->prepared = 0;
        free(s->warning);
        s->warning = NULL;
        pg_sleep_ms(pause);
        pause *= 2;
    }
    if (rc != PGSTORE_OK) {
        pgstore_close(s);
        return rc;
    }
    *out = s;
    return PGSTORE_OK;
}

void pgstore_close(PgStore *s)
{
    if (s == NULL) {
        return;
    }
    pgstore_import_rollback(s);
    if (s->conn != NULL) {
        PQfinish(s->conn);
    }
    for (int i = 0; s->keys[i]; i++) {
        if (s->vals[i] != NULL) {
            volatile char *v = s->vals[i];
            for (size_t k = 0; v[k]; k++) {
                v[k] = 0;
            }
            free(s->vals[i]);
        }
    }
    pg_free_sql(s);
    free(s->imp.defs);
    free(s->schema);
    free(s->qschema);
    free(s->location);
    free(s->warning);
    free(s);
}
