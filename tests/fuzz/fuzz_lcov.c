/* fuzz_lcov.c: libFuzzer harness for the LCOV record scanner
 * (linescan_records with the LCOV rules) and the coverage accumulator it
 * feeds, totals included. (Hit may exceed found: summary lines are taken
 * as written.) */
#include <string.h>

#include "covdata.h"
#include "fuzz_common.h"
#include "linescan.h"

static LineRules rules(void)
{
    LineRules r;
    memset(&r, 0, sizeof r);
    const LineRule list[] = {
        {"sf", 2, LS_RECORD, 0, 0, 0, 0, false, false},
        {"end_of_record", 13, LS_END, 0, 0, 0, 0, false, false},
        {"da", 2, LS_MARK, 0, 1, 1, 2, false, false},
        {"brda", 4, LS_ENTRY, 1, 1, -2, -1, false, false},
        {"fn", 2, LS_ENTRY, 2, 2, -1, 0, true, false},
        {"fnda", 4, LS_ENTRY, 2, 2, -1, 1, false, false},
        {"fna", 3, LS_ENTRY, 2, 3, -1, 2, false, false},
        {"lf", 2, LS_SUMMARY, 0, 0, 0, 0, false, false},
        {"lh", 2, LS_SUMMARY, 0, 0, 0, 0, false, true},
        {"brf", 3, LS_SUMMARY, 1, 0, 0, 0, false, false},
        {"brh", 3, LS_SUMMARY, 1, 0, 0, 0, false, true},
    };
    memcpy(r.rules, list, sizeof list);
    r.n = sizeof list / sizeof list[0];
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static LineRules r;
    static int init;
    if (!init) {
        r = rules();
        init = 1;
    }
    CovData *cd = covdata_new();
    LineStats st;
    char err[128];
    if (linescan_records(fuzz_file(data, size), &r, cd, 1, &st, err, sizeof err) == 0) {
        size_t n = covdata_nfiles(cd);
        double *t = malloc(2 * (n + 1) * sizeof *t);
        for (unsigned k = 0; k < COVDATA_KINDS; k++) {
            covdata_totals(cd, k, t, t + n);
        }
        free(t);
    }
    covdata_free(cd);
    return 0;
}
