/* walk.h: fast recursive directory walk (openat/fdopendir, d_type, one
 * string pool, one sort) and glob expansion on top of it (collection.md §5,
 * §6). Symlinks are never followed nor listed; only regular files and, on
 * request, directories. Pure C (libc + glob.h), never includes lua.h. */
#ifndef UNENTROPY_WALK_H
#define UNENTROPY_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "glob.h"

enum { WALK_FILE = 1, WALK_DIR = 2 };

typedef struct WalkEntry {
    const char *path; /* relative, "/"-separated, NUL-terminated */
    size_t len;
    int type;         /* WALK_FILE or WALK_DIR */
} WalkEntry;

/* The result of a walk. After walk_tree/glob_expand succeed, `entries`
 * holds `count` listed entries sorted by byte order; the strings live in
 * the list's pool. Free with walk_list_free (safe on a zeroed list). */
typedef struct WalkList {
    WalkEntry *entries;
    size_t count;
    size_t skipped;   /* unreadable subdirectories skipped (non-strict) */
    /* internal */
    char *pool;
    size_t pool_len, pool_cap;
    struct WalkItem *items;
    size_t nitems, items_cap;
} WalkList;

typedef struct WalkOptions {
    const char *const *skip_names; /* directory base names, case-insensitive */
    size_t nskip;
    bool dirs;                     /* list directories too */
    bool strict;                   /* an unreadable subdirectory fails the walk */
    const GlobSet *exclude;        /* paths passing its ordered rule are left out
                                    * (dirs pruned); NULL or empty: none */
} WalkOptions;

/* Walks `root` (followed if it is a symlink; must be a directory). Returns
 * 0, or an errno value with err = "fs: cannot walk '<path>': <reason>" (the
 * root, or in strict mode the unreadable subdirectory). On failure the list
 * is left empty but may hold memory: always call walk_list_free. */
int walk_tree(const char *root, const WalkOptions *opt, WalkList *out,
              char *err, size_t errlen);

/* Expands ordered patterns (see globset_compile) under `base`: the regular
 * files (and directories with opt->dirs) whose base-relative path passes
 * globset_match, sorted; prunes with globset_descend. Absolute patterns are
 * made relative to base (lexically); patterns with leading "../" walk up
 * from base's real path, and such paths are reported as "../x". opt->exclude
 * is ignored. Same error contract as walk_tree, with verb "glob"; a bad
 * pattern gives E2BIG/ENOMEM with the message of globset_compile. */
int glob_expand(const char *base, const char *const *patterns, size_t npatterns,
                const WalkOptions *opt, WalkList *out, char *err, size_t errlen);

void walk_list_free(WalkList *l);

#endif
