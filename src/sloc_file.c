/* sloc_file.c: the file side of sloc.h: reading a file into a reusable
 * buffer (regular files only, never blocking on a FIFO), binary sniffing,
 * and node's path.extname for picking the language. Pure C (POSIX). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sloc.h"

size_t sloc_extname(const char *path, char *out, size_t outlen)
{
    /* node lib/path.js posix.extname, on bytes */
    size_t n = strlen(path);
    long start_dot = -1, start_part = 0, end = -1;
    bool matched_slash = true;
    int pre_dot = 0;
    for (long i = (long)n - 1; i >= 0; i--) {
        char c = path[i];
        if (c == '/') {
            if (!matched_slash) {
                start_part = i + 1;
                break;
            }
            continue;
        }
        if (end == -1) {
            matched_slash = false;
            end = i + 1;
        }
        if (c == '.') {
            if (start_dot == -1) {
                start_dot = i;
            } else if (pre_dot != 1) {
                pre_dot = 1;
            }
        } else if (start_dot != -1) {
            pre_dot = -1;
        }
    }
    size_t len = 0;
    if (!(start_dot == -1 || end == -1 || pre_dot == 0 ||
          (pre_dot == 1 && start_dot == end - 1 && start_dot == start_part + 1))) {
        for (long i = start_dot + 1; i < end && len + 1 < outlen; i++) {
            char c = path[i];
            out[len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
    }
    if (outlen > 0) {
        out[len] = '\0';
    }
    return len;
}

void sloc_buf_free(SlocBuf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->cap = 0;
}

static int buf_reserve(SlocBuf *buf, size_t need)
{
    if (need <= buf->cap) {
        return 0;
    }
    size_t nc = buf->cap ? buf->cap : 65536;
    while (nc < need) {
        if (nc > (size_t)-1 / 2) {
            return ENOMEM;
        }
        nc *= 2;
    }
    char *nd = realloc(buf->data, nc);
    if (nd == NULL) {
        return ENOMEM;
    }
    buf->data = nd;
    buf->cap = nc;
    return 0;
}

/* Reads the whole regular file into buf; *len excludes the NUL added. */
static int read_all(const char *path, SlocBuf *buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        return errno;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto out;
    }
    size_t n = 0;
    rc = buf_reserve(buf, (size_t)st.st_size + 2);
    while (rc == 0) {
        if (n + 1 >= buf->cap && (rc = buf_reserve(buf, buf->cap + 1)) != 0) {
            break;
        }
        ssize_t r = read(fd, buf->data + n, buf->cap - n - 1);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = errno;
        } else if (r == 0) {
            break;
        } else {
            n += (size_t)r;
        }
    }
    if (rc == 0) {
        buf->data[n] = '\0';
        *len = n;
    }
out:
    close(fd);
    return rc;
}

int sloc_count_path(const char *path, const SlocLang *lang, bool skip_binary, SlocBuf *buf,
                    int64_t *count, SlocFileKind *kind, char *err, size_t errlen)
{
    *count = 0;
    *kind = SLOC_COUNTED;
    size_t len = 0;
    int rc = read_all(path, buf, &len);
    if (rc == 0 && skip_binary && memchr(buf->data, '\0', len < SLOC_SNIFF_BYTES ? len : SLOC_SNIFF_BYTES)) {
        *kind = SLOC_BINARY;
        return 0;
    }
    if (rc == 0 && lang) {
        SlocCounts c;
        len = sloc_normalize(buf->data, len);
        rc = sloc_count(lang, buf->data, len, &c);
        *count = c.source;
    } else if (rc == 0) {
        *count = sloc_nonempty_lines(buf->data, len);
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s", rc == EINVAL ? "not a regular file" : strerror(rc));
    }
    return rc;
}
