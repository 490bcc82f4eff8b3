/* json.h: the Lua-free half of unentropy.json. A single-pass JSON parser
 * (RFC 8259, strict) that reports values as events to a callback, UTF-8
 * validation, JavaScript-style number formatting, string escaping and a
 * growable output buffer. Depends only on libc; ljson.c builds Lua values on
 * top of it and tests/c/test_json.c drives it with cmocka. */
#ifndef UNENTROPY_JSON_H
#define UNENTROPY_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 1000 /* default nesting limit of json_parse */
#define JSON_NUMBUF 32      /* room for any json_format_double output */

/* Return codes (a callback's own positive rc is passed through as is). */
#define JSON_OK 0
#define JSON_ESYNTAX (-1) /* malformed input; JsonError says where */
#define JSON_ENOMEM (-2)
#define JSON_EUTF8 (-3) /* json_write_string: invalid UTF-8 */

typedef enum JsonEvent {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_INTEGER, /* literal without fraction/exponent that fits int64 */
    JSON_FLOAT,   /* any other number (strtod, correctly rounded) */
    JSON_STRING,
    JSON_KEY, /* an object member name; its value's events follow */
    JSON_BEGIN_OBJECT,
    JSON_END_OBJECT,
    JSON_BEGIN_ARRAY,
    JSON_END_ARRAY,
} JsonEvent;

/* What a callback sees. str/len (STRING, KEY) are the unescaped UTF-8 bytes,
 * not NUL-terminated, borrowed: valid only during the callback. */
typedef struct JsonToken {
    const char *str;
    size_t len;
    long long integer; /* JSON_INTEGER */
    double number;     /* JSON_FLOAT */
    size_t offset;     /* byte offset of the token's first byte */
    size_t line;       /* 1-based line of the token */
    size_t line_start; /* byte offset where that line starts */
} JsonToken;

/* Returns 0 to go on; any other value stops the parse and is returned by
 * json_parse. The callback may also longjmp (lua_error) out of json_parse:
 * the parser holds no resources of its own then, provided that the caller
 * gave a grow function (see JsonParseOpts). */
typedef int (*JsonCallback)(void *ud, JsonEvent ev, const JsonToken *tok);

typedef struct JsonParseOpts {
    int max_depth;      /* 0 means JSON_MAX_DEPTH */
    char *scratch;      /* optional initial buffer for unescaped strings */
    size_t scratch_cap; /* its size */
    /* Optional: returns a caller-owned buffer of at least `need` bytes (the
     * old contents need not be kept) or NULL. Without it the parser
     * mallocs its own and frees it before returning. */
    char *(*grow)(void *ud, size_t need);
} JsonParseOpts;

typedef struct JsonError {
    size_t offset; /* byte offset of the error */
    size_t line;   /* 1-based */
    size_t column; /* 1-based, in UTF-8 characters */
    char msg[112]; /* "<reason>", e.g. "Unexpected token } in JSON" */
} JsonError;

/* Parses s[0..n) (embedded NULs allowed, no terminator needed), skipping a
 * leading UTF-8 BOM. Events come in document order; an object's duplicate
 * keys are all reported (the callback decides). opts may be NULL. Returns
 * JSON_OK, JSON_ESYNTAX or JSON_ENOMEM (err filled), or the callback's rc. */
int json_parse(const char *s, size_t n, JsonCallback cb, void *ud,
               const JsonParseOpts *opts, JsonError *err);

/* 1-based column of byte `offset` on the line that starts at `line_start`:
 * one plus the number of UTF-8 characters before it on that line. */
size_t json_column(const char *s, size_t line_start, size_t offset);

/* Length (1-4) of the well-formed UTF-8 sequence at s (at most avail bytes),
 * or 0 if it is invalid (overlong, surrogate, > U+10FFFF, truncated). */
size_t json_utf8_seq(const unsigned char *s, size_t avail);

/* 1 if s[0..n) is valid UTF-8; otherwise 0 and *bad (if not NULL) is the
 * offset of the first invalid sequence. */
int json_utf8_valid(const char *s, size_t n, size_t *bad);

/* Writes d as JavaScript's Number#toString would, shortest round-trip digits
 * (first of 15, 16, 17 significant digits that reads back exactly): 0.1,
 * 1.5, 100, 1e+21, 1.5e-7. -0 gives "0"; NaN and infinities give "null".
 * out gets a NUL-terminated string; returns its length. */
size_t json_format_double(double d, char out[JSON_NUMBUF]);

/* Growable byte buffer. Zero-initialize; release with json_buf_free. */
typedef struct JsonBuf {
    char *data;
    size_t len;
    size_t cap;
} JsonBuf;

/* Ensures room for `extra` more bytes: JSON_OK or JSON_ENOMEM. */
int json_buf_reserve(JsonBuf *b, size_t extra);
int json_buf_add(JsonBuf *b, const char *s, size_t n);
void json_buf_free(JsonBuf *b);

/* Appends s[0..n) as a quoted JSON string, escaping as JSON.stringify does
 * (\" \\ \b \f \n \r \t, other controls as \u00xx) and keeping other UTF-8
 * as is. Returns JSON_OK, JSON_ENOMEM, or JSON_EUTF8 with *bad (if not NULL)
 * the offset of the first invalid byte; b->len is unchanged on error. */
int json_write_string(JsonBuf *b, const char *s, size_t n, size_t *bad);

/* Appends a number: integers exactly, doubles via json_format_double. */
int json_write_integer(JsonBuf *b, long long v);
int json_write_double(JsonBuf *b, double d);

/* Appends "\n" and 2*depth spaces (JSON.stringify(v, null, 2) layout). */
int json_write_indent(JsonBuf *b, int depth);

#endif
