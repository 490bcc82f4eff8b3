/* fuzz_xml.c: libFuzzer harness for the streaming XML scanner (xml_scan
 * over expat) with the element paths the coverage collectors subscribe to;
 * the handler reads every reported value. */
#include <string.h>

#include "fuzz_common.h"
#include "xml.h"

static int handler(void *ud, const XmlEvent *ev)
{
    size_t *sum = ud;
    if (!ev->end) {
        for (size_t k = 0; k < 3; k++) {
            double d;
            if (ev->values[k]) {
                *sum += strlen(ev->values[k]);
                if (xml_parse_int(ev->values[k], &d)) {
                    *sum += d > 0;
                }
            }
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const XmlRule rules[] = {
        {"coverage", {"lines-covered", "lines-valid", "branches-valid"}, 3, false},
        {"coverage/packages/package/classes/class", {"filename", "name", "x"}, 3, true},
        {"coverage/packages/package/classes/class/lines/line", {"number", "hits", "condition-coverage"}, 3, false},
        {"coverage/project/**/file/line", {"num", "type", "count"}, 3, false},
        {"report/**/package/sourcefile/line", {"nr", "mi", "ci"}, 3, true},
        {"*/*/*", {"a", "b", "c"}, 3, false},
    };
    size_t sum = 0;
    XmlError err;
    xml_scan(fuzz_file(data, size), rules, sizeof rules / sizeof rules[0], handler, &sum, &err);
    return 0;
}
