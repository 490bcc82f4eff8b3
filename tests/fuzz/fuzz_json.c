/* fuzz_json.c: libFuzzer harness for the pure C JSON parser (src/json.c).
 * For each input: parse it; on success re-serialize the events (strings via
 * json_write_string, floats via json_format_double), parse that again and
 * check that serializing is idempotent and every string is valid UTF-8; on
 * failure check the error position lies inside the input. Not part of the
 * CMake build; build and run by hand from the repository root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz_json.c src/json.c src/json_write.c -lm -o /tmp/fuzz_json
 *   /tmp/fuzz_json -max_total_time=60 -max_len=4096 /tmp/fuzz_json_corpus */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

typedef struct Ser {
    JsonBuf b;
    int depth;
    int after_key;
    unsigned char need_comma[JSON_MAX_DEPTH + 2];
} Ser;

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static int ser_event(void *ud, JsonEvent ev, const JsonToken *t)
{
    Ser *s = ud;
    char num[JSON_NUMBUF];
    if (ev != JSON_END_OBJECT && ev != JSON_END_ARRAY) {
        if (!s->after_key && s->need_comma[s->depth]) {
            json_buf_add(&s->b, ",", 1);
        }
        s->after_key = 0;
        s->need_comma[s->depth] = 1;
    }
    switch (ev) {
    case JSON_NULL: json_buf_add(&s->b, "null", 4); break;
    case JSON_FALSE: json_buf_add(&s->b, "false", 5); break;
    case JSON_TRUE: json_buf_add(&s->b, "true", 4); break;
    case JSON_INTEGER: json_write_integer(&s->b, t->integer); break;
    case JSON_FLOAT: json_buf_add(&s->b, num, json_format_double(t->number, num)); break;
    case JSON_STRING:
    case JSON_KEY:
        check(json_utf8_valid(t->str, t->len, NULL));
        check(json_write_string(&s->b, t->str, t->len, NULL) == JSON_OK);
        if (ev == JSON_KEY) {
            json_buf_add(&s->b, ":", 1);
            s->after_key = 1;
        }
        break;
    case JSON_BEGIN_OBJECT:
    case JSON_BEGIN_ARRAY:
        json_buf_add(&s->b, ev == JSON_BEGIN_OBJECT ? "{" : "[", 1);
        check(s->depth < JSON_MAX_DEPTH);
        s->need_comma[++s->depth] = 0;
        break;
    case JSON_END_OBJECT:
    case JSON_END_ARRAY:
        check(s->depth > 0);
        s->depth--;
        json_buf_add(&s->b, ev == JSON_END_OBJECT ? "}" : "]", 1);
        break;
    }
    return 0;
}

static int serialize(const char *in, size_t n, Ser *s, JsonError *err)
{
    memset(s, 0, sizeof *s);
    char scratch[16]; /* small, so the grow path is exercised */
    JsonParseOpts opts = {.scratch = scratch, .scratch_cap = sizeof scratch};
    return json_parse(in, n, ser_event, s, &opts, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Ser a, b;
    JsonError err;
    int rc = serialize((const char *)data, size, &a, &err);
    if (rc != JSON_OK) {
        check(rc == JSON_ESYNTAX);
        check(err.offset <= size && err.line >= 1 && err.column >= 1);
        check(err.column <= err.offset + 1);
        json_buf_free(&a.b);
        return 0;
    }
    check(a.depth == 0);
    rc = serialize(a.b.data, a.b.len, &b, &err);
    check(rc == JSON_OK);
    check(a.b.len == b.b.len && memcmp(a.b.data, b.b.data, a.b.len) == 0);
    json_buf_free(&a.b);
    json_buf_free(&b.b);
    return 0;
}
