/* test_json.c: cmocka suite for the pure C half of unentropy.json (json.c):
 * the event parser (values, integers vs floats, escapes, error texts and
 * positions, depth limit, BOM), UTF-8 validation, number formatting (exact
 * expected strings and a round-trip sweep) and string escaping. Depends on
 * cmocka and json.h only. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* --- helpers: an event log as text --------------------------------------- */

typedef struct Log {
    char text[4096];
    size_t len;
    int stop_after; /* stop (rc 7) after this many events; 0 = never */
    int events;
} Log;

static void logf_(Log *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(g->text + g->len, sizeof g->text - g->len, fmt, ap);
    va_end(ap);
    g->len += (size_t)n;
    assert_true(g->len < sizeof g->text);
}

static int log_event(void *ud, JsonEvent ev, const JsonToken *t)
{
    Log *g = ud;
    switch (ev) {
    case JSON_NULL: logf_(g, "n "); break;
    case JSON_FALSE: logf_(g, "F "); break;
    case JSON_TRUE: logf_(g, "T "); break;
    case JSON_INTEGER: logf_(g, "i:%lld ", t->integer); break;
    case JSON_FLOAT: logf_(g, "f:%.17g ", t->number); break;
    case JSON_STRING: logf_(g, "s:%.*s ", (int)t->len, t->str); break;
    case JSON_KEY: logf_(g, "k:%.*s@%zu:%zu ", (int)t->len, t->str, t->line,
                         t->offset - t->line_start + 1); break;
    case JSON_BEGIN_OBJECT: logf_(g, "{ "); break;
    case JSON_END_OBJECT: logf_(g, "} "); break;
    case JSON_BEGIN_ARRAY: logf_(g, "[ "); break;
    case JSON_END_ARRAY: logf_(g, "] "); break;
    }
    g->events++;
    return g->stop_after && g->events >= g->stop_after ? 7 : 0;
}

/* Keeps the raw bytes of the last string (NULs included). */
static int grab_string(void *ud, JsonEvent ev, const JsonToken *t)
{
    Log *g = ud;
    if (ev == JSON_STRING) {
        memcpy(g->text, t->str, t->len);
        g->len = t->len;
    }
    return 0;
}

/* Parses s and returns the event log (static storage); asserts success. */
static const char *events(const char *s)
{
    static Log g;
    memset(&g, 0, sizeof g);
    JsonError err;
    int rc = json_parse(s, strlen(s), log_event, &g, NULL, &err);
    if (rc != JSON_OK) {
        fail_msg("parse of '%s' failed: %s at %zu:%zu", s, err.msg, err.line, err.column);
    }
    return g.text;
}

/* Asserts that s fails with exactly msg at line:column. */
static void check_error(const char *s, size_t n, const char *msg, size_t line, size_t col)
{
    Log g;
    memset(&g, 0, sizeof g);
    JsonError err;
    int rc = json_parse(s, n, log_event, &g, NULL, &err);
    if (rc != JSON_ESYNTAX || strcmp(err.msg, msg) != 0 || err.line != line ||
        err.column != col) {
        fail_msg("'%s': expected \"%s\" at %zu:%zu, got rc %d \"%s\" at %zu:%zu", s, msg,
                 line, col, rc, rc ? err.msg : "", err.line, err.column);
    }
}
#define ERR(s, msg, line, col) check_error(s, sizeof(s) - 1, msg, line, col)

/* --- parser -------------------------------------------------------------- */

static void test_parse_values(void **state)
{
    (void)state;
    assert_string_equal(events("{\"a\": [1, -2.5, \"x\", null, true, false, {}, []]}"),
                        "{ k:a@1:2 [ i:1 f:-2.5 s:x n T F { } [ ] ] } ");
    assert_string_equal(events(" \t\r\n 42 \n"), "i:42 ");
    assert_string_equal(events("\"\""), "s: ");
    assert_string_equal(events("{\"a\":1,\n  \"a\":2}"), "{ k:a@1:2 i:1 k:a@2:3 i:2 } ");
    assert_string_equal(events("80.0"), "f:80 ");
    assert_string_equal(events("-0"), "i:0 ");
    assert_string_equal(events("1E2"), "f:100 ");
    assert_string_equal(events("1e-2"), "f:0.01 ");
    assert_string_equal(events("0.1"), "f:0.10000000000000001 ");
}

