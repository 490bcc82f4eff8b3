/* test_provider.c: cmocka suite for the storage providers (provider.h) and
 * the artifact unzip (unzip.h), in a private $TMPDIR: the working copy is a
 * fresh 0600 temp file removed at cleanup (the snapshot kept on request);
 * sqlite-s3 over a fake S3 transport: first run (404 -> empty copy, upload
 * with If-None-Match: *), download with ETag reused by If-Match, conflict
 * then re-fetch with the new ETag, failures that empty the copy, the
 * configuration messages; sqlite-artifact with real zips written by
 * libzip (one .db at any depth, zero or two .db, not a zip) and a persist
 * that moves the snapshot to the working file; sqlite-local is in place.
 * Depends on cmocka, libzip, provider.h, unzip.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "provider.h"
#include "unzip.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static char dir[256];
static char err[1024];

static const char *P(const char *rel)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
    return buf[k];
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/unentropy-provider-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    return setenv("TMPDIR", dir, 1);
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static long size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void read_file(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
}

/* ---- sqlite-local ----------------------------------------------------------- */

static void test_local(void **state)
{
    Provider *p;
    assert_int_equal(provider_new_local(&p, P("x.db"), err, sizeof err), PROVIDER_OK);
    assert_string_equal(provider_type(p), "sqlite-local");
    assert_string_equal(provider_path(p), P("x.db"));
    assert_null(provider_snapshot_path(p));
    ProviderInfo info;
    assert_int_equal(provider_fetch(p, NULL, &info, err, sizeof err), PROVIDER_OK);
    write_file(P("x.db"), "data");
    assert_int_equal(provider_persist(p, P("x.db"), &info, err, sizeof err), PROVIDER_OK);
    provider_free(p);
    assert_true(exists(P("x.db"))); /* never removed: it is the user's file */
}

/* ---- sqlite-s3 over a fake transport ---------------------------------------- */

typedef struct Step {
    long status;
    const char *body;
    const char *etag;
} Step;

typedef struct Fake {
    const Step *steps;
    int n, calls;
    char cond[8][128]; /* the conditional header of each call ("" for GET) */
    char uploaded[256];
} Fake;

static void fake_perform(void *ud, const S3HttpRequest *req, S3HttpResponse *resp)
{
    Fake *f = ud;
    assert_true(f->calls < f->n);
    const Step *s = &f->steps[f->calls];
    f->cond[f->calls][0] = '\0';
    for (const char *const *h = req->headers; *h; h++) {
        if (strncmp(*h, "If-", 3) == 0) {
            snprintf(f->cond[f->calls], sizeof f->cond[0], "%s", *h);
        }
    }
    f->calls++;
    if (req->upload) {
        size_t got = fread(f->uploaded, 1, sizeof f->uploaded - 1, req->upload);
        f->uploaded[got] = '\0';
    }
    resp->status = s->status;
    if (s->etag) {
        snprintf(resp->etag, sizeof resp->etag, "%s", s->etag);
    }
    const char *body = s->body ? s->body : "";
    if (s->status == 200 && req->download) {
        fputs(body, req->download);
        resp->received = resp->content_length = (int64_t)strlen(body);
    } else {
        snprintf(resp->body, sizeof resp->body, "%s", body);
        resp->body_len = strlen(body);
    }
}

static Fake fake;
static S3Transport transport = {fake_perform, &fake};
static S3Options opts = {.retries = 1, .base_delay_ms = 1, .transport = &transport};
static S3Target target = {"http://127.0.0.1:9", "metrics", "us-east-1", "unentropy.db"};
static S3Credentials cred = {"AKID", "SECRET", NULL};

static Provider *new_s3(const Step *steps, int n)
{
    memset(&fake, 0, sizeof fake);
    fake.steps = steps;
    fake.n = n;
    Provider *p;
    assert_int_equal(provider_new_s3(&p, &target, &cred, &opts, err, sizeof err), PROVIDER_OK);
    return p;
}

static void test_s3_temp_files(void **state)
{
    Provider *p = new_s3(NULL, 0);
    const char *path = provider_path(p);
    assert_string_equal(provider_type(p), "sqlite-s3");
    assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
    assert_non_null(strstr(path, "/unentropy-"));
    assert_string_equal(path + strlen(path) - 3, ".db");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 0);
    char snap[512], copy[512];
    snprintf(snap, sizeof snap, "%s", provider_snapshot_path(p));
    snprintf(copy, sizeof copy, "%s", path);
    write_file(snap, "snapshot");
    char journal[600];
    snprintf(journal, sizeof journal, "%s-journal", copy);
    write_file(journal, "j");
    provider_cleanup(p);
    provider_cleanup(p); /* idempotent */
    assert_false(exists(copy));
    assert_false(exists(snap));
    assert_false(exists(journal));
    provider_free(p);

    /* a kept snapshot survives the cleanup */
    p = new_s3(NULL, 0);
    snprintf(snap, sizeof snap, "%s", provider_snapshot_path(p));
    snprintf(copy, sizeof copy, "%s", provider_path(p));
    write_file(snap, "snapshot");
    provider_keep_snapshot(p);
    provider_free(p);
    assert_false(exists(copy));
    assert_true(exists(snap));
    unlink(snap);
}

