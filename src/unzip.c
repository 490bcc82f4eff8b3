/* unzip.c: the .db entry of a GitHub artifact zip, with libzip (see
 * unzip.h). Entries are read in 64 KiB blocks straight into the destination
 * file; libzip checks each entry's CRC at the end of the read. Pure C. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "unzip.h"

static int is_db(const char *name)
{
    size_t n = strlen(name);
    return n >= 3 && name[n - 1] != '/' && strcmp(name + n - 3, ".db") == 0;
}

static zip_t *open_zip(const char *path, char *err, size_t errlen)
{
    int ze = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &ze);
    if (z == NULL) {
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        snprintf(err, errlen, "unzip: cannot open '%s': %s", path, zip_error_strerror(&e));
        zip_error_fini(&e);
    }
    return z;
}

/* Index of the last .db entry (or -1) and the number of them. */
static zip_int64_t scan(zip_t *z, UnzipDbList *out)
{
    zip_int64_t n = zip_get_num_entries(z, 0), found = -1;
    if (out != NULL) {
        out->count = 0;
    }
    int count = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
        if (name == NULL || !is_db(name)) {
            continue;
        }
        if (out != NULL && count < UNZIP_MAX_LISTED) {
            snprintf(out->names[count], sizeof out->names[count], "%s", name);
        }
        count++;
        found = i;
    }
    if (out != NULL) {
        out->count = count;
    }
    return count == 1 ? found : -1 - count;
}

int unzip_list_db(const char *zip_path, UnzipDbList *out, char *err, size_t errlen)
{
    zip_t *z = open_zip(zip_path, err, errlen);
    if (z == NULL) {
        return -1;
    }
    scan(z, out);
    zip_discard(z);
    return 0;
}

int unzip_single_db(const char *zip_path, const char *dest, int *count, int64_t *bytes,
                    char *err, size_t errlen)
{
    *bytes = 0;
    zip_t *z = open_zip(zip_path, err, errlen);
    if (z == NULL) {
        return -1;
    }
    UnzipDbList list;
    zip_int64_t idx = scan(z, &list);
    *count = list.count;
    if (list.count != 1) {
        zip_discard(z);
        return 1;
    }
    int rc = -1, fd = -1;
    zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (zf == NULL) {
        snprintf(err, errlen, "unzip: cannot read '%s' in '%s': %s", list.names[0], zip_path,
                 zip_strerror(z));
        goto out;
    }
    fd = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "unzip: cannot open '%s': %s", dest, strerror(errno));
        goto out;
    }
    char buf[65536];
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, sizeof buf);
        if (n < 0) {
            snprintf(err, errlen, "unzip: cannot read '%s' in '%s': %s", list.names[0],
                     zip_path, zip_file_strerror(zf));
            goto out;
        }
        if (n == 0) {
            break;
        }
        for (zip_int64_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w <= 0) {
                snprintf(err, errlen, "unzip: cannot write '%s': %s", dest, strerror(errno));
                goto out;
            }
            off += w;
        }
        *bytes += n;
    }
    rc = 0;
out:
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "unzip: cannot write '%s': %s", dest, strerror(errno));
        rc = -1;
    }
    if (rc != 0 && fd >= 0) {
        (void)!truncate(dest, 0); /* never leave half a database behind */
    }
    if (zf != NULL) {
        zip_fclose(zf);
    }
    zip_discard(z);
    return rc;
}
