/* test_pgstore.c: cmocka suite for the parts of pgstore.c that need no
 * server — password redaction (URL userinfo, percent-encoded passwords,
 * key=value strings, PGPASSWORD, messages that grow), and open failures:
 * a missing or over-long schema, an unreachable server (a closed loopback
 * port) reported with a redacted location and PGSTORE_CONNECT, and an
 * invalid connection string whose libpq message would echo the password.
 * The server-backed behaviour is covered by tests/cli/test_pg*.sh.
 * Depends on cmocka and pgstore.h. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgstore.h"

static void redact(char *buf, size_t len, const char *text, const char *conninfo)
{
    snprintf(buf, len, "%s", text);
    pgstore_redact(buf, len, conninfo);
}

static void test_redact_url(void **state)
{
    (void)state;
    char buf[256];
    redact(buf, sizeof buf, "failed for postgresql://alice:s3cret@db:5432/x (s3cret)",
           "postgresql://alice:s3cret@db:5432/x");
    assert_string_equal(buf, "failed for postgresql://alice:***@db:5432/x (***)");
    /* percent-encoded in the URL, decoded in a message */
    redact(buf, sizeof buf, "a p@ss:w b p%40ss%3Aw", "postgres://bob:p%40ss%3Aw@h/db");
    assert_string_equal(buf, "a *** b ***");
    /* a password in the query string */
    redact(buf, sizeof buf, "x=topsecret", "postgresql://h/db?user=u&password=topsecret");
    assert_string_equal(buf, "x=***");
    /* any URL userinfo is masked, whatever the connection string */
    redact(buf, sizeof buf, "see mysql://u:other@h/", NULL);
    assert_string_equal(buf, "see mysql://u:***@h/");
    /* nothing to hide */
    redact(buf, sizeof buf, "postgresql://u@h/db", "postgresql://u@h/db");
    assert_string_equal(buf, "postgresql://u@h/db");
}

static void test_redact_keyvalue(void **state)
{
    (void)state;
    char buf[256];
    redact(buf, sizeof buf, "oops 'pa ss' here", "host=h password='pa ss' user=u");
    assert_string_equal(buf, "oops '***' here");
    redact(buf, sizeof buf, "plain hunter22", "host=h password=hunter22");
    assert_string_equal(buf, "plain ***");
}

static void test_redact_env_and_growth(void **state)
{
    (void)state;
    char buf[16];
    setenv("PGPASSWORD", "zz", 1);
    redact(buf, sizeof buf, "zzazzbzzczz", NULL);
    unsetenv("PGPASSWORD");
    /* "***" is longer than "zz": the result is cut to the buffer, never
     * left with a fragment of the secret */
    assert_true(strlen(buf) < sizeof buf);
    assert_null(strstr(buf, "zz"));
    assert_int_equal(strncmp(buf, "***a***b***c", 12), 0);
}

static void test_open_misuse(void **state)
{
    (void)state;
    char err[512];
    PgStore *s = (PgStore *)1;
    PgStoreConfig cfg = {.conninfo = "postgresql://u:pw@127.0.0.1:1/db", .schema = ""};
    assert_int_equal(pgstore_open(&s, &cfg, err, sizeof err), PGSTORE_MISUSE);
    assert_null(s);
    assert_string_equal(err, "pgstore: a schema name is required");
    char longname[80];
    memset(longname, 'a', 64);
    longname[64] = '\0';
    cfg.schema = longname;
    assert_int_equal(pgstore_open(&s, &cfg, err, sizeof err), PGSTORE_ERROR);
    assert_non_null(strstr(err, "longer than 63 bytes"));
}

static void test_open_unreachable(void **state)
{
    (void)state;
    char err[1024];
    PgStore *s = NULL;
    PgStoreConfig cfg = {.conninfo = "postgresql://carol:Very-Secret-9@127.0.0.1:1/metrics",
                         .schema = "repo", .connect_timeout = 2};
    int rc = pgstore_open(&s, &cfg, err, sizeof err);
    assert_int_equal(rc, PGSTORE_CONNECT);
    assert_null(s);
    assert_non_null(strstr(err, "pgstore: cannot connect to PostgreSQL at "
                                "postgresql://carol@127.0.0.1:1/metrics (schema repo): "));
    assert_null(strstr(err, "Very-Secret-9"));
    assert_null(strchr(err, '\n'));
    /* config overrides win over the connection string */
    cfg.port = "2";
    cfg.database = "other";
    rc = pgstore_open(&s, &cfg, err, sizeof err);
    assert_int_equal(rc, PGSTORE_CONNECT);
    assert_non_null(strstr(err, "postgresql://carol@127.0.0.1:2/other (schema repo)"));
}

static void test_open_bad_conninfo(void **state)
{
    (void)state;
    char err[1024];
    PgStore *s = NULL;
    /* libpq echoes invalid URIs in its message: the password must not leak */
    PgStoreConfig cfg = {.conninfo = "postgresql://dave:Leaky-Pass@[::1:5432/db", .schema = "r"};
    int rc = pgstore_open(&s, &cfg, err, sizeof err);
    assert_int_equal(rc, PGSTORE_CONNECT);
    assert_null(strstr(err, "Leaky-Pass"));
    cfg.conninfo = "host=127.0.0.1 port=1 password=Kv-Secret connect_timeout=x";
    rc = pgstore_open(&s, &cfg, err, sizeof err);
    assert_true(rc == PGSTORE_CONNECT || rc == PGSTORE_AUTH);
    assert_null(strstr(err, "Kv-Secret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact_url),
        cmocka_unit_test(test_redact_keyvalue),
        cmocka_unit_test(test_redact_env_and_growth),
        cmocka_unit_test(test_open_misuse),
        cmocka_unit_test(test_open_unreachable),
        cmocka_unit_test(test_open_bad_conninfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
