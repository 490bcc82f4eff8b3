/* walk_glob.c: glob expansion (collection.md §5 "Expansion"): walks the
 * base directory with walk_core, keeps regular files (and directories on
 * request) that pass the ordered pattern list, and prunes directories with
 * globset_descend. Patterns with leading "../" make the walk start that many
 * levels above base's real path; entries are mapped back to base-relative
 * paths ("../lib/x.c", "src/a.c"). Depends on glob.h and walk_internal.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk_internal.h"

typedef struct GlobCtx {
    const GlobSet *set;
    const WalkOptions *opt;
    char **bsegs;     /* base's last k real segments, below the walk root */
    size_t nb;
    char *buf;        /* scratch for mapped paths */
    size_t cap;
    bool oom;
} GlobCtx;

/* Maps a root-relative path to a base-relative one. Sets *ancestor when rel
 * is base itself or one of its ancestors. Returns NULL when out of memory. */
static const char *map_path(GlobCtx *c, const char *rel, size_t len, size_t *mlen,
                            bool *ancestor)
{
    *ancestor = false;
    if (c->nb == 0) {
        *mlen = len;
        return rel;
    }
    size_t n = 0, pos = 0;
    while (n < c->nb && pos <= len) {
        const char *end = memchr(rel + pos, '/', len - pos);
        size_t sl = end ? (size_t)(end - (rel + pos)) : len - pos;
        if (strlen(c->bsegs[n]) != sl || memcmp(c->bsegs[n], rel + pos, sl) != 0) {
            break;
        }
        n++;
        pos += sl + 1;
    }
    *ancestor = pos > len;
    size_t rest = pos <= len ? len - pos : 0;
    size_t need = 3 * (c->nb - n) + rest + 1;
    if (need > c->cap) {
        char *b = realloc(c->buf, need);
        if (b == NULL) {
            return NULL;
        }
        c->buf = b;
        c->cap = need;
    }
    size_t o = 0;
    for (size_t i = n; i < c->nb; i++) {
        memcpy(c->buf + o, "../", 3);
        o += 3;
    }
    if (rest > 0) {
        memcpy(c->buf + o, rel + pos, rest);
        o += rest;
    } else if (o > 0) {
        o--;
    }
    c->buf[o] = '\0';
    *mlen = o;
    return c->buf;
}

static int glob_filter(void *ud, const char *rel, size_t len, int type)
{
    GlobCtx *c = ud;
    size_t mlen;
    bool ancestor;
    const char *m = map_path(c, rel, len, &mlen, &ancestor);
    if (m == NULL) {
        c->oom = true;
        return 0;
    }
    if (type == WALK_FILE) {
        return globset_match(c->set, m, mlen) ? WALK_LIST : 0;
    }
    if (ancestor) {
        return WALK_DESCEND; /* on the way down to base: never listed */
    }
    size_t b = len;
    while (b > 0 && rel[b - 1] != '/') {
        b--;
    }
    if (walk_skip_name(c->opt, rel + b)) {
        return 0;
    }
    int flags = 0;
    if (c->opt->dirs && globset_match(c->set, m, mlen)) {
        flags |= WALK_LIST;
    }
    if (globset_descend(c->set, m, mlen)) {
        flags |= WALK_DESCEND;
    }
    return flags;
}

/* Splits base's real path; the walk root becomes its k-th ancestor and
 * c->bsegs the segments below it (their storage, `real`, is kept in
 * c->bsegs[c->nb]). On failure c->bsegs stays NULL. */
static int setup_updirs(GlobCtx *c, const char *base, int k, char **root)
{
    char *real = realpath(base, NULL);
    if (real == NULL) {
        return errno;
    }
    size_t len = strlen(real);
    char **segs = malloc((len + 1) * sizeof(char *));
    char **bsegs = malloc((len + 1) * sizeof(char *));
    char *r = malloc(len + 2);
    if (segs == NULL || bsegs == NULL || r == NULL) {
        free(real);
        free(segs);
        free(bsegs);
        free(r);
        return ENOMEM;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(real, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        segs[n++] = p;
    }
    size_t keep = (size_t)k > n ? 0 : n - (size_t)k;
    size_t o = 0;
    for (size_t i = 0; i < keep; i++) {
        size_t l = strlen(segs[i]);
        r[o++] = '/';
        memcpy(r + o, segs[i], l);
        o += l;
    }
    if (o == 0) {
        r[o++] = '/';
    }
    r[o] = '\0';
    c->nb = 0;
    for (size_t i = keep; i < n; i++) {
        bsegs[c->nb++] = segs[i];
    }
    bsegs[c->nb] = real;
    c->bsegs = bsegs;
    *root = r;
    free(segs);
    return 0;
}

int glob_expand(const char *base, const char *const *patterns, size_t npatterns,
                const WalkOptions *opt, WalkList *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    GlobCtx c = {.opt = opt};
    GlobSet *set = NULL;
    char *root = NULL;
    WalkList tmp = {0};
    int rc = 0;
    char *abs = glob_abspath(base);
    if (abs == NULL) {
        rc = errno;
        snprintf(err, errlen, "fs: cannot glob '%s': %s", base, strerror(rc));
        goto out;
    }
    if ((rc = globset_compile(patterns, npatterns, abs, &set, err, errlen)) != 0) {
        goto out;
    }
    c.set = set;
    int k = globset_updirs(set);
    if (k > 0 && (rc = setup_updirs(&c, base, k, &root)) != 0) {
        snprintf(err, errlen, "fs: cannot glob '%s': %s", base, strerror(rc));
        goto out;
    }
    WalkOptions wopt = *opt;
    wopt.nskip = 0; /* checked by glob_filter, which spares base's ancestors */
    rc = walk_core(root ? root : base, "glob", &wopt, glob_filter, &c,
                   root ? &tmp : out, err, errlen);
    if (rc == 0 && c.oom) {
        rc = ENOMEM;
        snprintf(err, errlen, "fs: cannot glob '%s': %s", base, strerror(rc));
    }
    if (rc == 0 && root != NULL) {
        out->skipped = tmp.skipped;
        for (size_t i = 0; i < tmp.count && rc == 0; i++) {
            size_t mlen;
            bool ancestor;
            const char *m = map_path(&c, tmp.entries[i].path, tmp.entries[i].len, &mlen,
                                     &ancestor);
            rc = m == NULL ? ENOMEM : walk_list_add(out, m, mlen, tmp.entries[i].type);
        }
        if (rc == 0) {
            rc = walk_list_finish(out);
        }
        if (rc != 0) {
            snprintf(err, errlen, "fs: cannot glob '%s': %s", base, strerror(rc));
        }
    }
out:
    if (rc != 0) {
        walk_list_free(out);
    }
    walk_list_free(&tmp);
    if (c.bsegs != NULL) {
        free(c.bsegs[c.nb]);
        free(c.bsegs);
    }
    free(c.buf);
    free(root);
    free(abs);
    globset_free(set);
    return rc;
}
