/* linescan.c: the bounded line reader and the LCOV-style record scanner
 * (see linescan.h). One buffer per thread (pread, memchr), one handler call
 * per line; a record's marks and entries go into the thread's accumulator
 * inside a covdata transaction, committed by its end line and rolled back
 * otherwise; threads' accumulators are merged at the end. Coverprofiles:
 * linescan_go.c. Pure C (POSIX + pthreads). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linescan.h"
#include "linescan_internal.h"

#define SPLIT_MIN (16u << 20) /* inputs below this use one thread */
#define MAX_THREADS 8

bool ls_is_sp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n';
}

void ls_trim(const char **p, size_t *n)
{
    while (*n && ls_is_sp((*p)[*n - 1])) {
        (*n)--;
    }
    while (*n && ls_is_sp(**p)) {
        (*p)++;
        (*n)--;
    }
}

/* Feeds every line of [start, end) of fd to fn. buf holds LS_BUF_CAP bytes. */
int ls_scan_range(int fd, uint64_t start, uint64_t end, char *buf, LineFn fn, void *ctx,
                      uint64_t *nlines)
{
    size_t have = 0;
    uint64_t off = start;
    bool skipping = false;
    for (;;) {
        size_t want = LS_BUF_CAP - have;
        if ((uint64_t)want > end - off) {
            want = (size_t)(end - off);
        }
        ssize_t r = 0;
        if (want > 0) {
            r = pread(fd, buf + have, want, (off_t)off);
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return errno;
            }
        }
        off += (uint64_t)r;
        have += (size_t)r;
        bool eof = r == 0 || off >= end;
        char *p = buf, *lim = buf + have;
        char *nl;
        while ((nl = memchr(p, '\n', (size_t)(lim - p))) != NULL) {
            (*nlines)++;
            int rc = skipping ? 0 : fn(ctx, p, (size_t)(nl - p), false);
            skipping = false;
            if (rc != 0) {
                return rc;
            }
            p = nl + 1;
        }
        size_t rest = (size_t)(lim - p);
        if (eof) {
            if (rest > 0 && !skipping) {
                (*nlines)++;
                return fn(ctx, p, rest, false);
            }
            return 0;
        }
        if (rest == LS_BUF_CAP) { /* no LF in a full buffer */
            if (!skipping) {
                (*nlines)++;
                int rc = fn(ctx, NULL, 0, true);
                if (rc != 0) {
                    return rc;
                }
            }
            skipping = true;
            have = 0;
            continue;
        }
        memmove(buf, p, rest);
        have = rest;
    }
}

int ls_open_regular(const char *path, int *fd, uint64_t *size)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0) {
        return errno;
    }
    struct stat st;
    int rc = 0;
    if (fstat(*fd, &st) != 0) {
        rc = errno;
    } else if (S_ISDIR(st.st_mode)) {
        rc = EISDIR;
    } else if (!S_ISREG(st.st_mode)) {
        rc = EINVAL;
    }
    if (rc != 0) {
        close(*fd);
        *fd = -1;
        return rc;
    }
    *size = (uint64_t)st.st_size;
    return 0;
}

void ls_set_err(char *err, size_t errlen, int rc)
{
    if (rc > 0) {
        snprintf(err, errlen, "%s", rc == EINVAL ? "not a regular file" : strerror(rc));
    }
}

/* ---- LCOV-style records ------------------------------------------------ */

typedef struct RecCtx {
    const LineRules *rules;
    uint32_t by_first[256];       /* bitmask of rules by lowercase first byte */
    CovData *acc;
    uint32_t file; /* the open record's file in acc */
    bool open;
    bool detail[COVDATA_KINDS];
    bool has_total[COVDATA_KINDS], has_covered[COVDATA_KINDS];
    double sum_total[COVDATA_KINDS], sum_covered[COVDATA_KINDS];
    LineStats stats;
} RecCtx;

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static const LineRule *rule_for(const RecCtx *c, const char *p, size_t n)
{
    if (n == 0) {
        return NULL;
    }
    uint32_t m = c->by_first[(unsigned char)lower(p[0])];
    while (m) {
        int i = __builtin_ctz(m);
        m &= m - 1;
        const LineRule *r = &c->rules->rules[i];
        if (r->plen != n) {
            continue;
        }
        size_t k = 1;
        while (k < n && lower(p[k]) == r->prefix[k]) {
            k++;
        }
        if (k == n) {
            return r;
        }
    }
    return NULL;
}

