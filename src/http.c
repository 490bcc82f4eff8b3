/* http.c: http_request — one request over a libcurl easy handle, with the
 * retry loop of storage.md §7.5, redirects followed here (not by libcurl) so
 * that each hop is logged and Authorization is dropped on another origin,
 * and 2xx bodies streamed to a temp file renamed into place at the end.
 * The pure policy (retry decision, delays, header parsing, URL split) is in
 * http_policy.c. Depends on libcurl and POSIX; no Lua. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"

#ifndef UNENTROPY_VERSION
#define UNENTROPY_VERSION "0"
#endif

/* State of one attempt. */
typedef struct Xfer {
    const HttpRequest *req;
    HttpHeaders headers;
    long status;
    int oom;
    char *buf;                  /* in-memory body */
    size_t len, cap;
    char *tmp_path;             /* temp file beside output_file */
    FILE *out;
    int write_errno;            /* set when writing the temp file failed */
    FILE *in;                   /* body_file */
    int read_errno;
} Xfer;

void http_request_init(HttpRequest *r)
{
    memset(r, 0, sizeof *r);
    r->method = "GET";
    r->retries = http_env_retries();
    r->base_delay_ms = HTTP_DEFAULT_BASE_DELAY_MS;
}

void http_response_free(HttpResponse *resp)
{
    http_headers_free(&resp->headers);
    free(resp->body);
    free(resp->url);
    memset(resp, 0, sizeof *resp);
}

void http_apply_defaults(CURL *curl, long timeout_ms)
{
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_LIMIT);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, HTTP_LOW_SPEED_TIME);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    if (timeout_ms > 0) {
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    }
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    Xfer *x = ud;
    if (http_headers_feed(&x->headers, data, size * n, &x->status) != 0) {
        x->oom = 1;
        return 0;
    }
    return size * n;
}

static int to_file(const Xfer *x)
{
    return x->req->output_file != NULL && x->status >= 200 && x->status <= 299;
}

/* Creates the temp file beside output_file; sets write_errno on failure. */
static int open_tmp(Xfer *x)
{
    size_t n = strlen(x->req->output_file);
    x->tmp_path = malloc(n + sizeof ".part-XXXXXX");
    if (x->tmp_path == NULL) {
        x->write_errno = ENOMEM;
        return -1;
    }
    memcpy(x->tmp_path, x->req->output_file, n);
    memcpy(x->tmp_path + n, ".part-XXXXXX", sizeof ".part-XXXXXX");
    int fd = mkstemp(x->tmp_path);
    if (fd < 0 || (x->out = fdopen(fd, "wb")) == NULL) {
        x->write_errno = errno;
        if (fd >= 0) {
            close(fd);
            unlink(x->tmp_path);
        }
        free(x->tmp_path);
        x->tmp_path = NULL;
        return -1;
    }
    return 0;
}

static void drop_tmp(Xfer *x)
{
    if (x->out != NULL) {
        fclose(x->out);
        x->out = NULL;
    }
    if (x->tmp_path != NULL) {
        unlink(x->tmp_path);
        free(x->tmp_path);
        x->tmp_path = NULL;
    }
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    Xfer *x = ud;
    size_t len = size * n;
    if (to_file(x)) {
        if (x->out == NULL && open_tmp(x) != 0) {
            return 0;
        }
        if (fwrite(data, 1, len, x->out) != len) {
            x->write_errno = errno ? errno : EIO;
            return 0;
        }
        return len;
    }
    if (x->len + len + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (cap < x->len + len + 1) {
            cap *= 2;
        }
        char *b = realloc(x->buf, cap);
        if (b == NULL) {
            x->oom = 1;
            return 0;
        }
        x->buf = b;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, data, len);
    x->len += len;
    x->buf[x->len] = '\0';
    return len;
}

static size_t on_read(char *data, size_t size, size_t n, void *ud)
{
    Xfer *x = ud;
    size_t got = fread(data, 1, size * n, x->in);
    if (got == 0 && ferror(x->in)) {
        x->read_errno = errno ? errno : EIO;
        return CURL_READFUNC_ABORT;
    }
    return got;
}

/* Resets the per-attempt state (keeps the request). */
static void xfer_reset(Xfer *x)
{
    http_headers_free(&x->headers);
    x->status = 0;
    x->len = 0;
    x->oom = 0;
    x->write_errno = 0;
    x->read_errno = 0;
    drop_tmp(x);
}

