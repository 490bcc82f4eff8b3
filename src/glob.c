/* glob.c: compiles glob patterns (fast-glob/micromatch dialect,
 * collection.md §5). A pattern is brace-expanded once into alternatives
 * (nested, escapes kept, at most GLOB_MAX_ALTS), each split at '/' into
 * segments: literal (unescaped text), wildcard (* ? [..] \x within one
 * segment, matched by glob_match.c) or globstar (**). Depends on libc and
 * glob_internal.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob_internal.h"

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        c *= 2;
    }
    void *q = realloc(*p, c * elem);
    if (q == NULL) {
        return ENOMEM;
    }
    *p = q;
    *cap = c;
    return 0;
}

bool glob_has_magic(const char *s)
{
    return strpbrk(s, "*?[]{}") != NULL;
}

static int add_text(Glob *g, const char *s, size_t n)
{
    if (grow((void **)&g->text, &g->text_cap, g->text_len + n + 1, 1)) {
        return ENOMEM;
    }
    memcpy(g->text + g->text_len, s, n);
    g->text_len += n;
    g->text[g->text_len] = '\0';
    return 0;
}

/* Appends one segment s[0..n) to the alternative being built. */
static int add_seg(Glob *g, const char *s, size_t n)
{
    Seg seg = {.kind = SEG_LIT, .off = g->text_len};
    if (n == 2 && s[0] == '*' && s[1] == '*') {
        if (g->nsegs > g->alts[g->nalts - 1].first
            && g->segs[g->nsegs - 1].kind == SEG_STAR2) {
            return 0; /* a/ ** / ** /b is a/ ** /b */
        }
        seg.kind = SEG_STAR2;
    } else {
        for (size_t i = 0; i < n && seg.kind == SEG_LIT; i++) {
            bool hit;
            if (s[i] == '\\') {
                i++;
            } else if (s[i] == '*' || s[i] == '?'
                       || (s[i] == '[' && glob_class_match(s + i, n - i, 0, &hit) > 0)) {
                seg.kind = SEG_WILD;
            }
        }
    }
    if (seg.kind == SEG_WILD) {
        seg.dot_ok = s[0] == '.' || (n > 1 && s[0] == '\\' && s[1] == '.');
        if (add_text(g, s, n)) {
            return ENOMEM;
        }
    } else if (seg.kind == SEG_LIT) {
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\\' && i + 1 < n) {
                i++;
            }
            if (add_text(g, s + i, 1)) {
                return ENOMEM;
            }
        }
    }
    seg.len = g->text_len - seg.off;
    if (grow((void **)&g->segs, &g->segs_cap, g->nsegs + 1, sizeof(Seg))) {
        return ENOMEM;
    }
    g->segs[g->nsegs++] = seg;
    g->alts[g->nalts - 1].count++;
    return 0;
}

/* Adds one brace-free alternative, split at unescaped '/'. */
static int add_alt(Glob *g, const char *s, size_t n)
{
    if (grow((void **)&g->alts, &g->alts_cap, g->nalts + 1, sizeof(Alt))) {
        return ENOMEM;
    }
    g->alts[g->nalts++] = (Alt){.first = g->nsegs, .count = 0};
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] == '\\' && i + 1 < n && s[i + 1] != '/') {
            i++;
            continue;
        }
        bool esc_slash = i + 1 < n && s[i] == '\\';
        if (i == n || s[i] == '/' || esc_slash) {
            int rc = add_seg(g, s + start, i - start);
            if (rc) {
                return rc;
            }
            i += esc_slash;
            start = i + 1;
        }
    }
    return 0;
}

/* Finds the '}' closing the '{' at s[open]; reports a top-level comma. */
static size_t brace_close(const char *s, size_t n, size_t open, bool *comma)
{
    int depth = 0;
    *comma = false;
    for (size_t i = open; i < n; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '{') {
            depth++;
        } else if (s[i] == '}') {
            if (--depth == 0) {
                return i;
            }
        } else if (s[i] == ',' && depth == 1) {
            *comma = true;
        }
    }
    return 0;
}

static int expand(Glob *g, const char *s, size_t n, char *err, size_t errlen)
{
    size_t open = 0, close = 0;
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '{') {
            bool comma;
            size_t c = brace_close(s, n, i, &comma);
            if (c > 0 && comma) {
                open = i;
                close = c;
                found = true;
            }
        }
    }
    if (!found) {
        if (g->nalts >= GLOB_MAX_ALTS) {
            snprintf(err, errlen, "fs: glob pattern has more than %d brace alternatives",
                     GLOB_MAX_ALTS);
            return E2BIG;
        }
        return add_alt(g, s, n);
    }
    size_t pre = open, post = n - close - 1;
    char *tmp = malloc(n + 1);
    if (tmp == NULL) {
        return ENOMEM;
    }
    int rc = 0, depth = 0;
    size_t start = open + 1;
    for (size_t i = open + 1; i <= close && rc == 0; i++) {
        if (s[i] == '\\' && i < close) {
            i++;
            continue;
        }
        if (s[i] == '{') {
            depth++;
        } else if (s[i] == '}' && depth > 0) {
            depth--;
        } else if ((s[i] == ',' && depth == 0) || i == close) {
            size_t alen = i - start;
            memcpy(tmp, s, pre);
            memcpy(tmp + pre, s + start, alen);
            memcpy(tmp + pre + alen, s + close + 1, post);
            rc = expand(g, tmp, pre + alen + post, err, errlen);
            start = i + 1;
        }
    }
    free(tmp);
    return rc;
}

static int count_updirs(const char *s)
{
    int k = 0;
    while (s[0] == '.' && s[1] == '.' && (s[2] == '/' || s[2] == '\0')) {
        k++;
        s += s[2] ? 3 : 2;
    }
    return k;
}

/* Strips the '!' prefix (returns its parity) and leading "./". */
const char *glob_strip_prefix(const char *p, bool *negated)
{
    *negated = false;
    while (*p == '!') {
        *negated = !*negated;
        p++;
    }
    while (p[0] == '.' && p[1] == '/') {
        p += 2;
    }
    return p;
}

int glob_compile_body(const char *body, bool negated, Glob **out, char *err, size_t errlen)
{
    *out = NULL;
    Glob *g = calloc(1, sizeof *g);
    if (g == NULL) {
        snprintf(err, errlen, "fs: cannot compile glob: %s", strerror(ENOMEM));
        return ENOMEM;
    }
    g->negated = negated;
    g->updirs = count_updirs(body);
    err[0] = '\0';
    int rc = expand(g, body, strlen(body), err, errlen);
    if (rc == 0 && add_text(g, "", 0)) {
        rc = ENOMEM;
    }
    if (rc) {
        if (err[0] == '\0') {
            snprintf(err, errlen, "fs: cannot compile glob '%s': %s", body, strerror(rc));
        }
        glob_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

int glob_compile(const char *pattern, Glob **out, char *err, size_t errlen)
{
    bool neg;
    const char *body = glob_strip_prefix(pattern, &neg);
    return glob_compile_body(body, neg, out, err, errlen);
}

void glob_free(Glob *g)
{
    if (g != NULL) {
        free(g->text);
        free(g->segs);
        free(g->alts);
        free(g);
    }
}
