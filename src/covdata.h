/* covdata.h: the coverage accumulator shared by the coverage scanners
 * (linescan.c for LCOV and Go coverprofiles, the XML rules of lxml.c) and
 * by Lua collectors through unentropy.covdata. Entries are kept per file
 * name and per kind (0..COVDATA_KINDS-1; the collectors use 0 line,
 * 1 branch, 2 function) and merge the way coverage merges across records
 * and reports:
 *   - marks: integer keys (line numbers) in paged bitmaps, found/hit ORed;
 *     memory grows with distinct lines (2 bits each), not with input size;
 *   - entries: byte-string keys with (total, covered), merged by maximum;
 *   - sums: plain (total, covered) additions (summary fallbacks).
 * Pure C (libc only), never includes lua.h. */
#ifndef UNENTROPY_COVDATA_H
#define UNENTROPY_COVDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COVDATA_KINDS 4

typedef struct CovData CovData;

/* A new empty accumulator, or NULL (out of memory). Free with
 * covdata_free (NULL is fine). */
CovData *covdata_new(void);
void covdata_free(CovData *cd);

/* Empties cd, keeping (and trimming) its allocations. */
void covdata_clear(CovData *cd);

/* Transactions: after covdata_begin, marks and entries are journaled so
 * that covdata_rollback undoes them (a new page or entry stays, zeroed);
 * covdata_commit keeps them. Sums and merges are not journaled. One
 * transaction at a time. */
void covdata_begin(CovData *cd);
void covdata_commit(CovData *cd);
void covdata_rollback(CovData *cd);

/* Interns a file name; *id is stable for the life of cd (until clear).
 * Returns 0 or ENOMEM. */
int covdata_file(CovData *cd, const char *name, size_t len, uint32_t *id);

/* Marks integer key n of (file, kind) found, and hit when hit. */
int covdata_mark(CovData *cd, uint32_t file, unsigned kind, uint32_t n, bool hit);

/* Adds or max-merges the keyed entry (file, kind, key). */
int covdata_entry(CovData *cd, uint32_t file, unsigned kind, const char *key, size_t klen,
                  double total, double covered);

/* Adds to the plain sums of (file, kind). */
int covdata_add(CovData *cd, uint32_t file, unsigned kind, double total, double covered);

/* Merges src into dst with the rules above. Returns 0 or ENOMEM (dst may
 * then hold part of src). */
int covdata_merge(CovData *dst, const CovData *src);

size_t covdata_nfiles(const CovData *cd);

/* The name of file id (not NUL-terminated; valid until cd changes). */
const char *covdata_file_name(const CovData *cd, uint32_t id, size_t *len);

/* Per-file totals for one kind: total[i], covered[i] for every file id i
 * (arrays of covdata_nfiles elements, filled by the caller's buffers):
 * found marks + entry totals + sums, and hit marks + entry covered + sums. */
void covdata_totals(const CovData *cd, unsigned kind, double *total, double *covered);

/* Approximate bytes held (for tests of memory bounds). */
size_t covdata_bytes(const CovData *cd);

#endif
