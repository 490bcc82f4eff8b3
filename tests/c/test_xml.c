/* test_xml.c: cmocka suite for xml.c: path subscriptions ("*", "**"),
 * requested attributes, end events, stopping from the handler, syntax
 * errors with line and column, refused entity declarations, unreadable
 * inputs, and parseInt. Files live in a mkdtemp directory. Depends on
 * cmocka and xml.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "xml.h"

#define TMPDIR_TEMPLATE "/tmp/test_xml.XXXXXX"
#include "tmpdir_fixture.h"

static const char *write_tmp(const char *name, const char *data)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(data, f);
    fclose(f);
    return p;
}

typedef struct Log {
    char text[512];
    int stop_after;
    int events;
} Log;

static int record(void *ud, const XmlEvent *ev)
{
    Log *l = ud;
    char one[64];
    if (ev->end) {
        snprintf(one, sizeof one, "/%zu ", ev->rule);
    } else {
        snprintf(one, sizeof one, "%zu:%s:%s@%zu ", ev->rule, ev->values[0] ? ev->values[0] : "-",
                 ev->values[1] ? ev->values[1] : "-", ev->depth);
    }
    strncat(l->text, one, sizeof l->text - strlen(l->text) - 1);
    l->events++;
    return l->stop_after && l->events >= l->stop_after;
}

static void test_paths(void **state)
{
    (void)state;
    const char *p = write_tmp("t.xml", "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://example.invalid/r.dtd\">"
                                       "<r><p n=\"1\"><f k=\"a\" x=\"1\"/><q><f k=\"b\"/></q></p><f k=\"c\"/></r>");
    XmlRule rules[] = {
        {"r/**/f", {"k", "x"}, 2, true},
        {"r/*", {"n", "k"}, 2, false},
    };
    Log l = {0};
    XmlError err;
    assert_int_equal(xml_scan(p, rules, 2, record, &l, &err), 0);
    assert_string_equal(l.text, "1:1:-@2 0:a:1@3 /0 0:b:-@4 /0 0:c:-@2 1:-:c@2 /0 ");
    Log stop = {.stop_after = 2};
    assert_int_equal(xml_scan(p, rules, 2, record, &stop, &err), XMLSCAN_ESTOP);
    assert_int_equal(stop.events, 2);
    XmlRule bad[] = {{"", {NULL}, 0, false}};
    assert_int_equal(xml_scan(p, bad, 1, record, &l, &err), EINVAL);
}

static void test_errors(void **state)
{
    (void)state;
    XmlRule rules[] = {{"a", {NULL}, 0, false}};
    Log l = {0};
    XmlError err;
    const char *p = write_tmp("bad.xml", "<a>\n <b>\n</a>\n");
    assert_int_equal(xml_scan(p, rules, 1, record, &l, &err), XMLSCAN_ESYNTAX);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 3);
    assert_string_equal(err.msg, "mismatched tag");
    p = write_tmp("empty.xml", "");
    assert_int_equal(xml_scan(p, rules, 1, record, &l, &err), XMLSCAN_ESYNTAX);
    assert_string_equal(err.msg, "no element found");
    p = write_tmp("bomb.xml", "<!DOCTYPE a [<!ENTITY x \"xx\"><!ENTITY y \"&x;&x;\">]><a>&y;</a>");
    assert_int_equal(xml_scan(p, rules, 1, record, &l, &err), XMLSCAN_ESYNTAX);
    assert_string_equal(err.msg, "entity declarations are not allowed");
    p = write_tmp("garbage.xml", "\x01\x02\xff\xfe garbage");
    assert_int_equal(xml_scan(p, rules, 1, record, &l, &err), XMLSCAN_ESYNTAX);
    assert_int_equal(xml_scan(tmpdir, rules, 1, record, &l, &err), EISDIR);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/none.xml", tmpdir);
    assert_int_equal(xml_scan(missing, rules, 1, record, &l, &err), ENOENT);
    assert_string_equal(err.msg, "No such file or directory");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t n = 20000;
    char *t = malloc(n * 7 + 1), *w = t;
    for (size_t i = 0; i < n; i++) {
        w += sprintf(w, "<a>");
    }
    for (size_t i = 0; i < n; i++) {
        w += sprintf(w, "</a>");
    }
    const char *p = write_tmp("deep.xml", t);
    free(t);
    XmlRule rules[] = {{"a/**/a", {NULL}, 0, false}};
    Log l = {0};
    XmlError err;
    assert_int_equal(xml_scan(p, rules, 1, record, &l, &err), XMLSCAN_ESYNTAX);
    assert_string_equal(err.msg, "elements nested too deeply");
}

static void test_parse_int(void **state)
{
    (void)state;
    double d;
    assert_true(xml_parse_int(" 42abc", &d) && d == 42);
    assert_true(xml_parse_int("-7", &d) && d == -7);
    assert_true(xml_parse_int("3.9", &d) && d == 3);
    assert_false(xml_parse_int("x1", &d));
    assert_false(xml_parse_int("", &d));
    assert_false(xml_parse_int("-", &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_parse_int),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
