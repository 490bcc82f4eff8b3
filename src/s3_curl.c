/* s3_curl.c: the libcurl transport of the S3 client (s3.h). One easy
 * handle per request, signed with CURLOPT_AWS_SIGV4 (libcurl signs every
 * header it sends, so x-amz-content-sha256, x-amz-security-token and the
 * conditional headers are covered), the standard options of http.h
 * (timeouts, TLS verification, http/https only), a streamed upload from a
 * FILE and a streamed download into a FILE; non-2xx bodies are kept (up to
 * S3_BODY_MAX) for their error code. Depends on libcurl, http.h, s3.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"
#include "s3.h"

typedef struct Xfer {
    const S3HttpRequest *req;
    S3HttpResponse *resp;
    HttpHeaders headers;
    long status;
    int write_failed;
} Xfer;

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    Xfer *x = ud;
    if (http_headers_feed(&x->headers, data, size * n, &x->status) != 0) {
        return 0;
    }
    return size * n;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    Xfer *x = ud;
    size_t len = size * n;
    S3HttpResponse *r = x->resp;
    if (x->status >= 200 && x->status < 300 && x->req->download != NULL) {
        if (fwrite(data, 1, len, x->req->download) != len) {
            x->write_failed = 1;
            return 0;
        }
        r->received += (int64_t)len;
        return len;
    }
    size_t room = sizeof r->body - 1 - r->body_len;
    size_t take = len < room ? len : room;
    memcpy(r->body + r->body_len, data, take);
    r->body_len += take;
    r->body[r->body_len] = '\0';
    return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    Xfer *x = ud;
    size_t got = fread(buf, 1, size * n, x->req->upload);
    if (got == 0 && ferror(x->req->upload)) {
        return CURL_READFUNC_ABORT;
    }
    return got;
}

static void copy_header(const HttpHeaders *h, const char *name, char *out, size_t outlen)
{
    const char *v = http_header_get(h, name);
    snprintf(out, outlen, "%s", v ? v : "");
}

static void perform(void *ud, const S3HttpRequest *req, S3HttpResponse *resp)
{
    (void)ud;
    Xfer x = {.req = req, .resp = resp};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    CURL *c = curl_easy_init();
    if (c == NULL) {
        resp->net_code = CURLE_FAILED_INIT;
        snprintf(resp->error, sizeof resp->error, "cannot initialise libcurl");
        return;
    }
    for (const char *const *h = req->headers; h && *h; h++) {
        struct curl_slist *next = curl_slist_append(hdrs, *h);
        if (next == NULL) {
            resp->net_code = CURLE_OUT_OF_MEMORY;
            snprintf(resp->error, sizeof resp->error, "out of memory");
            goto out;
        }
        hdrs = next;
    }
    /* An "Expect:" line to suppress 100-continue would be signed by
     * libcurl 7.88 without being sent (SignatureDoesNotMatch), so the wait
     * for "100 Continue" is shortened instead. */
    curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 200L);
    http_apply_defaults(c, 0);
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "unentropy/" UNENTROPY_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, req->sigv4);
    curl_easy_setopt(c, CURLOPT_USERNAME, req->cred->access_key_id);
    curl_easy_setopt(c, CURLOPT_PASSWORD, req->cred->secret_access_key);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    if (req->upload != NULL) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &x);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->upload_size);
    }
    CURLcode rc = curl_easy_perform(c);
    resp->status = x.status;
    copy_header(&x.headers, "etag", resp->etag, sizeof resp->etag);
    copy_header(&x.headers, "retry-after", resp->retry_after, sizeof resp->retry_after);
    const char *cl = http_header_get(&x.headers, "content-length");
    if (cl != NULL && x.status >= 200 && x.status < 300) {
        resp->content_length = strtoll(cl, NULL, 10);
    }
    if (rc != CURLE_OK) {
        resp->net_code = (int)rc;
        if (x.write_failed) {
            snprintf(resp->error, sizeof resp->error, "cannot write the working copy");
        } else {
            /* errbuf names the host at most, never credentials or queries. */
            snprintf(resp->error, sizeof resp->error, "%s",
                     errbuf[0] ? errbuf : curl_easy_strerror(rc));
        }
    }
out:
    http_headers_free(&x.headers);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
}

static const S3Transport curl_transport = {perform, NULL};

const S3Transport *s3_curl_transport(void)
{
    return &curl_transport;
}
