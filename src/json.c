/* json.c: the parsing side of unentropy.json's pure C half (see json.h): a
 * recursive descent parser over a byte buffer that reports events to a
 * callback, with V8-style error texts and line/column positions, and UTF-8
 * validation. Output (numbers, escaping, buffers) is in json_write.c.
 * Depends only on libc (strtod, correctly rounded in glibc). */
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Byte classes inside a string: plain ASCII, quote, backslash, control
 * character, start of a multi-byte (or invalid) UTF-8 sequence. */
enum { C_PLAIN, C_QUOTE, C_BSLASH, C_CTRL, C_HIGH };
static const unsigned char str_class[256] = {
    [0 ... 0x1f] = C_CTRL,
    ['"'] = C_QUOTE,
    ['\\'] = C_BSLASH,
    [0x80 ... 0xff] = C_HIGH,
};

typedef struct Parser {
    const unsigned char *s;
    size_t n, pos;
    size_t line, line_start;
    int depth, max_depth;
    JsonCallback cb;
    void *ud;
    char *scratch;
    size_t cap;
    int owned; /* scratch was malloc'd here */
    char *(*grow)(void *ud, size_t need);
    JsonError *err;
} Parser;

static int parse_value(Parser *p);

size_t json_column(const char *s, size_t line_start, size_t offset)
{
    size_t col = 1;
    for (size_t i = line_start; i < offset; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    return col;
}

size_t json_utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        return (avail >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (s[2] & 0xC0) != 0x80) {
            return 0;
        }
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return (s[1] >= lo && s[1] <= hi) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) {
            return 0;
        }
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return (s[1] >= lo && s[1] <= hi) ? 4 : 0;
    }
    return 0;
}

int json_utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = json_utf8_seq(u + i, n - i);
        if (k == 0) {
            if (bad) {
                *bad = i;
            }
            return 0;
        }
        i += k;
    }
    return 1;
}

/* --- parser -------------------------------------------------------------- */

static int fail(Parser *p, size_t off, const char *fmt, ...)
{
    JsonError *e = p->err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->offset = off;
    e->line = p->line;
    e->column = json_column((const char *)p->s, p->line_start, off);
    return JSON_ESYNTAX;
}

/* The error for a byte that cannot start what the grammar expects here. */
static int unexpected(Parser *p, size_t off)
{
    if (off >= p->n) {
        return fail(p, off, "Unexpected end of JSON input");
    }
    unsigned char c = p->s[off];
    if (c == '"') {
        return fail(p, off, "Unexpected string in JSON");
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        return fail(p, off, "Unexpected number in JSON");
    }
    if (c < 0x20 || c == 0x7f) {
        return fail(p, off, "Unexpected character U+%04X in JSON", c);
    }
    size_t k = json_utf8_seq(p->s + off, p->n - off);
    if (k == 0) {
        return fail(p, off, "Invalid UTF-8 in JSON");
    }
    return fail(p, off, "Unexpected token %.*s in JSON", (int)k, (const char *)p->s + off);
}

static void skip_ws(Parser *p)
{
    const unsigned char *s = p->s;
    size_t i = p->pos, n = p->n;
    while (i < n) {
        unsigned char c = s[i];
        if (c == ' ' || c == '\t' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
            i++;
        } else if (c == '\n' || c == '\r') { /* LF, CRLF or a lone CR */
            i++;
            p->line++;
            p->line_start = i;
        } else {
            break;
        }
    }
    p->pos = i;
}

static int emit(Parser *p, JsonEvent ev, JsonToken *t, size_t offset)
{
    t->offset = offset;
    t->line = p->line;
    t->line_start = p->line_start;
    int rc = p->cb(p->ud, ev, t);
    if (rc != 0) {
        snprintf(p->err->msg, sizeof p->err->msg, "stopped by the callback");
        p->err->offset = offset;
        p->err->line = p->line;
        p->err->column = json_column((const char *)p->s, p->line_start, offset);
    }
    return rc;
}

/* Makes p->scratch hold at least `need` bytes. */
static int reserve_scratch(Parser *p, size_t need)
{
    if (need <= p->cap) {
        return JSON_OK;
    }
    char *b;
    if (p->grow) {
        b = p->grow(p->ud, need);
    } else {
        size_t cap = p->cap * 2 > need ? p->cap * 2 : need;
        b = p->owned ? realloc(p->scratch, cap) : malloc(cap);
        if (b) {
            p->owned = 1;
            need = cap;
        }
    }
    if (b == NULL) {
        snprintf(p->err->msg, sizeof p->err->msg, "out of memory");
        p->err->offset = p->pos;
        p->err->line = p->line;
        p->err->column = json_column((const char *)p->s, p->line_start, p->pos);
        return JSON_ENOMEM;
    }
    p->scratch = b;
    p->cap = need;
    return JSON_OK;
}

