/* test_http.c: cmocka suite for the pure parts of http.h — the retry
 * decision, retry delays with a fixed random value, Retry-After parsing,
 * header parsing, URL encoding and splitting, the same-origin check, the
 * UNENTROPY_HTTP_RETRIES default — plus http_request's local failures and a
 * refused connection on loopback (no server needed). The network paths are
 * covered by tests/lua/test_http.lua against tests/tools/github-api.js. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http.h"

static void test_should_retry(void **state)
{
    (void)state;
    assert_true(http_should_retry(500, CURLE_OK, NULL, NULL));
    assert_true(http_should_retry(502, CURLE_OK, NULL, NULL));
    assert_true(http_should_retry(599, CURLE_OK, NULL, NULL));
    assert_true(http_should_retry(429, CURLE_OK, NULL, NULL));
    assert_true(http_should_retry(403, CURLE_OK, "1", NULL));
    assert_true(http_should_retry(403, CURLE_OK, NULL, "0"));
    assert_true(http_should_retry(403, CURLE_OK, NULL, " 0 "));
    assert_false(http_should_retry(403, CURLE_OK, NULL, "12"));
    assert_false(http_should_retry(403, CURLE_OK, NULL, "x"));
    assert_false(http_should_retry(403, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(200, CURLE_OK, "5", NULL));
    assert_false(http_should_retry(201, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(302, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(400, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(401, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(404, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(409, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(412, CURLE_OK, NULL, NULL));
    assert_false(http_should_retry(600, CURLE_OK, NULL, NULL));
    /* network failures: status is meaningless */
    assert_true(http_should_retry(0, CURLE_COULDNT_CONNECT, NULL, NULL));
    assert_true(http_should_retry(0, CURLE_COULDNT_RESOLVE_HOST, NULL, NULL));
    assert_true(http_should_retry(0, CURLE_OPERATION_TIMEDOUT, NULL, NULL));
    assert_true(http_should_retry(200, CURLE_PARTIAL_FILE, NULL, NULL));
    assert_true(http_should_retry(0, CURLE_GOT_NOTHING, NULL, NULL));
    assert_true(http_should_retry(0, CURLE_RECV_ERROR, NULL, NULL));
    assert_true(http_should_retry(0, CURLE_SSL_CONNECT_ERROR, NULL, NULL));
    assert_false(http_should_retry(0, CURLE_PEER_FAILED_VERIFICATION, NULL, NULL));
    assert_false(http_should_retry(0, CURLE_URL_MALFORMAT, NULL, NULL));
    assert_false(http_should_retry(200, CURLE_WRITE_ERROR, NULL, NULL));
    assert_false(http_should_retry(0, CURLE_TOO_MANY_REDIRECTS, NULL, NULL));
}

static void test_delay_exponential(void **state)
{
    (void)state;
    time_t now = 1700000000;
    /* rand01 = 0.5 is the midpoint: exactly base * 2^(n-1) */
    assert_int_equal(http_retry_delay_ms(1, 500, NULL, now, 0.5), 500);
    assert_int_equal(http_retry_delay_ms(2, 500, NULL, now, 0.5), 1000);
    assert_int_equal(http_retry_delay_ms(3, 500, NULL, now, 0.5), 2000);
    assert_int_equal(http_retry_delay_ms(4, 500, NULL, now, 0.5), 4000);
    /* ±20 % jitter at the ends of the range */
    assert_int_equal(http_retry_delay_ms(1, 500, NULL, now, 0.0), 400);
    assert_int_equal(http_retry_delay_ms(3, 500, NULL, now, 0.0), 1600);
    assert_int_equal(http_retry_delay_ms(1, 500, NULL, now, 0.999999), 600);
    assert_int_equal(http_retry_delay_ms(2, 500, NULL, now, 0.25), 900);
    /* capped at 30 s, and safe for silly inputs */
    assert_int_equal(http_retry_delay_ms(10, 500, NULL, now, 0.5), 30000);
    assert_int_equal(http_retry_delay_ms(1000, 500, NULL, now, 0.999), 30000);
    assert_int_equal(http_retry_delay_ms(0, 500, NULL, now, 0.5), 500);
    assert_int_equal(http_retry_delay_ms(1, 0, NULL, now, 0.5), 0);
    assert_int_equal(http_retry_delay_ms(3, 10, NULL, now, 0.5), 40);
}

