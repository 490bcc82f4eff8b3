/* provider_s3.c: the sqlite-s3 provider (storage.md §7.3). fetch GETs the
 * object into the private working copy and remembers its ETag (a 404 is a
 * first run: the copy stays empty and the upload will use If-None-Match: *);
 * persist PUTs the snapshot with If-Match on that ETag, so a concurrent
 * writer makes it return PROVIDER_CONFLICT instead of overwriting a build.
 * The conflict loop itself (re-fetch, re-record, retry up to 5 rounds) is
 * policy and lives in lua/unentropy/storage.lua. Pure C over s3.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "provider.h"
#include "s3.h"

typedef struct S3Impl {
    char *endpoint, *bucket, *region, *key;
    char *access_key_id, *secret_access_key, *session_token;
    S3Target target;
    S3Credentials cred;
    S3Options opts;
    char etag[S3_ETAG_MAX]; /* of the fetched version; "" when there was none */
} S3Impl;

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

static int s3_fetch(Provider *p, const char *source, ProviderInfo *info, char *err,
                    size_t errlen)
{
    (void)source;
    S3Impl *s = p->impl;
    FILE *f = fopen(p->path, "r+b");
    if (f == NULL) {
        snprintf(err, errlen, "provider: cannot open '%s': %s", p->path, strerror(errno));
        return PROVIDER_ERROR;
    }
    S3Result res;
    int rc = s3_get(&s->target, &s->cred, &s->opts, f, &res, err, errlen);
    if (fclose(f) != 0 && rc == S3_OK) {
        snprintf(err, errlen, "S3 download failed: cannot write '%s': %s", p->path,
                 strerror(errno));
        rc = S3_FAILED;
    }
    info->status = res.status;
    info->attempts = res.attempts;
    info->bytes = res.bytes;
    if (rc == S3_OK) {
        snprintf(s->etag, sizeof s->etag, "%s", res.etag);
        snprintf(info->etag, sizeof info->etag, "%s", res.etag);
        if (s->etag[0] == '\0') {
            /* Without an ETag the write cannot be conditional: refuse
             * rather than silently risk overwriting a concurrent build. */
            snprintf(err, errlen, "S3 download of s3://%s/%s returned no ETag", s->bucket,
                     s->key);
            return PROVIDER_ERROR;
        }
        return PROVIDER_OK;
    }
    if (rc == S3_NOT_FOUND) {
        s->etag[0] = '\0';
        return provider_truncate(p, err, errlen) == PROVIDER_OK ? PROVIDER_NEW : PROVIDER_ERROR;
    }
    return PROVIDER_ERROR;
}

static int s3_persist(Provider *p, const char *snapshot, ProviderInfo *info, char *err,
                      size_t errlen)
{
    S3Impl *s = p->impl;
    chmod(snapshot, 0600);
    FILE *f = fopen(snapshot, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "S3 upload failed: cannot open '%s': %s", snapshot, strerror(errno));
        return PROVIDER_ERROR;
    }
    S3Result res;
    int rc = s3_put(&s->target, &s->cred, &s->opts, f, s->etag, &res, err, errlen);
    fclose(f);
    info->status = res.status;
    info->attempts = res.attempts;
    info->bytes = res.bytes;
    if (rc == S3_OK) {
        snprintf(s->etag, sizeof s->etag, "%s", res.etag);
        snprintf(info->etag, sizeof info->etag, "%s", res.etag);
        return PROVIDER_OK;
    }
    return rc == S3_CONFLICT ? PROVIDER_CONFLICT : PROVIDER_ERROR;
}

static void s3_release(Provider *p)
{
    S3Impl *s = p->impl;
    if (s == NULL) {
        return;
    }
    free(s->endpoint);
    free(s->bucket);
    free(s->region);
    free(s->key);
    wipe_free(s->access_key_id);
    wipe_free(s->secret_access_key);
    wipe_free(s->session_token);
    free(s);
    p->impl = NULL;
}

static const ProviderOps s3_ops = {"sqlite-s3", s3_fetch, s3_persist, s3_release};

static int blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

int provider_new_s3(Provider **out, const S3Target *t, const S3Credentials *cred,
                    const S3Options *opts, char *err, size_t errlen)
{
    err[0] = '\0';
    *out = NULL;
    if (blank(t->bucket)) {
        snprintf(err, errlen, "S3 bucket is not configured: set storage.s3.bucket, --s3-bucket "
                              "or UNENTROPY_S3_BUCKET");
        return PROVIDER_ERROR;
    }
    if (blank(cred->access_key_id) || blank(cred->secret_access_key)) {
        snprintf(err, errlen,
                 "S3 credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        return PROVIDER_ERROR;
    }
    if (blank(t->endpoint) || blank(t->region) || blank(t->key)) {
        snprintf(err, errlen, "S3 %s is empty",
                 blank(t->endpoint) ? "endpoint" : blank(t->region) ? "region" : "key");
        return PROVIDER_ERROR;
    }
    char *url = s3_object_url(t, NULL, 0, err, errlen);
    if (url == NULL) {
        return PROVIDER_ERROR;
    }
    free(url);
    S3Impl *s = calloc(1, sizeof *s);
    Provider *p = NULL;
    if (s == NULL) {
        goto oom;
    }
    s->endpoint = strdup(t->endpoint);
    s->bucket = strdup(t->bucket);
    s->region = strdup(t->region);
    s->key = strdup(t->key);
    s->access_key_id = strdup(cred->access_key_id);
    s->secret_access_key = strdup(cred->secret_access_key);
    s->session_token = blank(cred->session_token) ? NULL : dup_or_null(cred->session_token);
    if (!s->endpoint || !s->bucket || !s->region || !s->key || !s->access_key_id ||
        !s->secret_access_key || (!blank(cred->session_token) && !s->session_token)) {
        goto oom;
    }
    s->target = (S3Target){s->endpoint, s->bucket, s->region, s->key};
    s->cred = (S3Credentials){s->access_key_id, s->secret_access_key, s->session_token};
    if (opts != NULL) {
        s->opts = *opts;
    } else {
        s->opts.retries = 3;
        s->opts.base_delay_ms = 500;
    }
    if (provider_alloc(&p, &s3_ops, NULL, err, errlen) != PROVIDER_OK) {
        Provider tmp = {.impl = s};
        s3_release(&tmp);
        return PROVIDER_ERROR;
    }
    p->impl = s;
    *out = p;
    return PROVIDER_OK;
oom:
    if (s != NULL) {
        Provider tmp = {.impl = s};
        s3_release(&tmp);
    }
    snprintf(err, errlen, "provider: out of memory");
    return PROVIDER_ERROR;
}
