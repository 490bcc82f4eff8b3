/* provider.h: the storage providers of storage.md §7 behind one ops struct:
 * sqlite-local (the file itself), sqlite-s3 (a private temp copy downloaded
 * from S3, uploaded back with a conditional PUT) and sqlite-artifact (a
 * private temp copy extracted from a GitHub artifact zip, persisted to the
 * working file the composite action uploads). The lifecycle is
 * provider_fetch (again after a conflict) -> work on provider_path ->
 * provider_persist(snapshot) -> provider_free (always; removes temp files).
 * SQLite itself stays in store.c: callers open provider_path with the store
 * and write snapshots with store_snapshot. Pure C (s3.h, unzip.h); no Lua. */
#ifndef UNENTROPY_PROVIDER_H
#define UNENTROPY_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "s3.h"

typedef struct Provider Provider;

enum {
    PROVIDER_OK = 0,
    PROVIDER_NEW = 1,      /* fetch: nothing stored yet (first run); the copy is empty */
    PROVIDER_CONFLICT = 2, /* persist: the remote changed since the fetch (412/409) */
    PROVIDER_ERROR = -1,   /* err holds the message */
};

/* What a fetch or persist did. */
typedef struct ProviderInfo {
    int64_t bytes;          /* downloaded / written or uploaded */
    char etag[S3_ETAG_MAX]; /* S3 only */
    long status;            /* last HTTP status (S3), 0 otherwise */
    int attempts;           /* HTTP attempts of the last request (S3) */
} ProviderInfo;

/* The ops struct every provider implements (style.md item 6). */
typedef struct ProviderOps {
    const char *type; /* "sqlite-local", "sqlite-s3", "sqlite-artifact" */
    /* Makes provider_path hold the stored database; source is the
     * provider-specific input (artifact: the zip file, or NULL). */
    int (*fetch)(Provider *p, const char *source, ProviderInfo *info, char *err, size_t errlen);
    /* Stores the snapshot file (a closed, single-file database). */
    int (*persist)(Provider *p, const char *snapshot, ProviderInfo *info, char *err,
                   size_t errlen);
    /* Releases what the implementation owns (impl); temp files are removed
     * by provider.c. */
    void (*release)(Provider *p);
} ProviderOps;

/* Shared state; implementations keep their own data in impl. */
struct Provider {
    const ProviderOps *ops;
    char *path;          /* working copy (remote) or the local file */
    char *snapshot;      /* where persist's snapshot should be written, or NULL */
    int temp;            /* path (and snapshot) are private temp files to remove */
    int keep_snapshot;   /* provider_free leaves the snapshot in place */
    void *impl;
};

/* ---- constructors: on success *out must be released with provider_free -- */

/* sqlite-local: path is used as is (fetch and persist do nothing; the store
 * creates, checkpoints and closes the file). */
int provider_new_local(Provider **out, const char *path, char *err, size_t errlen);

/* sqlite-s3: creates the private working copy "$TMPDIR/unentropy-XXXXXX.db"
 * (mode 0600, empty) and the snapshot name next to it. target strings,
 * credentials and options are copied (credentials are wiped on free).
 * opts may be NULL (3 retries, 500 ms). Errors: the two messages of
 * storage.md §7.3 for a missing bucket or missing credentials. */
int provider_new_s3(Provider **out, const S3Target *target, const S3Credentials *cred,
                    const S3Options *opts, char *err, size_t errlen);

/* sqlite-artifact: creates the private working copy as above; persist
 * moves the snapshot to `output` (the working file, e.g. ./unentropy.db).
 * name is the artifact name, used in messages. */
int provider_new_artifact(Provider **out, const char *name, const char *output, char *err,
                          size_t errlen);

/* ---- lifecycle ------------------------------------------------------------ */

/* S3: GET into the working copy (PROVIDER_NEW on 404, remembering that the
 * upload must use If-None-Match: *); the ETag is kept for If-Match.
 * Artifact: extract the single .db entry of the zip `source` (NULL: first
 * run, PROVIDER_NEW). Local: PROVIDER_OK, nothing done. The working copy is
 * emptied on failure. The database must be closed while this runs. */
int provider_fetch(Provider *p, const char *source, ProviderInfo *info, char *err,
                   size_t errlen);

/* S3: PUT the snapshot with If-Match (or If-None-Match: *); PROVIDER_CONFLICT
 * on 412/409, after which provider_fetch gets the new version. Artifact:
 * rename (or copy) the snapshot to the output file, mode 0644. Local: no-op.
 * The snapshot is made private (0600) before an upload. */
int provider_persist(Provider *p, const char *snapshot, ProviderInfo *info, char *err,
                     size_t errlen);

/* Type name, working path, snapshot path (NULL for local). Borrowed; valid
 * until provider_free. */
const char *provider_type(const Provider *p);
const char *provider_path(const Provider *p);
const char *provider_snapshot_path(const Provider *p);

/* Removes the temp files (working copy, its -journal/-wal/-shm, and the
 * snapshot unless provider_keep_snapshot was called). Idempotent. */
void provider_cleanup(Provider *p);

/* After a failed upload: keep the snapshot for the user. */
void provider_keep_snapshot(Provider *p);

/* provider_cleanup + frees everything. Accepts NULL. */
void provider_free(Provider *p);

/* ---- helpers shared by the implementations (provider.c) ----------------- */

/* Allocates a Provider with ops, a fresh temp working copy (mode 0600) and
 * a snapshot name "<working>.snapshot" when temp; path copied otherwise. */
int provider_alloc(Provider **out, const ProviderOps *ops, const char *local_path, char *err,
                   size_t errlen);

/* Empties the working copy (a first run starts from a new database). */
int provider_truncate(Provider *p, char *err, size_t errlen);

#endif
