/* s3_url.c: the pure string side of the S3 client (s3.h): RFC 3986
 * percent-encoding, the sorted canonical query string SigV4 needs (libcurl
 * 7.88 signs the query as given), path-style and virtual-host object URLs,
 * and the <Code> of S3 error bodies. Pure C; no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "s3.h"

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

char *s3_uri_encode(const char *in, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(in);
    char *out = malloc(3 * n + 1);
    if (out == NULL) {
        return NULL;
    }
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (unreserved(*p) || (keep_slash && *p == '/')) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

typedef struct EncodedParam {
    char *name;
    char *value;
} EncodedParam;

static int param_cmp(const void *a, const void *b)
{
    const EncodedParam *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->value, y->value);
}

char *s3_canonical_query(const S3Param *params, size_t n)
{
    EncodedParam *e = calloc(n ? n : 1, sizeof *e);
    if (e == NULL) {
        return NULL;
    }
    char *out = NULL;
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        e[i].name = s3_uri_encode(params[i].name, 0);
        e[i].value = s3_uri_encode(params[i].value ? params[i].value : "", 0);
        if (e[i].name == NULL || e[i].value == NULL) {
            goto out;
        }
        total += strlen(e[i].name) + strlen(e[i].value) + 2;
    }
    qsort(e, n, sizeof *e, param_cmp);
    out = malloc(total);
    if (out == NULL) {
        goto out;
    }
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        o += sprintf(o, "%s%s=%s", i ? "&" : "", e[i].name, e[i].value);
    }
    *o = '\0';
out:
    for (size_t i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].value);
    }
    free(e);
    return out;
}

/* Start and length of the host (without port or userinfo) in url, after
 * "scheme://". Returns 0 when url is not http(s)://. */
static int host_span(const char *url, const char **host, size_t *len)
{
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else {
        return 0;
    }
    size_t auth = strcspn(p, "/?#");
    const char *at = memchr(p, '@', auth);
    if (at != NULL) {
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t h = p[0] == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":/?#");
    *host = p;
    *len = h < auth ? h : auth;
    return *len > 0;
}

int s3_is_virtual_host(const char *endpoint, const char *bucket)
{
    const char *host;
    size_t len, blen = strlen(bucket);
    if (blen == 0 || !host_span(endpoint, &host, &len)) {
        return 0;
    }
    return len > blen + 1 && strncasecmp(host, bucket, blen) == 0 && host[blen] == '.';
}

char *s3_object_url(const S3Target *t, const S3Param *query, size_t n, char *err,
                    size_t errlen)
{
    const char *host;
    size_t hlen;
    if (!host_span(t->endpoint, &host, &hlen) || strpbrk(t->endpoint, "?#") != NULL) {
        snprintf(err, errlen, "endpoint must be an http:// or https:// URL");
        return NULL;
    }
    size_t elen = strlen(t->endpoint);
    while (elen > 0 && t->endpoint[elen - 1] == '/') {
        elen--;
    }
    int vhost = s3_is_virtual_host(t->endpoint, t->bucket);
    char *bucket = vhost ? NULL : s3_uri_encode(t->bucket, 0);
    char *key = s3_uri_encode(t->key, 1);
    char *q = n > 0 ? s3_canonical_query(query, n) : NULL;
    char *url = NULL;
    if ((vhost || bucket) && key && (n == 0 || q)) {
        size_t len = elen + (bucket ? strlen(bucket) : 0) + strlen(key) + (q ? strlen(q) : 0) + 4;
        url = malloc(len);
        if (url != NULL) {
            snprintf(url, len, "%.*s/%s%s%s%s%s", (int)elen, t->endpoint, bucket ? bucket : "",
                     bucket ? "/" : "", key, q ? "?" : "", q ? q : "");
        }
    }
    if (url == NULL) {
        snprintf(err, errlen, "s3: out of memory");
    }
    free(bucket);
    free(key);
    free(q);
    return url;
}

void s3_error_code(const char *body, size_t len, char *code, size_t codelen)
{
    code[0] = '\0';
    const char *end = body + len;
    const char *p = body;
    while (p < end) {
        const char *open = memchr(p, '<', (size_t)(end - p));
        if (open == NULL || end - open < 6) {
            return;
        }
        if (memcmp(open, "<Code>", 6) == 0) {
            const char *v = open + 6;
            const char *close = memchr(v, '<', (size_t)(end - v));
            if (close == NULL) {
                return;
            }
            size_t n = (size_t)(close - v);
            if (n >= codelen) {
                n = codelen - 1;
            }
            memcpy(code, v, n);
            code[n] = '\0';
            return;
        }
        p = open + 1;
    }
}
