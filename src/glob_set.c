/* glob_set.c: ordered pattern lists (collection.md §5 "Ordered matching"):
 * start excluded when some pattern is positive, included when all are
 * negated, the last matching pattern wins; plus the pruning decision used
 * by glob expansion. Depends on libc and glob_internal.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob_internal.h"

struct GlobSet {
    Glob **g;
    size_t n;
    bool has_positive;
    int updirs;
};

int globset_compile(const char *const *patterns, size_t n, const char *base_abs,
                    GlobSet **out, char *err, size_t errlen)
{
    *out = NULL;
    GlobSet *s = calloc(1, sizeof *s);
    if (s == NULL || (n > 0 && (s->g = calloc(n, sizeof(Glob *))) == NULL)) {
        free(s);
        snprintf(err, errlen, "fs: cannot compile globs: %s", strerror(ENOMEM));
        return ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        bool neg;
        const char *body = glob_strip_prefix(patterns[i], &neg);
        char *rel = NULL;
        if (base_abs != NULL && body[0] == '/') {
            rel = glob_relativize(body, base_abs, true);
            if (rel == NULL) {
                snprintf(err, errlen, "fs: cannot compile globs: %s", strerror(ENOMEM));
                globset_free(s);
                return ENOMEM;
            }
            body = rel;
        }
        int rc = glob_compile_body(body, neg, &s->g[i], err, errlen);
        free(rel);
        if (rc) {
            globset_free(s);
            return rc;
        }
        s->n++;
        if (!neg) {
            s->has_positive = true;
            if (s->g[i]->updirs > s->updirs) {
                s->updirs = s->g[i]->updirs;
            }
        }
    }
    *out = s;
    return 0;
}

void globset_free(GlobSet *s)
{
    if (s != NULL) {
        for (size_t i = 0; i < s->n; i++) {
            glob_free(s->g[i]);
        }
        free(s->g);
        free(s);
    }
}

size_t globset_size(const GlobSet *s)
{
    return s->n;
}

int globset_updirs(const GlobSet *s)
{
    return s->updirs;
}

bool globset_match(const GlobSet *s, const char *path, size_t len)
{
    Span inl[SPANS_INLINE], *ss, *heap;
    size_t ns = glob_split(path, len, inl, &ss, &heap);
    bool r = !s->has_positive;
    if (ns != SIZE_MAX) {
        for (size_t i = s->n; i-- > 0;) {
            if (glob_match_spans(s->g[i], ss, ns)) {
                r = !s->g[i]->negated;
                break;
            }
        }
    }
    free(heap);
    return r;
}

bool globset_descend(const GlobSet *s, const char *dir, size_t len)
{
    Span inl[SPANS_INLINE], *ss, *heap;
    size_t ns = glob_split(dir, len, inl, &ss, &heap);
    if (ns == SIZE_MAX) {
        return true;
    }
    size_t lo = 0; /* patterns [lo, n) may prune */
    bool r = true;
    if (s->has_positive) {
        r = false;
        for (size_t j = s->n; j-- > 0;) {
            if (!s->g[j]->negated && glob_under_spans(s->g[j], ss, ns)) {
                r = true;
                lo = j + 1;
                break;
            }
        }
    }
    for (size_t i = s->n; r && i-- > lo;) {
        if (s->g[i]->negated && glob_covers_spans(s->g[i], ss, ns)) {
            r = false;
        }
    }
    free(heap);
    return r;
}
