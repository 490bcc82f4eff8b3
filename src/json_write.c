/* json_write.c: the output side of unentropy.json's pure C half (see
 * json.h): JavaScript-style shortest round-trip number formatting, string
 * escaping as JSON.stringify does it, and the growable buffer the encoder
 * writes into. Depends only on libc (snprintf/strtod). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Bytes that json_write_string cannot copy as they are. */
enum { C_PLAIN, C_SPECIAL, C_HIGH };
static const unsigned char str_class[256] = {
    [0 ... 0x1f] = C_SPECIAL,
    ['"'] = C_SPECIAL,
    ['\\'] = C_SPECIAL,
    [0x80 ... 0xff] = C_HIGH,
};

/* Fast path for the values metrics usually hold (87.5, 0.25, 12345): a
 * (positive, finite) that is m / 10^k for an integer m < 1e15 and k <= 6.
 * m's digits are then the shortest round-trip form, because two distinct
 * decimals of at most 15 significant digits never map to the same double
 * (DBL_DIG). Fills digits and pt (value = 0.digits * 10^pt) and returns the
 * digit count, or 0 when a is not such a value. */
static int short_decimal(double a, char digits[20], int *pt)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    if (!(a >= 1e-6 && a < 1e15)) {
        return 0;
    }
    for (int k = 0; k <= 6; k++) {
        double m = a * p10[k];
        if (m >= 1e15) {
            return 0;
        }
        /* Both operands are exact, so the division is the correctly rounded
         * value of the decimal m / 10^k: equal to a iff it round-trips. */
        if (m != floor(m) || m / p10[k] != a) {
            continue;
        }
        char tmp[20];
        int n = 0;
        for (uint64_t u = (uint64_t)m; u != 0; u /= 10) {
            tmp[n++] = (char)('0' + u % 10);
        }
        for (int i = 0; i < n; i++) {
            digits[i] = tmp[n - 1 - i];
        }
        *pt = n - k;
        return n;
    }
    return 0;
}

size_t json_format_double(double d, char out[JSON_NUMBUF])
{
    if (!isfinite(d)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (d == 0) {
        memcpy(out, "0", 2);
        return 1;
    }
    char digits[20];
    size_t o = 0;
    if (d < 0) {
        out[o++] = '-';
    }
    int pt;
    int k = short_decimal(fabs(d), digits, &pt);
    if (k == 0) {
        char buf[40];
        /* Subnormals carry fewer digits, so their shortest form may be
         * shorter than 15; for normal numbers a round-trip at 15 digits is
         * already the shortest once trailing zeros are dropped. */
        for (int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*e", prec - 1, fabs(d));
            if (strtod(buf, NULL) == fabs(d)) {
                break;
            }
        }
        /* buf is "d[.ddd]e[+-]xx" (the point may be the locale's). */
        int e = 0;
        const char *c = buf;
        for (; *c && *c != 'e'; c++) {
            if (*c >= '0' && *c <= '9' && k < (int)sizeof digits) {
                digits[k++] = *c;
            }
        }
        if (*c == 'e') {
            e = atoi(c + 1);
        }
        pt = e + 1; /* value = 0.digits * 10^pt */
    }
    while (k > 1 && digits[k - 1] == '0') {
        k--;
    }
    if (k <= pt && pt <= 21) {
        memcpy(out + o, digits, (size_t)k);
        o += (size_t)k;
        for (int z = k; z < pt; z++) {
            out[o++] = '0';
        }
    } else if (0 < pt && pt <= 21) {
        memcpy(out + o, digits, (size_t)pt);
        o += (size_t)pt;
        out[o++] = '.';
        memcpy(out + o, digits + pt, (size_t)(k - pt));
        o += (size_t)(k - pt);
    } else if (-6 < pt && pt <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int z = pt; z < 0; z++) {
            out[o++] = '0';
        }
        memcpy(out + o, digits, (size_t)k);
        o += (size_t)k;
    } else {
        out[o++] = digits[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, (size_t)(k - 1));
            o += (size_t)(k - 1);
        }
        o += (size_t)snprintf(out + o, JSON_NUMBUF - o, "e%c%d", pt - 1 < 0 ? '-' : '+',
                              abs(pt - 1));
    }
    out[o] = '\0';
    return o;
}

int json_buf_reserve(JsonBuf *b, size_t extra)
{
    if (extra <= b->cap - b->len) {
        return JSON_OK;
    }
    if (extra > SIZE_MAX / 2 - b->len) {
        return JSON_ENOMEM;
    }
    size_t cap = b->cap ? b->cap * 2 : 256;
    if (cap < b->len + extra) {
        cap = b->len + extra;
    }
    char *d = realloc(b->data, cap);
    if (d == NULL) {
        return JSON_ENOMEM;
    }
    b->data = d;
    b->cap = cap;
    return JSON_OK;
}

int json_buf_add(JsonBuf *b, const char *s, size_t n)
{
    if (json_buf_reserve(b, n) != JSON_OK) {
        return JSON_ENOMEM;
    }
    if (n) {
        memcpy(b->data + b->len, s, n);
    }
    b->len += n;
    return JSON_OK;
}

void json_buf_free(JsonBuf *b)
{
    free(b->data);
    *b = (JsonBuf){0};
}

int json_write_string(JsonBuf *b, const char *s, size_t n, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start_len = b->len, run = 0, i = 0;
    if (json_buf_reserve(b, n + 2) != JSON_OK) {
        return JSON_ENOMEM;
    }
    b->data[b->len++] = '"';
    while (i < n) {
        unsigned char c = u[i];
        switch (str_class[c]) {
        case C_PLAIN:
            i++;
            continue;
        case C_HIGH: {
            size_t k = json_utf8_seq(u + i, n - i);
            if (k == 0) {
                b->len = start_len;
                if (bad) {
                    *bad = i;
                }
                return JSON_EUTF8;
            }
            i += k;
            continue;
        }
        }
        char esc[8];
        size_t elen = 2;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            elen = (size_t)snprintf(esc, sizeof esc, "\\u%04x", c);
        }
        if (json_buf_add(b, s + run, i - run) || json_buf_add(b, esc, elen)) {
            b->len = start_len;
            return JSON_ENOMEM;
        }
        run = ++i;
    }
    if (json_buf_add(b, s + run, n - run) || json_buf_add(b, "\"", 1)) {
        b->len = start_len;
        return JSON_ENOMEM;
    }
    return JSON_OK;
}

int json_write_integer(JsonBuf *b, long long v)
{
    char tmp[24];
    int len = snprintf(tmp, sizeof tmp, "%lld", v);
    return json_buf_add(b, tmp, (size_t)len);
}

int json_write_double(JsonBuf *b, double d)
{
    char tmp[JSON_NUMBUF];
    size_t len = json_format_double(d, tmp);
    return json_buf_add(b, tmp, len);
}

int json_write_indent(JsonBuf *b, int depth)
{
    size_t w = 1 + 2 * (size_t)depth;
    if (json_buf_reserve(b, w) != JSON_OK) {
        return JSON_ENOMEM;
    }
    b->data[b->len] = '\n';
    memset(b->data + b->len + 1, ' ', w - 1);
    b->len += w;
    return JSON_OK;
}
