/* xml.h: streaming XML element events for coverage reports, over libexpat's
 * push parser (no parser of our own, no DOM). The caller subscribes to
 * element paths; only matching elements reach its handler, with just the
 * attributes it asked for, so a 200 MB report costs expat's parse plus one
 * handler call per interesting element, in memory independent of the file
 * size. DOCTYPEs and external entities are never fetched; entity
 * declarations are refused. Pure C (libc + expat), never includes lua.h. */
#ifndef UNENTROPY_XML_H
#define UNENTROPY_XML_H

#include <stdbool.h>
#include <stddef.h>

#define XML_MAX_RULES 16
#define XML_MAX_ATTRS 8
#define XML_MAX_SEGMENTS 31

/* Errors beyond errno values. */
#define XMLSCAN_ESYNTAX (-1) /* not well-formed: see XmlError */
#define XMLSCAN_ESTOP (-2)   /* the handler stopped the scan */

/* A subscription. `path` is the element path from the root, segments
 * separated by '/': a name, "*" (any one element) or "**" (any number of
 * elements, none included); e.g. "coverage/project/ ** /file" without the spaces. */
typedef struct XmlRule {
    const char *path;
    const char *attrs[XML_MAX_ATTRS]; /* attribute names to report */
    size_t nattrs;
    bool ends;                        /* also report the element's end */
} XmlRule;

/* One event. values[i] is attribute attrs[i] of the rule or NULL when the
 * element lacks it (valid during the call only). */
typedef struct XmlEvent {
    size_t rule;
    bool end;
    const char *const *values;
    size_t depth; /* 1 for the root */
} XmlEvent;

/* Returns 0 to go on; anything else stops the scan (XMLSCAN_ESTOP). */
typedef int (*XmlHandler)(void *ud, const XmlEvent *ev);

typedef struct XmlError {
    unsigned long line, column; /* of a syntax error */
    char msg[160];              /* expat's message or strerror */
} XmlError;

/* Scans the file at path. Returns 0, an errno value (EISDIR for a
 * directory; err->msg = strerror), XMLSCAN_ESYNTAX (err filled) or
 * XMLSCAN_ESTOP. Rules with a path of more than XML_MAX_SEGMENTS segments,
 * or more than XML_MAX_RULES rules, give EINVAL. */
int xml_scan(const char *path, const XmlRule *rules, size_t nrules, XmlHandler fn, void *ud,
             XmlError *err);

/* JavaScript parseInt(s, 10): leading whitespace, sign, digits. Returns
 * false when there is no digit (NaN). */
bool xml_parse_int(const char *s, double *out);

#endif
