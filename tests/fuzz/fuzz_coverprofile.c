/* fuzz_coverprofile.c: libFuzzer harness for the Go coverprofile scanner
 * (linescan_coverprofile); every failure must be one of its documented
 * codes, with a line number for invalid lines. */
#include <errno.h>

#include "covdata.h"
#include "fuzz_common.h"
#include "linescan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CovData *cd = covdata_new();
    LineStats st;
    uint64_t bad = 0;
    char err[128];
    int rc = linescan_coverprofile(fuzz_file(data, size), cd, 0, &bad, &st, err, sizeof err);
    if (rc == LINESCAN_ELINE && bad < 2) {
        abort(); /* line 1 is the mode line */
    }
    if (rc != 0 && rc != LINESCAN_ELINE && rc != LINESCAN_EMODE && rc != ENOMEM) {
        abort();
    }
    size_t n = covdata_nfiles(cd);
    double *t = malloc(2 * (n + 1) * sizeof *t);
    covdata_totals(cd, 0, t, t + n);
    for (size_t i = 0; i < n; i++) {
        if (t[n + i] > t[i]) {
            abort();
        }
    }
    free(t);
    covdata_free(cd);
    return 0;
}
