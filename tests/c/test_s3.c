/* test_s3.c: cmocka suite for the S3 client (s3.h) without a network: the
 * SHA-256 of x-amz-content-sha256 against the FIPS 180-2 vectors, RFC 3986
 * encoding, the sorted canonical query string, path-style and virtual-host
 * URLs, error-code parsing, and s3_get / s3_put over a scripted fake
 * transport (status mapping to the exact messages of storage.md §7.3,
 * retries on 5xx / 429 / network errors / short bodies, conditional
 * headers, streamed bodies rewound on each retry). Depends on cmocka, s3.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "s3.h"
#include "s3_sha256.h"

/* The response scripts below list only the leading fields they need. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- SHA-256 ------------------------------------------------------------ */

static void sha_of(const char *s, size_t n, char hex[65])
{
    S3Sha256 c;
    s3_sha256_init(&c);
    s3_sha256_update(&c, s, n);
    s3_sha256_final(&c, hex);
}

static void test_sha256_vectors(void **state)
{
    char hex[65];
    sha_of("", 0, hex);
    assert_string_equal(hex, S3_EMPTY_SHA256);
    sha_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha_of(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in odd-sized pieces to cross block boundaries */
    static char a[1000000];
    memset(a, 'a', sizeof a);
    S3Sha256 c;
    s3_sha256_init(&c);
    for (size_t off = 0; off < sizeof a;) {
        size_t n = off % 7 == 0 ? 63 : 1001;
        if (n > sizeof a - off) {
            n = sizeof a - off;
        }
        s3_sha256_update(&c, a + off, n);
        off += n;
    }
    s3_sha256_final(&c, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_file(void **state)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    fputs("abc", f);
    fseek(f, 1, SEEK_SET);
    char hex[65];
    int64_t size = -1;
    assert_int_equal(s3_sha256_file(f, hex, &size), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(size, 3);
    assert_int_equal(ftell(f), 0); /* rewound for the upload */
    fclose(f);
}

/* ---- encoding and URLs --------------------------------------------------- */

static void test_uri_encode(void **state)
{
    char *s = s3_uri_encode("dir/a b+c~d.e_f-g*\xc3\xbc", 1);
    assert_string_equal(s, "dir/a%20b%2Bc~d.e_f-g%2A%C3%BC");
    free(s);
    s = s3_uri_encode("dir/a=b&c", 0);
    assert_string_equal(s, "dir%2Fa%3Db%26c");
    free(s);
}

static void test_canonical_query(void **state)
{
    S3Param p[] = {{"prefix", "a b"}, {"list-type", "2"}, {"Z", "1"}, {"a", "=&/"}, {"acl", NULL}};
    char *q = s3_canonical_query(p, 5);
    /* sorted by encoded name in byte order: uppercase before lowercase */
    assert_string_equal(q, "Z=1&a=%3D%26%2F&acl=&list-type=2&prefix=a%20b");
    free(q);
    S3Param same[] = {{"k", "b"}, {"k", "a"}, {"k~", "x"}, {"k-", "y"}};
    q = s3_canonical_query(same, 4);
    assert_string_equal(q, "k=a&k=b&k-=y&k~=x");
    free(q);
    q = s3_canonical_query(NULL, 0);
    assert_string_equal(q, "");
    free(q);
}

static char err[1024];

static void expect_url(const char *endpoint, const char *bucket, const char *key,
                       const S3Param *q, size_t n, const char *want)
{
    S3Target t = {endpoint, bucket, "us-east-1", key};
    char *url = s3_object_url(&t, q, n, err, sizeof err);
    assert_non_null(url);
    assert_string_equal(url, want);
    free(url);
}

static void test_object_url(void **state)
{
    expect_url("https://s3.us-east-1.amazonaws.com", "metrics", "dir/a b.db", NULL, 0,
               "https://s3.us-east-1.amazonaws.com/metrics/dir/a%20b.db");
    expect_url("http://127.0.0.1:9000/", "metrics", "unentropy.db", NULL, 0,
               "http://127.0.0.1:9000/metrics/unentropy.db");
    expect_url("http://minio.local:9000/prefix//", "b", "k", NULL, 0,
               "http://minio.local:9000/prefix/b/k");
    /* virtual-host: the endpoint host already starts with "<bucket>." */
    expect_url("https://metrics.s3.eu-west-1.amazonaws.com", "metrics", "team/x+y.db", NULL, 0,
               "https://metrics.s3.eu-west-1.amazonaws.com/team/x%2By.db");
    expect_url("https://METRICS.s3.amazonaws.com/", "metrics", "k", NULL, 0,
               "https://METRICS.s3.amazonaws.com/k");
    /* a longer host that merely starts with the bucket name is path-style */
    expect_url("https://metrics-eu.s3.amazonaws.com", "metrics", "k", NULL, 0,
               "https://metrics-eu.s3.amazonaws.com/metrics/k");
    S3Param q[] = {{"versionId", "3 4"}, {"acl", ""}};
    expect_url("https://s3.amazonaws.com", "b", "k", q, 2,
               "https://s3.amazonaws.com/b/k?acl=&versionId=3%204");
    assert_true(s3_is_virtual_host("http://user:pw@b.s3.local:1/", "b"));
    assert_false(s3_is_virtual_host("http://b:1/", "b"));
    assert_false(s3_is_virtual_host("http://s3.local/b.x", "b"));

    S3Target bad = {"ftp://host", "b", "r", "k"};
    assert_null(s3_object_url(&bad, NULL, 0, err, sizeof err));
    assert_string_equal(err, "endpoint must be an http:// or https:// URL");
    S3Target query = {"https://host/?x=1", "b", "r", "k"};
    assert_null(s3_object_url(&query, NULL, 0, err, sizeof err));
}

static void test_error_code(void **state)
{
    char code[S3_CODE_MAX];
    const char *b = "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code><Message>x</Message>";
    s3_error_code(b, strlen(b), code, sizeof code);
    assert_string_equal(code, "NoSuchKey");
    s3_error_code("", 0, code, sizeof code);
    assert_string_equal(code, "");
    s3_error_code("<Error><Code>Trunc", 18, code, sizeof code);
    assert_string_equal(code, "");
}

/* ---- fake transport ------------------------------------------------------ */

typedef struct Scripted {
    long status;
    const char *body;      /* 2xx: written to download; else error body */
    long content_length;   /* -1: strlen(body) for 2xx */
    const char *etag;
    const char *retry_after;
    int net_code;
    const char *error;
} Scripted;

typedef struct Fake {
    const Scripted *script;
    int n, calls;
    char method[8], url[512], sigv4[64];
    char headers[8][256];
    int n_headers;
    char upload_sha[65];
    int64_t upload_size;
    char access_key[64];
} Fake;

static void fake_perform(void *ud, const S3HttpRequest *req, S3HttpResponse *resp)
{
    Fake *f = ud;
    assert_true(f->calls < f->n);
    const Scripted *s = &f->script[f->calls++];
    snprintf(f->method, sizeof f->method, "%s", req->method);
    snprintf(f->url, sizeof f->url, "%s", req->url);
    snprintf(f->sigv4, sizeof f->sigv4, "%s", req->sigv4);
    snprintf(f->access_key, sizeof f->access_key, "%s", req->cred->access_key_id);
    f->n_headers = 0;
    for (const char *const *h = req->headers; *h; h++) {
        snprintf(f->headers[f->n_headers++], sizeof f->headers[0], "%s", *h);
    }
    if (req->upload != NULL) {
        /* reads the body from where the client left the FILE */
        S3Sha256 c;
        s3_sha256_init(&c);
        char buf[4096];
        size_t got;
        int64_t total = 0;
        while ((got = fread(buf, 1, sizeof buf, req->upload)) > 0) {
            s3_sha256_update(&c, buf, got);
            total += (int64_t)got;
        }
        s3_sha256_final(&c, f->upload_sha);
        f->upload_size = total;
        assert_int_equal(total, req->upload_size);
    }
    resp->net_code = s->net_code;
    if (s->error) {
        snprintf(resp->error, sizeof resp->error, "%s", s->error);
    }
    resp->status = s->status;
    if (s->etag) {
        snprintf(resp->etag, sizeof resp->etag, "%s", s->etag);
    }
    if (s->retry_after) {
        snprintf(resp->retry_after, sizeof resp->retry_after, "%s", s->retry_after);
    }
    const char *body = s->body ? s->body : "";
    if (s->status >= 200 && s->status < 300 && req->download) {
        fputs(body, req->download);
        resp->received = (int64_t)strlen(body);
        resp->content_length = s->content_length >= 0 ? s->content_length : (long)strlen(body);
        if (s->content_length == -2) {
            resp->content_length = -1; /* chunked: unknown length */
        }
    } else {
        snprintf(resp->body, sizeof resp->body, "%s", body);
        resp->body_len = strlen(resp->body);
    }
}

static Fake fake;
static S3Transport transport = {fake_perform, &fake};
static S3Options opts = {.retries = 3, .base_delay_ms = 1, .transport = &transport};
static S3Target target = {"http://127.0.0.1:9", "metrics", "eu-west-1", "dir/a b.db"};
static S3Credentials cred = {"AKID", "SECRET", NULL};

static void script(const Scripted *s, int n)
{
    memset(&fake, 0, sizeof fake);
    fake.script = s;
    fake.n = n;
}

static int has_header(const char *h)
{
    for (int i = 0; i < fake.n_headers; i++) {
        if (strcmp(fake.headers[i], h) == 0) {
            return 1;
        }
    }
    return 0;
}

static long file_size(FILE *f)
{
    fflush(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    return n;
}

#define NOKEY "<Error><Code>NoSuchKey</Code></Error>"

static void test_get_ok(void **state)
{
    Scripted s[] = {{200, "SQLite format 3", -1, "\"abc\""}};
    script(s, 1);
    FILE *f = tmpfile();
    fputs("old content that must go", f);
    S3Result r;
    assert_int_equal(s3_get(&target, &cred, &opts, f, &r, err, sizeof err), S3_OK);
    assert_string_equal(r.etag, "\"abc\"");
    assert_int_equal(r.bytes, 15);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(file_size(f), 15);
    assert_string_equal(fake.method, "GET");
    assert_string_equal(fake.url, "http://127.0.0.1:9/metrics/dir/a%20b.db");
    assert_string_equal(fake.sigv4, "aws:amz:eu-west-1:s3");
    assert_true(has_header("x-amz-content-sha256: " S3_EMPTY_SHA256));
    assert_int_equal(fake.n_headers, 1); /* no token, no condition */
    fclose(f);
}

static void test_get_session_token(void **state)
{
    Scripted s[] = {{200, "x", -2, "\"e\""}}; /* unknown Content-Length is fine */
    script(s, 1);
    S3Credentials tok = {"AKID", "SECRET", "TOKEN123"};
    FILE *f = tmpfile();
    S3Result r;
    assert_int_equal(s3_get(&target, &tok, &opts, f, &r, err, sizeof err), S3_OK);
    assert_true(has_header("x-amz-security-token: TOKEN123"));
    fclose(f);
}

static int get_status(const Scripted *s, int n, S3Result *r)
{
    script(s, n);
    FILE *f = tmpfile();
    fputs("partial", f);
    int rc = s3_get(&target, &cred, &opts, f, r, err, sizeof err);
    if (rc != S3_OK) {
        assert_int_equal(file_size(f), 0); /* never a partial or stale copy */
    }
    fclose(f);
    assert_int_equal(fake.calls, n);
    return rc;
}

static void test_get_statuses(void **state)
{
    S3Result r;
    Scripted nokey[] = {{404, NOKEY}};
    assert_int_equal(get_status(nokey, 1, &r), S3_NOT_FOUND);
    Scripted nobody[] = {{404, ""}};
    assert_int_equal(get_status(nobody, 1, &r), S3_NOT_FOUND);
    Scripted nobucket[] = {{404, "<Error><Code>NoSuchBucket</Code></Error>"}};
    assert_int_equal(get_status(nobucket, 1, &r), S3_FAILED);
    assert_string_equal(err, "S3 bucket not found: metrics");
    Scripted denied[] = {{403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"}};
    assert_int_equal(get_status(denied, 1, &r), S3_FAILED);
    assert_string_equal(err, "S3 access denied for s3://metrics/dir/a b.db (SignatureDoesNotMatch): "
                             "check credentials and permissions");
    Scripted unauth[] = {{401, ""}};
    assert_int_equal(get_status(unauth, 1, &r), S3_FAILED);
    assert_string_equal(err, "S3 access denied for s3://metrics/dir/a b.db (HTTP 401): "
                             "check credentials and permissions");
    Scripted bad[] = {{400, "<Error><Code>InvalidRequest</Code></Error>"}};
    assert_int_equal(get_status(bad, 1, &r), S3_FAILED);
    assert_string_equal(err, "S3 request failed: HTTP 400 InvalidRequest");
    assert_int_equal(r.status, 400);
}

static void test_get_retries(void **state)
{
    S3Result r;
    Scripted flaky[] = {{503, "<Error><Code>SlowDown</Code></Error>"},
                        {0, NULL, 0, NULL, NULL, 7, "Failed to connect to 127.0.0.1 port 9"},
                        {429, "", 0, NULL, "0"},
                        {200, "data", -1, "\"e\""}};
    assert_int_equal(get_status(flaky, 4, &r), S3_OK);
    assert_int_equal(r.attempts, 4);

    Scripted down[] = {{503, "<Error><Code>SlowDown</Code></Error>"}, {500, ""}, {502, ""},
                       {503, "<Error><Code>SlowDown</Code></Error>"}};
    assert_int_equal(get_status(down, 4, &r), S3_FAILED);
    assert_string_equal(err, "S3 download failed after 4 attempts: HTTP 503 SlowDown");

    /* a body shorter than Content-Length is a network failure */
    Scripted shortb[] = {{200, "abc", 10, "\"e\""}, {200, "abc", 10, "\"e\""},
                         {200, "abc", 10, "\"e\""}, {200, "abc", 10, "\"e\""}};
    assert_int_equal(get_status(shortb, 4, &r), S3_FAILED);
    assert_string_equal(err, "S3 download failed after 4 attempts: short body: received 3 of 10 bytes");

    /* a TLS certificate problem (CURLE_PEER_FAILED_VERIFICATION) is not retried */
    Scripted tls[] = {{0, NULL, 0, NULL, NULL, 60, "SSL certificate problem"}};
    assert_int_equal(get_status(tls, 1, &r), S3_FAILED);
    assert_string_equal(err, "S3 download failed: SSL certificate problem");

    S3Options none = opts;
    none.retries = 0;
    Scripted once[] = {{500, ""}};
    script(once, 1);
    FILE *f = tmpfile();
    assert_int_equal(s3_get(&target, &cred, &none, f, &r, err, sizeof err), S3_FAILED);
    assert_string_equal(err, "S3 download failed after 1 attempts: HTTP 500");
    fclose(f);
}

/* ---- PUT ------------------------------------------------------------------ */

static FILE *body_file(const char *content)
{
    FILE *f = tmpfile();
    fputs(content, f);
    return f; /* left at EOF on purpose: s3_put must rewind */
}

static int put_status(const Scripted *s, int n, const char *if_match, S3Result *r)
{
    script(s, n);
    FILE *f = body_file("abc");
    int rc = s3_put(&target, &cred, &opts, f, if_match, r, err, sizeof err);
    fclose(f);
    assert_int_equal(fake.calls, n);
    return rc;
}

static void test_put_conditional(void **state)
{
    S3Result r;
    Scripted ok[] = {{200, "", 0, "\"new\""}};
    assert_int_equal(put_status(ok, 1, "\"old\"", &r), S3_OK);
    assert_string_equal(fake.method, "PUT");
    assert_true(has_header("If-Match: \"old\""));
    assert_true(has_header("x-amz-content-sha256: "
                           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    assert_string_equal(fake.upload_sha,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(r.etag, "\"new\"");
    assert_int_equal(r.bytes, 3);

    assert_int_equal(put_status(ok, 1, NULL, &r), S3_OK);
    assert_true(has_header("If-None-Match: *"));
    assert_int_equal(put_status(ok, 1, "", &r), S3_OK);
    assert_true(has_header("If-None-Match: *"));

    Scripted c412[] = {{412, "<Error><Code>PreconditionFailed</Code></Error>"}};
    assert_int_equal(put_status(c412, 1, "\"old\"", &r), S3_CONFLICT);
    assert_int_equal(r.status, 412);
    Scripted c409[] = {{409, "<Error><Code>ConditionalRequestConflict</Code></Error>"}};
    assert_int_equal(put_status(c409, 1, "\"old\"", &r), S3_CONFLICT);
}

static void test_put_failures(void **state)
{
    S3Result r;
    /* retried with the whole body again (the fake checks size and hash) */
    Scripted flaky[] = {{500, ""}, {0, NULL, 0, NULL, NULL, 56, "Recv failure"}, {200, "", 0, "\"n\""}};
    assert_int_equal(put_status(flaky, 3, "\"e\"", &r), S3_OK);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(fake.upload_size, 3);

    Scripted denied[] = {{403, "<Error><Code>AccessDenied</Code></Error>"}};
    assert_int_equal(put_status(denied, 1, "\"e\"", &r), S3_FAILED);
    assert_string_equal(err, "S3 upload failed: access denied for s3://metrics/dir/a b.db (AccessDenied)");

    Scripted down[] = {{503, "<Error><Code>SlowDown</Code></Error>"}, {503, ""}, {503, ""},
                       {503, "<Error><Code>SlowDown</Code></Error>"}};
    assert_int_equal(put_status(down, 4, "\"e\"", &r), S3_FAILED);
    assert_string_equal(err, "S3 upload failed: HTTP 503 SlowDown (after 4 attempts)");

    Scripted refused[] = {{0, NULL, 0, NULL, NULL, 7, "Failed to connect"}, {0, NULL, 0, NULL, NULL, 7,
                          "Failed to connect"}, {0, NULL, 0, NULL, NULL, 7, "Failed to connect"},
                          {0, NULL, 0, NULL, NULL, 7, "Failed to connect to 127.0.0.1 port 9"}};
    assert_int_equal(put_status(refused, 4, "\"e\"", &r), S3_FAILED);
    assert_string_equal(err, "S3 upload failed: Failed to connect to 127.0.0.1 port 9 (after 4 attempts)");
}

/* Log lines carry method, host and path only. */
static char logged[4][512];
static int n_logged;
static void capture(void *ud, const char *line)
{
    (void)ud;
    snprintf(logged[n_logged++ % 4], sizeof logged[0], "%s", line);
}

static void test_log_lines(void **state)
{
    S3Options o = opts;
    o.log = capture;
    n_logged = 0;
    Scripted s[] = {{503, ""}, {200, "x", -1, "\"e\""}};
    script(s, 2);
    S3Credentials c = {"AKIDSECRETID", "VERYSECRET", "TOKENSECRET"};
    FILE *f = tmpfile();
    S3Result r;
    assert_int_equal(s3_get(&target, &c, &o, f, &r, err, sizeof err), S3_OK);
    fclose(f);
    assert_int_equal(n_logged, 2);
    assert_string_equal(logged[0], "S3 GET 127.0.0.1:9 /metrics/dir/a%20b.db -> 503");
    assert_string_equal(logged[1], "S3 GET 127.0.0.1:9 /metrics/dir/a%20b.db -> 200");
    assert_string_equal(fake.access_key, "AKIDSECRETID");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_file),
        cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_canonical_query),
        cmocka_unit_test(test_object_url),
        cmocka_unit_test(test_error_code),
        cmocka_unit_test(test_get_ok),
        cmocka_unit_test(test_get_session_token),
        cmocka_unit_test(test_get_statuses),
        cmocka_unit_test(test_get_retries),
        cmocka_unit_test(test_put_conditional),
        cmocka_unit_test(test_put_failures),
        cmocka_unit_test(test_log_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
