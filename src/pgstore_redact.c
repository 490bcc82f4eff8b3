/* pgstore_redact.c: keeping credentials out of every message of the
 * PostgreSQL store — masking the connection string's password (raw and
 * percent-decoded), PGPASSWORD and any URL userinfo password — and the
 * redacted location "postgresql://user@host:port/db (schema s)" built from
 * the connection (or, before connecting, from the parameters). Depends on
 * libpq (PQconninfoParse, connection accessors). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgstore.h"
#include "pgstore_internal.h"

/* ---- redaction ------------------------------------------------------------ */

/* Replaces every occurrence of secret[0..n) in msg by "***". */
static void mask(char *msg, size_t msglen, const char *secret, size_t n)
{
    if (n == 0 || msglen == 0) {
        return;
    }
    char *out = malloc(msglen);
    if (out == NULL) {
        msg[0] = '\0'; /* cannot redact: say nothing rather than leak */
        return;
    }
    size_t o = 0;
    for (const char *p = msg; *p && o + 1 < msglen;) {
        if (strncmp(p, secret, n) == 0) {
            for (const char *m = "***"; *m && o + 1 < msglen; m++) {
                out[o++] = *m;
            }
            p += n;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    memcpy(msg, out, o + 1);
    free(out);
}

/* "scheme://user:secret@host" -> "scheme://user:***@host" everywhere. */
static void mask_userinfo(char *msg, size_t msglen)
{
    for (char *p = strstr(msg, "://"); p != NULL; p = strstr(p, "://")) {
        p += 3;
        size_t end = strcspn(p, "/?# \t\n\"'");
        char *at = NULL;
        for (size_t i = 0; i < end; i++) {
            if (p[i] == '@') {
                at = p + i;
            }
        }
        char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
        long n = colon ? (long)(at - colon - 1) : 0;
        if (n > 0 && !(n == 3 && strncmp(colon + 1, "***", 3) == 0)) { /* not masked yet */
            size_t tail = strlen(at) + 1;
            if ((size_t)(colon + 1 - msg) + 3 + tail > msglen) {
                *colon = '\0'; /* no room: cut the message */
                return;
            }
            memmove(colon + 4, at, tail);
            memcpy(colon + 1, "***", 3);
        }
    }
}

void pgstore_redact(char *msg, size_t msglen, const char *conninfo)
{
    if (msg == NULL || msglen == 0) {
        return;
    }
    mask_userinfo(msg, msglen);
    if (conninfo != NULL && conninfo[0] != '\0') {
        /* The raw (percent-encoded) password of a URL... */
        const char *p = strstr(conninfo, "://");
        if (p != NULL) {
            p += 3;
            size_t end = strcspn(p, "/?#");
            const char *at = NULL;
            for (size_t i = 0; i < end; i++) {
                if (p[i] == '@') {
                    at = p + i;
                }
            }
            const char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
            if (colon != NULL) {
                mask(msg, msglen, colon + 1, (size_t)(at - colon - 1));
            }
            const char *q = strstr(conninfo, "password=");
            if (q != NULL) {
                q += 9;
                mask(msg, msglen, q, strcspn(q, "&#"));
            }
        }
        /* ...and the decoded one, whatever the form. */
        char *perr = NULL;
        PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
        PQfreemem(perr);
        for (PQconninfoOption *o = opts; o && o->keyword; o++) {
            if (strcmp(o->keyword, "password") == 0 && o->val != NULL) {
                mask(msg, msglen, o->val, strlen(o->val));
            }
        }
        PQconninfoFree(opts);
        if (opts == NULL) { /* unparseable: mask a key=value password by hand */
            const char *k = strstr(conninfo, "password");
            if (k != NULL && (k = strchr(k, '=')) != NULL) {
                k++;
                k += strspn(k, " '");
                mask(msg, msglen, k, strcspn(k, " '"));
            }
        }
    }
    const char *env = getenv("PGPASSWORD");
    if (env != NULL) {
        mask(msg, msglen, env, strlen(env));
    }
}

/* ---- location ---------------------------------------------------------------- */

static char *pct_host(const char *h)
{
    size_t n = strlen(h);
    char *out = malloc(n * 3 + 1), *o = out;
    if (out == NULL) {
        return NULL;
    }
    for (; *h; h++) {
        if (*h == '/' || *h == '%' || *h == '@' || *h == ':' || *h == '?' || *h == '#') {
            o += sprintf(o, "%%%02X", (unsigned char)*h);
        } else {
            *o++ = *h;
        }
    }
    *o = '\0';
    return out;
}

/* "postgresql://user@host:port/db (schema s)" from the connection (or from
 * the parameters when not connected); never the password. */
void pg_set_location(PgStore *s)
{
    const char *user = NULL, *host = NULL, *port = NULL, *db = NULL;
    PQconninfoOption *opts = NULL;
    if (s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK) {
        user = PQuser(s->conn);
        host = PQhost(s->conn);
        port = PQport(s->conn);
        db = PQdb(s->conn);
    } else {
        char *perr = NULL;
        opts = PQconninfoParse(s->vals[PG_CONNINFO_SLOT] ? s->vals[PG_CONNINFO_SLOT] : "", &perr);
        PQfreemem(perr);
        for (PQconninfoOption *o = opts; o && o->keyword; o++) {
            const char *v = o->val;
            if (!strcmp(o->keyword, "user")) {
                user = v;
            } else if (!strcmp(o->keyword, "host")) {
                host = v;
            } else if (!strcmp(o->keyword, "port")) {
                port = v;
            } else if (!strcmp(o->keyword, "dbname")) {
                db = v;
            }
        }
        for (int i = 4; s->keys[i]; i++) {
            if (!strcmp(s->keys[i], "host")) {
                host = s->vals[i];
            } else if (!strcmp(s->keys[i], "port")) {
                port = s->vals[i];
            } else if (!strcmp(s->keys[i], "dbname")) {
                db = s->vals[i];
            }
        }
    }
    char *h = pct_host(host && *host ? host : "localhost");
    size_t len = 64 + (user ? strlen(user) : 0) + (h ? strlen(h) : 0) + (port ? strlen(port) : 0) +
                 (db ? strlen(db) : 0) + strlen(s->schema);
    char *loc = malloc(len);
    if (loc != NULL) {
        snprintf(loc, len, "postgresql://%s%s%s%s%s/%s (schema %s)", user && *user ? user : "",
                 user && *user ? "@" : "", h ? h : "", port && *port ? ":" : "",
                 port && *port ? port : "", db && *db ? db : "", s->schema);
        pgstore_redact(loc, len, s->vals[PG_CONNINFO_SLOT]);
    }
    free(h);
    PQconninfoFree(opts);
    free(s->location);
    s->location = loc;
}

const char *pgstore_location(const PgStore *s)
{
    return s->location ? s->location : "postgresql://";
}

