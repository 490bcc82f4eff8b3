/* glob.h: glob patterns in the fast-glob/micromatch dialect (collection.md
 * §5): compile once, match many paths; ordered pattern lists ("sources");
 * path normalization. Pure C (libc only), never includes lua.h.
 * Paths given to the matchers must already be normalized (glob_normalize):
 * "/"-separated, no leading "./". */
#ifndef UNENTROPY_GLOB_H
#define UNENTROPY_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* A pattern expands to at most this many brace alternatives. */
#define GLOB_MAX_ALTS 4096

typedef struct Glob Glob;       /* one compiled pattern */
typedef struct GlobSet GlobSet; /* an ordered list of patterns */

/* True when s contains any of * ? [ ] { } (escaped or not). */
bool glob_has_magic(const char *s);

/* Normalizes a path in place: '\' becomes '/', leading "./" (repeated) are
 * removed. Returns the new length (the string stays NUL-terminated). */
size_t glob_normalize(char *s);

/* Compiles one pattern. Leading '!' characters are counted (an odd count
 * negates) and removed, then leading "./" are removed; '\' escapes the next
 * character. Returns 0, or an errno value (ENOMEM, E2BIG for too many brace
 * alternatives) with a message in err. Caller frees *out with glob_free. */
int glob_compile(const char *pattern, Glob **out, char *err, size_t errlen);
void glob_free(Glob *g);

/* Whether the pattern had a negating '!' prefix (ignored by the matchers
 * below, which test the pattern body). */
bool glob_negated(const Glob *g);

/* Number of leading "../" segments of the pattern (0 for most patterns). */
int glob_updirs(const Glob *g);

/* Does the pattern body match the whole path? */
bool glob_match(const Glob *g, const char *path, size_t len);

/* Could the pattern body match some path strictly below directory `dir`
 * ("" is the base itself)? May answer true when it cannot (over-approximation
 * is safe for pruning), never false when it can. */
bool glob_match_under(const Glob *g, const char *dir, size_t len);

/* Does the pattern body end in a "**" segment and match `dir`, so that it
 * matches every descendant whose segments do not start with '.'? */
bool glob_covers(const Glob *g, const char *dir, size_t len);

/* Compiles an ordered list. When base_abs (an absolute, lexically normal
 * directory) is given, absolute patterns are first made relative to it.
 * Returns 0 or an errno value with err filled. Free with globset_free. */
int globset_compile(const char *const *patterns, size_t n, const char *base_abs,
                    GlobSet **out, char *err, size_t errlen);
void globset_free(GlobSet *s);

/* The ordered rule: start excluded when at least one pattern is positive,
 * included when all are negated (or there are none); the last matching
 * pattern decides. */
bool globset_match(const GlobSet *s, const char *path, size_t len);

/* Pruning during expansion: false when no path below `dir` can be included
 * by a positive pattern, or when a later "!X/ **" negation covers `dir`
 * (then even dotfiles below it are left out, as collection.md §5 allows). */
bool globset_descend(const GlobSet *s, const char *dir, size_t len);

/* Number of patterns in the list. */
size_t globset_size(const GlobSet *s);

/* Largest number of leading "../" among the positive patterns. */
int globset_updirs(const GlobSet *s);

/* Lexical path helpers (glob_path.c). */

/* Joins a relative path to the current directory and resolves "." and ".."
 * lexically (no symlinks). Returns a malloc'd absolute path (caller frees)
 * or NULL with errno set. */
char *glob_abspath(const char *path);

/* Makes an absolute path relative to base_abs (absolute, lexically normal)
 * with "../" where needed ("" for base_abs itself). Relative input is only
 * normalized. `pattern` mode keeps '\' (escapes) and compares only literal
 * leading segments with the base. Returns malloc'd text or NULL (ENOMEM). */
char *glob_relativize(const char *path, const char *base_abs, bool pattern);

#endif
