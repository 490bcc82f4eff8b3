/* fs_tree.c: the directory side of unentropy.fs (see fs.h): recursive
 * removal with openat/unlinkat that never follows symlinks, sorted
 * directory listings, temp directories and temp file names. Depends on
 * POSIX only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "fs_internal.h"

/* Path of the entry being removed, for messages only (may be truncated). */
typedef struct RmPath {
    char buf[4096];
    size_t len;
} RmPath;

static size_t rm_push(RmPath *p, const char *name)
{
    size_t old = p->len;
    int n = snprintf(p->buf + p->len, sizeof p->buf - p->len, "/%s", name);
    if (n > 0) {
        p->len += (size_t)n < sizeof p->buf - p->len ? (size_t)n : sizeof p->buf - p->len - 1;
    }
    return old;
}

/* Empties the directory open as dfd (takes ownership of dfd). Rereads the
 * directory until a pass finds nothing, since entries removed during
 * readdir may hide others on some file systems. */
static int rm_contents(int dfd, RmPath *path)
{
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        int e = errno;
        close(dfd);
        return e;
    }
    int rc = 0;
    for (size_t removed = 1; removed > 0 && rc == 0;) {
        removed = 0;
        struct dirent *de;
        while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
            const char *name = de->d_name;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
                continue;
            }
            bool dir = de->d_type == DT_DIR;
            struct stat st;
            if (de->d_type == DT_UNKNOWN && fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                dir = S_ISDIR(st.st_mode);
            }
            size_t mark = rm_push(path, name);
            if (dir) {
                int fd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                rc = fd < 0 ? errno : rm_contents(fd, path);
                if (rc == 0 && unlinkat(dirfd(d), name, AT_REMOVEDIR) != 0) {
                    rc = errno;
                }
            } else if (unlinkat(dirfd(d), name, 0) != 0) {
                rc = errno;
            }
            if (rc == 0) {
                path->len = mark;
                path->buf[mark] = '\0';
                removed++;
            }
        }
        if (rc == 0 && errno != 0) {
            rc = errno;
        }
        if (removed > 0) {
            rewinddir(d);
        }
    }
    closedir(d);
    return rc;
}

int fs_remove_tree(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return fs_fail(err, errlen, "remove", path, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        return unlink(path) != 0 ? fs_fail(err, errlen, "remove", path, errno) : 0;
    }
    RmPath rp;
    snprintf(rp.buf, sizeof rp.buf, "%s", path);
    rp.len = strlen(rp.buf);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int rc = fd < 0 ? errno : rm_contents(fd, &rp);
    if (rc != 0) {
        return fs_fail(err, errlen, "remove", rp.buf, rc);
    }
    return rmdir(path) != 0 ? fs_fail(err, errlen, "remove", path, errno) : 0;
}

static const char *tmp_root(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

int fs_mkdtemp(const char *prefix, char *out, size_t outlen, char *err, size_t errlen)
{
    int n = snprintf(out, outlen, "%s/%sXXXXXX", tmp_root(), prefix ? prefix : "unentropy-");
    if (n < 0 || (size_t)n >= outlen) {
        return fs_fail(err, errlen, "create temporary directory in", tmp_root(), ENAMETOOLONG);
    }
    if (mkdtemp(out) == NULL) {
        return fs_fail(err, errlen, "create temporary directory", out, errno);
    }
    return 0;
}

int fs_tmpname(const char *dir, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *d = dir ? dir : tmp_root();
    int n = snprintf(out, outlen, "%s/unentropy-XXXXXX", d);
    if (n < 0 || (size_t)n >= outlen) {
        return fs_fail(err, errlen, "create temporary file in", d, ENAMETOOLONG);
    }
    int fd = mkstemp(out);
    if (fd < 0) {
        return fs_fail(err, errlen, "create temporary file", out, errno);
    }
    close(fd);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void fs_names_free(FsNames *n)
{
    free(n->names);
    free(n->pool);
    memset(n, 0, sizeof *n);
}

int fs_list(const char *path, FsNames *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(path);
    if (d == NULL) {
        return fs_fail(err, errlen, "list", path, errno);
    }
    size_t used = 0, cap = 0, count = 0;
    int rc = 0;
    struct dirent *de;
    while ((errno = 0, de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
            continue;
        }
        size_t l = strlen(name) + 1;
        if (used + l > cap) {
            size_t c = cap ? cap * 2 : 1024;
            while (c < used + l) {
                c *= 2;
            }
            char *p = realloc(out->pool, c);
            if (p == NULL) {
                rc = ENOMEM;
                break;
            }
            out->pool = p;
            cap = c;
        }
        memcpy(out->pool + used, name, l);
        used += l;
        count++;
    }
    if (rc == 0 && errno != 0) {
        rc = errno;
    }
    closedir(d);
    if (rc == 0 && (out->names = malloc((count ? count : 1) * sizeof(char *))) == NULL) {
        rc = ENOMEM;
    }
    if (rc != 0) {
        fs_names_free(out);
        return fs_fail(err, errlen, "list", path, rc);
    }
    for (size_t i = 0, off = 0; i < count; i++) {
        out->names[i] = out->pool + off;
        off += strlen(out->pool + off) + 1;
    }
    out->count = count;
    qsort(out->names, count, sizeof(char *), cmp_name);
    return 0;
}