/* Field idx (1-based, negative from the end) of v[0..n): [*s, *e). */
static bool field(const char *v, size_t n, int idx, size_t *s, size_t *e)
{
    if (idx > 0) {
        size_t i = 0;
        for (int k = 1; k < idx; k++) {
            const char *c = memchr(v + i, ',', n - i);
            if (c == NULL) {
                return false;
            }
            i = (size_t)(c - v) + 1;
        }
        const char *c = memchr(v + i, ',', n - i);
        *s = i;
        *e = c ? (size_t)(c - v) : n;
        return true;
    }
    size_t j = n;
    for (int k = -1; k > idx; k--) {
        while (j > 0 && v[j - 1] != ',') {
            j--;
        }
        if (j == 0) {
            return false;
        }
        j--;
    }
    size_t i = j;
    while (i > 0 && v[i - 1] != ',') {
        i--;
    }
    *s = i;
    *e = j;
    return true;
}

/* A decimal number (JavaScript-ish: sign, digits, fraction, exponent). */
static bool number(const char *p, size_t n, double *out)
{
    while (n && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    if (n == 0) {
        return false;
    }
    uint64_t v = 0;
    size_t i = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && v < (UINT64_MAX - 9) / 10) {
        v = v * 10 + (uint64_t)(p[i] - '0');
        i++;
    }
    if (i == n) {
        *out = (double)v;
        return true;
    }
    char tmp[64];
    if (n >= sizeof tmp) {
        return false;
    }
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *end;
    if (!((tmp[0] >= '0' && tmp[0] <= '9') || tmp[0] == '-' || tmp[0] == '+' || tmp[0] == '.')) {
        return false;
    }
    double d = strtod(tmp, &end);
    if (end != tmp + n || d != d) {
        return false;
    }
    *out = d;
    return true;
}

