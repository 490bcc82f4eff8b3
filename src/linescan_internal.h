/* linescan_internal.h: what linescan.c (records, threads) and
 * linescan_go.c (coverprofiles) share: the bounded line reader and file
 * helpers. Not a public interface. Pure C (POSIX). */
#ifndef UNENTROPY_LINESCAN_INTERNAL_H
#define UNENTROPY_LINESCAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LS_BUF_CAP LINESCAN_MAX_LINE

/* Handler: a line without its LF (overlong: a line too long to hold, whose
 * text is not given). Returns 0 to go on, anything else stops the scan. */
typedef int (*LineFn)(void *ctx, const char *p, size_t n, bool overlong);

bool ls_is_sp(char c);

/* Trims ASCII whitespace (CR included) from both ends of p[0..*n). */
void ls_trim(const char **p, size_t *n);

/* Feeds every line of [start, end) of fd to fn; buf holds LS_BUF_CAP
 * bytes. A line longer than the buffer is reported once as overlong. Counts
 * lines in *nlines. Returns 0, an errno value, or fn's non-zero result. */
int ls_scan_range(int fd, uint64_t start, uint64_t end, char *buf, LineFn fn, void *ctx, uint64_t *nlines);

/* Opens a regular file (never blocking on a FIFO); EISDIR for a directory,
 * EINVAL for anything else. */
int ls_open_regular(const char *path, int *fd, uint64_t *size);

/* err = strerror(rc) ("not a regular file" for EINVAL) when rc > 0. */
void ls_set_err(char *err, size_t errlen, int rc);

#endif
