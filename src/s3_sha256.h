/* s3_sha256.h: SHA-256 (FIPS 180-4) for the x-amz-content-sha256 header
 * of S3 requests: an incremental context and a helper that streams a file.
 * Pure C, no dependencies (libcurl's own hashing is not exported). */
#ifndef UNENTROPY_S3_SHA256_H
#define UNENTROPY_S3_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct S3Sha256 {
    uint32_t h[8];
    uint64_t len;      /* bytes hashed so far */
    uint8_t buf[64];
    size_t used;       /* bytes in buf */
} S3Sha256;

void s3_sha256_init(S3Sha256 *c);
void s3_sha256_update(S3Sha256 *c, const void *data, size_t n);
/* Writes the digest as 64 lowercase hex digits plus NUL into hex. */
void s3_sha256_final(S3Sha256 *c, char hex[65]);

/* Hashes `f` from its start to EOF in 64 KiB blocks (never the whole file
 * in memory), writes the hex digest and the size, and rewinds `f`.
 * Returns 0, or errno after a read error. */
int s3_sha256_file(FILE *f, char hex[65], int64_t *size);

#endif