static bool uint32_field(const char *p, size_t n, uint32_t *out)
{
    if (n == 0 || n > 10) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* Starts a record: its marks and entries go to acc in a transaction. */
static void rec_reset(RecCtx *c)
{
    memset(c->detail, 0, sizeof c->detail);
    memset(c->has_total, 0, sizeof c->has_total);
    memset(c->has_covered, 0, sizeof c->has_covered);
    memset(c->sum_total, 0, sizeof c->sum_total);
    memset(c->sum_covered, 0, sizeof c->sum_covered);
}

static void rec_drop(RecCtx *c)
{
    if (c->open) {
        covdata_rollback(c->acc);
        c->stats.dropped++;
        c->open = false;
    }
}

static int rec_commit(RecCtx *c)
{
    covdata_commit(c->acc);
    c->open = false;
    c->stats.records++;
    for (unsigned k = 0; k < COVDATA_KINDS; k++) {
        if (!c->detail[k] && (c->has_total[k] || c->has_covered[k])) {
            int rc = covdata_add(c->acc, c->file, k, c->sum_total[k], c->sum_covered[k]);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int on_record_line(void *ctx, const char *p, size_t n, bool overlong)
{
    RecCtx *c = ctx;
    if (overlong) {
        c->stats.malformed++;
        return 0;
    }
    if (n && (ls_is_sp(p[0]) || ls_is_sp(p[n - 1]))) {
        ls_trim(&p, &n);
    }
    size_t plen = 0;
    while (plen < n && p[plen] != ':') {
        plen++;
    }
    const char *colon = plen < n ? p + plen : NULL;
    const LineRule *r = rule_for(c, p, plen);
    if (r == NULL) {
        return 0;
    }
    const char *v = colon ? colon + 1 : p + n;
    size_t vn = colon ? n - plen - 1 : 0;
    size_t s, e, cs, ce;
    double cnt = 0;
    if (r->op == LS_MARK && r->key_from == 1 && r->count == 2 && c->open) {
        /* fast path for "<digits>,<digits>[,...]" (LCOV DA lines) */
        size_t i = 0;
        uint64_t key = 0, count = 0;
        while (i < vn && i < 10 && v[i] >= '0' && v[i] <= '9') {
            key = key * 10 + (uint64_t)(v[i++] - '0');
        }
        if (i > 0 && i < vn && v[i] == ',' && key <= UINT32_MAX) {
            size_t j = ++i;
            while (i < vn && i - j < 18 && v[i] >= '0' && v[i] <= '9') {
                count = count * 10 + (uint64_t)(v[i++] - '0');
            }
            if (i > j && (i == vn || v[i] == ',')) {
                c->detail[r->kind] = true;
                return covdata_mark(c->acc, c->file, r->kind, (uint32_t)key, count > 0);
            }
        }
    }
    switch (r->op) {
    case LS_RECORD: {
        rec_drop(c);
        rec_reset(c);
        ls_trim(&v, &vn);
        int rc = covdata_file(c->acc, v, vn, &c->file);
        if (rc == 0) {
            covdata_begin(c->acc);
            c->open = true;
        }
        return rc;
    }
    case LS_END:
        return c->open ? rec_commit(c) : 0;
    case LS_SUMMARY:
        if (!c->open) {
            return 0;
        }
        if (!number(v, vn, &cnt)) {
            c->stats.malformed++;
            return 0;
        }
        if (r->covered) {
            c->sum_covered[r->kind] = cnt;
            c->has_covered[r->kind] = true;
        } else {
            c->sum_total[r->kind] = cnt;
            c->has_total[r->kind] = true;
        }
        return 0;
    case LS_MARK: {
        uint32_t key;
        if (!c->open) {
            return 0;
        }
        if (!field(v, vn, r->key_from, &s, &e) || !uint32_field(v + s, e - s, &key) ||
            (r->count && !field(v, vn, r->count, &cs, &ce))) {
            c->stats.malformed++;
            return 0;
        }
        bool hit = r->count && number(v + cs, ce - cs, &cnt) && cnt > 0;
        c->detail[r->kind] = true;
        return covdata_mark(c->acc, c->file, r->kind, key, hit);
    }
    case LS_ENTRY: {
        if (!c->open) {
            return 0;
        }
        size_t s2, e2;
        if (!field(v, vn, r->key_from, &s, &e) || !field(v, vn, r->key_to, &s2, &e2) || e2 < s ||
            (r->count && !field(v, vn, r->count, &cs, &ce))) {
            c->stats.malformed++;
            return 0;
        }
        e = e2;
        if (r->skip_int) {
            size_t i = s;
            while (i < e && v[i] >= '0' && v[i] <= '9') {
                i++;
            }
            if (i > s && i < e && v[i] == ',') {
                s = i + 1;
            }
        }
        bool hit = r->count && number(v + cs, ce - cs, &cnt) && cnt > 0;
        c->detail[r->kind] = true;
        return covdata_entry(c->acc, c->file, r->kind, v + s, e - s, 1, hit ? 1 : 0);
    }
    default:
        return 0;
    }
}

static int rec_init(RecCtx *c, const LineRules *rules, CovData *acc)
{
    memset(c, 0, sizeof *c);
    c->rules = rules;
    c->acc = acc;
    for (size_t i = 0; i < rules->n && i < 32; i++) {
        unsigned char f = (unsigned char)rules->rules[i].prefix[0];
        c->by_first[f] |= 1u << i;
    }
    return 0;
}

typedef struct Job {
    RecCtx ctx;
    int fd;
    uint64_t start, end;
    int rc;
    bool own_acc;
} Job;

static void *job_run(void *arg)
{
    Job *j = arg;
    char *buf = malloc(LS_BUF_CAP);
    if (buf == NULL) {
        j->rc = ENOMEM;
        return NULL;
    }
    j->rc = ls_scan_range(j->fd, j->start, j->end, buf, on_record_line, &j->ctx, &j->ctx.stats.lines);
    rec_drop(&j->ctx);
    free(buf);
    return NULL;
}

/* Split state: looks for the first end line after a given offset. */
typedef struct SplitCtx {
    const LineRule *end_rule;
    uint64_t pos, found; /* offset of the current line; result (0 = none) */
    bool first;          /* skip the partial line where the window starts */
} SplitCtx;

static int on_split_line(void *ctx, const char *p, size_t n, bool overlong)
{
    SplitCtx *s = ctx;
    uint64_t next = s->pos + n + 1;
    if (s->first || overlong) {
        s->first = false;
        s->pos = overlong ? s->pos : next;
        return overlong ? 1 : 0; /* give up on overlong lines */
    }
    s->pos = next;
    ls_trim(&p, &n);
    const LineRule *r = s->end_rule;
    if (n == r->plen) {
        size_t k = 0;
        while (k < n && lower(p[k]) == r->prefix[k]) {
            k++;
        }
        if (k == n) {
            s->found = next;
            return 2; /* stop */
        }
    }
    return 0;
}

/* Offset just after the first end line starting after `from` (and before
 * `to`), or 0. */
static uint64_t find_split(int fd, const LineRule *end_rule, uint64_t from, uint64_t to, char *buf)
{
    if (from == 0) {
        return 0;
    }
    SplitCtx s = {end_rule, from - 1, 0, true};
    uint64_t nlines = 0;
    ls_scan_range(fd, from - 1, to, buf, on_split_line, &s, &nlines);
    return s.found < to ? s.found : 0;
}

static int nthreads(int want, uint64_t size)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int n = want < 1 ? 1 : want;
    if (cpus > 0 && n > cpus) {
        n = (int)cpus;
    }
    if (n > MAX_THREADS) {
        n = MAX_THREADS;
    }
    if (size < SPLIT_MIN) {
        n = 1;
    }
    return n;
}

int linescan_records(const char *path, const LineRules *rules, CovData *out, int threads,
                     LineStats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    int fd;
    uint64_t size;
    int rc = ls_open_regular(path, &fd, &size);
    if (rc != 0) {
        ls_set_err(err, errlen, rc);
        return rc;
    }
    const LineRule *end_rule = NULL;
    for (size_t i = 0; i < rules->n; i++) {
        if (rules->rules[i].op == LS_END) {
            end_rule = &rules->rules[i];
        }
    }
    Job jobs[MAX_THREADS];
    uint64_t bounds[MAX_THREADS + 1];
    int n = end_rule ? nthreads(threads, size) : 1;
    bounds[0] = 0;
    int nb = 1;
    if (n > 1) {
        char *buf = malloc(LS_BUF_CAP);
        for (int i = 1; buf && i < n; i++) {
            uint64_t at = size / (uint64_t)n * (uint64_t)i;
            uint64_t s = at > bounds[nb - 1] ? find_split(fd, end_rule, at, size, buf) : 0;
            if (s > bounds[nb - 1] && s < size) {
                bounds[nb++] = s;
            }
        }
        free(buf);
    }
    bounds[nb] = size;
    pthread_t tids[MAX_THREADS];
    bool joined[MAX_THREADS] = {0};
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < nb; i++) {
        CovData *acc = i == 0 ? out : covdata_new();
        jobs[i].fd = fd;
        jobs[i].start = bounds[i];
        jobs[i].end = bounds[i + 1];
        jobs[i].rc = acc ? rec_init(&jobs[i].ctx, rules, acc) : ENOMEM;
        jobs[i].own_acc = i > 0;
    }
    /* jobs 1.. run in threads (or inline when a thread cannot start) */
    for (int i = 1; i < nb; i++) {
        if (jobs[i].rc == 0 && pthread_create(&tids[i], NULL, job_run, &jobs[i]) == 0) {
            joined[i] = true;
        } else if (jobs[i].rc == 0) {
            job_run(&jobs[i]);
        }
    }
    if (jobs[0].rc == 0) {
        job_run(&jobs[0]);
    }
    for (int i = 1; i < nb; i++) {
        if (joined[i]) {
            pthread_join(tids[i], NULL);
        }
    }
    for (int i = 0; i < nb; i++) {
        if (rc == 0) {
            rc = jobs[i].rc;
        }
        if (rc == 0 && i > 0) {
            rc = covdata_merge(out, jobs[i].ctx.acc);
        }
        stats->lines += jobs[i].ctx.stats.lines;
        stats->records += jobs[i].ctx.stats.records;
        stats->dropped += jobs[i].ctx.stats.dropped;
        stats->malformed += jobs[i].ctx.stats.malformed;
        if (jobs[i].own_acc) {
            covdata_free(jobs[i].ctx.acc);
        }
    }
    close(fd);
    ls_set_err(err, errlen, rc);
    return rc;
}
