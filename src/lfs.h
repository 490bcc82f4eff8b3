/* lfs.h: helpers shared by the unentropy.fs binding files (lfs.c: files,
 * lfs_glob.c: walk and glob, lfs_util.c: these helpers). Not a public API;
 * only binding files include it. Depends on Lua 5.4. */
#ifndef UNENTROPY_LFS_H
#define UNENTROPY_LFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#define LFS_ERRLEN (PATH_MAX + 256)

/* Pushes a to-be-closed "box" owning `size` zeroed bytes and returns them;
 * `fin(obj)` runs once when the calling C function returns or raises (or at
 * __gc). C resources stored in the box are released on every path. May
 * raise (memory) before anything is owned. */
void *lfs_box(lua_State *L, size_t size, void (*fin)(void *obj));

/* Pushes fail, msg, code and returns 3 (luaL_fileresult shape). */
int lfs_fail(lua_State *L, const char *msg, int code);

/* luaL_checkstring that also rejects embedded NUL bytes. May raise. */
const char *lfs_checkpath(lua_State *L, int arg);

/* Raises unless the value at `idx` is nil/none or a table whose keys are
 * all in `allowed` (NULL-terminated). */
void lfs_check_opts(lua_State *L, int idx, const char *fname, const char *const *allowed);

/* Boolean option `name` of the table at idx (nil: def). May raise. */
bool lfs_opt_bool(lua_State *L, int idx, const char *fname, const char *name, bool def);

/* Strings of the array (or single string) at `idx`, as a Lua-owned pointer
 * array (pushed onto the stack; the strings stay owned by the value at idx,
 * which must stay on the stack). Raises naming `what` on a non-string. */
const char **lfs_strings(lua_State *L, int idx, const char *fname, const char *what, size_t *n);

/* Creates the box metatable; call once before lfs_box. */
void lfs_util_register(lua_State *L);

/* Registers the walk/glob functions into the table on top of the stack. */
void lfs_glob_register(lua_State *L);

#endif
