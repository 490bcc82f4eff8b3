/* http_policy.c: the pure parts of http.h — retry decision and delay
 * (storage.md §7.5), response header parsing, URL encoding and the
 * host/path split used by logs and the cross-host redirect check.
 * Depends on libcurl (curl_url, curl_getdate) only; no Lua. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"

int http_curl_code_retriable(int curl_code)
{
    switch (curl_code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
        return 1;
    default:
        return 0;
    }
}

int http_should_retry(long status, int curl_code, const char *retry_after,
                      const char *ratelimit_remaining)
{
    if (curl_code != CURLE_OK) {
        return http_curl_code_retriable(curl_code);
    }
    if (status >= 500 && status <= 599) {
        return 1;
    }
    if (status == 429) {
        return 1;
    }
    if (status == 403) {
        if (retry_after != NULL) {
            return 1;
        }
        if (ratelimit_remaining != NULL) {
            const char *p = ratelimit_remaining;
            while (*p == ' ' || *p == '\t') {
                p++;
            }
            char *end;
            long v = strtol(p, &end, 10);
            if (end != p && v == 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* Retry-After in ms (>= 0), or -1 when absent or unparsable. */
static long parse_retry_after(const char *v, time_t now)
{
    if (v == NULL) {
        return -1;
    }
    while (*v == ' ' || *v == '\t') {
        v++;
    }
    if (isdigit((unsigned char)*v)) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        while (*end == ' ' || *end == '\t') {
            end++;
        }
        if (*end != '\0') {
            return -1;
        }
        if (errno == ERANGE || s > (unsigned long long)HTTP_MAX_RETRY_AFTER_MS / 1000) {
            return HTTP_MAX_RETRY_AFTER_MS;
        }
        return (long)s * 1000;
    }
    time_t t = curl_getdate(v, NULL);
    if (t == (time_t)-1) {
        return -1;
    }
    if (t <= now) {
        return 0;
    }
    double ms = difftime(t, now) * 1000.0;
    return ms > (double)HTTP_MAX_RETRY_AFTER_MS ? HTTP_MAX_RETRY_AFTER_MS : (long)ms;
}

long http_retry_delay_ms(int attempt, long base_ms, const char *retry_after,
                         time_t now, double rand01)
{
    long ra = parse_retry_after(retry_after, now);
    if (ra >= 0) {
        return ra > HTTP_MAX_RETRY_AFTER_MS ? HTTP_MAX_RETRY_AFTER_MS : ra;
    }
    if (attempt < 1) {
        attempt = 1;
    }
    if (base_ms < 0) {
        base_ms = 0;
    }
    if (rand01 < 0.0) {
        rand01 = 0.0;
    }
    if (rand01 > 1.0) {
        rand01 = 1.0;
    }
    double d = (double)base_ms;
    for (int i = 1; i < attempt && d < (double)HTTP_MAX_RETRY_AFTER_MS; i++) {
        d *= 2.0;
    }
    d *= 0.8 + 0.4 * rand01;
    return d > (double)HTTP_MAX_RETRY_AFTER_MS ? HTTP_MAX_RETRY_AFTER_MS : (long)(d + 0.5);
}

