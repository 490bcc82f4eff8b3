/* glob_internal.h: the compiled form of a glob pattern, shared by glob.c
 * (compiling), glob_match.c (matching) and glob_set.c (ordered lists). Not
 * a public API. Depends on glob.h. */
#ifndef UNENTROPY_GLOB_INTERNAL_H
#define UNENTROPY_GLOB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "glob.h"

enum { SEG_LIT, SEG_WILD, SEG_STAR2 };

typedef struct Seg {
    unsigned char kind;
    bool dot_ok;        /* wildcard segment starting with a literal '.' */
    size_t off, len;    /* text in Glob.text (literals unescaped) */
} Seg;

typedef struct Alt {
    size_t first, count; /* range in Glob.segs */
} Alt;

/* A compiled pattern: alternatives (from braces), each a range of
 * segments; segment texts live in one buffer. */
struct Glob {
    bool negated;
    int updirs;
    char *text;
    size_t text_len, text_cap;
    Seg *segs;
    size_t nsegs, segs_cap;
    Alt *alts;
    size_t nalts, alts_cap;
};

/* One path segment (not NUL-terminated). */
typedef struct Span {
    const char *p;
    size_t n;
} Span;

/* Segments split without allocating. */
#define SPANS_INLINE 64

/* Length of the bracket class at p (p[0] == '['), 0 when it is no class;
 * *hit tells whether code point cp is a member. */
size_t glob_class_match(const char *p, size_t n, unsigned cp, bool *hit);

/* Splits a path into segments: inline storage (SPANS_INLINE), or malloc'd
 * (*heap, caller frees) when long. Returns the count, SIZE_MAX on ENOMEM. */
size_t glob_split(const char *path, size_t len, Span *inl, Span **out, Span **heap);

/* The matchers of glob.h over a split path. */
bool glob_match_spans(const Glob *g, const Span *ss, size_t ns);
bool glob_under_spans(const Glob *g, const Span *ss, size_t ns);
bool glob_covers_spans(const Glob *g, const Span *ss, size_t ns);

/* Strips the '!' prefix (reports its parity) and leading "./". */
const char *glob_strip_prefix(const char *p, bool *negated);

/* Compiles a pattern body (prefix already stripped). See glob_compile. */
int glob_compile_body(const char *body, bool negated, Glob **out, char *err, size_t errlen);

#endif
