/* walk.c: recursive directory walk for unentropy.fs (collection.md §6).
 * Breadth-first over one root fd: each directory is opened with
 * openat(root, rel, O_NOFOLLOW) and read with fdopendir/readdir, using
 * d_type (fstatat only for DT_UNKNOWN). Relative paths go into one string
 * pool, entries into one array, and a single qsort orders them by bytes.
 * Depends on POSIX and glob.h; see walk.h for the contracts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk_internal.h"

typedef struct WalkItem {
    size_t off, len;
    unsigned char type;
    bool listed, descend;
} WalkItem;

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) {
        return 0;
    }
    size_t c = *cap ? *cap : 256;
    while (c < need) {
        c *= 2;
    }
    void *q = realloc(*p, c * elem);
    if (q == NULL) {
        return ENOMEM;
    }
    *p = q;
    *cap = c;
    return 0;
}

void walk_list_free(WalkList *l)
{
    free(l->entries);
    free(l->pool);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Appends "dir/name" (or "name" at the top) to the pool; returns its
 * offset through *off, or ENOMEM. */
static int pool_add(WalkList *l, size_t dir_off, size_t dir_len, const char *name,
                    size_t name_len, size_t *off)
{
    size_t need = l->pool_len + dir_len + 1 + name_len + 1;
    if (grow((void **)&l->pool, &l->pool_cap, need, 1)) {
        return ENOMEM;
    }
    char *p = l->pool + l->pool_len;
    if (dir_len > 0) {
        memcpy(p, l->pool + dir_off, dir_len);
        p[dir_len] = '/';
        p += dir_len + 1;
    }
    memcpy(p, name, name_len);
    p[name_len] = '\0';
    *off = l->pool_len;
    l->pool_len = (size_t)(p + name_len + 1 - l->pool);
    return 0;
}

static int item_add(WalkList *l, size_t off, size_t len, int type, int flags)
{
    if (grow((void **)&l->items, &l->items_cap, l->nitems + 1, sizeof(WalkItem))) {
        return ENOMEM;
    }
    l->items[l->nitems++] = (WalkItem){
        .off = off, .len = len, .type = (unsigned char)type,
        .listed = (flags & WALK_LIST) != 0, .descend = (flags & WALK_DESCEND) != 0,
    };
    return 0;
}

int walk_list_add(WalkList *l, const char *path, size_t len, int type)
{
    size_t off;
    int rc = pool_add(l, 0, 0, path, len, &off);
    return rc ? rc : item_add(l, off, len, type, WALK_LIST);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const WalkEntry *)a)->path, ((const WalkEntry *)b)->path);
}

int walk_list_finish(WalkList *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nitems; i++) {
        n += l->items[i].listed;
    }
    l->entries = malloc((n ? n : 1) * sizeof(WalkEntry));
    if (l->entries == NULL) {
        return ENOMEM;
    }
    for (size_t i = 0; i < l->nitems; i++) {
        const WalkItem *it = &l->items[i];
        if (it->listed) {
            l->entries[l->count++] = (WalkEntry){l->pool + it->off, it->len, it->type};
        }
    }
    qsort(l->entries, l->count, sizeof(WalkEntry), cmp_entry);
    free(l->items);
    l->items = NULL;
    l->nitems = l->items_cap = 0;
    return 0;
}