static void test_parse_integers(void **state)
{
    (void)state;
    assert_string_equal(events("9007199254740992"), "i:9007199254740992 ");
    assert_string_equal(events("9007199254740993"), "i:9007199254740993 ");
    assert_string_equal(events("9223372036854775807"), "i:9223372036854775807 ");
    assert_string_equal(events("-9223372036854775808"), "i:-9223372036854775808 ");
    assert_string_equal(events("9223372036854775808"), "f:9.2233720368547758e+18 ");
    assert_string_equal(events("-9223372036854775809"), "f:-9.2233720368547758e+18 ");
    assert_string_equal(events("100000000000000000000000"), "f:9.9999999999999992e+22 ");
    assert_string_equal(events("1e400"), "f:inf ");
}

static void test_parse_strings(void **state)
{
    (void)state;
    assert_string_equal(events("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""),
                        "s:a\"b\\c/d\b\f\n\r\t ");
    assert_string_equal(events("\"\\u00e9\\u20AC\""), "s:\xc3\xa9\xe2\x82\xac ");
    assert_string_equal(events("\"\\ud83d\\ude00!\""), "s:\xf0\x9f\x98\x80! ");
    assert_string_equal(events("\"caf\xc3\xa9 \xf0\x9f\x98\x80\""), "s:caf\xc3\xa9 \xf0\x9f\x98\x80 ");
    /* \u0000 becomes a NUL byte inside the string */
    Log g;
    memset(&g, 0, sizeof g);
    JsonError err;
    assert_int_equal(json_parse("\"a\\u0000b\"", 10, grab_string, &g, NULL, &err), JSON_OK);
    assert_int_equal(g.len, 3);
    assert_memory_equal(g.text, "a\0b", 3);
    /* An escaped string longer than the scratch buffer the caller gave. */
    char big[3000], small[8];
    size_t n = 0;
    big[n++] = '"';
    for (int k = 0; k < 700; k++) {
        memcpy(big + n, "\\n", 2);
        n += 2;
        big[n++] = 'x';
    }
    big[n++] = '"';
    memset(&g, 0, sizeof g);
    JsonParseOpts opts = {.scratch = small, .scratch_cap = sizeof small};
    assert_int_equal(json_parse(big, n, log_event, &g, &opts, &err), JSON_OK);
    assert_int_equal(g.len, 2 + 1400 + 1);
}

static void test_parse_errors(void **state)
{
    (void)state;
    ERR("", "Unexpected end of JSON input", 1, 1);
    ERR("   ", "Unexpected end of JSON input", 1, 4);
    ERR("[1,}", "Unexpected token } in JSON", 1, 4);
    ERR("{\"a\":1,}", "Unexpected token } in JSON", 1, 8);
    ERR("{\n  \"a\": 1\n  \"b\": 2\n}", "Unexpected string in JSON", 3, 3);
    ERR("[1 2]", "Unexpected number in JSON", 1, 4);
    ERR("{1:2}", "Unexpected number in JSON", 1, 2);
    ERR("{\"a\" 1}", "Unexpected number in JSON", 1, 6);
    ERR("[1", "Unexpected end of JSON input", 1, 3);
    ERR("{\"a\":", "Unexpected end of JSON input", 1, 6);
    ERR("1 2", "Unexpected non-whitespace character after JSON", 1, 3);
    ERR("{} x", "Unexpected non-whitespace character after JSON", 1, 4);
    ERR("\"abc", "Unterminated string in JSON", 1, 1);
    ERR("[\"a\\", "Unterminated string in JSON", 1, 2);
    ERR("\"a\nb\"", "Bad control character in string literal in JSON", 1, 3);
    ERR("\"a\tb\"", "Bad control character in string literal in JSON", 1, 3);
    ERR("\"\\n\x01\"", "Bad control character in string literal in JSON", 1, 4);
    ERR("\"a\\x\"", "Bad escaped character in JSON", 1, 3);
    ERR("\"\\u12G4\"", "Bad Unicode escape in JSON", 1, 2);
    ERR("\"\\u12\"", "Bad Unicode escape in JSON", 1, 2);
    ERR("\"\\ud800\"", "Lone surrogate in string in JSON", 1, 2);
    ERR("\"\\ud800\\u0041\"", "Lone surrogate in string in JSON", 1, 2);
    ERR("\"x\\udc00\"", "Lone surrogate in string in JSON", 1, 3);
    ERR("\"\xff\"", "Invalid UTF-8 in JSON", 1, 2);
    ERR("\"\xc0\xaf\"", "Invalid UTF-8 in JSON", 1, 2);
    ERR("\"\xed\xa0\x80\"", "Invalid UTF-8 in JSON", 1, 2);
    ERR("\"\xe2\x82\"", "Invalid UTF-8 in JSON", 1, 2);
    ERR("\"\\n\xff\"", "Invalid UTF-8 in JSON", 1, 4);
    ERR("\xff", "Invalid UTF-8 in JSON", 1, 1);
    ERR("[\xc3\xa9]", "Unexpected token \xc3\xa9 in JSON", 1, 2);
    ERR("{\"\xc3\xa9\xc3\xa9\": x}", "Unexpected token x in JSON", 1, 8);
    ERR("[\x01]", "Unexpected character U+0001 in JSON", 1, 2);
    ERR("01", "Unexpected number in JSON", 1, 2);
    ERR("-", "No number after minus sign in JSON", 1, 2);
    ERR("-a", "No number after minus sign in JSON", 1, 2);
    ERR("1.", "Unterminated fractional number in JSON", 1, 3);
    ERR("1.e5", "Unterminated fractional number in JSON", 1, 3);
    ERR("1e", "Exponent part is missing a number in JSON", 1, 3);
    ERR("1e+", "Exponent part is missing a number in JSON", 1, 4);
    ERR("+1", "Unexpected token + in JSON", 1, 1);
    ERR(".5", "Unexpected token . in JSON", 1, 1);
    ERR("NaN", "Unexpected token N in JSON", 1, 1);
    ERR("Infinity", "Unexpected token I in JSON", 1, 1);
    ERR("-Infinity", "No number after minus sign in JSON", 1, 2);
    ERR("[0x10]", "Unexpected token x in JSON", 1, 3);
    ERR("tru", "Unexpected end of JSON input", 1, 4);
    ERR("trUe", "Unexpected token U in JSON", 1, 3);
    ERR("nul", "Unexpected end of JSON input", 1, 4);
    ERR("[true false]", "Unexpected token f in JSON", 1, 7);
    ERR("{'a': 1}", "Unexpected token ' in JSON", 1, 2);
    ERR("[1]\x00", "Unexpected non-whitespace character after JSON", 1, 4);
    ERR("\xef\xbb\xbf{,}", "Unexpected token , in JSON", 1, 2);
    ERR("\xef\xbb\xbf", "Unexpected end of JSON input", 1, 1);
    ERR("{\"a\":1}\r\n\r\n]", "Unexpected non-whitespace character after JSON", 3, 1);
    ERR("[1,\r\r}", "Unexpected token } in JSON", 3, 1);
    ERR("[1,\r\n\n\r\r\n}", "Unexpected token } in JSON", 5, 1);
    ERR("\xc2\xa0 1", "Unexpected token \xc2\xa0 in JSON", 1, 1); /* NBSP is no space */
}

static void test_parse_bom(void **state)
{
    (void)state;
    assert_string_equal(events("\xef\xbb\xbf{\"a\":1}"), "{ k:a@1:2 i:1 } ");
    ERR("\xef\xbb\xbf\xef\xbb\xbf{}", "Unexpected token \xef\xbb\xbf in JSON", 1, 1);
}

static void test_parse_depth(void **state)
{
    (void)state;
    size_t n = 2 * 1001;
    char *s = malloc(n + 1);
    memset(s, '[', 1001);
    memset(s + 1001, ']', 1001);
    Log g;
    JsonError err;
    memset(&g, 0, sizeof g);
    /* 1000 levels parse; the 1001st is refused with a position */
    assert_int_equal(json_parse(s + 1, n - 2, log_event, &g, NULL, &err), JSON_OK);
    memset(&g, 0, sizeof g);
    assert_int_equal(json_parse(s, n, log_event, &g, NULL, &err), JSON_ESYNTAX);
    assert_string_equal(err.msg, "Nesting deeper than 1000 levels in JSON");
    assert_int_equal(err.column, 1001);
    JsonParseOpts opts = {.max_depth = 2};
    assert_int_equal(json_parse("[[[]]]", 6, log_event, &g, &opts, &err), JSON_ESYNTAX);
    assert_int_equal(err.column, 3);
    free(s);
}

static void test_parse_callback_stop(void **state)
{
    (void)state;
    Log g;
    memset(&g, 0, sizeof g);
    g.stop_after = 3;
    JsonError err;
    assert_int_equal(json_parse("[1, 2, 3, 4]", 12, log_event, &g, NULL, &err), 7);
    assert_string_equal(g.text, "[ i:1 i:2 ");
}

static void test_column(void **state)
{
    (void)state;
    const char *s = "ab\n\xc3\xa9\xf0\x9f\x98\x80x";
    assert_int_equal(json_column(s, 3, 3), 1);
    assert_int_equal(json_column(s, 3, 5), 2);
    assert_int_equal(json_column(s, 3, 9), 3);
    ERR("[\"\xc3\xa9\xf0\x9f\x98\x80\", x]", "Unexpected token x in JSON", 1, 8);
}

/* --- UTF-8 --------------------------------------------------------------- */

static void test_utf8(void **state)
{
    (void)state;
    struct { const char *s; size_t len; size_t want; } cases[] = {
        {"a", 1, 1},
        {"\xc2\x80", 2, 2},
        {"\xdf\xbf", 2, 2},
        {"\xe0\xa0\x80", 3, 3},
        {"\xef\xbf\xbf", 3, 3},
        {"\xf0\x90\x80\x80", 4, 4},
        {"\xf4\x8f\xbf\xbf", 4, 4},
        {"\xc0\x80", 2, 0},          /* overlong */
        {"\xc1\xbf", 2, 0},          /* overlong */
        {"\xe0\x9f\xbf", 3, 0},      /* overlong */
        {"\xf0\x8f\xbf\xbf", 4, 0},  /* overlong */
        {"\xed\xa0\x80", 3, 0},      /* surrogate */
        {"\xed\x9f\xbf", 3, 3},      /* U+D7FF */
        {"\xf4\x90\x80\x80", 4, 0},  /* > U+10FFFF */
        {"\xf5\x80\x80\x80", 4, 0},
        {"\x80", 1, 0},              /* lone continuation */
        {"\xe2\x82", 2, 0},          /* truncated */
        {"\xe2\x28\xa1", 3, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = json_utf8_seq((const unsigned char *)cases[i].s, cases[i].len);
        if (got != cases[i].want) {
            fail_msg("case %zu: got %zu want %zu", i, got, cases[i].want);
        }
    }
    size_t bad = 99;
    assert_true(json_utf8_valid("plain \xc3\xa9", 8, &bad));
    assert_false(json_utf8_valid("ok \xc3\xa9 \xff", 8, &bad));
    assert_int_equal(bad, 6);
    assert_true(json_utf8_valid("", 0, NULL));
}

/* --- output -------------------------------------------------------------- */

static void test_format_double(void **state)
{
    (void)state;
    struct { double d; const char *want; } cases[] = {
        {0.1, "0.1"},
        {1.5, "1.5"},
        {100.0, "100"},
        {-0.0, "0"},
        {0.0, "0"},
        {-2.5, "-2.5"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
        {123.456, "123.456"},
        {1e20, "100000000000000000000"},
        {1e21, "1e+21"},
        {1.5e21, "1.5e+21"},
        {123456789012345680000.0, "123456789012345680000"},
        {1e-6, "0.000001"},
        {1.5e-6, "0.0000015"},
        {1e-7, "1e-7"},
        {-1.5e-10, "-1.5e-10"},
        {9007199254740992.0, "9007199254740992"},
        {9007199254740994.0, "9007199254740994"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {5e-324, "5e-324"},
        {1e-323, "1e-323"},
        {5e-310, "5e-310"},
        {NAN, "null"},
        {INFINITY, "null"},
        {-INFINITY, "null"},
        {80.0, "80"},
        {0.000001234, "0.000001234"},
        {12345.6789e-3, "12.3456789"},
    };
    char out[JSON_NUMBUF];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = json_format_double(cases[i].d, out);
        if (strcmp(out, cases[i].want) != 0 || n != strlen(out)) {
            fail_msg("%.17g: got '%s' want '%s'", cases[i].d, out, cases[i].want);
        }
    }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Every finite double reads back exactly from its formatted text, through
 * our own parser, and the text is never longer than %.17g's. */
static void test_format_double_round_trip(void **state)
{
    (void)state;
    char out[JSON_NUMBUF];
    Log g;
    JsonError err;
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = rng();
        double d;
        if (i % 4 == 0) { /* also "everyday" values with few digits */
            d = (double)(int64_t)(bits % 2000001) / 1000.0 - 1000.0;
        } else {
            memcpy(&d, &bits, sizeof d);
        }
        if (!isfinite(d)) {
            continue;
        }
        size_t n = json_format_double(d, out);
        double back = strtod(out, NULL);
        if (back != d && !(d == 0 && back == 0)) {
            fail_msg("%.17g formatted as '%s' reads back as %.17g", d, out, back);
        }
        char ref[40];
        snprintf(ref, sizeof ref, "%.17g", d);
        assert_true(n <= strlen(ref) + 6); /* "0.00000" prefix at most */
        memset(&g, 0, sizeof g);
        assert_int_equal(json_parse(out, n, log_event, &g, NULL, &err), JSON_OK);
    }
}

static void test_write_string(void **state)
{
    (void)state;
    JsonBuf b = {0};
    const char in[] = "a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f \xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80";
    assert_int_equal(json_write_string(&b, in, sizeof in - 1, NULL), JSON_OK);
    const char want[] = "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9\xe2\x80\xa8"
                        "\xf0\x9f\x98\x80\"";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.data, want, b.len);
    /* NUL bytes are escaped, invalid UTF-8 is refused and leaves b as it was */
    assert_int_equal(json_write_string(&b, "\0", 1, NULL), JSON_OK);
    size_t before = b.len, bad = 0;
    assert_int_equal(json_write_string(&b, "ok\xc3(", 4, &bad), JSON_EUTF8);
    assert_int_equal(bad, 2);
    assert_int_equal(b.len, before);
    assert_memory_equal(b.data + before - 8, "\"\\u0000\"", 8);
    json_buf_free(&b);
    assert_null(b.data);
}

static void test_write_misc(void **state)
{
    (void)state;
    JsonBuf b = {0};
    assert_int_equal(json_write_integer(&b, INT64_MIN), JSON_OK);
    assert_int_equal(json_buf_add(&b, ",", 1), JSON_OK);
    assert_int_equal(json_write_double(&b, 2.5), JSON_OK);
    assert_int_equal(json_write_indent(&b, 2), JSON_OK);
    assert_int_equal(json_buf_add(&b, "x", 1), JSON_OK);
    assert_int_equal(b.len, strlen("-9223372036854775808,2.5\n    x"));
    assert_memory_equal(b.data, "-9223372036854775808,2.5\n    x", b.len);
    /* growth keeps content */
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(json_buf_add(&b, "0123456789", 10), JSON_OK);
    }
    assert_int_equal(b.len, 30 + 100000);
    assert_memory_equal(b.data + b.len - 10, "0123456789", 10);
    json_buf_free(&b);
}

/* Short decimals (m / 10^k, m < 1e15, k <= 6: what metrics usually hold)
 * take a fast path; it must print exactly the decimal m / 10^k, trimmed,
 * which is what printf gives with k decimals. */
static void test_format_double_short_decimals(void **state)
{
    (void)state;
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    uint64_t x = 88172645463325252ull; /* xorshift64 */
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int k = (int)(x % 7);
        uint64_t digits = 1 + (x >> 8) % 15;         /* 1..15 digits */
        uint64_t m = (x >> 12) % 1000000000000000ull;
        uint64_t lim = 1;
        for (uint64_t d = 0; d < digits; d++) {
            lim *= 10;
        }
        m %= lim;
        if (m == 0) {
            continue;
        }
        double d = (double)m / p10[k];
        if (i & 1) {
            d = -d;
        }
        char want[64], out[JSON_NUMBUF];
        snprintf(want, sizeof want, "%.*f", k, d);
        size_t n = strlen(want);
        if (strchr(want, '.')) {
            while (want[n - 1] == '0') {
                want[--n] = '\0';
            }
            if (want[n - 1] == '.') {
                want[--n] = '\0';
            }
        }
        if (strcmp(want, "-0") == 0) {
            continue;
        }
        json_format_double(d, out);
        assert_string_equal(out, want);
        assert_true(strtod(out, NULL) == d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_parse_integers),
        cmocka_unit_test(test_parse_strings),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_bom),
        cmocka_unit_test(test_parse_depth),
        cmocka_unit_test(test_parse_callback_stop),
        cmocka_unit_test(test_column),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_format_double),
        cmocka_unit_test(test_format_double_round_trip),
        cmocka_unit_test(test_format_double_short_decimals),
        cmocka_unit_test(test_write_string),
        cmocka_unit_test(test_write_misc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
