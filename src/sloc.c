/* sloc.c: the sloc 0.3.2 counting engine (see sloc.h). A port of sloc's
 * lib/sloc.js countComments/countMixed/lineSum over byte offsets instead
 * of substrings: JavaScript regex semantics are emulated exactly where they
 * matter (\s over UTF-8, ^ and $ in multiline mode, /^\s*$/mg match
 * advancement, substring clamping). Token patterns: sloc_pattern.c.
 * Pure C (libc only). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sloc.h"
#include "sloc_internal.h"

struct SlocLang {
    Pattern *single, *start, *stop; /* NULL: none (stop: end of line) */
    int quirk;
};

/* ---- JavaScript whitespace over UTF-8 --------------------------------- */

/* Length of the whitespace character (JS \s / trim set) at s[i], or 0. */
static size_t ws_len(const unsigned char *s, size_t i, size_t end)
{
    unsigned char c = s[i];
    if (c == ' ' || (c >= 0x09 && c <= 0x0d)) {
        return 1;
    }
    if (c < 0xc2) {
        return 0;
    }
    size_t left = end - i;
    if (c == 0xc2) {
        return left >= 2 && s[i + 1] == 0xa0 ? 2 : 0; /* U+00A0 */
    }
    if (left < 3) {
        return 0;
    }
    unsigned char b = s[i + 1], d = s[i + 2];
    if (c == 0xe1) {
        return b == 0x9a && d == 0x80 ? 3 : 0; /* U+1680 */
    }
    if (c == 0xe2) {
        if (b == 0x80 && ((d >= 0x80 && d <= 0x8a) || d == 0xa8 || d == 0xa9 || d == 0xaf)) {
            return 3; /* U+2000-200A, U+2028, U+2029, U+202F */
        }
        return b == 0x81 && d == 0x9f ? 3 : 0; /* U+205F */
    }
    if (c == 0xe3) {
        return b == 0x80 && d == 0x80 ? 3 : 0; /* U+3000 */
    }
    if (c == 0xef) {
        return b == 0xbb && d == 0xbf ? 3 : 0; /* U+FEFF */
    }
    return 0;
}

/* Length of the JS line terminator at s[i] (LF, CR, U+2028, U+2029), or 0. */
static size_t lt_len(const unsigned char *s, size_t i, size_t end)
{
    if (s[i] == '\n' || s[i] == '\r') {
        return 1;
    }
    if (s[i] == 0xe2 && end - i >= 3 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
        return 3;
    }
    return 0;
}

/* Does the input position p (b <= p) follow a line terminator? */
static bool after_lt(const unsigned char *s, size_t b, size_t p)
{
    if (p > b && (s[p - 1] == '\n' || s[p - 1] == '\r')) {
        return true;
    }
    return p >= b + 3 && s[p - 3] == 0xe2 && s[p - 2] == 0x80 && (s[p - 1] == 0xa8 || s[p - 1] == 0xa9);
}

/* /[^\s]/.test(s[b..e)) */
static bool has_content(const unsigned char *s, size_t b, size_t e)
{
    size_t i = b;
    while (i < e) {
        size_t w = ws_len(s, i, e);
        if (w == 0) {
            return true;
        }
        i += w;
    }
    return false;
}

/* (s[b..e).match(/^\s*$/mg) || []).length, emulating the global exec loop:
 * greedy \s* backtracks to the last position where $ holds, and an empty
 * match advances lastIndex by one character. */
static int64_t count_empty(const unsigned char *s, size_t b, size_t e)
{
    int64_t count = 0;
    size_t i = b;
    while (i <= e) {
        size_t p = i;
        if (!(p == b || after_lt(s, b, p))) {
            /* ^ only holds right after a line terminator: find the next. */
            while (p < e && lt_len(s, p, e) == 0) {
                p++;
            }
            if (p >= e) {
                break;
            }
            p += lt_len(s, p, e);
        }
        size_t q = p, dollar = NOPOS;
        for (;;) {
            if (q == e || lt_len(s, q, e) > 0) {
                dollar = q;
            }
            if (q >= e) {
                break;
            }
            size_t w = ws_len(s, q, e);
            if (w == 0) {
                break;
            }
            q += w;
        }
        if (dollar == NOPOS) {
            i = p + 1;
        } else {
            count++;
            if (dollar > p) {
                i = dollar;
            } else if (p < e) {
                i = p + lt_len(s, p, e); /* one character (s[p] is a terminator) */
            } else {
                break;
            }
        }
    }
    return count;
}

