/* s3.c: GET and conditional PUT of one S3 object (storage.md §7.3, §7.5)
 * over an S3Transport: builds the URL and headers (x-amz-content-sha256,
 * x-amz-security-token, If-Match / If-None-Match), retries network errors,
 * 5xx and 429 with the shared policy of http.h (exponential backoff with
 * jitter, or Retry-After), checks that a 200 body is complete, and maps
 * statuses to the exact messages of the spec. Never logs query strings or
 * credentials. Depends on s3.h, s3_sha256.h and http.h (policy only). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "s3.h"
#include "s3_sha256.h"

#define CURLE_PARTIAL 18 /* CURLE_PARTIAL_FILE: what a short body counts as */

typedef struct Call {
    const S3Target *t;
    const S3Options *o;
    const S3Transport *tr;
    char *url;
    char sigv4[128];
    char token_hdr[4096];
    int retries;
    long base_ms;
} Call;

static int call_init(Call *c, const S3Target *t, const S3Credentials *cred, const S3Options *o,
                     char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->t = t;
    c->o = o;
    c->tr = o && o->transport ? o->transport : s3_curl_transport();
    c->retries = o ? o->retries : HTTP_DEFAULT_RETRIES;
    c->retries = c->retries < 0 ? 0 : c->retries > HTTP_MAX_RETRIES ? HTTP_MAX_RETRIES : c->retries;
    c->base_ms = o && o->base_delay_ms > 0 ? o->base_delay_ms : HTTP_DEFAULT_BASE_DELAY_MS;
    snprintf(c->sigv4, sizeof c->sigv4, "aws:amz:%s:s3", t->region);
    if (cred->session_token != NULL && cred->session_token[0] != '\0') {
        snprintf(c->token_hdr, sizeof c->token_hdr, "x-amz-security-token: %s",
                 cred->session_token);
    }
    c->url = s3_object_url(t, NULL, 0, err, errlen);
    return c->url != NULL;
}

static void call_free(Call *c)
{
    free(c->url);
    c->url = NULL;
    memset(c->token_hdr, 0, sizeof c->token_hdr); /* a credential */
}

static void log_attempt(const Call *c, const char *method, const S3HttpResponse *r)
{
    if (c->o == NULL || c->o->log == NULL) {
        return;
    }
    char host[256], path[1024], line[1600];
    http_url_parts(c->url, host, sizeof host, path, sizeof path);
    if (r->net_code != 0) {
        snprintf(line, sizeof line, "S3 %s %s %s -> %s", method, host, path, r->error);
    } else {
        snprintf(line, sizeof line, "S3 %s %s %s -> %ld", method, host, path, r->status);
    }
    c->o->log(c->o->log_ud, line);
}

/* "HTTP 503 SlowDown" or the network error, for messages. */
static void describe(const S3HttpResponse *r, char *out, size_t outlen)
{
    if (r->net_code != 0) {
        snprintf(out, outlen, "%s", r->error);
        return;
    }
    char code[S3_CODE_MAX];
    s3_error_code(r->body, r->body_len, code, sizeof code);
    snprintf(out, outlen, "HTTP %ld%s%s", r->status, code[0] ? " " : "", code);
}

static int retriable(const S3HttpResponse *r)
{
    /* S3 has no GitHub-style 403 rate limit: a 403 is never retried. */
    const char *ra = r->retry_after[0] && r->status != 403 ? r->retry_after : NULL;
    return http_should_retry(r->status, r->net_code, ra, NULL);
}

static void pause_before(const Call *c, int attempt, const S3HttpResponse *r)
{
    const char *ra = r->retry_after[0] ? r->retry_after : NULL;
    http_sleep_ms(http_retry_delay_ms(attempt, c->base_ms, ra, time(NULL), http_rand01()));
}

static void response_init(S3HttpResponse *r)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return S3_FAILED;
}

