/* sloc_internal.h: what sloc.c (the counting engine) and sloc_pattern.c
 * (token patterns) share. Not a public interface. Pure C. */
#ifndef UNENTROPY_SLOC_INTERNAL_H
#define UNENTROPY_SLOC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define NOPOS ((size_t)-1)

typedef struct Atom {
    unsigned char set[32]; /* accepted bytes */
    bool plus;
} Atom;

typedef struct Alt {
    Atom *atoms;
    size_t n;
} Alt;

typedef struct Pattern {
    Alt *alts;
    size_t nalts;
    unsigned char first[32]; /* bytes that can start a match */
    int only_first;          /* the one starting byte, or -1 */
} Pattern;

typedef struct Match {
    size_t index, len; /* absolute offset and length */
} Match;

/* Bytes of the UTF-8 character at s[i] as Node's decoder sees it. */
size_t sloc_char_len(const unsigned char *s, size_t i, size_t end);

/* Compiles a token pattern (syntax in sloc.h). Returns 0, EINVAL or ENOMEM
 * with err filled; free with sloc_pattern_free. */
int sloc_pattern_compile(const char *src, Pattern **out, char *err, size_t errlen);
void sloc_pattern_free(Pattern *p);

/* Leftmost match of p in s[from..end), alternatives in order. */
bool sloc_pattern_search(const Pattern *p, const unsigned char *s, size_t from, size_t end, Match *m);

#endif