static void test_delay_retry_after(void **state)
{
    (void)state;
    time_t now = 1700000000; /* Tue, 14 Nov 2023 22:13:20 GMT */
    assert_int_equal(http_retry_delay_ms(1, 500, "2", now, 0.9), 2000);
    assert_int_equal(http_retry_delay_ms(3, 500, " 7 ", now, 0.9), 7000);
    assert_int_equal(http_retry_delay_ms(1, 500, "0", now, 0.9), 0);
    assert_int_equal(http_retry_delay_ms(1, 500, "30", now, 0.9), 30000);
    assert_int_equal(http_retry_delay_ms(1, 500, "31", now, 0.9), 30000);
    assert_int_equal(http_retry_delay_ms(1, 500, "3600", now, 0.9), 30000);
    assert_int_equal(http_retry_delay_ms(1, 500, "99999999999999999999999", now, 0.9), 30000);
    /* HTTP dates, relative to now */
    assert_int_equal(http_retry_delay_ms(1, 500, "Tue, 14 Nov 2023 22:13:25 GMT", now, 0.9), 5000);
    assert_int_equal(http_retry_delay_ms(1, 500, "Tue, 14 Nov 2023 23:13:25 GMT", now, 0.9), 30000);
    assert_int_equal(http_retry_delay_ms(1, 500, "Tue, 14 Nov 2023 22:00:00 GMT", now, 0.9), 0);
    /* unparsable: fall back to the exponential delay */
    assert_int_equal(http_retry_delay_ms(2, 500, "soon", now, 0.5), 1000);
    assert_int_equal(http_retry_delay_ms(2, 500, "5s", now, 0.5), 1000);
    assert_int_equal(http_retry_delay_ms(2, 500, "-3", now, 0.5), 1000);
    assert_int_equal(http_retry_delay_ms(2, 500, "", now, 0.5), 1000);
}

static void test_env_retries(void **state)
{
    (void)state;
    unsetenv("UNENTROPY_HTTP_RETRIES");
    assert_int_equal(http_env_retries(), 3);
    setenv("UNENTROPY_HTTP_RETRIES", "0", 1);
    assert_int_equal(http_env_retries(), 0);
    setenv("UNENTROPY_HTTP_RETRIES", "7", 1);
    assert_int_equal(http_env_retries(), 7);
    setenv("UNENTROPY_HTTP_RETRIES", "11", 1);
    assert_int_equal(http_env_retries(), 10);
    setenv("UNENTROPY_HTTP_RETRIES", "-2", 1);
    assert_int_equal(http_env_retries(), 0);
    setenv("UNENTROPY_HTTP_RETRIES", "many", 1);
    assert_int_equal(http_env_retries(), 3);
    setenv("UNENTROPY_HTTP_RETRIES", "", 1);
    assert_int_equal(http_env_retries(), 3);
    HttpRequest r;
    setenv("UNENTROPY_HTTP_RETRIES", "5", 1);
    http_request_init(&r);
    assert_int_equal(r.retries, 5);
    assert_int_equal(r.base_delay_ms, 500);
    assert_string_equal(r.method, "GET");
    unsetenv("UNENTROPY_HTTP_RETRIES");
}

