/* xml.c: element-path subscriptions over expat (see xml.h). Each rule is a
 * small NFA over path segments; a stack frame per open element keeps every
 * rule's state set as a bitmask, so matching costs a few bit operations per
 * element and sibling elements never re-match their ancestors. Pure C
 * (libc + expat). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <expat.h>

#include "xml.h"

#define CHUNK 65536
#define MAX_DEPTH 10000

typedef struct Seg {
    const char *name; /* NULL for "*" and "**" */
    size_t len;
    bool any;         /* "*" */
    bool deep;        /* "**" */
} Seg;

typedef struct Pattern {
    Seg segs[XML_MAX_SEGMENTS];
    int n;
} Pattern;

typedef struct Frame {
    uint32_t state[XML_MAX_RULES];
    uint32_t matched; /* rules that matched this element */
} Frame;

typedef struct Scan {
    XML_Parser parser;
    const XmlRule *rules;
    size_t nrules;
    Pattern pats[XML_MAX_RULES];
    Frame *stack;
    size_t depth, cap;
    XmlHandler fn;
    void *ud;
    int stop_rc;      /* XMLSCAN_ESTOP, ENOMEM, or 0 */
    const char *refused; /* our own reason to abort, or NULL */
} Scan;

static int compile(const char *path, Pattern *p)
{
    p->n = 0;
    const char *s = path;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len > 0) {
            if (p->n >= XML_MAX_SEGMENTS) {
                return EINVAL;
            }
            Seg *g = &p->segs[p->n++];
            g->any = len == 1 && s[0] == '*';
            g->deep = len == 2 && s[0] == '*' && s[1] == '*';
            g->name = (g->any || g->deep) ? NULL : s;
            g->len = len;
        }
        s += len;
        if (*s == '/') {
            s++;
        }
    }
    return p->n > 0 ? 0 : EINVAL;
}

/* Adds the positions reachable through "**" segments matching nothing. */
static uint32_t closure(const Pattern *p, uint32_t st)
{
    for (int i = 0; i < p->n; i++) {
        if ((st >> i) & 1 && p->segs[i].deep) {
            st |= 1u << (i + 1);
        }
    }
    return st;
}

static uint32_t step(const Pattern *p, uint32_t st, const char *name, size_t len)
{
    uint32_t out = 0;
    for (int i = 0; st >> i; i++) {
        if (!((st >> i) & 1) || i >= p->n) {
            continue;
        }
        const Seg *g = &p->segs[i];
        if (g->deep) {
            out |= 1u << i;
        } else if (g->any || (g->len == len && memcmp(g->name, name, len) == 0)) {
            out |= 1u << (i + 1);
        }
    }
    return closure(p, out);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    Scan *s = ud;
    if (s->stop_rc != 0 || s->refused != NULL) {
        return; /* stopped: expat may still report what it already parsed */
    }
    if (s->depth + 1 >= s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        Frame *nf = s->depth + 1 >= MAX_DEPTH ? NULL : realloc(s->stack, nc * sizeof *nf);
        if (nf == NULL) {
            s->refused = s->depth + 1 >= MAX_DEPTH ? "elements nested too deeply" : NULL;
            s->stop_rc = s->refused ? 0 : ENOMEM;
            XML_StopParser(s->parser, XML_FALSE);
            return;
        }
        s->stack = nf;
        s->cap = nc;
    }
    const Frame *parent = &s->stack[s->depth];
    Frame *f = &s->stack[++s->depth];
    f->matched = 0;
    size_t len = strlen(name);
    for (size_t r = 0; r < s->nrules; r++) {
        uint32_t st = parent->state[r] ? step(&s->pats[r], parent->state[r], name, len) : 0;
        f->state[r] = st;
        if (!((st >> s->pats[r].n) & 1)) {
            continue;
        }
        f->matched |= 1u << r;
        const XmlRule *rule = &s->rules[r];
        const char *values[XML_MAX_ATTRS] = {0};
        for (const XML_Char **a = atts; a[0]; a += 2) {
            for (size_t k = 0; k < rule->nattrs; k++) {
                if (values[k] == NULL && strcmp(a[0], rule->attrs[k]) == 0) {
                    values[k] = a[1];
                }
            }
        }
        XmlEvent ev = {r, false, values, s->depth};
        if (s->fn(s->ud, &ev) != 0) {
            s->stop_rc = XMLSCAN_ESTOP;
            XML_StopParser(s->parser, XML_FALSE);
            return;
        }
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)name;
    Scan *s = ud;
    if (s->depth == 0 || s->stop_rc != 0 || s->refused != NULL) {
        return;
    }
    const Frame *f = &s->stack[s->depth];
    for (size_t r = 0; f->matched >> r; r++) {
        if ((f->matched >> r) & 1 && s->rules[r].ends) {
            XmlEvent ev = {r, true, NULL, s->depth};
            if (s->fn(s->ud, &ev) != 0) {
                s->stop_rc = XMLSCAN_ESTOP;
                XML_StopParser(s->parser, XML_FALSE);
                break;
            }
        }
    }
    s->depth--;
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *system_id, const XML_Char *public_id,
                                   const XML_Char *notation)
{
    Scan *s = ud;
    s->refused = "entity declarations are not allowed";
    XML_StopParser(s->parser, XML_FALSE);
}