/* /$/m in s[from..end): the first line terminator, or the end. */
static Match end_of_line(const unsigned char *s, size_t from, size_t end)
{
    size_t i = from;
    while (i < end && lt_len(s, i, end) == 0) {
        i++;
    }
    return (Match){i, 0};
}

int sloc_lang_new(const char *single, const char *block_start, const char *block_stop, int quirk,
                  SlocLang **out, char *err, size_t errlen)
{
    *out = NULL;
    SlocLang *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(err, errlen, "sloc: out of memory");
        return ENOMEM;
    }
    l->quirk = quirk;
    int rc = 0;
    if (single && *single && quirk != SLOC_QUIRK_NIM) {
        rc = sloc_pattern_compile(single, &l->single, err, errlen);
    }
    if (rc == 0 && block_start && *block_start) {
        rc = sloc_pattern_compile(block_start, &l->start, err, errlen);
    }
    if (rc == 0 && block_stop && *block_stop) {
        rc = sloc_pattern_compile(block_stop, &l->stop, err, errlen);
    }
    if (rc != 0) {
        sloc_lang_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

void sloc_lang_free(SlocLang *l)
{
    if (l == NULL) {
        return;
    }
    sloc_pattern_free(l->single);
    sloc_pattern_free(l->start);
    sloc_pattern_free(l->stop);
    free(l);
}

/* ---- the counting engine ------------------------------------------------ */

size_t sloc_normalize(char *t, size_t len)
{
    size_t w = 0;
    for (size_t r = 0; r < len; r++) {
        if (t[r] == '\r') {
            t[w++] = '\n';
            if (r + 1 < len && t[r + 1] == '\n') {
                r++;
            }
        } else {
            t[w++] = t[r];
        }
    }
    if (w > 0 && t[w - 1] == '\n') {
        w--;
    }
    return w;
}

/* lineSum over pushed {start, stop} entries, computed as they are pushed. */
typedef struct LineSum {
    int64_t sum, prev_stop;
    bool any;
} LineSum;

static void linesum_push(LineSum *ls, int64_t start, int64_t stop)
{
    if (ls->any && start == ls->prev_stop) {
        ls->sum--;
    }
    ls->sum += stop - start + 1;
    ls->prev_stop = stop;
    ls->any = true;
}

typedef struct I64s {
    int64_t *v;
    size_t n, cap;
} I64s;

static int i64s_push(I64s *a, int64_t x)
{
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 16;
        int64_t *nv = realloc(a->v, nc * sizeof *nv);
        if (nv == NULL) {
            return ENOMEM;
        }
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = x;
    return 0;
}

/* A cached leftmost search: a result found from an earlier position stays
 * valid while it lies at or after the current one (no pattern looks
 * behind), and "no match" stays valid for good. */
typedef struct Cache {
    bool searched, found;
    Match m;
} Cache;

static bool cached_search(const Pattern *p, Cache *c, const unsigned char *s, size_t pos, size_t len, Match *m)
{
    if (p == NULL) {
        return false;
    }
    if (!c->searched || (c->found && c->m.index < pos)) {
        c->found = sloc_pattern_search(p, s, pos, len, &c->m);
        c->searched = true;
    }
    *m = c->m;
    return c->found;
}

/* The nim quirk (see sloc.h), with the first '#' cached the same way. */
static bool nim_single(Cache *c, const unsigned char *s, size_t pos, size_t len, Match *m)
{
    if (!c->searched || (c->found && c->m.index < pos)) {
        const unsigned char *h = memchr(s + pos, '#', len - pos);
        c->found = h != NULL;
        c->m.index = h ? (size_t)(h - s) : 0;
        c->searched = true;
    }
    if (!c->found) {
        return false;
    }
    size_t f = c->m.index;
    if (f + 1 < len && (s[f + 1] == '#' || s[f + 1] == '!')) {
        return false;
    }
    /* sloc's indexOfGroup: match.index (0) + "#".length = 1, length 1, in
     * UTF-16 units: the match is the second unit of the remaining text. An
     * astral first character holds both units: the "match" is its second
     * half, reported here as the position after it with length 0. */
    size_t c0 = sloc_char_len(s, pos, len);
    m->index = pos + c0;
    m->len = 0;
    if (c0 < 4 && m->index < len) {
        m->len = sloc_char_len(s, m->index, len);
    } else if (c0 < 4) {
        m->len = 1; /* past the end, as substring(2) of a 1-unit text */
    }
    return true;
}

int sloc_count(const SlocLang *lang, const char *text, size_t len, SlocCounts *out)
{
    const unsigned char *s = (const unsigned char *)text;
    memset(out, 0, sizeof *out);
    int64_t nl_total = 0;
    for (const unsigned char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s))) != NULL; p++) {
        nl_total++;
    }
    out->total = 1 + nl_total;
    out->empty = count_empty(s, 0, len);

    LineSum single = {0}, block = {0}, mixed = {0};
    I64s single_starts = {0}, block_stops = {0};
    int rc = 0;
    bool have_last = false;
    int64_t last_stop = 0, idx = 0;
    size_t pos = 0;
    Cache cstart = {0}, csingle = {0};

    while (pos < len) {
        if (s[pos] == '\n') {
            pos++;
            idx++;
            continue;
        }
        Match st, sg;
        bool hst = cached_search(lang->start, &cstart, s, pos, len, &st);
        bool hsg = lang->quirk == SLOC_QUIRK_NIM ? nim_single(&csingle, s, pos, len, &sg)
                                                 : cached_search(lang->single, &csingle, s, pos, len, &sg);
        /* lines[0] of code.split('\n') (or of the text before the match) */
        const unsigned char *nl0 = memchr(s + pos, '\n', len - pos);
        size_t line0_end = nl0 ? (size_t)(nl0 - s) : len;
        if (!hst && !hsg) {
            if (has_content(s, pos, line0_end) && have_last && last_stop == idx) {
                linesum_push(&mixed, idx, idx);
            }
            break;
        }
        bool is_block = hst && (!hsg || st.index <= sg.index);
        Match m = is_block ? st : sg;
        size_t mi = m.index;
        size_t cstart_abs = mi + m.len; /* may pass the end (nim quirk) */
        size_t cb = cstart_abs < len ? cstart_abs : len;

        int64_t nl = 0;
        size_t last_line_start = pos;
        for (size_t i = pos; i < mi; i++) {
            if (s[i] == '\n') {
                nl++;
                last_line_start = i + 1;
            }
        }
        int64_t start_idx = idx + nl;

        Match stop;
        if (is_block && lang->stop) {
            if (!sloc_pattern_search(lang->stop, s, cb, len, &stop)) {
                out->error = true;
                break;
            }
        } else {
            stop = end_of_line(s, cb, len);
        }
        size_t region_end = stop.index + stop.len;
        if (cstart_abs > len) {
            region_end = len;
        }
        int64_t empty = is_block ? count_empty(s, mi, region_end) : 0;
        int64_t body_nl = 0;
        for (size_t i = cb; i < stop.index; i++) {
            body_nl += s[i] == '\n';
        }
        /* countMixed(res, lines, idx, startIdx, match) */
        size_t l0e = line0_end < mi ? line0_end : mi;
        if (has_content(s, pos, l0e) && ((have_last && last_stop == idx) || start_idx == idx)) {
            linesum_push(&mixed, idx, idx);
        }
        if (has_content(s, last_line_start, mi)) {
            linesum_push(&mixed, start_idx, start_idx);
        }
        int64_t stop_idx = start_idx + body_nl;
        if (is_block) {
            linesum_push(&block, start_idx, stop_idx);
            out->block_empty += empty;
            rc = i64s_push(&block_stops, stop_idx);
        } else {
            linesum_push(&single, start_idx, stop_idx);
            rc = i64s_push(&single_starts, start_idx);
        }
        if (rc != 0) {
            goto out;
        }
        have_last = true;
        last_stop = stop_idx;
        idx = stop_idx;
        pos = cstart_abs > len ? len : region_end;
    }

    out->single = single.sum;
    out->block = block.sum;
    out->mixed = mixed.sum;
    out->comment = single.sum + block.sum;
    /* a single comment starting on a line where a block ends counts once;
     * both lists are non-decreasing */
    for (size_t i = 0, j = 0; i < single_starts.n; i++) {
        while (j < block_stops.n && block_stops.v[j] < single_starts.v[i]) {
            j++;
        }
        if (j < block_stops.n && block_stops.v[j] == single_starts.v[i]) {
            out->comment--;
        }
    }
    out->source = out->total - out->comment - out->empty + out->block_empty + out->mixed;
out:
    free(single_starts.v);
    free(block_stops.v);
    return rc;
}

int64_t sloc_nonempty_lines(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    int64_t n = 0;
    size_t i = 0;
    for (;;) {
        const unsigned char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        if (has_content(s, i, e)) {
            n++;
        }
        if (nl == NULL) {
            break;
        }
        i = e + 1;
    }
    return n;
}
