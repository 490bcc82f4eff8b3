/* linescan.h: streaming scanners for line-oriented coverage formats, feeding
 * a CovData accumulator (covdata.h) in bounded memory whatever the input
 * size.
 *   - linescan_records: "PREFIX:field,field,..." records (LCOV). What each
 *     prefix means is a LineRules table compiled from Lua (the LCOV rules
 *     live in lua/unentropy/collectors/coverage-lcov.lua); a record's data
 *     counts only once its end line is seen. Large inputs are split at
 *     record ends and scanned by several threads.
 *   - linescan_coverprofile: Go coverprofiles (mode line, then blocks
 *     "file:l1.c1,l2.c2 numStmts count" deduplicated by file and range).
 * Pure C (POSIX + pthreads), never includes lua.h. */
#ifndef UNENTROPY_LINESCAN_H
#define UNENTROPY_LINESCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "covdata.h"

#define LINESCAN_MAX_RULES 32
#define LINESCAN_PREFIX_MAX 32
#define LINESCAN_MAX_LINE (1u << 20) /* longer lines are skipped (malformed) */

/* Errors beyond errno values (returned negated so they never clash). */
#define LINESCAN_EMODE (-1) /* coverprofile: no valid mode line */
#define LINESCAN_ELINE (-2) /* coverprofile: invalid block line (see *line) */

enum {
    LS_RECORD = 1, /* starts a record; the value is the file name */
    LS_END,        /* ends (commits) the record; matched by the whole line */
    LS_MARK,       /* integer key field, count field: a covdata mark */
    LS_ENTRY,      /* key fields, count field: a covdata entry (1, count > 0) */
    LS_SUMMARY,    /* a number field: the record's summary total or covered */
};

typedef struct LineRule {
    char prefix[LINESCAN_PREFIX_MAX]; /* lowercase; compared case-insensitively */
    size_t plen;
    int op;
    unsigned kind;   /* covdata kind */
    int key_from;    /* fields are 1-based; negative counts from the end */
    int key_to;
    int count;       /* count field, 0 = none (found only) */
    bool skip_int;   /* LS_ENTRY: drop a leading integer field if more follow */
    bool covered;    /* LS_SUMMARY: the value is the covered part (else total) */
} LineRule;

typedef struct LineRules {
    LineRule rules[LINESCAN_MAX_RULES];
    size_t n;
} LineRules;

typedef struct LineStats {
    uint64_t lines;     /* lines read */
    uint64_t records;   /* records committed */
    uint64_t dropped;   /* records never ended */
    uint64_t malformed; /* lines with a known prefix and unusable fields */
} LineStats;

/* Scans path with rules into out (merged with what out holds). threads:
 * at most this many scanning threads (0 or 1: one). Returns 0, or an
 * errno value (ENOENT, EISDIR, EIO, ENOMEM...) with its strerror in err. */
int linescan_records(const char *path, const LineRules *rules, CovData *out, int threads,
                     LineStats *stats, char *err, size_t errlen);

/* Scans a Go coverprofile into out: each block becomes the entry
 * (file, kind, "l1.c1,l2.c2") with total numStmts and covered numStmts when
 * its count is > 0 (maxima across duplicates). Returns 0, an errno value
 * (err = strerror), LINESCAN_EMODE, or LINESCAN_ELINE with *bad_line the
 * 1-based line number. */
int linescan_coverprofile(const char *path, CovData *out, unsigned kind, uint64_t *bad_line,
                          LineStats *stats, char *err, size_t errlen);

#endif
