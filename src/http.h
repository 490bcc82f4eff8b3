/* http.h: one HTTP request over libcurl with the retry policy of storage.md
 * §7.5 (connect timeout 10 s, abort below 1 KiB/s for 30 s, retries with
 * exponential backoff and jitter or Retry-After), manual redirects that drop
 * Authorization on another host, bodies from memory or a file, responses to
 * memory or atomically to a file, and a debug log that never shows query
 * strings or header values. The retry decision and delay are small pure
 * functions so that other curl users (the S3 client) share the policy.
 * Depends on libcurl only; no Lua. */
#ifndef UNENTROPY_HTTP_H
#define UNENTROPY_HTTP_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <curl/curl.h>

#define HTTP_DEFAULT_RETRIES        3
#define HTTP_MAX_RETRIES            10
#define HTTP_DEFAULT_BASE_DELAY_MS  500L
#define HTTP_CONNECT_TIMEOUT_MS     10000L
#define HTTP_LOW_SPEED_LIMIT        1024L   /* bytes per second ... */
#define HTTP_LOW_SPEED_TIME         30L     /* ... for this many seconds */
#define HTTP_MAX_RETRY_AFTER_MS     30000L
#define HTTP_MAX_REDIRECTS          10

/* One response header; name is lower-case. */
typedef struct HttpHeader {
    char *name;
    char *value;
} HttpHeader;

/* Headers in arrival order (duplicates kept). */
typedef struct HttpHeaders {
    HttpHeader *items;
    size_t n;
    size_t cap;
} HttpHeaders;

/* A request. Every pointer is borrowed for the duration of http_request. */
typedef struct HttpRequest {
    const char *method;             /* "GET" when NULL */
    const char *url;                /* absolute http:// or https:// URL */
    const char *const *headers;     /* "Name: value" lines */
    size_t n_headers;
    const char *body;               /* in-memory body, or NULL */
    size_t body_len;
    const char *body_file;          /* streamed upload, or NULL */
    const char *output_file;        /* 2xx bodies go here, or NULL */
    int follow_redirects;
    int retries;                    /* 0..HTTP_MAX_RETRIES */
    long base_delay_ms;
    long timeout_ms;                /* per attempt; <= 0: none */
    const char *user_agent;         /* NULL: "unentropy/<version>" */
    FILE *log;                      /* debug lines go here; NULL: silent */
} HttpRequest;

/* A response (any status). Owned by the caller: free with
 * http_response_free. body is NUL-terminated (not counted in body_len) and
 * NULL when the 2xx body went to output_file (in_file is then 1). */
typedef struct HttpResponse {
    long status;
    HttpHeaders headers;
    char *body;
    size_t body_len;
    int in_file;
    char *url;                      /* the URL of the last request */
    int attempts;                   /* 1 + retries used (over all hops) */
} HttpResponse;

/* Fills r with the defaults: GET, no headers or body, retries from
 * http_env_retries(), base delay 500 ms, no timeout, no redirects, no log. */
void http_request_init(HttpRequest *r);

/* Performs req, retrying and following redirects as asked. Returns 0 and
 * fills *resp (caller frees with http_response_free) when a final response
 * arrived, whatever its status. Otherwise *resp needs no freeing and the
 * return is either a CURLcode (> 0, network failure after retries or a
 * non-retriable transfer error; err gets "http: GET host/path: reason
 * (after N attempts)") or -errno (local failure: body_file or output_file;
 * err gets "http: cannot open 'path': reason"). err never contains query
 * strings or header values. output_file is written through a temp file in
 * the same directory (mode 0600) renamed only after a complete 2xx
 * transfer; on any other outcome the file is untouched. Blocks while it
 * sleeps between retries. */
int http_request(const HttpRequest *req, HttpResponse *resp, char *err, size_t errlen);

/* Frees what resp owns and zeroes it; safe to call twice. */
void http_response_free(HttpResponse *resp);

/* Value of the last header named lname (lower-case) or NULL. Borrowed. */
const char *http_header_get(const HttpHeaders *h, const char *lname);

/* Frees the headers and zeroes h. */
void http_headers_free(HttpHeaders *h);

/* Feeds one raw header line (as given to CURLOPT_HEADERFUNCTION, with or
 * without CRLF) into h: a status line ("HTTP/1.1 200 OK") clears h and, when
 * status is not NULL, stores the code there; "Name: value" is appended with
 * the name lower-cased and the value trimmed; blank lines are ignored.
 * Returns 0, or -1 when out of memory. */
int http_headers_feed(HttpHeaders *h, const char *line, size_t len, long *status);

/* Sets the standard options on an easy handle: connect timeout, low-speed
 * abort, TLS peer and host verification, http/https only (also for
 * redirects), and timeout_ms as CURLOPT_TIMEOUT_MS when > 0. Signals are
 * left to libcurl (it ignores SIGPIPE during a transfer); proxies come from
 * the environment as libcurl does by default. Call it after
 * curl_easy_reset. */
void http_apply_defaults(CURL *curl, long timeout_ms);

/* Whether an attempt should be retried: curl_code is the CURLcode of the
 * transfer (CURLE_OK when a response arrived), status the HTTP status, and
 * the two header values (NULL when absent) detect GitHub rate limits.
 * Retried: network errors and timeouts, 5xx, 429, and 403 with Retry-After
 * or x-ratelimit-remaining: 0. Pure. */
int http_should_retry(long status, int curl_code, const char *retry_after,
                      const char *ratelimit_remaining);

/* Whether a CURLcode is a transient network failure (DNS, connect, timeout,
 * TLS handshake, send/receive, short body, empty reply). Pure. */
int http_curl_code_retriable(int curl_code);

/* Delay before retry number attempt (1-based): Retry-After when it parses
 * (delta seconds, or an HTTP date relative to now), capped at 30 s;
 * otherwise base_ms * 2^(attempt-1) scaled by 0.8 + 0.4 * rand01
 * (rand01 in [0, 1)), also capped at 30 s. Pure. */
long http_retry_delay_ms(int attempt, long base_ms, const char *retry_after,
                         time_t now, double rand01);

/* UNENTROPY_HTTP_RETRIES as an integer 0..10 (clamped); 3 when unset or
 * not a number. */
int http_env_retries(void);

/* A uniformly distributed number in [0, 1) for jitter (not for secrets). */
double http_rand01(void);

/* Sleeps ms milliseconds (restarts after signals). */
void http_sleep_ms(long ms);

/* Percent-encodes s[0..len) keeping RFC 3986 unreserved characters
 * (A-Z a-z 0-9 - . _ ~) and any character of keep (may be NULL, e.g. "/"
 * for S3 keys), into out, which must hold 3 * len + 1 bytes. Returns the
 * encoded length; out is NUL-terminated. Pure. */
size_t http_url_encode(const char *s, size_t len, const char *keep, char *out);

/* Splits an absolute URL for logs and messages: host (with ":port" when
 * the URL names a port) into host, the path (no query, no fragment, "/"
 * when empty) into path. Never copies user info or the query. Returns 0, or
 * -1 when url is not an absolute http(s) URL. Both buffers are always
 * NUL-terminated (truncated when too small). */
int http_url_parts(const char *url, char *host, size_t hostlen, char *path, size_t pathlen);

/* Whether two absolute URLs have the same scheme, host and port (default
 * ports filled in). Returns 0 when either does not parse. */
int http_same_origin(const char *a, const char *b);

#endif