bool xml_parse_int(const char *s, double *out)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r')) {
        s++;
    }
    bool neg = *s == '-';
    if (*s == '-' || *s == '+') {
        s++;
    }
    if (*s < '0' || *s > '9') {
        return false;
    }
    double v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
    }
    *out = neg ? -v : v;
    return true;
}

int xml_scan(const char *path, const XmlRule *rules, size_t nrules, XmlHandler fn, void *ud,
             XmlError *err)
{
    memset(err, 0, sizeof *err);
    if (nrules > XML_MAX_RULES) {
        snprintf(err->msg, sizeof err->msg, "too many rules");
        return EINVAL;
    }
    Scan s = {0};
    s.rules = rules;
    s.nrules = nrules;
    s.fn = fn;
    s.ud = ud;
    for (size_t r = 0; r < nrules; r++) {
        if (rules[r].nattrs > XML_MAX_ATTRS || compile(rules[r].path, &s.pats[r]) != 0) {
            snprintf(err->msg, sizeof err->msg, "bad rule path '%s'", rules[r].path);
            return EINVAL;
        }
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        snprintf(err->msg, sizeof err->msg, "%s", strerror(e));
        return e;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = errno;
    } else if (!S_ISREG(st.st_mode)) {
        rc = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    }
    if (rc == 0) {
        s.cap = 64;
        s.stack = malloc(s.cap * sizeof *s.stack);
        s.parser = XML_ParserCreate(NULL);
        if (s.stack == NULL || s.parser == NULL) {
            rc = ENOMEM;
        }
    }
    if (rc != 0) {
        snprintf(err->msg, sizeof err->msg, "%s", rc == EINVAL ? "not a regular file" : strerror(rc));
        goto out;
    }
    for (size_t r = 0; r < nrules; r++) {
        s.stack[0].state[r] = closure(&s.pats[r], 1);
    }
    s.stack[0].matched = 0;
    XML_SetUserData(s.parser, &s);
    XML_SetElementHandler(s.parser, on_start, on_end);
    XML_SetEntityDeclHandler(s.parser, on_entity_decl);
    XML_SetParamEntityParsing(s.parser, XML_PARAM_ENTITY_PARSING_NEVER);
    for (;;) {
        void *buf = XML_GetBuffer(s.parser, CHUNK);
        if (buf == NULL) {
            rc = ENOMEM;
            snprintf(err->msg, sizeof err->msg, "%s", strerror(rc));
            break;
        }
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = errno;
            snprintf(err->msg, sizeof err->msg, "%s", strerror(rc));
            break;
        }
        if (XML_ParseBuffer(s.parser, (int)n, n == 0) != XML_STATUS_OK) {
            if (s.stop_rc != 0) {
                rc = s.stop_rc;
                if (rc == ENOMEM) {
                    snprintf(err->msg, sizeof err->msg, "%s", strerror(rc));
                }
                break;
            }
            rc = XMLSCAN_ESYNTAX;
            err->line = (unsigned long)XML_GetCurrentLineNumber(s.parser);
            err->column = (unsigned long)XML_GetCurrentColumnNumber(s.parser) + 1;
            snprintf(err->msg, sizeof err->msg, "%s",
                     s.refused ? s.refused : XML_ErrorString(XML_GetErrorCode(s.parser)));
            break;
        }
        if (n == 0) {
            break;
        }
    }
out:
    if (s.parser) {
        XML_ParserFree(s.parser);
    }
    free(s.stack);
    close(fd);
    return rc;
}
