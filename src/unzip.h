/* unzip.h: in-process extraction of the database from a GitHub artifact
 * zip (storage.md §7.4) with libzip: list the entries whose name ends in
 * ".db" (at any depth, directories excluded) and stream the single one into
 * a file, CRC-checked, never whole in memory. Pure C over libzip; no Lua. */
#ifndef UNENTROPY_UNZIP_H
#define UNENTROPY_UNZIP_H

#include <stddef.h>
#include <stdint.h>

#define UNZIP_MAX_LISTED 16

/* The .db entries of a zip. */
typedef struct UnzipDbList {
    int count;                              /* all of them */
    char names[UNZIP_MAX_LISTED][256];      /* the first UNZIP_MAX_LISTED */
} UnzipDbList;

/* Lists the .db entries of zip_path. Returns 0, or -1 with err =
 * "unzip: cannot open 'x': <libzip reason>". */
int unzip_list_db(const char *zip_path, UnzipDbList *out, char *err, size_t errlen);

/* Extracts the only .db entry of zip_path into dest (created or truncated,
 * mode 0600 when created). Returns 0 with *bytes set; 1 when the archive
 * does not hold exactly one .db entry (*count set, dest untouched); -1 with
 * err on any read, CRC or write failure. */
int unzip_single_db(const char *zip_path, const char *dest, int *count, int64_t *bytes,
                    char *err, size_t errlen);

#endif