int s3_get(const S3Target *t, const S3Credentials *cred, const S3Options *o, FILE *dest,
           S3Result *res, char *err, size_t errlen)
{
    Call c;
    memset(res, 0, sizeof *res);
    if (!call_init(&c, t, cred, o, err, errlen)) {
        return S3_FAILED;
    }
    const char *headers[3] = {"x-amz-content-sha256: " S3_EMPTY_SHA256, NULL, NULL};
    if (c.token_hdr[0]) {
        headers[1] = c.token_hdr;
    }
    S3HttpRequest req = {.method = "GET", .url = c.url, .headers = headers, .sigv4 = c.sigv4,
                         .cred = cred, .download = dest};
    S3HttpResponse r;
    char last[512] = "";
    int rc = S3_FAILED;
    char code[S3_CODE_MAX];
    for (int attempt = 1;; attempt++) {
        res->attempts = attempt;
        fflush(dest);
        if (ftruncate(fileno(dest), 0) != 0) {
            rc = fail(err, errlen, "S3 download failed: cannot truncate the working copy: %s",
                      strerror(errno));
            break;
        }
        rewind(dest);
        response_init(&r);
        c.tr->perform(c.tr->ud, &req, &r);
        fflush(dest);
        log_attempt(&c, "GET", &r);
        res->status = r.status;
        if (r.net_code == 0 && r.status == 200 && r.content_length >= 0 &&
            r.received != r.content_length) {
            r.net_code = CURLE_PARTIAL;
            snprintf(r.error, sizeof r.error, "short body: received %lld of %lld bytes",
                     (long long)r.received, (long long)r.content_length);
        }
        if (r.net_code == 0 && r.status >= 200 && r.status < 300) {
            snprintf(res->etag, sizeof res->etag, "%s", r.etag);
            res->bytes = r.received;
            rc = S3_OK;
            break;
        }
        s3_error_code(r.body, r.body_len, code, sizeof code);
        if (r.net_code == 0 && r.status == 404) {
            if (strcmp(code, "NoSuchBucket") == 0) {
                rc = fail(err, errlen, "S3 bucket not found: %s", t->bucket);
            } else if (code[0] == '\0' || strcmp(code, "NoSuchKey") == 0) {
                rc = S3_NOT_FOUND;
            } else {
                rc = fail(err, errlen, "S3 request failed: HTTP 404 %s", code);
            }
            break;
        }
        if (r.net_code == 0 && (r.status == 401 || r.status == 403)) {
            rc = fail(err, errlen,
                      "S3 access denied for s3://%s/%s (%s): check credentials and permissions",
                      t->bucket, t->key, code[0] ? code : r.status == 401 ? "HTTP 401" : "HTTP 403");
            break;
        }
        describe(&r, last, sizeof last);
        if (!retriable(&r)) {
            rc = r.net_code != 0 ? fail(err, errlen, "S3 download failed: %s", last)
                                 : fail(err, errlen, "S3 request failed: %s", last);
            break;
        }
        if (attempt > c.retries) {
            rc = fail(err, errlen, "S3 download failed after %d attempts: %s", attempt, last);
            break;
        }
        pause_before(&c, attempt, &r);
    }
    if (rc != S3_OK) {
        /* Never leave a partial download behind as if it were data. */
        if (ftruncate(fileno(dest), 0) == 0) {
            rewind(dest);
        }
    }
    call_free(&c);
    return rc;
}

int s3_put(const S3Target *t, const S3Credentials *cred, const S3Options *o, FILE *src,
           const char *if_match, S3Result *res, char *err, size_t errlen)
{
    Call c;
    memset(res, 0, sizeof *res);
    char hex[65];
    int64_t size = 0;
    int e = s3_sha256_file(src, hex, &size);
    if (e != 0) {
        return fail(err, errlen, "S3 upload failed: cannot read the snapshot: %s", strerror(e));
    }
    if (!call_init(&c, t, cred, o, err, errlen)) {
        return S3_FAILED;
    }
    char sha_hdr[100], cond_hdr[S3_ETAG_MAX + 16];
    snprintf(sha_hdr, sizeof sha_hdr, "x-amz-content-sha256: %s", hex);
    if (if_match != NULL && if_match[0] != '\0') {
        snprintf(cond_hdr, sizeof cond_hdr, "If-Match: %s", if_match);
    } else {
        snprintf(cond_hdr, sizeof cond_hdr, "If-None-Match: *");
    }
    const char *headers[5] = {sha_hdr, cond_hdr, "Content-Type: application/octet-stream", NULL,
                              NULL};
    if (c.token_hdr[0]) {
        headers[3] = c.token_hdr;
    }
    S3HttpRequest req = {.method = "PUT", .url = c.url, .headers = headers, .sigv4 = c.sigv4,
                         .cred = cred, .upload = src, .upload_size = size};
    S3HttpResponse r;
    char last[512] = "";
    char code[S3_CODE_MAX];
    int rc = S3_FAILED;
    for (int attempt = 1;; attempt++) {
        res->attempts = attempt;
        rewind(src);
        response_init(&r);
        c.tr->perform(c.tr->ud, &req, &r);
        log_attempt(&c, "PUT", &r);
        res->status = r.status;
        if (r.net_code == 0 && r.status >= 200 && r.status < 300) {
            snprintf(res->etag, sizeof res->etag, "%s", r.etag);
            res->bytes = size;
            rc = S3_OK;
            break;
        }
        if (r.net_code == 0 && (r.status == 412 || r.status == 409)) {
            rc = S3_CONFLICT;
            break;
        }
        s3_error_code(r.body, r.body_len, code, sizeof code);
        if (r.net_code == 0 && (r.status == 401 || r.status == 403)) {
            rc = fail(err, errlen, "S3 upload failed: access denied for s3://%s/%s (%s)",
                      t->bucket, t->key, code[0] ? code : r.status == 401 ? "HTTP 401" : "HTTP 403");
            break;
        }
        if (r.net_code == 0 && r.status == 404 && strcmp(code, "NoSuchBucket") == 0) {
            rc = fail(err, errlen, "S3 upload failed: S3 bucket not found: %s", t->bucket);
            break;
        }
        describe(&r, last, sizeof last);
        if (!retriable(&r)) {
            rc = fail(err, errlen, "S3 upload failed: %s", last);
            break;
        }
        if (attempt > c.retries) {
            rc = fail(err, errlen, "S3 upload failed: %s (after %d attempts)", last, attempt);
            break;
        }
        pause_before(&c, attempt, &r);
    }
    rewind(src);
    call_free(&c);
    return rc;
}
