/* glob_path.c: lexical path normalization for glob matching (collection.md
 * §5): '\' to '/', leading "./" removed, absolute paths made relative to a
 * base directory with "../" where needed. Nothing here touches the file
 * system except getcwd for relative bases. Depends on libc; see glob.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glob.h"

size_t glob_normalize(char *s)
{
    for (char *p = s; *p; p++) {
        if (*p == '\\') {
            *p = '/';
        }
    }
    size_t skip = 0;
    while (s[skip] == '.' && s[skip + 1] == '/') {
        skip += 2;
    }
    size_t len = strlen(s + skip);
    memmove(s, s + skip, len + 1);
    return len;
}

/* Splits an absolute path into segments in place (s is modified), dropping
 * empty and "." segments and resolving ".." lexically; with `stop_magic`,
 * resolution stops at the first segment with glob characters and the rest
 * is kept whole as the last segment. Returns the count. */
static size_t segments(char *s, char **seg, size_t max, bool stop_magic)
{
    size_t n = 0;
    char *p = s;
    while (*p == '/') {
        p++;
    }
    while (*p && n < max) {
        char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char save = p[len];
        p[len] = '\0';
        bool magic = stop_magic && glob_has_magic(p);
        p[len] = save;
        if (magic) {
            seg[n++] = p; /* the rest, unsplit */
            break;
        }
        if (end) {
            *end = '\0';
        }
        if (strcmp(p, "..") == 0) {
            if (n > 0) {
                n--;
            }
        } else if (len > 0 && strcmp(p, ".") != 0) {
            seg[n++] = p;
        }
        if (!end) {
            break;
        }
        p = end + 1;
        while (*p == '/') {
            p++;
        }
    }
    return n;
}

char *glob_abspath(const char *path)
{
    char *cwd = NULL;
    if (path[0] != '/') {
        cwd = getcwd(NULL, 0);
        if (cwd == NULL) {
            return NULL;
        }
    }
    size_t clen = cwd ? strlen(cwd) : 0;
    size_t plen = strlen(path);
    char *tmp = malloc(clen + plen + 2);
    char **seg = malloc((clen + plen + 2) * sizeof(char *));
    char *out = malloc(clen + plen + 2);
    if (tmp == NULL || seg == NULL || out == NULL) {
        free(cwd);
        free(tmp);
        free(seg);
        free(out);
        errno = ENOMEM;
        return NULL;
    }
    size_t off = 0;
    if (cwd) {
        memcpy(tmp, cwd, clen);
        tmp[clen] = '/';
        off = clen + 1;
    }
    memcpy(tmp + off, path, plen + 1);
    free(cwd);
    size_t n = segments(tmp, seg, clen + plen + 2, false);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(seg[i]);
        out[o++] = '/';
        memcpy(out + o, seg[i], l);
        o += l;
    }
    if (o == 0) {
        out[o++] = '/';
    }
    out[o] = '\0';
    free(tmp);
    free(seg);
    return out;
}

char *glob_relativize(const char *path, const char *base_abs, bool pattern)
{
    if (path[0] != '/') {
        return strdup(path);
    }
    size_t plen = strlen(path), blen = strlen(base_abs);
    char *p = strdup(path), *b = strdup(base_abs);
    char **ps = malloc((plen + 1) * sizeof(char *));
    char **bs = malloc((blen + 1) * sizeof(char *));
    /* worst case: one "../" per base segment plus the path */
    char *out = malloc(3 * (blen + 1) + plen + 1);
    char *r = NULL;
    if (p && b && ps && bs && out) {
        size_t np = segments(p, ps, plen + 1, pattern);
        size_t nb = segments(b, bs, blen + 1, false);
        size_t c = 0;
        while (c < np && c < nb && strcmp(ps[c], bs[c]) == 0
               && !(pattern && glob_has_magic(ps[c]))) {
            c++;
        }
        size_t o = 0;
        for (size_t i = c; i < nb; i++) {
            memcpy(out + o, "../", 3);
            o += 3;
        }
        for (size_t i = c; i < np; i++) {
            size_t l = strlen(ps[i]);
            memcpy(out + o, ps[i], l);
            o += l;
            out[o++] = '/';
        }
        if (o > 0) {
            o--; /* the last '/' */
        }
        out[o] = '\0';
        r = out;
        out = NULL;
    }
    free(p);
    free(b);
    free(ps);
    free(bs);
    free(out);
    if (r == NULL) {
        errno = ENOMEM;
    }
    return r;
}
