/* linescan_go.c: Go coverprofiles (see linescan.h): the mode line, then
 * blocks "file:l1.c1,l2.c2 numStmts count", each an entry of the
 * accumulator keyed by file and range. Pure C (POSIX). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linescan.h"
#include "linescan_internal.h"

typedef struct GoCtx {
    CovData *out;
    unsigned kind;
    uint64_t line;
    char last_file[256];
    size_t last_len;
    uint32_t last_id;
    bool have_last;
} GoCtx;

static bool digits(const char *p, size_t n, double *v)
{
    if (n == 0) {
        return false;
    }
    double x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return true;
}

/* "l1.c1,l2.c2" */
static bool range_ok(const char *p, size_t n)
{
    int state = 0; /* digits . digits , digits . digits */
    size_t run = 0;
    static const char seps[] = {'.', ',', '.'};
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            run++;
        } else if (state < 3 && p[i] == seps[state] && run > 0) {
            state++;
            run = 0;
        } else {
            return false;
        }
    }
    return state == 3 && run > 0;
}

static int on_go_line(void *ctx, const char *p, size_t n, bool overlong)
{
    GoCtx *g = ctx;
    g->line++;
    if (overlong) {
        return g->line == 1 ? LINESCAN_EMODE : LINESCAN_ELINE;
    }
    ls_trim(&p, &n);
    if (g->line == 1) {
        static const char *const modes[] = {"mode: set", "mode: count", "mode: atomic"};
        for (int i = 0; i < 3; i++) {
            if (n == strlen(modes[i]) && memcmp(p, modes[i], n) == 0) {
                return 0;
            }
        }
        return LINESCAN_EMODE;
    }
    if (n == 0) {
        return 0;
    }
    const char *sp2 = memrchr(p, ' ', n);
    if (sp2 == NULL) {
        return LINESCAN_ELINE;
    }
    const char *sp1 = memrchr(p, ' ', (size_t)(sp2 - p));
    if (sp1 == NULL) {
        return LINESCAN_ELINE;
    }
    const char *colon = memrchr(p, ':', (size_t)(sp1 - p));
    double stmts, count;
    if (colon == NULL || colon == p || !digits(sp1 + 1, (size_t)(sp2 - sp1 - 1), &stmts) ||
        !digits(sp2 + 1, n - (size_t)(sp2 - p) - 1, &count) ||
        !range_ok(colon + 1, (size_t)(sp1 - colon - 1))) {
        return LINESCAN_ELINE;
    }
    size_t flen = (size_t)(colon - p);
    uint32_t id;
    if (g->have_last && flen == g->last_len && memcmp(p, g->last_file, flen) == 0) {
        id = g->last_id;
    } else {
        int rc = covdata_file(g->out, p, flen, &id);
        if (rc != 0) {
            return rc;
        }
        g->have_last = flen <= sizeof g->last_file;
        if (g->have_last) {
            memcpy(g->last_file, p, flen);
            g->last_len = flen;
            g->last_id = id;
        }
    }
    return covdata_entry(g->out, id, g->kind, colon + 1, (size_t)(sp1 - colon - 1), stmts,
                         count > 0 ? stmts : 0);
}

int linescan_coverprofile(const char *path, CovData *out, unsigned kind, uint64_t *bad_line,
                          LineStats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    *bad_line = 0;
    int fd;
    uint64_t size;
    int rc = ls_open_regular(path, &fd, &size);
    if (rc != 0) {
        ls_set_err(err, errlen, rc);
        return rc;
    }
    char *buf = malloc(LS_BUF_CAP);
    if (buf == NULL) {
        close(fd);
        ls_set_err(err, errlen, ENOMEM);
        return ENOMEM;
    }
    GoCtx g = {.out = out, .kind = kind};
    rc = ls_scan_range(fd, 0, size, buf, on_go_line, &g, &stats->lines);
    if (rc == 0 && g.line == 0) {
        rc = LINESCAN_EMODE; /* empty file */
    }
    if (rc == LINESCAN_ELINE) {
        *bad_line = g.line;
    }
    free(buf);
    close(fd);
    ls_set_err(err, errlen, rc);
    return rc;
}