static void test_s3_first_run_and_conflict(void **state)
{
    Step steps[] = {
        {404, "<Error><Code>NoSuchKey</Code></Error>"},          /* fetch: first run */
        {412, "<Error><Code>PreconditionFailed</Code></Error>"}, /* someone created it */
        {200, "theirs", "\"v1\""},                               /* fetch again */
        {200, "", "\"v2\""},                                     /* upload wins */
        {200, "", "\"v3\""},                                     /* next upload */
    };
    Provider *p = new_s3(steps, 5);
    write_file(provider_path(p), "stale");
    ProviderInfo info;
    assert_int_equal(provider_fetch(p, NULL, &info, err, sizeof err), PROVIDER_NEW);
    assert_int_equal(size_of(provider_path(p)), 0);
    assert_string_equal(fake.cond[0], "");

    write_file(provider_snapshot_path(p), "mine");
    assert_int_equal(provider_persist(p, provider_snapshot_path(p), &info, err, sizeof err),
                     PROVIDER_CONFLICT);
    assert_string_equal(fake.cond[1], "If-None-Match: *");
    assert_int_equal(info.status, 412);

    assert_int_equal(provider_fetch(p, NULL, &info, err, sizeof err), PROVIDER_OK);
    char buf[64];
    read_file(provider_path(p), buf, sizeof buf);
    assert_string_equal(buf, "theirs");
    assert_string_equal(info.etag, "\"v1\"");
    assert_int_equal(info.bytes, 6);

    write_file(provider_snapshot_path(p), "theirs+mine");
    assert_int_equal(provider_persist(p, provider_snapshot_path(p), &info, err, sizeof err),
                     PROVIDER_OK);
    assert_string_equal(fake.cond[3], "If-Match: \"v1\"");
    assert_string_equal(fake.uploaded, "theirs+mine");
    assert_string_equal(info.etag, "\"v2\"");
    struct stat st;
    assert_int_equal(stat(provider_snapshot_path(p), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* the ETag of our own upload is the next precondition */
    assert_int_equal(provider_persist(p, provider_snapshot_path(p), &info, err, sizeof err),
                     PROVIDER_OK);
    assert_string_equal(fake.cond[4], "If-Match: \"v2\"");
    provider_free(p);
}

static void test_s3_failures(void **state)
{
    Step denied[] = {{403, "<Error><Code>InvalidAccessKeyId</Code></Error>"}};
    Provider *p = new_s3(denied, 1);
    write_file(provider_path(p), "stale");
    ProviderInfo info;
    assert_int_equal(provider_fetch(p, NULL, &info, err, sizeof err), PROVIDER_ERROR);
    assert_string_equal(err, "S3 access denied for s3://metrics/unentropy.db (InvalidAccessKeyId): "
                             "check credentials and permissions");
    assert_int_equal(info.status, 403);
    assert_int_equal(size_of(provider_path(p)), 0);
    provider_free(p);

    Step noetag[] = {{200, "db", NULL}};
    p = new_s3(noetag, 1);
    assert_int_equal(provider_fetch(p, NULL, &info, err, sizeof err), PROVIDER_ERROR);
    assert_string_equal(err, "S3 download of s3://metrics/unentropy.db returned no ETag");
    provider_free(p);

    S3Target nobucket = {"http://h", "", "us-east-1", "k"};
    assert_int_equal(provider_new_s3(&p, &nobucket, &cred, &opts, err, sizeof err), PROVIDER_ERROR);
    assert_string_equal(err, "S3 bucket is not configured: set storage.s3.bucket, --s3-bucket or "
                             "UNENTROPY_S3_BUCKET");
    assert_null(p);
    S3Credentials nocred = {"AKID", "", NULL};
    assert_int_equal(provider_new_s3(&p, &target, &nocred, &opts, err, sizeof err), PROVIDER_ERROR);
    assert_string_equal(err, "S3 credentials are missing: set AWS_ACCESS_KEY_ID and "
                             "AWS_SECRET_ACCESS_KEY");
    S3Target ftp = {"ftp://h", "b", "us-east-1", "k"};
    assert_int_equal(provider_new_s3(&p, &ftp, &cred, &opts, err, sizeof err), PROVIDER_ERROR);
    assert_string_equal(err, "endpoint must be an http:// or https:// URL");
}

/* ---- sqlite-artifact ---------------------------------------------------------- */

/* Writes a zip with the given (name, content) entries using libzip. */
static void make_zip(const char *path, const char *const *entries, int n)
{
    int ze;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    for (int i = 0; i < n; i++) {
        const char *name = entries[2 * i], *content = entries[2 * i + 1];
        zip_source_t *src = zip_source_buffer(z, content, strlen(content), 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
}

static void test_unzip(void **state)
{
    const char *one[] = {"README.txt", "hello", "nested/dir/metrics.db", "SQLite format 3 data"};
    make_zip(P("one.zip"), one, 2);
    UnzipDbList list;
    assert_int_equal(unzip_list_db(P("one.zip"), &list, err, sizeof err), 0);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.names[0], "nested/dir/metrics.db");
    int count;
    int64_t bytes;
    assert_int_equal(unzip_single_db(P("one.zip"), P("out.db"), &count, &bytes, err, sizeof err), 0);
    assert_int_equal(bytes, 20);
    char buf[64];
    read_file(P("out.db"), buf, sizeof buf);
    assert_string_equal(buf, "SQLite format 3 data");

    const char *two[] = {"a.db", "1", "b/c.db", "2", "d.db-journal", "x"};
    make_zip(P("two.zip"), two, 3);
    write_file(P("keep.db"), "untouched");
    assert_int_equal(unzip_single_db(P("two.zip"), P("keep.db"), &count, &bytes, err, sizeof err), 1);
    assert_int_equal(count, 2);
    read_file(P("keep.db"), buf, sizeof buf);
    assert_string_equal(buf, "untouched");

    const char *none[] = {"data.sqlite", "x", "dir.db/", ""};
    make_zip(P("none.zip"), none, 1);
    assert_int_equal(unzip_single_db(P("none.zip"), P("keep.db"), &count, &bytes, err, sizeof err), 1);
    assert_int_equal(count, 0);

    write_file(P("bad.zip"), "this is not a zip archive at all");
    assert_int_equal(unzip_list_db(P("bad.zip"), &list, err, sizeof err), -1);
    assert_non_null(strstr(err, "unzip: cannot open '"));
    assert_non_null(strstr(err, "Not a zip archive"));
}

static void test_artifact(void **state)
{
    Provider *p;
    assert_int_equal(provider_new_artifact(&p, "unentropy-metrics", P("work.db"), err, sizeof err),
                     PROVIDER_OK);
    assert_string_equal(provider_type(p), "sqlite-artifact");
    ProviderInfo info;
    /* no zip: a first run */
    assert_int_equal(provider_fetch(p, NULL, &info, err, sizeof err), PROVIDER_NEW);
    const char *entries[] = {"seed.db", "database bytes"};
    make_zip(P("a.zip"), entries, 1);
    assert_int_equal(provider_fetch(p, P("a.zip"), &info, err, sizeof err), PROVIDER_OK);
    assert_int_equal(info.bytes, 14);
    char buf[64];
    read_file(provider_path(p), buf, sizeof buf);
    assert_string_equal(buf, "database bytes");

    const char *two[] = {"a.db", "1", "b.db", "2"};
    make_zip(P("two.zip"), two, 2);
    assert_int_equal(provider_fetch(p, P("two.zip"), &info, err, sizeof err), PROVIDER_ERROR);
    assert_string_equal(err, "Artifact 'unentropy-metrics' must contain exactly one .db file, found 2");

    write_file(provider_snapshot_path(p), "snapshot bytes");
    assert_int_equal(provider_persist(p, provider_snapshot_path(p), &info, err, sizeof err),
                     PROVIDER_OK);
    assert_int_equal(info.bytes, 14);
    read_file(P("work.db"), buf, sizeof buf);
    assert_string_equal(buf, "snapshot bytes");
    struct stat st;
    assert_int_equal(stat(P("work.db"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    char copy[512];
    snprintf(copy, sizeof copy, "%s", provider_path(p));
    provider_free(p);
    assert_false(exists(copy));
    assert_true(exists(P("work.db"))); /* the working file is the output */

    assert_int_equal(provider_new_artifact(&p, "n", P("missing/dir/work.db"), err, sizeof err),
                     PROVIDER_OK);
    write_file(provider_snapshot_path(p), "x");
    assert_int_equal(provider_persist(p, provider_snapshot_path(p), &info, err, sizeof err),
                     PROVIDER_ERROR);
    assert_non_null(strstr(err, "missing/dir/work.db: No such file or directory"));
    provider_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local),
        cmocka_unit_test(test_s3_temp_files),
        cmocka_unit_test(test_s3_first_run_and_conflict),
        cmocka_unit_test(test_s3_failures),
        cmocka_unit_test(test_unzip),
        cmocka_unit_test(test_artifact),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
