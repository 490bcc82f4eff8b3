/* glob_match.c: matching compiled glob patterns (see glob.h): wildcard
 * segments (* ? [..] \x, UTF-8 aware), the dotfile rule, and segment-level
 * matching with memoized backtracking over globstars; plus the pruning
 * helpers "could match below dir" and "covers dir". Depends on libc and
 * glob_internal.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glob_internal.h"

/* Decodes one UTF-8 sequence (invalid bytes count as one character). */
static size_t u8_decode(const char *s, size_t n, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len > n) {
        len = 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            len = 1;
            break;
        }
    }
    if (len == 1) {
        *cp = c;
        return 1;
    }
    unsigned v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        v = (v << 6) | (u[i] & 0x3F);
    }
    *cp = v;
    return len;
}

/* One class member character (with '\' escapes). */
static size_t class_char(const char *p, size_t n, unsigned *cp)
{
    if (p[0] == '\\' && n > 1) {
        return 1 + u8_decode(p + 1, n - 1, cp);
    }
    return u8_decode(p, n, cp);
}

static bool posix_class(const char *name, size_t len, unsigned cp, bool *known)
{
    static const struct {
        const char *name;
        const char *chars;
    } tab[] = {
        {"alpha", "AZaz"}, {"digit", "09"}, {"alnum", "AZaz09"}, {"upper", "AZ"},
        {"lower", "az"},   {"xdigit", "AFaf09"}, {"word", "AZaz09__"},
        {"space", "\t\r  "}, {"blank", "\t\t  "},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        if (strlen(tab[i].name) == len && memcmp(tab[i].name, name, len) == 0) {
            *known = true;
            for (const char *r = tab[i].chars; *r; r += 2) {
                if (cp >= (unsigned char)r[0] && cp <= (unsigned char)r[1]) {
                    return true;
                }
            }
            return false;
        }
    }
    if (len == 5 && memcmp(name, "punct", 5) == 0) {
        *known = true;
        return cp < 0x80 && cp > 0x20 && cp != 0x7F && !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            && !(cp >= '0' && cp <= '9');
    }
    *known = false;
    return false;
}

/* p points at '['. Returns the class length (brackets included), or 0 when
 * this is no class (then '[' is literal); *hit tells whether cp is in it. */
size_t glob_class_match(const char *p, size_t n, unsigned cp, bool *hit)
{
    size_t i = 1;
    bool neg = false, found = false, first = true;
    if (i < n && (p[i] == '!' || p[i] == '^')) {
        neg = true;
        i++;
    }
    while (i < n) {
        if (p[i] == ']' && !first) {
            *hit = found != neg;
            return i + 1;
        }
        first = false;
        if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
            const char *end = NULL;
            for (size_t k = i + 2; k + 1 < n; k++) {
                if (p[k] == ':' && p[k + 1] == ']') {
                    end = p + k;
                    break;
                }
            }
            bool known = false;
            if (end != NULL) {
                bool in = posix_class(p + i + 2, (size_t)(end - (p + i + 2)), cp, &known);
                if (known) {
                    found = found || in;
                    i = (size_t)(end - p) + 2;
                    continue;
                }
            }
        }
        unsigned lo, hi;
        i += class_char(p + i, n - i, &lo);
        if (i + 1 < n && p[i] == '-' && p[i + 1] != ']') {
            i++;
            i += class_char(p + i, n - i, &hi);
            found = found || (cp >= lo && cp <= hi);
        } else {
            found = found || cp == lo;
        }
    }
    return 0;
}

/* Matches one path segment against a wildcard segment text. */
static bool wild_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, sp = SIZE_MAX, ss = 0;
    while (si < sn) {
        if (pi < pn) {
            char c = p[pi];
            if (c == '*') {
                while (pi < pn && p[pi] == '*') {
                    pi++;
                }
                if (pi == pn) {
                    return true;
                }
                sp = pi;
                ss = si;
                continue;
            }
            unsigned cp;
            size_t cl = u8_decode(s + si, sn - si, &cp);
            if (c == '?') {
                pi++;
                si += cl;
                continue;
            }
            if (c == '[') {
                bool hit = false;
                size_t k = glob_class_match(p + pi, pn - pi, cp, &hit);
                if (k > 0 && hit) {
                    pi += k;
                    si += cl;
                    continue;
                }
                if (k == 0 && s[si] == '[') {
                    pi++;
                    si++;
                    continue;
                }
            } else if (c == '\\' && pi + 1 < pn) {
                if (s[si] == p[pi + 1]) {
                    pi += 2;
                    si++;
                    continue;
                }
            } else if (c == s[si]) {
                pi++;
                si++;
                continue;
            }
        }
        if (sp == SIZE_MAX) {
            return false;
        }
        unsigned cp;
        ss += u8_decode(s + ss, sn - ss, &cp);
        pi = sp;
        si = ss;
    }
    while (pi < pn && p[pi] == '*') {
        pi++;
    }
    return pi == pn;
}

static bool is_dotseg(Span s)
{
    return s.n > 0 && s.p[0] == '.';
}

static bool seg_match(const Glob *g, const Seg *seg, Span s)
{
    const char *t = g->text + seg->off;
    if (seg->kind == SEG_LIT) {
        return seg->len == s.n && memcmp(t, s.p, s.n) == 0;
    }
    if (is_dotseg(s)) {
        bool dots = s.n == 1 || (s.n == 2 && s.p[1] == '.');
        if (!seg->dot_ok || dots) {
            return false;
        }
    }
    return wild_match(t, seg->len, s.p, s.n);
}

