/* fs.c: file-system primitives behind unentropy.fs (see fs.h): whole-file
 * read, atomic write/copy through a temp file in the target directory,
 * append, stat, mkdir -p, directory listing and binary sniffing. Removal
 * and temp names live in fs_tree.c. Depends on POSIX only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "fs_internal.h"

int fs_fail(char *err, size_t errlen, const char *verb, const char *path, int e)
{
    snprintf(err, errlen, "fs: cannot %s '%s': %s", verb, path, strerror(e));
    return e;
}

static int fail2(char *err, size_t errlen, const char *verb, const char *a, const char *b, int e)
{
    snprintf(err, errlen, "fs: cannot %s '%s' to '%s': %s", verb, a, b, strerror(e));
    return e;
}

int fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Opens a new file "<dir>/.<base>.<random>.tmp" next to path (O_EXCL). */
static int open_temp_near(const char *path, mode_t mode, char *tmp, size_t tmplen)
{
    static unsigned counter;
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dlen;
    int blen = (int)strnlen(base, 100);
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long r = ((unsigned long)ts.tv_nsec * 2654435761u) ^ ((unsigned long)getpid() << 16)
                          ^ (unsigned long)++counter * 40503u;
        int n = snprintf(tmp, tmplen, "%.*s.%.*s.%08lx.tmp", (int)dlen, path, blen, base,
                         r & 0xffffffffUL);
        if (n < 0 || (size_t)n >= tmplen) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST) {
            return fd;
        }
    }
    errno = EEXIST;
    return -1;
}

/* fsync of path's directory, so the rename is durable; errors ignored
 * (some file systems refuse fsync on directories). */
static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (slash == NULL) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else if ((size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    } else {
        return;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Finishes a temp file: optional chmod, fsync, close, rename over path.
 * Closes fd and removes tmp on failure. Returns 0 or errno. */
static int commit_temp(int fd, const char *tmp, const char *path, int chmod_mode)
{
    int rc = 0;
    if (chmod_mode >= 0 && fchmod(fd, (mode_t)chmod_mode) != 0) {
        rc = errno;
    }
    if (rc == 0 && fsync(fd) != 0) {
        rc = errno;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = errno;
    }
    if (rc != 0) {
        unlink(tmp);
        return rc;
    }
    sync_parent(path);
    return 0;
}

int fs_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    struct stat st;
    int keep = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (int)(st.st_mode & 07777) : -1;
    int fd = open_temp_near(path, 0666, tmp, sizeof tmp);
    if (fd < 0) {
        return fs_fail(err, errlen, "write", path, errno);
    }
    int rc = fs_write_all(fd, data, len);
    if (rc != 0) {
        close(fd);
        unlink(tmp);
        return fs_fail(err, errlen, "write", path, rc);
    }
    rc = commit_temp(fd, tmp, path, keep);
    return rc ? fs_fail(err, errlen, "write", path, rc) : 0;
}

int fs_append(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) {
        return fs_fail(err, errlen, "append to", path, errno);
    }
    int rc = fs_write_all(fd, data, len);
    if (close(fd) != 0 && rc == 0) {
        rc = errno;
    }
    return rc ? fs_fail(err, errlen, "append to", path, rc) : 0;
}

int fs_copy(const char *src, const char *dst, char *err, size_t errlen)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        return fail2(err, errlen, "copy", src, dst, errno);
    }
    struct stat st;
    int rc = fstat(in, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR
           : !S_ISREG(st.st_mode) ? EINVAL : 0;
    char tmp[PATH_MAX];
    int out = rc ? -1 : open_temp_near(dst, st.st_mode & 0777, tmp, sizeof tmp);
    if (rc == 0 && out < 0) {
        rc = errno;
    }
    char buf[65536];
    while (rc == 0) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = n < 0 ? errno : 0;
            break;
        }
        rc = fs_write_all(out, buf, (size_t)n);
    }
    close(in);
    if (out >= 0) {
        if (rc == 0) {
            rc = commit_temp(out, tmp, dst, -1);
        } else {
            close(out);
            unlink(tmp);
        }
    }
    return rc ? fail2(err, errlen, "copy", src, dst, rc) : 0;
}

