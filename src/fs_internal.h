/* fs_internal.h: helpers shared by fs.c and fs_tree.c. Not a public API. */
#ifndef UNENTROPY_FS_INTERNAL_H
#define UNENTROPY_FS_INTERNAL_H

#include <stddef.h>

/* Writes "fs: cannot <verb> '<path>': <strerror(e)>" into err; returns e. */
int fs_fail(char *err, size_t errlen, const char *verb, const char *path, int e);

/* write(2) until done (EINTR retried); returns 0 or errno. */
int fs_write_all(int fd, const void *data, size_t len);

#endif