static int header_is(const char *line, const char *name)
{
    size_t n = strlen(name);
    return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

/* The header list of one hop: the caller's headers (minus credentials when
 * they must not travel), no default Content-Type, no Expect. NULL on OOM. */
static struct curl_slist *build_headers(const HttpRequest *req, int drop_auth, int has_body)
{
    struct curl_slist *list = NULL, *t;
    int has_ctype = 0;
    for (size_t i = 0; i < req->n_headers; i++) {
        const char *h = req->headers[i];
        if (drop_auth && (header_is(h, "authorization") || header_is(h, "cookie"))) {
            continue;
        }
        has_ctype |= header_is(h, "content-type");
        if ((t = curl_slist_append(list, h)) == NULL) {
            goto oom;
        }
        list = t;
    }
    if ((t = curl_slist_append(list, "Expect:")) == NULL) {
        goto oom;
    }
    list = t;
    if (has_body && !has_ctype) {
        if ((t = curl_slist_append(list, "Content-Type:")) == NULL) {
            goto oom;
        }
        list = t;
    }
    return list;
oom:
    curl_slist_free_all(list);
    return NULL;
}

/* Why a transfer failed, without anything from the query string. */
static const char *reason(CURLcode cc, const char *errbuf)
{
    if (errbuf[0] != '\0' && strchr(errbuf, '?') == NULL && strchr(errbuf, '@') == NULL) {
        return errbuf;
    }
    return curl_easy_strerror(cc);
}

static void log_attempt(FILE *log, const char *method, const char *url, long status,
                        const char *why, int retry, long delay)
{
    if (log == NULL) {
        return;
    }
    char host[256], path[1024];
    if (http_url_parts(url, host, sizeof host, path, sizeof path) != 0) {
        strcpy(host, "?");
        strcpy(path, "?");
    }
    if (why != NULL) {
        fprintf(log, "debug: http %s %s %s -> error: %s", method, host, path, why);
    } else {
        fprintf(log, "debug: http %s %s %s -> %ld", method, host, path, status);
    }
    if (retry > 0) {
        fprintf(log, " (retry %d in %ld ms)", retry, delay);
    }
    fputc('\n', log);
    fflush(log);
}

static int method_is(const char *m, const char *name)
{
    return strcmp(m, name) == 0;
}

/* Configures c for one attempt of method on url. */
static int setup(CURL *c, Xfer *x, const char *method, const char *url, int with_body,
                 struct curl_slist *hdrs, char *errbuf)
{
    const HttpRequest *req = x->req;
    curl_easy_reset(c);
    http_apply_defaults(c, req->timeout_ms);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT,
                     req->user_agent ? req->user_agent : "unentropy/" UNENTROPY_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    if (method_is(method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (with_body && req->body_file != NULL) {
        x->in = fopen(req->body_file, "rb");
        struct stat st;
        if (x->in == NULL || fstat(fileno(x->in), &st) != 0) {
            return errno ? errno : EIO;
        }
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, x);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
        if (!method_is(method, "PUT")) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        }
    } else if (with_body && (req->body != NULL || method_is(method, "POST")
                             || method_is(method, "PUT") || method_is(method, "PATCH"))) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        if (!method_is(method, "POST")) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        }
    } else if (!method_is(method, "GET")) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    return 0;
}

/* Moves the finished temp file onto output_file. Returns 0 or an errno. */
static int commit_file(Xfer *x)
{
    if (x->out == NULL && open_tmp(x) != 0) { /* an empty 2xx body */
        return x->write_errno;
    }
    int rc = 0;
    if (fflush(x->out) != 0 || fsync(fileno(x->out)) != 0) {
        rc = errno;
    }
    if (fclose(x->out) != 0 && rc == 0) {
        rc = errno;
    }
    x->out = NULL;
    if (rc == 0 && rename(x->tmp_path, x->req->output_file) != 0) {
        rc = errno;
    }
    if (rc == 0) {
        free(x->tmp_path);
        x->tmp_path = NULL;
    }
    return rc;
}

static int local_error(char *err, size_t errlen, const char *verb, const char *path, int e)
{
    snprintf(err, errlen, "http: cannot %s '%s': %s", verb, path, strerror(e));
    return -e;
}

static int is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