static void test_rand01(void **state)
{
    (void)state;
    double lo = 1, hi = 0;
    for (int i = 0; i < 10000; i++) {
        double v = http_rand01();
        assert_true(v >= 0.0 && v < 1.0);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    assert_true(lo < 0.01 && hi > 0.99);
}

static void test_url_encode(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(http_url_encode("AZaz09-._~", 10, NULL, out), 10);
    assert_string_equal(out, "AZaz09-._~");
    http_url_encode("a b/c?d=e&f+g%", 14, NULL, out);
    assert_string_equal(out, "a%20b%2Fc%3Fd%3De%26f%2Bg%25");
    http_url_encode("dir/a b.db", 10, "/", out);
    assert_string_equal(out, "dir/a%20b.db");
    assert_int_equal(http_url_encode("\xc3\xa9\0\xff", 4, "/", out), 12);
    assert_string_equal(out, "%C3%A9%00%FF");
    assert_int_equal(http_url_encode("", 0, NULL, out), 0);
    assert_string_equal(out, "");
}

static void test_headers_feed(void **state)
{
    (void)state;
    HttpHeaders h = {0};
    long status = 0;
    const char *lines[] = {
        "HTTP/1.1 100 Continue\r\n", "\r\n",
        "HTTP/1.1 200 OK\r\n", "Content-Type:  application/json \r\n",
        "X-RateLimit-Remaining: 0\r\n", "Link: <a>; rel=\"next\"\r\n",
        "link: <b>; rel=\"last\"\r\n", "Empty:\r\n", "junk line\r\n", "\r\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        assert_int_equal(http_headers_feed(&h, lines[i], strlen(lines[i]), &status), 0);
        if (i == 0) {
            assert_int_equal(status, 100);
        }
    }
    assert_int_equal(status, 200);
    assert_int_equal(h.n, 5);
    assert_string_equal(h.items[0].name, "content-type");
    assert_string_equal(http_header_get(&h, "content-type"), "application/json");
    assert_string_equal(http_header_get(&h, "x-ratelimit-remaining"), "0");
    assert_string_equal(http_header_get(&h, "link"), "<b>; rel=\"last\"");
    assert_string_equal(http_header_get(&h, "empty"), "");
    assert_null(http_header_get(&h, "Content-Type"));
    assert_null(http_header_get(&h, "missing"));
    /* a new response (after a redirect) starts over; HTTP/2 status lines */
    const char *h2 = "HTTP/2 404\r\n";
    http_headers_feed(&h, h2, strlen(h2), &status);
    assert_int_equal(status, 404);
    assert_int_equal(h.n, 0);
    http_headers_feed(&h, "Retry-After: 3", 14, NULL); /* no CRLF */
    assert_string_equal(http_header_get(&h, "retry-after"), "3");
    http_headers_free(&h);
    assert_int_equal(h.n, 0);
    http_headers_free(&h); /* twice is fine */
}

static void test_url_parts(void **state)
{
    (void)state;
    char host[64], path[64];
    assert_int_equal(http_url_parts("https://api.github.com/repos/o/r/issues/1/comments?per_page=100&page=2",
                                     host, sizeof host, path, sizeof path), 0);
    assert_string_equal(host, "api.github.com");
    assert_string_equal(path, "/repos/o/r/issues/1/comments");
    assert_int_equal(http_url_parts("http://user:secret@127.0.0.1:8080/a%20b?x=1#frag",
                                     host, sizeof host, path, sizeof path), 0);
    assert_string_equal(host, "127.0.0.1:8080");
    assert_string_equal(path, "/a%20b");
    assert_int_equal(http_url_parts("https://example.com", host, sizeof host, path, sizeof path), 0);
    assert_string_equal(path, "/");
    assert_int_equal(http_url_parts("http://[::1]:9/x", host, sizeof host, path, sizeof path), 0);
    assert_string_equal(host, "[::1]:9");
    /* truncation keeps the buffers terminated */
    char small[8];
    assert_int_equal(http_url_parts("https://a-very-long-host.example/p", small, sizeof small, path, 3), 0);
    assert_string_equal(small, "a-very-");
    assert_string_equal(path, "/p");
    assert_int_equal(http_url_parts("ftp://example.com/x", host, sizeof host, path, sizeof path), -1);
    assert_string_equal(host, "");
    assert_int_equal(http_url_parts("/relative", host, sizeof host, path, sizeof path), -1);
    assert_int_equal(http_url_parts("not a url", host, sizeof host, path, sizeof path), -1);
    assert_int_equal(http_url_parts(NULL, host, sizeof host, path, sizeof path), -1);
}

static void test_same_origin(void **state)
{
    (void)state;
    assert_true(http_same_origin("https://api.github.com/a", "https://API.github.com:443/b?x"));
    assert_true(http_same_origin("http://127.0.0.1:80/a", "http://127.0.0.1/b"));
    assert_false(http_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a"));
    assert_false(http_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.2:8080/a"));
    assert_false(http_same_origin("https://example.com/a", "http://example.com/a"));
    assert_false(http_same_origin("https://api.github.com/a", "https://objects.githubusercontent.com/a"));
    assert_false(http_same_origin("https://example.com/a", "/relative"));
    assert_false(http_same_origin("mailto:x@y", "mailto:x@y"));
}

static void test_retriable_codes(void **state)
{
    (void)state;
    assert_true(http_curl_code_retriable(CURLE_COULDNT_CONNECT));
    assert_true(http_curl_code_retriable(CURLE_SEND_ERROR));
    assert_false(http_curl_code_retriable(CURLE_OK));
    assert_false(http_curl_code_retriable(CURLE_UNSUPPORTED_PROTOCOL));
    assert_false(http_curl_code_retriable(CURLE_ABORTED_BY_CALLBACK));
}

/* Reads all of f (rewound) into buf. */
static void slurp(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
}

static void test_request_refused(void **state)
{
    (void)state;
    HttpRequest req;
    http_request_init(&req);
    req.url = "http://127.0.0.1:1/repos/o/r?token=s3cr3t";
    const char *hdrs[] = {"Authorization: Bearer s3cr3t"};
    req.headers = hdrs;
    req.n_headers = 1;
    req.retries = 2;
    req.base_delay_ms = 1;
    FILE *log = tmpfile();
    assert_non_null(log);
    req.log = log;
    HttpResponse resp;
    char err[512];
    int rc = http_request(&req, &resp, err, sizeof err);
    assert_int_equal(rc, CURLE_COULDNT_CONNECT);
    assert_non_null(strstr(err, "http: GET 127.0.0.1:1/repos/o/r: "));
    assert_non_null(strstr(err, "(after 3 attempts)"));
    assert_null(strstr(err, "s3cr3t"));
    char buf[2048];
    slurp(log, buf, sizeof buf);
    fclose(log);
    assert_null(strstr(buf, "s3cr3t"));
    assert_null(strstr(buf, "?"));
    int lines = 0;
    for (const char *p = buf; (p = strstr(p, "debug: http GET 127.0.0.1:1 /repos/o/r -> error: ")); p++) {
        lines++;
    }
    assert_int_equal(lines, 3);
    assert_non_null(strstr(buf, "(retry 2 in "));
    http_response_free(&resp); /* zeroed on failure: safe */
}

static void test_request_local_errors(void **state)
{
    (void)state;
    HttpRequest req;
    http_request_init(&req);
    req.url = "http://127.0.0.1:1/x";
    req.method = "PUT";
    req.body_file = "/nonexistent/dir/body.bin";
    HttpResponse resp;
    char err[512];
    int rc = http_request(&req, &resp, err, sizeof err);
    assert_int_equal(rc, -ENOENT);
    assert_string_equal(err, "http: cannot open '/nonexistent/dir/body.bin': No such file or directory");
    assert_null(resp.body);
    assert_null(resp.url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_should_retry),
        cmocka_unit_test(test_delay_exponential),
        cmocka_unit_test(test_delay_retry_after),
        cmocka_unit_test(test_env_retries),
        cmocka_unit_test(test_rand01),
        cmocka_unit_test(test_url_encode),
        cmocka_unit_test(test_headers_feed),
        cmocka_unit_test(test_url_parts),
        cmocka_unit_test(test_same_origin),
        cmocka_unit_test(test_retriable_codes),
        cmocka_unit_test(test_request_refused),
        cmocka_unit_test(test_request_local_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