int fs_read(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fs_fail(err, errlen, "open", path, errno);
    }
    struct stat st;
    size_t cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
    char *buf = malloc(cap);
    size_t n = 0;
    int rc = buf ? 0 : ENOMEM;
    while (rc == 0) {
        /* Read into the buffer while it has room; once full (the expected
         * size was reached) probe with a small read before growing, so the
         * usual EOF costs no reallocation. */
        char probe[4096];
        bool full = n + 1 >= cap;
        ssize_t r = full ? read(fd, probe, sizeof probe) : read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            rc = r < 0 ? errno : 0;
            break;
        }
        if (full) {
            size_t ncap = cap * 2 > n + (size_t)r + 1 ? cap * 2 : n + (size_t)r + 1;
            char *b = realloc(buf, ncap);
            if (b == NULL) {
                rc = ENOMEM;
                break;
            }
            buf = b;
            cap = ncap;
            memcpy(buf + n, probe, (size_t)r);
        }
        n += (size_t)r;
    }
    close(fd);
    if (rc != 0) {
        free(buf);
        return fs_fail(err, errlen, "read", path, rc);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int fs_stat(const char *path, bool follow, FsStat *out, char *err, size_t errlen)
{
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) {
        return fs_fail(err, errlen, "stat", path, errno);
    }
    out->type = S_ISREG(st.st_mode) ? FS_FILE : S_ISDIR(st.st_mode) ? FS_DIR
              : S_ISLNK(st.st_mode) ? FS_LINK : FS_OTHER;
    out->size = (uint64_t)st.st_size;
    out->mtime = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
    out->mode = st.st_mode & 07777;
    out->ino = (uint64_t)st.st_ino;
    out->dev = (uint64_t)st.st_dev;
    out->nlink = (uint64_t)st.st_nlink;
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_mkdir_p(const char *path, char *err, size_t errlen)
{
    size_t len = strlen(path);
    char *buf = malloc(len + 1);
    if (buf == NULL) {
        return fs_fail(err, errlen, "create directory", path, ENOMEM);
    }
    memcpy(buf, path, len + 1);
    while (len > 1 && buf[len - 1] == '/') {
        buf[--len] = '\0';
    }
    int rc = len == 0 ? ENOENT : 0;
    for (size_t i = 1; i <= len && rc == 0; i++) {
        if (i < len && buf[i] != '/') {
            continue;
        }
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0) {
            int e = errno;
            if (!(e == EEXIST && i < len) && !is_dir(buf)) {
                rc = e;
            }
        }
        if (i < len) {
            buf[i] = '/';
        }
    }
    free(buf);
    return rc ? fs_fail(err, errlen, "create directory", path, rc) : 0;
}

int fs_remove(const char *path, char *err, size_t errlen)
{
    return remove(path) != 0 ? fs_fail(err, errlen, "remove", path, errno) : 0;
}

int fs_rename(const char *from, const char *to, char *err, size_t errlen)
{
    return rename(from, to) != 0 ? fail2(err, errlen, "rename", from, to, errno) : 0;
}

int fs_cwd(char *out, size_t outlen, char *err, size_t errlen)
{
    if (getcwd(out, outlen) == NULL) {
        return fs_fail(err, errlen, "get the current directory", ".", errno);
    }
    return 0;
}

int fs_realpath(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
    char *r = realpath(path, NULL);
    if (r == NULL) {
        return fs_fail(err, errlen, "resolve", path, errno);
    }
    size_t n = strlen(r);
    int rc = n < outlen ? 0 : ENAMETOOLONG;
    if (rc == 0) {
        memcpy(out, r, n + 1);
    }
    free(r);
    return rc ? fs_fail(err, errlen, "resolve", path, rc) : 0;
}

int fs_is_binary(const char *path, bool *binary, char *err, size_t errlen)
{
    *binary = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return fs_fail(err, errlen, "open", path, errno);
    }
    char buf[FS_SNIFF_BYTES];
    size_t n = 0;
    int rc = 0;
    while (n < sizeof buf) {
        ssize_t r = read(fd, buf + n, sizeof buf - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            rc = r < 0 ? errno : 0;
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    if (rc != 0) {
        return fs_fail(err, errlen, "read", path, rc);
    }
    *binary = memchr(buf, '\0', n) != NULL;
    return 0;
}