typedef struct Ctx {
    const Glob *g;
    const Seg *ps;
    size_t np;
    const Span *ss;
    size_t ns;
    uint64_t memo[64]; /* failed (pi, si) pairs at globstars, when they fit */
    bool use_memo, memo_clear;
} Ctx;

static bool memo_test_set(Ctx *c, size_t pi, size_t si, bool set)
{
    if (!c->memo_clear) {
        memset(c->memo, 0, ((c->np + 1) * (c->ns + 1) + 63) / 64 * sizeof(uint64_t));
        c->memo_clear = true;
    }
    size_t bit = pi * (c->ns + 1) + si;
    if (set) {
        c->memo[bit / 64] |= (uint64_t)1 << (bit % 64);
        return true;
    }
    return (c->memo[bit / 64] >> (bit % 64)) & 1;
}

static bool match_from(Ctx *c, size_t pi, size_t si)
{
    while (pi < c->np) {
        const Seg *seg = &c->ps[pi];
        if (seg->kind == SEG_STAR2) {
            if (c->use_memo && memo_test_set(c, pi, si, false)) {
                return false;
            }
            for (size_t k = si;; k++) {
                if (match_from(c, pi + 1, k)) {
                    return true;
                }
                if (k == c->ns || is_dotseg(c->ss[k])) {
                    break;
                }
            }
            if (c->use_memo) {
                memo_test_set(c, pi, si, true);
            }
            return false;
        }
        if (si == c->ns || !seg_match(c->g, seg, c->ss[si])) {
            return false;
        }
        pi++;
        si++;
    }
    return si == c->ns;
}

static bool under_from(Ctx *c, size_t pi, size_t si)
{
    while (pi < c->np) {
        const Seg *seg = &c->ps[pi];
        if (seg->kind == SEG_STAR2) {
            for (size_t k = si;; k++) {
                if (k == c->ns || under_from(c, pi + 1, k)) {
                    return true;
                }
                if (is_dotseg(c->ss[k])) {
                    return false;
                }
            }
        }
        if (si == c->ns) {
            return true; /* the rest of the pattern can match below dir */
        }
        if (!seg_match(c->g, seg, c->ss[si])) {
            return false;
        }
        pi++;
        si++;
    }
    return false;
}

static void ctx_init(Ctx *c, const Glob *g, const Alt *a, const Span *ss, size_t ns)
{
    c->g = g;
    c->ps = g->segs + a->first;
    c->np = a->count;
    c->ss = ss;
    c->ns = ns;
    c->use_memo = (c->np + 1) * (ns + 1) <= 64 * 64;
    c->memo_clear = false;
}

bool glob_match_spans(const Glob *g, const Span *ss, size_t ns)
{
    for (size_t i = 0; i < g->nalts; i++) {
        Ctx c;
        ctx_init(&c, g, &g->alts[i], ss, ns);
        if (match_from(&c, 0, 0)) {
            return true;
        }
    }
    return false;
}

bool glob_under_spans(const Glob *g, const Span *ss, size_t ns)
{
    for (size_t i = 0; i < g->nalts; i++) {
        Ctx c;
        ctx_init(&c, g, &g->alts[i], ss, ns);
        c.use_memo = false;
        if (under_from(&c, 0, 0)) {
            return true;
        }
    }
    return false;
}

bool glob_covers_spans(const Glob *g, const Span *ss, size_t ns)
{
    for (size_t i = 0; i < g->nalts; i++) {
        const Alt *a = &g->alts[i];
        if (a->count == 0 || g->segs[a->first + a->count - 1].kind != SEG_STAR2) {
            continue;
        }
        Ctx c;
        ctx_init(&c, g, a, ss, ns);
        if (match_from(&c, 0, 0)) {
            return true;
        }
    }
    return false;
}

/* Splits a path into segments: inline storage, or malloc'd (*heap) when
 * long. Returns the count, or SIZE_MAX when out of memory. */
size_t glob_split(const char *path, size_t len, Span *inl, Span **out, Span **heap)
{
    *heap = NULL;
    *out = inl;
    if (len == 0) {
        return 0;
    }
    size_t n = 1;
    for (size_t i = 0; i < len; i++) {
        n += path[i] == '/';
    }
    if (n > SPANS_INLINE) {
        *heap = malloc(n * sizeof(Span));
        if (*heap == NULL) {
            return SIZE_MAX;
        }
        *out = *heap;
    }
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || path[i] == '/') {
            (*out)[k].p = path + start;
            (*out)[k].n = i - start;
            k++;
            start = i + 1;
        }
    }
    return k;
}

typedef bool (*spans_fn)(const Glob *g, const Span *ss, size_t ns);

static bool with_spans(const Glob *g, const char *path, size_t len, spans_fn fn)
{
    Span inl[SPANS_INLINE], *ss, *heap;
    size_t ns = glob_split(path, len, inl, &ss, &heap);
    bool r = ns != SIZE_MAX && fn(g, ss, ns);
    free(heap);
    return r;
}

bool glob_match(const Glob *g, const char *path, size_t len)
{
    return with_spans(g, path, len, glob_match_spans);
}

bool glob_match_under(const Glob *g, const char *dir, size_t len)
{
    return with_spans(g, dir, len, glob_under_spans);
}

bool glob_covers(const Glob *g, const char *dir, size_t len)
{
    return with_spans(g, dir, len, glob_covers_spans);
}

bool glob_negated(const Glob *g)
{
    return g->negated;
}

int glob_updirs(const Glob *g)
{
    return g->updirs;
}

