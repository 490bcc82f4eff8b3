/* provider.c: the shared half of the storage providers (provider.h): the
 * private temp working copy ($TMPDIR/unentropy-XXXXXX.db, mode 0600), its
 * snapshot name, cleanup of every temp file (SQLite's -journal, -wal and
 * -shm included) and dispatch through the ops struct. The implementations
 * are provider_local.c, provider_s3.c and provider_artifact.c. Pure C. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/* "$TMPDIR/unentropy-XXXXXX.db" created with mode 0600. */
static char *make_temp(char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = "/tmp";
    }
    size_t n = strlen(dir) + 32;
    char *path = malloc(n);
    if (path == NULL) {
        snprintf(err, errlen, "provider: out of memory");
        return NULL;
    }
    snprintf(path, n, "%s/unentropy-XXXXXX.db", dir);
    int fd = mkstemps(path, 3); /* mkstemp creates files with mode 0600 */
    if (fd < 0) {
        snprintf(err, errlen, "provider: cannot create a temp file in '%s': %s", dir,
                 strerror(errno));
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

int provider_alloc(Provider **out, const ProviderOps *ops, const char *local_path, char *err,
                   size_t errlen)
{
    *out = NULL;
    Provider *p = calloc(1, sizeof *p);
    if (p == NULL) {
        snprintf(err, errlen, "provider: out of memory");
        return PROVIDER_ERROR;
    }
    p->ops = ops;
    if (local_path != NULL) {
        p->path = dup_str(local_path);
    } else {
        p->temp = 1;
        p->path = make_temp(err, errlen);
        if (p->path != NULL) {
            size_t n = strlen(p->path) + 16;
            p->snapshot = malloc(n);
            if (p->snapshot != NULL) {
                snprintf(p->snapshot, n, "%s.snapshot", p->path);
            }
        }
    }
    if (p->path == NULL || (p->temp && p->snapshot == NULL)) {
        if (err[0] == '\0') {
            snprintf(err, errlen, "provider: out of memory");
        }
        provider_free(p);
        return PROVIDER_ERROR;
    }
    *out = p;
    return PROVIDER_OK;
}

int provider_truncate(Provider *p, char *err, size_t errlen)
{
    if (truncate(p->path, 0) != 0) {
        snprintf(err, errlen, "provider: cannot reset '%s': %s", p->path, strerror(errno));
        return PROVIDER_ERROR;
    }
    return PROVIDER_OK;
}

int provider_fetch(Provider *p, const char *source, ProviderInfo *info, char *err,
                   size_t errlen)
{
    memset(info, 0, sizeof *info);
    err[0] = '\0';
    return p->ops->fetch(p, source, info, err, errlen);
}

int provider_persist(Provider *p, const char *snapshot, ProviderInfo *info, char *err,
                     size_t errlen)
{
    memset(info, 0, sizeof *info);
    err[0] = '\0';
    return p->ops->persist(p, snapshot, info, err, errlen);
}

const char *provider_type(const Provider *p)
{
    return p->ops->type;
}

const char *provider_path(const Provider *p)
{
    return p->path;
}

const char *provider_snapshot_path(const Provider *p)
{
    return p->snapshot;
}

void provider_keep_snapshot(Provider *p)
{
    p->keep_snapshot = 1;
}

static void remove_with_suffix(const char *path, const char *suffix)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s%s", path, suffix) < (int)sizeof buf) {
        unlink(buf);
    }
}

void provider_cleanup(Provider *p)
{
    if (p == NULL || !p->temp) {
        return;
    }
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (p->path != NULL) {
            remove_with_suffix(p->path, suffixes[i]);
        }
        if (p->snapshot != NULL && (i > 0 || !p->keep_snapshot)) {
            remove_with_suffix(p->snapshot, suffixes[i]);
        }
    }
}

void provider_free(Provider *p)
{
    if (p == NULL) {
        return;
    }
    provider_cleanup(p);
    if (p->ops != NULL && p->ops->release != NULL) {
        p->ops->release(p);
    }
    free(p->path);
    free(p->snapshot);
    free(p);
}