static int hex4(const unsigned char *s, size_t avail, unsigned *out)
{
    unsigned v = 0;
    if (avail < 4) {
        return 0;
    }
    for (int k = 0; k < 4; k++) {
        unsigned char c = s[k];
        unsigned d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        } else {
            return 0;
        }
        v = v * 16 + d;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the \-escape at s[*i] into o; advances *i and returns the bytes
 * written, or a JSON_* error. */
static int unescape(Parser *p, size_t *i, char *o, size_t *olen)
{
    const unsigned char *s = p->s;
    size_t at = *i, n = p->n;
    unsigned char e = s[at + 1];
    const char *simple = strchr("\"\\/bfnrt", e);
    if (e != 0 && simple != NULL) {
        static const char out[] = "\"\\/\b\f\n\r\t";
        o[0] = out[simple - "\"\\/bfnrt"];
        *olen = 1;
        *i = at + 2;
        return JSON_OK;
    }
    if (e != 'u') {
        return fail(p, at, "Bad escaped character in JSON");
    }
    unsigned cp, lo;
    if (!hex4(s + at + 2, n - at - 2, &cp)) {
        return fail(p, at, "Bad Unicode escape in JSON");
    }
    size_t used = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (n - at < 12 || s[at + 6] != '\\' || s[at + 7] != 'u' ||
            !hex4(s + at + 8, n - at - 8, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
            return fail(p, at, "Lone surrogate in string in JSON");
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        used = 12;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return fail(p, at, "Lone surrogate in string in JSON");
    }
    *olen = put_utf8(o, cp);
    *i = at + used;
    return JSON_OK;
}

/* The string at p->pos (an opening quote) into t->str/len; p->pos ends past
 * the closing quote. Strings without escapes point into the input. */
static int parse_string(Parser *p, JsonToken *t)
{
    const unsigned char *s = p->s;
    size_t n = p->n, start = p->pos + 1, i = start, k;
    for (;;) {
        if (i >= n) {
            return fail(p, p->pos, "Unterminated string in JSON");
        }
        switch (str_class[s[i]]) {
        case C_PLAIN:
            i++;
            continue;
        case C_QUOTE:
            t->str = (const char *)s + start;
            t->len = i - start;
            p->pos = i + 1;
            return JSON_OK;
        case C_CTRL:
            return fail(p, i, "Bad control character in string literal in JSON");
        case C_HIGH:
            if ((k = json_utf8_seq(s + i, n - i)) == 0) {
                return fail(p, i, "Invalid UTF-8 in JSON");
            }
            i += k;
            continue;
        }
        break; /* C_BSLASH */
    }
    /* Escapes: the decoded text is never longer than the source span. */
    size_t j = i;
    while (j < n && s[j] != '"' && s[j] >= 0x20) {
        j += s[j] == '\\' ? 2 : 1;
    }
    int rc = reserve_scratch(p, (j < n ? j : n) - start + 1);
    if (rc != JSON_OK) {
        return rc;
    }
    char *o = p->scratch;
    size_t olen = i - start;
    memcpy(o, s + start, olen);
    while (i < n) {
        switch (str_class[s[i]]) {
        case C_PLAIN:
            o[olen++] = (char)s[i++];
            continue;
        case C_QUOTE:
            t->str = o;
            t->len = olen;
            p->pos = i + 1;
            return JSON_OK;
        case C_CTRL:
            return fail(p, i, "Bad control character in string literal in JSON");
        case C_HIGH:
            if ((k = json_utf8_seq(s + i, n - i)) == 0) {
                return fail(p, i, "Invalid UTF-8 in JSON");
            }
            memcpy(o + olen, s + i, k);
            olen += k;
            i += k;
            continue;
        }
        if (i + 1 >= n) {
            break; /* a backslash as the last byte */
        }
        size_t w = 0;
        if ((rc = unescape(p, &i, o + olen, &w)) != JSON_OK) {
            return rc;
        }
        olen += w;
    }
    return fail(p, p->pos, "Unterminated string in JSON");
}

static int is_digit(const Parser *p, size_t i)
{
    return i < p->n && p->s[i] >= '0' && p->s[i] <= '9';
}

static int parse_number(Parser *p)
{
    const unsigned char *s = p->s;
    size_t start = p->pos, i = start;
    int neg = s[i] == '-', is_int = 1;
    JsonToken t = {0};
    i += (size_t)neg;
    if (!is_digit(p, i)) {
        return fail(p, i, "No number after minus sign in JSON");
    }
    if (s[i] == '0') {
        if (is_digit(p, ++i)) {
            return fail(p, i, "Unexpected number in JSON");
        }
    } else {
        while (is_digit(p, i)) {
            i++;
        }
    }
    size_t int_end = i;
    if (i < p->n && s[i] == '.') {
        if (!is_digit(p, ++i)) {
            return fail(p, i, "Unterminated fractional number in JSON");
        }
        while (is_digit(p, i)) {
            i++;
        }
        is_int = 0;
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (!is_digit(p, i)) {
            return fail(p, i, "Exponent part is missing a number in JSON");
        }
        while (is_digit(p, i)) {
            i++;
        }
        is_int = 0;
    }
    p->pos = i;
    if (is_int) {
        unsigned long long m = 0, limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
        size_t d = start + (size_t)neg;
        for (; d < int_end; d++) {
            unsigned v = s[d] - '0';
            if (m > (limit - v) / 10) {
                break;
            }
            m = m * 10 + v;
        }
        if (d == int_end) {
            if (!neg) {
                t.integer = (long long)m;
            } else {
                t.integer = m > LLONG_MAX ? LLONG_MIN : -(long long)m;
            }
            return emit(p, JSON_INTEGER, &t, start);
        }
    }
    /* strtod needs a terminated copy in the C locale's notation. */
    size_t len = i - start;
    int rc = reserve_scratch(p, len + 1);
    if (rc != JSON_OK) {
        return rc;
    }
    memcpy(p->scratch, s + start, len);
    p->scratch[len] = '\0';
    char point = localeconv()->decimal_point[0];
    if (point != '.') {
        char *dot = memchr(p->scratch, '.', len);
        if (dot) {
            *dot = point;
        }
    }
    t.number = strtod(p->scratch, NULL);
    return emit(p, JSON_FLOAT, &t, start);
}

static int parse_literal(Parser *p, const char *word, JsonEvent ev)
{
    size_t start = p->pos;
    for (size_t k = 0; word[k]; k++) {
        if (start + k >= p->n || p->s[start + k] != (unsigned char)word[k]) {
            return unexpected(p, start + k);
        }
    }
    p->pos = start + strlen(word);
    JsonToken t = {0};
    return emit(p, ev, &t, start);
}

static int parse_container(Parser *p, int is_obj)
{
    const unsigned char *s = p->s;
    unsigned char close = is_obj ? '}' : ']';
    JsonToken t = {0};
    int rc;
    if (++p->depth > p->max_depth) {
        return fail(p, p->pos, "Nesting deeper than %d levels in JSON", p->max_depth);
    }
    if ((rc = emit(p, is_obj ? JSON_BEGIN_OBJECT : JSON_BEGIN_ARRAY, &t, p->pos))) {
        return rc;
    }
    p->pos++;
    skip_ws(p);
    if (p->pos < p->n && s[p->pos] == close) {
        goto done;
    }
    for (;;) {
        if (is_obj) {
            size_t at = p->pos;
            if (at >= p->n || s[at] != '"') {
                return unexpected(p, at);
            }
            if ((rc = parse_string(p, &t)) || (rc = emit(p, JSON_KEY, &t, at))) {
                return rc;
            }
            skip_ws(p);
            if (p->pos >= p->n || s[p->pos] != ':') {
                return unexpected(p, p->pos);
            }
            p->pos++;
        }
        if ((rc = parse_value(p))) {
            return rc;
        }
        skip_ws(p);
        if (p->pos < p->n && s[p->pos] == ',') {
            p->pos++;
            skip_ws(p);
            continue;
        }
        if (p->pos < p->n && s[p->pos] == close) {
            break;
        }
        return unexpected(p, p->pos);
    }
done:
    p->depth--;
    t = (JsonToken){0};
    rc = emit(p, is_obj ? JSON_END_OBJECT : JSON_END_ARRAY, &t, p->pos);
    p->pos++;
    return rc;
}

static int parse_value(Parser *p)
{
    skip_ws(p);
    if (p->pos >= p->n) {
        return unexpected(p, p->pos);
    }
    switch (p->s[p->pos]) {
    case '{':
        return parse_container(p, 1);
    case '[':
        return parse_container(p, 0);
    case '"': {
        JsonToken t = {0};
        size_t at = p->pos;
        int rc = parse_string(p, &t);
        return rc ? rc : emit(p, JSON_STRING, &t, at);
    }
    case 't':
        return parse_literal(p, "true", JSON_TRUE);
    case 'f':
        return parse_literal(p, "false", JSON_FALSE);
    case 'n':
        return parse_literal(p, "null", JSON_NULL);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(p);
    default:
        return unexpected(p, p->pos);
    }
}

int json_parse(const char *s, size_t n, JsonCallback cb, void *ud,
               const JsonParseOpts *opts, JsonError *err)
{
    Parser p = {
        .s = (const unsigned char *)s, .n = n, .line = 1,
        .max_depth = JSON_MAX_DEPTH, .cb = cb, .ud = ud, .err = err,
    };
    if (opts) {
        p.max_depth = opts->max_depth > 0 ? opts->max_depth : JSON_MAX_DEPTH;
        p.scratch = opts->scratch;
        p.cap = opts->scratch ? opts->scratch_cap : 0;
        p.grow = opts->grow;
    }
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        p.pos = p.line_start = 3;
    }
    int rc = parse_value(&p);
    if (rc == JSON_OK) {
        skip_ws(&p);
        if (p.pos < n) {
            rc = fail(&p, p.pos, "Unexpected non-whitespace character after JSON");
        }
    }
    if (p.owned) {
        free(p.scratch);
    }
    return rc;
}
