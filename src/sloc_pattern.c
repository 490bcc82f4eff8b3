/* sloc_pattern.c: the token patterns of sloc.h (literal bytes, classes,
 * "+", alternatives, "(?i)") compiled to byte sets and searched leftmost
 * with greedy backtracking, plus the UTF-8 character length the engine
 * needs. Pure C (libc only). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sloc_internal.h"

/* Bytes of the character at s[i] as a WHATWG UTF-8 decoder (Node's) sees
 * it: a valid sequence, or the maximal invalid subpart that becomes one
 * U+FFFD. */
size_t sloc_char_len(const unsigned char *s, size_t i, size_t end)
{
    unsigned char c = s[i];
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 1;
    }
    size_t n = 1;
    while (need-- > 0 && i + n < end && s[i + n] >= lo && s[i + n] <= hi) {
        n++;
        lo = 0x80;
        hi = 0xbf;
    }
    return n;
}

static void set_add(unsigned char *set, unsigned c, bool icase)
{
    set[c >> 3] |= (unsigned char)(1u << (c & 7));
    if (icase && c >= 'a' && c <= 'z') {
        set_add(set, c - 32, false);
    } else if (icase && c >= 'A' && c <= 'Z') {
        set_add(set, c + 32, false);
    }
}

static bool set_has(const unsigned char *set, unsigned char c)
{
    return (set[c >> 3] >> (c & 7)) & 1;
}

void sloc_pattern_free(Pattern *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->nalts; i++) {
        free(p->alts[i].atoms);
    }
    free(p->alts);
    free(p);
}

/* Parses one bracket class starting after '['; returns the position after
 * ']' or NULL when unterminated. */
static const char *parse_class(const char *s, Atom *a, bool icase)
{
    bool neg = false;
    unsigned char set[32] = {0};
    if (*s == '^' || *s == '!') {
        neg = true;
        s++;
    }
    bool first = true;
    while (*s && (*s != ']' || first)) {
        unsigned char lo = (unsigned char)*s;
        if (lo == '\\' && s[1]) {
            lo = (unsigned char)*++s;
        }
        s++;
        unsigned char hi = lo;
        if (s[0] == '-' && s[1] && s[1] != ']') {
            hi = (unsigned char)s[1];
            s += 2;
        }
        for (unsigned c = lo; c <= hi; c++) {
            set_add(set, c, icase);
        }
        first = false;
    }
    if (*s != ']') {
        return NULL;
    }
    for (int i = 0; i < 32; i++) {
        a->set[i] = neg ? (unsigned char)~set[i] : set[i];
    }
    return s + 1;
}

int sloc_pattern_compile(const char *src, Pattern **out, char *err, size_t errlen)
{
    *out = NULL;
    Pattern *p = calloc(1, sizeof *p);
    if (p == NULL) {
        goto nomem;
    }
    const char *s = src;
    bool icase = strncmp(s, "(?i)", 4) == 0;
    if (icase) {
        s += 4;
    }
    size_t cap_alts = 0;
    for (;;) {
        if (p->nalts == cap_alts) {
            size_t nc = cap_alts ? cap_alts * 2 : 2;
            Alt *na = realloc(p->alts, nc * sizeof *na);
            if (na == NULL) {
                goto nomem;
            }
            p->alts = na;
            cap_alts = nc;
        }
        Alt *alt = &p->alts[p->nalts++];
        alt->atoms = NULL;
        alt->n = 0;
        size_t cap = 0;
        while (*s && *s != '|') {
            if (*s == '+') {
                if (alt->n == 0 || alt->atoms[alt->n - 1].plus) {
                    snprintf(err, errlen, "sloc: bad pattern '%s': '+' must follow an atom", src);
                    sloc_pattern_free(p);
                    return EINVAL;
                }
                alt->atoms[alt->n - 1].plus = true;
                s++;
                continue;
            }
            if (alt->n == cap) {
                size_t nc = cap ? cap * 2 : 4;
                Atom *na = realloc(alt->atoms, nc * sizeof *na);
                if (na == NULL) {
                    goto nomem;
                }
                alt->atoms = na;
                cap = nc;
            }
            Atom *a = &alt->atoms[alt->n];
            memset(a, 0, sizeof *a);
            if (*s == '[') {
                s = parse_class(s + 1, a, icase);
                if (s == NULL) {
                    snprintf(err, errlen, "sloc: bad pattern '%s': unterminated '['", src);
                    sloc_pattern_free(p);
                    return EINVAL;
                }
            } else {
                if (*s == '\\' && s[1]) {
                    s++;
                }
                set_add(a->set, (unsigned char)*s, icase);
                s++;
            }
            alt->n++;
        }
        if (alt->n == 0) {
            snprintf(err, errlen, "sloc: bad pattern '%s': empty alternative", src);
            sloc_pattern_free(p);
            return EINVAL;
        }
        for (int i = 0; i < 32; i++) {
            p->first[i] |= alt->atoms[0].set[i];
        }
        if (*s != '|') {
            break;
        }
        s++;
    }
    p->only_first = -1;
    int nfirst = 0;
    for (unsigned c = 0; c < 256; c++) {
        if (set_has(p->first, (unsigned char)c)) {
            nfirst++;
            p->only_first = (int)c;
        }
    }
    if (nfirst != 1) {
        p->only_first = -1;
    }
    *out = p;
    return 0;
nomem:
    sloc_pattern_free(p);
    snprintf(err, errlen, "sloc: out of memory");
    return ENOMEM;
}

/* End of a match of alt's atoms from k on at position i, or NOPOS. */
static size_t match_atoms(const Alt *alt, size_t k, const unsigned char *s, size_t i, size_t end)
{
    for (; k < alt->n; k++) {
        const Atom *a = &alt->atoms[k];
        if (i >= end || !set_has(a->set, s[i])) {
            return NOPOS;
        }
        if (a->plus) { /* greedy over bytes, then backtrack (patterns are ASCII) */
            size_t q = i + 1;
            while (q < end && set_has(a->set, s[q])) {
                q++;
            }
            for (; q > i; q--) {
                size_t r = match_atoms(alt, k + 1, s, q, end);
                if (r != NOPOS) {
                    return r;
                }
            }
            return NOPOS;
        }
        i += sloc_char_len(s, i, end); /* a class like [^{] takes one character */
    }
    return i;
}

/* Leftmost match of p in s[from..end), alternatives in order. */
bool sloc_pattern_search(const Pattern *p, const unsigned char *s, size_t from, size_t end, Match *m)
{
    size_t i = from;
    while (i < end) {
        if (p->only_first >= 0) {
            const unsigned char *hit = memchr(s + i, p->only_first, end - i);
            if (hit == NULL) {
                return false;
            }
            i = (size_t)(hit - s);
        } else if (!set_has(p->first, s[i])) {
            i++;
            continue;
        }
        for (size_t a = 0; a < p->nalts; a++) {
            size_t r = match_atoms(&p->alts[a], 0, s, i, end);
            if (r != NOPOS) {
                m->index = i;
                m->len = r - i;
                return true;
            }
        }
        i++;
    }
    return false;
}