int http_env_retries(void)
{
    const char *v = getenv("UNENTROPY_HTTP_RETRIES");
    if (v == NULL || *v == '\0') {
        return HTTP_DEFAULT_RETRIES;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    while (*end == ' ' || *end == '\t') {
        end++;
    }
    if (end == v || *end != '\0' || errno == ERANGE) {
        return HTTP_DEFAULT_RETRIES;
    }
    if (n < 0) {
        return 0;
    }
    return n > HTTP_MAX_RETRIES ? HTTP_MAX_RETRIES : (int)n;
}

double http_rand01(void)
{
    /* xorshift64*, seeded once from the clock and the pid: jitter only. */
    static uint64_t state;
    if (state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec
                ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15u;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (double)((state * 0x2545F4914F6CDD1Du) >> 11) / 9007199254740992.0;
}

void http_sleep_ms(long ms)
{
    if (ms <= 0) {
        return;
    }
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

size_t http_url_encode(const char *s, size_t len, const char *keep, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
            || (keep != NULL && c != '\0' && strchr(keep, c) != NULL)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return o;
}

void http_headers_free(HttpHeaders *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->items[i].name);
        free(h->items[i].value);
    }
    free(h->items);
    memset(h, 0, sizeof *h);
}

const char *http_header_get(const HttpHeaders *h, const char *lname)
{
    for (size_t i = h->n; i > 0; i--) {
        if (strcmp(h->items[i - 1].name, lname) == 0) {
            return h->items[i - 1].value;
        }
    }
    return NULL;
}

int http_headers_feed(HttpHeaders *h, const char *line, size_t len, long *status)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n')) {
        len--;
    }
    if (len == 0) {
        return 0;
    }
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        http_headers_free(h);
        const char *sp = memchr(line, ' ', len);
        if (sp != NULL && status != NULL) {
            long code = 0;
            for (const char *p = sp + 1; p < line + len && isdigit((unsigned char)*p); p++) {
                code = code * 10 + (*p - '0');
                if (code > 999) {
                    break;
                }
            }
            *status = code;
        }
        return 0;
    }
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line) {
        return 0; /* a continuation or junk line: ignored */
    }
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (end > v && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        HttpHeader *items = realloc(h->items, cap * sizeof *items);
        if (items == NULL) {
            return -1;
        }
        h->items = items;
        h->cap = cap;
    }
    char *name = malloc(nlen + 1);
    char *value = malloc((size_t)(end - v) + 1);
    if (name == NULL || value == NULL) {
        free(name);
        free(value);
        return -1;
    }
    for (size_t i = 0; i < nlen; i++) {
        name[i] = (char)tolower((unsigned char)line[i]);
    }
    name[nlen] = '\0';
    memcpy(value, v, (size_t)(end - v));
    value[end - v] = '\0';
    h->items[h->n].name = name;
    h->items[h->n].value = value;
    h->n++;
    return 0;
}

static void copy_trunc(char *dst, size_t dstlen, const char *src)
{
    if (dstlen == 0) {
        return;
    }
    size_t n = src ? strlen(src) : 0;
    if (n >= dstlen) {
        n = dstlen - 1;
    }
    if (n > 0) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

/* Parses url into a CURLU whose scheme is http or https; NULL otherwise. */
static CURLU *parse_http_url(const char *url)
{
    CURLU *u = curl_url();
    if (u == NULL) {
        return NULL;
    }
    char *scheme = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        curl_free(scheme);
        curl_url_cleanup(u);
        return NULL;
    }
    curl_free(scheme);
    return u;
}

int http_url_parts(const char *url, char *host, size_t hostlen, char *path, size_t pathlen)
{
    copy_trunc(host, hostlen, "");
    copy_trunc(path, pathlen, "");
    CURLU *u = url ? parse_http_url(url) : NULL;
    if (u == NULL) {
        return -1;
    }
    char *h = NULL, *port = NULL, *p = NULL;
    int rc = -1;
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h[0] != '\0') {
        copy_trunc(host, hostlen, h);
        if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK) {
            size_t hl = strlen(host);
            if (hl + 1 < hostlen) {
                host[hl] = ':';
                copy_trunc(host + hl + 1, hostlen - hl - 1, port);
            }
        }
        if (curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK && p[0] != '\0') {
            copy_trunc(path, pathlen, p);
        } else {
            copy_trunc(path, pathlen, "/");
        }
        rc = 0;
    }
    curl_free(h);
    curl_free(port);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}

int http_same_origin(const char *a, const char *b)
{
    CURLU *ua = parse_http_url(a), *ub = parse_http_url(b);
    int same = 0;
    if (ua != NULL && ub != NULL) {
        static const CURLUPart parts[] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
        same = 1;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0] && same; i++) {
            char *x = NULL, *y = NULL;
            unsigned flags = parts[i] == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0;
            if (curl_url_get(ua, parts[i], &x, flags) != CURLUE_OK
                || curl_url_get(ub, parts[i], &y, flags) != CURLUE_OK
                || strcasecmp(x, y) != 0) {
                same = 0;
            }
            curl_free(x);
            curl_free(y);
        }
    }
    curl_url_cleanup(ua);
    curl_url_cleanup(ub);
    return same;
}
