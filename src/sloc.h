/* sloc.h: sloc 0.3.2-compatible line classification (collection.md §6,
 * "loc"). The comment syntax of a language is data: three small token
 * patterns (single-line start, block start, block stop) compiled once by
 * sloc_lang_new; the Lua rules in lua/unentropy/collectors/languages.lua say
 * which extension uses which syntax. The counting engine reproduces sloc's
 * scan exactly, quirks included (unanchored, string-unaware, an unterminated
 * block ends detection). Also: the "non-empty lines" count used for every
 * other file, file reading with binary sniffing, and node's path.extname.
 * Pure C (libc only), never includes lua.h. */
#ifndef UNENTROPY_SLOC_H
#define UNENTROPY_SLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes sniffed for a NUL when binary files are skipped. */
#define SLOC_SNIFF_BYTES 8192

/* Quirks of sloc that no token pattern can express. */
enum {
    SLOC_QUIRK_NONE = 0,
    /* sloc's nim single-line regex /(?:^[^#]*)(#)(?![#!])/ with its
     * _matchGroup_ fix-up: matches when the first '#' of the remaining text
     * is not followed by '#' or '!', and then reports index 1, length 1. */
    SLOC_QUIRK_NIM = 1,
};

typedef struct SlocLang SlocLang;

/* sloc's result keys (source is what the loc collector sums). */
typedef struct SlocCounts {
    int64_t total, source, comment, single, block, mixed, empty, block_empty;
    bool error; /* an unterminated comment ended detection early */
} SlocCounts;

/* Compiles a comment syntax. Each pattern is NULL/"" (none) or a token
 * pattern: literal bytes, except `\x` (x literally), `[abc]`, `[a-z]`,
 * `[^abc]` (one byte of / not of the set), `+` after an atom (one or more,
 * greedy), `|` between alternatives, and a leading `(?i)` (ASCII case-
 * insensitive). A NULL block stop means "end of line". Returns 0, or EINVAL
 * (bad pattern) / ENOMEM with a message in err. Caller frees *out with
 * sloc_lang_free. */
int sloc_lang_new(const char *single, const char *block_start,
                  const char *block_stop, int quirk, SlocLang **out,
                  char *err, size_t errlen);
void sloc_lang_free(SlocLang *lang);

/* sloc's preprocessing: CRLF and lone CR become LF, then one trailing LF is
 * dropped. Works in place; returns the new length. */
size_t sloc_normalize(char *text, size_t len);

/* sloc(code, lang) on already normalized text. Returns 0 or ENOMEM. */
int sloc_count(const SlocLang *lang, const char *text, size_t len,
               SlocCounts *out);

/* Lines (split on LF) with content other than JavaScript whitespace
 * (String.prototype.trim's set, over UTF-8). Text is not normalized. */
int64_t sloc_nonempty_lines(const char *text, size_t len);

/* node's path.extname(path) without the dot, ASCII-lowercased into out
 * (outlen bytes, truncated). Returns the length ("" when there is none). */
size_t sloc_extname(const char *path, char *out, size_t outlen);

/* A reusable read buffer (zero-initialize; free with sloc_buf_free). */
typedef struct SlocBuf {
    char *data;
    size_t cap;
} SlocBuf;
void sloc_buf_free(SlocBuf *buf);

/* Result of sloc_count_path. */
typedef enum { SLOC_COUNTED = 0, SLOC_BINARY = 1 } SlocFileKind;

/* Reads `path` (must be a regular file; never blocks on FIFOs) into buf and
 * counts it: with lang, sloc's source count; without, non-empty lines.
 * With skip_binary, a NUL byte in the first SLOC_SNIFF_BYTES gives
 * *kind = SLOC_BINARY and *count = 0. Returns 0, or an errno value with
 * err = the strerror text (EISDIR/EINVAL for a non-regular file). */
int sloc_count_path(const char *path, const SlocLang *lang, bool skip_binary,
                    SlocBuf *buf, int64_t *count, SlocFileKind *kind,
                    char *err, size_t errlen);

#endif
