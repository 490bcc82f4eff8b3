/* s3.h: a small S3 client for one object (storage.md §7.3, §7.5): URL
 * building (path-style or virtual-host, key percent-encoded except "/"),
 * RFC 3986 query canonicalization, GET into a file and conditional PUT from
 * a file, both streamed, with retries (exponential backoff and jitter) on
 * 5xx, 429 and network errors, and the exact error messages of the spec.
 * Requests are signed by libcurl (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3");
 * the x-amz-content-sha256 header is computed here. The HTTP transport is an
 * ops struct: s3_curl.c provides the real one, tests inject a fake one.
 * Pure C over the retry policy of http.h and s3_sha256.h; no Lua. */
#ifndef UNENTROPY_S3_H
#define UNENTROPY_S3_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define S3_ETAG_MAX 160
#define S3_CODE_MAX 64
#define S3_BODY_MAX 2048
#define S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Where the object lives. Strings are borrowed. */
typedef struct S3Target {
    const char *endpoint; /* "http(s)://host[:port][/prefix]", no query */
    const char *bucket;
    const char *region;
    const char *key;
} S3Target;

/* Credentials (from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN only). Never logged nor put in messages. */
typedef struct S3Credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL or "" when absent */
} S3Credentials;

/* One query parameter, unencoded. */
typedef struct S3Param {
    const char *name;
    const char *value; /* NULL is the same as "" */
} S3Param;

/* ---- pure helpers (s3_url.c) ---------------------------------------------- */

/* RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ (and "/"
 * when keep_slash) becomes %XX (uppercase hex). Returns a malloc'd string
 * (caller frees) or NULL when out of memory. */
char *s3_uri_encode(const char *in, int keep_slash);

/* The canonical query string of SigV4: every name and value encoded with
 * s3_uri_encode, sorted by encoded name then encoded value, joined as
 * "a=1&b=2" ("" for n == 0). libcurl 7.88 neither sorts nor encodes, so the
 * URL carries exactly this string. Malloc'd (caller frees) or NULL (OOM). */
char *s3_canonical_query(const S3Param *params, size_t n);

/* Whether the endpoint is already virtual-host style for the bucket: its
 * host starts with "<bucket>." (e.g. https://metrics.s3.eu-west-1.amazonaws.com). */
int s3_is_virtual_host(const char *endpoint, const char *bucket);

/* The object URL: "<endpoint>/<bucket>/<key>" (path-style), or
 * "<endpoint>/<key>" when s3_is_virtual_host; the key is encoded except
 * "/", then "?<canonical query>" when n > 0. Malloc'd (caller frees); NULL
 * with err filled for an endpoint that is not http(s):// or has a query. */
char *s3_object_url(const S3Target *t, const S3Param *query, size_t n, char *err,
                    size_t errlen);

/* Copies the <Code> of an S3 XML error body into code ("" when absent). */
void s3_error_code(const char *body, size_t len, char *code, size_t codelen);

/* ---- transport (ops struct) --------------------------------------------- */

typedef struct S3HttpRequest {
    const char *method;          /* "GET" or "PUT" */
    const char *url;
    const char *const *headers;  /* NULL-terminated "Name: value" lines */
    const char *sigv4;           /* "aws:amz:<region>:s3" */
    const S3Credentials *cred;
    FILE *upload;                /* PUT body, read from its start */
    int64_t upload_size;
    FILE *download;              /* 2xx GET body sink, already truncated */
} S3HttpRequest;

typedef struct S3HttpResponse {
    long status;                 /* 0: no HTTP response (network error) */
    char etag[S3_ETAG_MAX];      /* ETag header, quotes kept */
    int64_t content_length;      /* -1 when unknown */
    int64_t received;            /* body bytes written to download */
    char body[S3_BODY_MAX];      /* start of a non-2xx body, NUL terminated */
    size_t body_len;
    char retry_after[64];        /* Retry-After header ("" when absent) */
    int net_code;                /* CURLcode of the transfer; 0 when it completed */
    char error[256];             /* what failed when net_code != 0 */
} S3HttpResponse;

typedef struct S3Transport {
    /* Performs one request and fills resp (zeroed by the caller, with
     * content_length preset to -1). The outcome is in resp; a network
     * failure sets net_code and error (never credentials or a query). */
    void (*perform)(void *ud, const S3HttpRequest *req, S3HttpResponse *resp);
    void *ud;
} S3Transport;

/* The libcurl transport (s3_curl.c): TLS verified, connect timeout 10 s,
 * abort below 1 KiB/s for 30 s (http_apply_defaults). */
const S3Transport *s3_curl_transport(void);

/* ---- requests (s3.c) ------------------------------------------------------ */

typedef struct S3Options {
    int retries;                 /* retries after the first attempt (0-10; default 3) */
    int base_delay_ms;           /* first retry delay (default 500) */
    const S3Transport *transport; /* NULL: s3_curl_transport() */
    /* Debug line per request ("S3 GET host /path -> 200"), or NULL. */
    void (*log)(void *ud, const char *line);
    void *log_ud;
} S3Options;

enum {
    S3_OK = 0,
    S3_NOT_FOUND = 1, /* GET: 404 NoSuchKey (or no error body): a first run */
    S3_CONFLICT = 2,  /* PUT: 412 or 409, the conditional write lost */
    S3_FAILED = -1,   /* err holds the message of storage.md §7.3 */
};

typedef struct S3Result {
    long status;           /* last HTTP status (0: network error) */
    char etag[S3_ETAG_MAX];
    int64_t bytes;         /* bytes downloaded or uploaded */
    int attempts;
} S3Result;

/* GETs the object into `dest` (truncated before each attempt). S3_OK with
 * the ETag and size; S3_NOT_FOUND for a missing object; S3_FAILED with err
 * set ("S3 bucket not found: b", "S3 access denied for s3://b/k (Code):
 * check credentials and permissions", "S3 request failed: HTTP 400 Code",
 * "S3 download failed after 4 attempts: <last error>"). A body shorter than
 * Content-Length counts as a network failure and is retried. */
int s3_get(const S3Target *t, const S3Credentials *cred, const S3Options *o, FILE *dest,
           S3Result *res, char *err, size_t errlen);

/* PUTs `src` (streamed; hashed first for x-amz-content-sha256) with
 * "If-Match: <if_match>", or "If-None-Match: *" when if_match is NULL or
 * "". S3_OK with the new ETag; S3_CONFLICT on 412/409; S3_FAILED with err =
 * "S3 upload failed: <reason>" after retries or on any other status. */
int s3_put(const S3Target *t, const S3Credentials *cred, const S3Options *o, FILE *src,
           const char *if_match, S3Result *res, char *err, size_t errlen);

#endif
