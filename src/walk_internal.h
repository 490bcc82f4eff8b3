/* walk_internal.h: the walk engine shared by walk.c (plain walks) and
 * walk_glob.c (glob expansion): a filter callback decides per entry whether
 * it is listed and whether a directory is descended. Not a public API. */
#ifndef UNENTROPY_WALK_INTERNAL_H
#define UNENTROPY_WALK_INTERNAL_H

#include "walk.h"

enum { WALK_LIST = 1, WALK_DESCEND = 2 };

/* Returns WALK_LIST and/or WALK_DESCEND (0 drops the entry). `rel` is the
 * root-relative path, valid only during the call. */
typedef int (*walk_filter_fn)(void *ud, const char *rel, size_t len, int type);

/* The walk itself; `verb` goes into error messages ("walk", "glob"). */
int walk_core(const char *root, const char *verb, const WalkOptions *opt,
              walk_filter_fn filter, void *ud, WalkList *out, char *err, size_t errlen);

/* Is `name` one of opt->skip_names (case-insensitive)? */
bool walk_skip_name(const WalkOptions *opt, const char *name);

/* Building a list by hand: add entries (listed), then finish (sorts and
 * fills entries). Both return 0 or ENOMEM. */
int walk_list_add(WalkList *l, const char *path, size_t len, int type);
int walk_list_finish(WalkList *l);

#endif
