/* fs.h: file-system primitives for unentropy.fs: whole-file read, atomic
 * write and copy (temp file in the target directory, fsync, rename), append,
 * stat/lstat, mkdir -p, removal (recursive without following symlinks),
 * temp dirs/files, directory listing and binary sniffing. Pure C (POSIX),
 * never includes lua.h.
 * Every function returns 0 on success or a positive errno value, and then
 * writes "fs: cannot <verb> '<path>': <strerror>" into err (errlen bytes). */
#ifndef UNENTROPY_FS_H
#define UNENTROPY_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_SNIFF_BYTES 8192

enum { FS_FILE = 1, FS_DIR, FS_LINK, FS_OTHER };

typedef struct FsStat {
    int type;          /* FS_FILE, FS_DIR, FS_LINK, FS_OTHER */
    uint64_t size;
    double mtime;      /* seconds since the epoch, with nanoseconds */
    unsigned mode;     /* permission bits (st_mode & 07777) */
    uint64_t ino, dev, nlink;
} FsStat;

/* A sorted list of directory entry names (fs_list). */
typedef struct FsNames {
    char **names;      /* point into pool */
    size_t count;
    char *pool;
} FsNames;

/* Reads the whole file. On success *data is malloc'd (caller frees; NUL
 * terminated for convenience, *len excludes it). */
int fs_read(const char *path, char **data, size_t *len, char *err, size_t errlen);

/* Replaces path atomically: writes a temp file in the same directory,
 * fsyncs, renames over path (then fsyncs the directory). The temp file is
 * removed on failure. An existing file's permission bits are kept; a new
 * file gets 0666 minus the umask. Symlinks at path are replaced. */
int fs_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* Appends (creating the file with 0666 minus the umask). */
int fs_append(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* Streams src into dst atomically (as fs_write; dst gets src's permission
 * bits minus the umask). src must be a regular file (EISDIR otherwise). */
int fs_copy(const char *src, const char *dst, char *err, size_t errlen);

/* stat(2) (follow = true) or lstat(2). */
int fs_stat(const char *path, bool follow, FsStat *st, char *err, size_t errlen);

/* Creates path and its missing parents (0777 minus the umask). Succeeds if
 * path is already a directory; EEXIST if it is something else. */
int fs_mkdir_p(const char *path, char *err, size_t errlen);

/* remove(3): a file, a symlink or an empty directory. */
int fs_remove(const char *path, char *err, size_t errlen);

/* Removes path recursively. Symlinks are removed, never followed; a
 * symlink given as path is removed itself. */
int fs_remove_tree(const char *path, char *err, size_t errlen);

int fs_rename(const char *from, const char *to, char *err, size_t errlen);

/* Creates a fresh directory "<tmp>/<prefix>XXXXXX" (tmp = $TMPDIR when set
 * and not empty, else /tmp) and writes its path into out (outlen bytes). */
int fs_mkdtemp(const char *prefix, char *out, size_t outlen, char *err, size_t errlen);

/* Creates a new empty file "<dir>/unentropy-XXXXXX" (dir NULL: as above)
 * with mode 0600 and writes its path into out. */
int fs_tmpname(const char *dir, char *out, size_t outlen, char *err, size_t errlen);

/* getcwd(3) / realpath(3) into out (outlen >= PATH_MAX recommended). */
int fs_cwd(char *out, size_t outlen, char *err, size_t errlen);
int fs_realpath(const char *path, char *out, size_t outlen, char *err, size_t errlen);

/* Entry names of dir (no "." or ".."), sorted by bytes. Free with
 * fs_names_free (safe on a zeroed FsNames). */
int fs_list(const char *dir, FsNames *out, char *err, size_t errlen);
void fs_names_free(FsNames *n);

/* *binary = the first FS_SNIFF_BYTES bytes of path contain a NUL byte. */
int fs_is_binary(const char *path, bool *binary, char *err, size_t errlen);

#endif