int http_request(const HttpRequest *req, HttpResponse *resp, char *err, size_t errlen)
{
    memset(resp, 0, sizeof *resp);
    Xfer x;
    memset(&x, 0, sizeof x);
    x.req = req;
    const char *method = req->method ? req->method : "GET";
    char *url = req->url ? strdup(req->url) : NULL;
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE];
    int rc = 0, retries_used = 0, hops = 0, drop_auth = 0, with_body = 1;
    if (url == NULL || c == NULL) {
        rc = local_error(err, errlen, "start request to", "url", req->url ? ENOMEM : EINVAL);
        goto out;
    }
    for (;;) {
        xfer_reset(&x);
        errbuf[0] = '\0';
        curl_slist_free_all(hdrs);
        int has_body = with_body && (req->body || req->body_file);
        if ((hdrs = build_headers(req, drop_auth, has_body)) == NULL) {
            rc = local_error(err, errlen, "start request to", "url", ENOMEM);
            goto out;
        }
        int e = setup(c, &x, method, url, with_body, hdrs, errbuf);
        if (e != 0) {
            rc = local_error(err, errlen, "open", req->body_file, e);
            goto out;
        }
        CURLcode cc = curl_easy_perform(c);
        if (x.in != NULL) {
            fclose(x.in);
            x.in = NULL;
        }
        if (x.oom) {
            rc = local_error(err, errlen, "receive response of", "url", ENOMEM);
            goto out;
        }
        if (x.write_errno != 0) {
            rc = local_error(err, errlen, "write", req->output_file, x.write_errno);
            goto out;
        }
        if (x.read_errno != 0) {
            rc = local_error(err, errlen, "read", req->body_file, x.read_errno);
            goto out;
        }
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        const char *ra = http_header_get(&x.headers, "retry-after");
        int retry = retries_used < req->retries
                    && http_should_retry(status, (int)cc, ra,
                                         http_header_get(&x.headers, "x-ratelimit-remaining"));
        long delay = retry ? http_retry_delay_ms(retries_used + 1, req->base_delay_ms, ra,
                                                 time(NULL), http_rand01())
                           : 0;
        log_attempt(req->log, method, url, status, cc != CURLE_OK ? reason(cc, errbuf) : NULL,
                    retry ? retries_used + 1 : 0, delay);
        if (retry) {
            retries_used++;
            http_sleep_ms(delay);
            continue;
        }
        if (cc != CURLE_OK) {
            char host[256], path[1024];
            http_url_parts(url, host, sizeof host, path, sizeof path);
            snprintf(err, errlen, "http: %s %s%s: %s (after %d attempt%s)", method, host, path,
                     reason(cc, errbuf), retries_used + 1, retries_used == 0 ? "" : "s");
            rc = (int)cc;
            goto out;
        }
        char *next = NULL;
        if (req->follow_redirects && is_redirect(status)
            && curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &next) == CURLE_OK && next != NULL) {
            if (++hops > HTTP_MAX_REDIRECTS) {
                char host[256], path[1024];
                http_url_parts(url, host, sizeof host, path, sizeof path);
                snprintf(err, errlen, "http: %s %s%s: more than %d redirects", method, host,
                         path, HTTP_MAX_REDIRECTS);
                rc = CURLE_TOO_MANY_REDIRECTS;
                goto out;
            }
            if (!http_same_origin(url, next)) {
                drop_auth = 1;
            }
            if ((status == 303 && !method_is(method, "HEAD"))
                || ((status == 301 || status == 302) && method_is(method, "POST"))) {
                method = "GET";
                with_body = 0;
            }
            char *copy = strdup(next);
            if (copy == NULL) {
                rc = local_error(err, errlen, "follow redirect of", "url", ENOMEM);
                goto out;
            }
            free(url);
            url = copy;
            continue;
        }
        if (to_file(&x)) {
            if ((e = commit_file(&x)) != 0) {
                rc = local_error(err, errlen, "write", req->output_file, e);
                goto out;
            }
            resp->in_file = 1;
        } else {
            if (x.buf == NULL && (x.buf = malloc(1)) == NULL) {
                rc = local_error(err, errlen, "receive response of", "url", ENOMEM);
                goto out;
            }
            x.buf[x.len] = '\0';
            resp->body = x.buf;
            resp->body_len = x.len;
            x.buf = NULL;
        }
        resp->status = status;
        resp->headers = x.headers;
        memset(&x.headers, 0, sizeof x.headers);
        resp->url = url;
        url = NULL;
        resp->attempts = retries_used + 1;
        break;
    }
out:
    if (x.in != NULL) {
        fclose(x.in);
    }
    drop_tmp(&x);
    http_headers_free(&x.headers);
    free(x.buf);
    curl_slist_free_all(hdrs);
    if (c != NULL) {
        curl_easy_cleanup(c);
    }
    free(url);
    return rc;
}
