/* lsloc.h: what the two halves of the unentropy.sloc binding share (lsloc.c:
 * rules and small functions; lsloc_files.c: the file loop). Not a public
 * interface. Depends on Lua 5.4 and sloc.h. */
#ifndef UNENTROPY_LSLOC_H
#define UNENTROPY_LSLOC_H

#include <lua.h>

#include "sloc.h"

#define RULES_MT "unentropy.sloc.Rules"
#define BUF_MT "unentropy.sloc.Buf"
#define EXT_MAX 32

typedef struct ExtEntry {
    char ext[EXT_MAX];
    size_t lang;
} ExtEntry;

typedef struct Rules {
    SlocLang **langs;
    size_t nlangs;
    ExtEntry *exts;
    size_t nexts;
} Rules;

/* The Rules userdata at index i. May raise. */
Rules *lsloc_check_rules(lua_State *L, int i);

/* The syntax for a lowercase extension, or NULL. */
const SlocLang *lsloc_lookup(const Rules *r, const char *ext);

/* sloc.count_files (lsloc_files.c) and the read buffer's __gc. */
int lsloc_count_files(lua_State *L);
int lsloc_buf_gc(lua_State *L);

#endif
