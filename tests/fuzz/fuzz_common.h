/* fuzz_common.h: shared helper of the libFuzzer harnesses: the scanners
 * read files, so each input is written into one memfd and handed over as
 * /proc/self/fd/N (real reads, no disk). Linux only; run.sh compiles with
 * -D_GNU_SOURCE (memfd_create). */
#ifndef UNENTROPY_FUZZ_COMMON_H
#define UNENTROPY_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Path of a memfd holding exactly data[0..size). Aborts on failure. */
static const char *fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz", MFD_CLOEXEC);
        if (fd < 0) {
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        abort();
    }
    return path;
}

#endif
