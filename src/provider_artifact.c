/* provider_artifact.c: the sqlite-artifact provider (storage.md §7.4). The
 * artifact zip is found and downloaded by lua/unentropy/artifact.lua (API
 * policy); this side extracts its single .db entry into the private working
 * copy and persists by moving the snapshot to the working file that the
 * composite action uploads with actions/upload-artifact. Pure C (unzip.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "provider.h"
#include "unzip.h"

typedef struct Artifact {
    char *name;
    char *output;
} Artifact;

static int artifact_fetch(Provider *p, const char *zip, ProviderInfo *info, char *err,
                          size_t errlen)
{
    Artifact *a = p->impl;
    if (zip == NULL) {
        return provider_truncate(p, err, errlen) == PROVIDER_OK ? PROVIDER_NEW : PROVIDER_ERROR;
    }
    int count = 0;
    int rc = unzip_single_db(zip, p->path, &count, &info->bytes, err, errlen);
    if (rc == 1) {
        snprintf(err, errlen, "Artifact '%s' must contain exactly one .db file, found %d",
                 a->name, count);
    }
    if (rc != 0) {
        (void)!truncate(p->path, 0); /* no half-extracted database */
        return PROVIDER_ERROR;
    }
    return PROVIDER_OK;
}

static int artifact_persist(Provider *p, const char *snapshot, ProviderInfo *info, char *err,
                            size_t errlen)
{
    Artifact *a = p->impl;
    struct stat st;
    if (stat(snapshot, &st) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", a->output, strerror(errno));
        return PROVIDER_ERROR;
    }
    /* The snapshot lives in $TMPDIR: rename when on the same file system,
     * else copy (fs_copy is atomic too). The uploaded file is 0644. */
    if (rename(snapshot, a->output) != 0) {
        int e = errno;
        char ferr[512];
        if (e != EXDEV) {
            snprintf(err, errlen, "cannot write %s: %s", a->output, strerror(e));
            return PROVIDER_ERROR;
        }
        e = fs_copy(snapshot, a->output, ferr, sizeof ferr);
        if (e != 0) {
            snprintf(err, errlen, "cannot write %s: %s", a->output, strerror(e));
            return PROVIDER_ERROR;
        }
        unlink(snapshot);
    }
    chmod(a->output, 0644);
    info->bytes = (int64_t)st.st_size;
    return PROVIDER_OK;
}

static void artifact_release(Provider *p)
{
    Artifact *a = p->impl;
    if (a != NULL) {
        free(a->name);
        free(a->output);
        free(a);
    }
}

static const ProviderOps artifact_ops = {"sqlite-artifact", artifact_fetch, artifact_persist,
                                         artifact_release};

int provider_new_artifact(Provider **out, const char *name, const char *output, char *err,
                          size_t errlen)
{
    err[0] = '\0';
    *out = NULL;
    Artifact *a = calloc(1, sizeof *a);
    if (a != NULL) {
        a->name = strdup(name);
        a->output = strdup(output);
    }
    if (a == NULL || a->name == NULL || a->output == NULL) {
        if (a != NULL) {
            free(a->name);
            free(a->output);
            free(a);
        }
        snprintf(err, errlen, "provider: out of memory");
        return PROVIDER_ERROR;
    }
    Provider *p;
    if (provider_alloc(&p, &artifact_ops, NULL, err, errlen) != PROVIDER_OK) {
        free(a->name);
        free(a->output);
        free(a);
        return PROVIDER_ERROR;
    }
    p->impl = a;
    *out = p;
    return PROVIDER_OK;
}