bool walk_skip_name(const WalkOptions *opt, const char *name)
{
    for (size_t i = 0; i < opt->nskip; i++) {
        if (strcasecmp(opt->skip_names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static int fail(char *err, size_t errlen, const char *verb, const char *root,
                const char *rel, int e)
{
    size_t rl = strlen(root);
    bool slash = rel[0] && rl > 0 && root[rl - 1] != '/';
    snprintf(err, errlen, "fs: cannot %s '%s%s%s': %s", verb, root, slash ? "/" : "", rel,
             strerror(e));
    return e;
}

/* Reads one directory (item index `di`, or the root when di == SIZE_MAX)
 * and appends its accepted children. Returns 0, or an errno value for a
 * failure that must stop the walk (*unreadable set for open/read errors). */
static int read_dir(int rootfd, WalkList *l, size_t di, const WalkOptions *opt,
                    walk_filter_fn filter, void *ud, bool *unreadable)
{
    size_t doff = di == SIZE_MAX ? 0 : l->items[di].off;
    size_t dlen = di == SIZE_MAX ? 0 : l->items[di].len;
    *unreadable = false;
    int fd = openat(rootfd, dlen ? l->pool + doff : ".",
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (d == NULL) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
        }
        *unreadable = true;
        return e;
    }
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno != 0) {
                rc = errno;
                *unreadable = true;
            }
            break;
        }
        const char *name = de->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
            continue;
        }
        int type = 0;
        if (de->d_type == DT_REG) {
            type = WALK_FILE;
        } else if (de->d_type == DT_DIR) {
            type = WALK_DIR;
        } else if (de->d_type == DT_UNKNOWN) {
            struct stat st;
            if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                type = S_ISREG(st.st_mode) ? WALK_FILE : S_ISDIR(st.st_mode) ? WALK_DIR : 0;
            }
        }
        if (type == 0 || (type == WALK_DIR && walk_skip_name(opt, name))) {
            continue;
        }
        size_t off, nlen = strlen(name);
        if ((rc = pool_add(l, doff, dlen, name, nlen, &off)) != 0) {
            break;
        }
        size_t len = l->pool_len - off - 1;
        int flags = filter(ud, l->pool + off, len, type);
        if (flags == 0) {
            l->pool_len = off;
        } else if ((rc = item_add(l, off, len, type, flags)) != 0) {
            break;
        }
    }
    closedir(d);
    return rc;
}

int walk_core(const char *root, const char *verb, const WalkOptions *opt,
              walk_filter_fn filter, void *ud, WalkList *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        return fail(err, errlen, verb, root, "", errno);
    }
    bool unreadable;
    int rc = read_dir(rootfd, out, SIZE_MAX, opt, filter, ud, &unreadable);
    if (rc != 0) {
        fail(err, errlen, verb, root, "", rc);
    }
    /* Then every descended directory, in discovery order (the item array
     * grows while we scan it). */
    for (size_t i = 0; rc == 0 && i < out->nitems; i++) {
        if (!out->items[i].descend) {
            continue;
        }
        rc = read_dir(rootfd, out, i, opt, filter, ud, &unreadable);
        if (rc != 0 && unreadable && !opt->strict) {
            out->skipped++;
            rc = 0;
        } else if (rc != 0) {
            fail(err, errlen, verb, root, out->pool + out->items[i].off, rc);
        }
    }
    close(rootfd);
    if (rc == 0 && (rc = walk_list_finish(out)) != 0) {
        fail(err, errlen, verb, root, "", rc);
    }
    if (rc != 0) {
        size_t skipped = out->skipped;
        walk_list_free(out);
        out->skipped = skipped;
    }
    return rc;
}

typedef struct TreeCtx {
    const WalkOptions *opt;
} TreeCtx;

static int tree_filter(void *ud, const char *rel, size_t len, int type)
{
    const WalkOptions *opt = ((TreeCtx *)ud)->opt;
    if (opt->exclude != NULL && globset_size(opt->exclude) > 0
        && globset_match(opt->exclude, rel, len)) {
        return 0;
    }
    if (type == WALK_FILE) {
        return WALK_LIST;
    }
    return WALK_DESCEND | (opt->dirs ? WALK_LIST : 0);
}

int walk_tree(const char *root, const WalkOptions *opt, WalkList *out,
              char *err, size_t errlen)
{
    TreeCtx ctx = {opt};
    return walk_core(root, "walk", opt, tree_filter, &ctx, out, err, errlen);
}
