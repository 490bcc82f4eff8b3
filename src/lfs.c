/* lfs.c: unentropy.fs binding, file side: read/write/append/copy, stat,
 * mkdir -p, removal, temp names, cwd/realpath, list, binary sniffing; the
 * module table also gets lfs_glob.c's walk and glob functions. Argument
 * checks and push/pull only: the work is in fs.c / fs_tree.c. Misuse
 * raises; expected failures return nil, "fs: cannot <verb> '<path>':
 * <reason>", errno. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "fs.h"
#include "lfs.h"
#include "modules.h"

/* ---- file functions ---------------------------------------------------- */

typedef struct Bytes {
    char *data;
    size_t len;
} Bytes;

static void bytes_fin(void *obj)
{
    free(((Bytes *)obj)->data);
}

/* fs.read(path) -> string | nil, msg, errno */
static int l_read(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    Bytes *b = lfs_box(L, sizeof(Bytes), bytes_fin);
    char err[LFS_ERRLEN];
    int rc = fs_read(path, &b->data, &b->len, err, sizeof err);
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    lua_pushlstring(L, b->data, b->len);
    return 1;
}

static int result(lua_State *L, int rc, const char *err)
{
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* fs.write(path, data) -> true (atomic replace) */
static int l_write(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    char err[LFS_ERRLEN];
    return result(L, fs_write(path, data, len, err, sizeof err), err);
}

/* fs.append(path, data) -> true */
static int l_append(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    char err[LFS_ERRLEN];
    return result(L, fs_append(path, data, len, err, sizeof err), err);
}

static int push_stat(lua_State *L, bool follow)
{
    const char *path = lfs_checkpath(L, 1);
    static const char *const types[] = {"", "file", "directory", "link", "other"};
    FsStat st;
    char err[LFS_ERRLEN];
    int rc = fs_stat(path, follow, &st, err, sizeof err);
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    lua_createtable(L, 0, 7);
    lua_pushstring(L, types[st.type]);
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, (lua_Integer)st.size);
    lua_setfield(L, -2, "size");
    lua_pushnumber(L, st.mtime);
    lua_setfield(L, -2, "mtime");
    lua_pushinteger(L, (lua_Integer)st.mode);
    lua_setfield(L, -2, "mode");
    lua_pushinteger(L, (lua_Integer)st.ino);
    lua_setfield(L, -2, "ino");
    lua_pushinteger(L, (lua_Integer)st.dev);
    lua_setfield(L, -2, "dev");
    lua_pushinteger(L, (lua_Integer)st.nlink);
    lua_setfield(L, -2, "nlink");
    return 1;
}

/* fs.stat(path) / fs.lstat(path) -> {type=, size=, mtime=, mode=, ino=, dev=, nlink=} */
static int l_stat(lua_State *L)
{
    return push_stat(L, true);
}

static int l_lstat(lua_State *L)
{
    return push_stat(L, false);
}

/* Type of path following symlinks, 0 when it cannot be stat'ed. */
static int type_of(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    FsStat st;
    char err[LFS_ERRLEN];
    return fs_stat(path, true, &st, err, sizeof err) == 0 ? st.type : 0;
}

/* fs.exists(path) / fs.is_dir(path) / fs.is_file(path) -> boolean */
static int l_exists(lua_State *L)
{
    lua_pushboolean(L, type_of(L) != 0);
    return 1;
}

static int l_is_dir(lua_State *L)
{
    lua_pushboolean(L, type_of(L) == FS_DIR);
    return 1;
}

static int l_is_file(lua_State *L)
{
    lua_pushboolean(L, type_of(L) == FS_FILE);
    return 1;
}

/* fs.mkdir_p(path) / fs.remove(path) / fs.remove_tree(path) -> true */
static int l_mkdir_p(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    char err[LFS_ERRLEN];
    return result(L, fs_mkdir_p(path, err, sizeof err), err);
}

static int l_remove(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    char err[LFS_ERRLEN];
    return result(L, fs_remove(path, err, sizeof err), err);
}

static int l_remove_tree(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    char err[LFS_ERRLEN];
    return result(L, fs_remove_tree(path, err, sizeof err), err);
}

/* fs.rename(from, to) / fs.copy(src, dst) -> true */
static int l_rename(lua_State *L)
{
    const char *from = lfs_checkpath(L, 1);
    const char *to = lfs_checkpath(L, 2);
    char err[LFS_ERRLEN];
    return result(L, fs_rename(from, to, err, sizeof err), err);
}

static int l_copy(lua_State *L)
{
    const char *src = lfs_checkpath(L, 1);
    const char *dst = lfs_checkpath(L, 2);
    char err[LFS_ERRLEN];
    return result(L, fs_copy(src, dst, err, sizeof err), err);
}

static int path_result(lua_State *L, int rc, const char *path, const char *err)
{
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    lua_pushstring(L, path);
    return 1;
}

/* fs.mkdtemp([prefix]) -> path of a new directory under $TMPDIR or /tmp */
static int l_mkdtemp(lua_State *L)
{
    const char *prefix = luaL_optstring(L, 1, NULL);
    luaL_argcheck(L, prefix == NULL || strchr(prefix, '/') == NULL, 1, "prefix contains '/'");
    char out[PATH_MAX], err[LFS_ERRLEN];
    return path_result(L, fs_mkdtemp(prefix, out, sizeof out, err, sizeof err), out, err);
}

/* fs.tmpname([dir]) -> path of a new empty file */
static int l_tmpname(lua_State *L)
{
    const char *dir = lua_isnoneornil(L, 1) ? NULL : lfs_checkpath(L, 1);
    char out[PATH_MAX], err[LFS_ERRLEN];
    return path_result(L, fs_tmpname(dir, out, sizeof out, err, sizeof err), out, err);
}

/* fs.cwd() / fs.realpath(path) -> absolute path */
static int l_cwd(lua_State *L)
{
    char out[PATH_MAX], err[LFS_ERRLEN];
    return path_result(L, fs_cwd(out, sizeof out, err, sizeof err), out, err);
}

static int l_realpath(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    char out[PATH_MAX], err[LFS_ERRLEN];
    return path_result(L, fs_realpath(path, out, sizeof out, err, sizeof err), out, err);
}

static void names_fin(void *obj)
{
    fs_names_free(obj);
}

/* fs.list(dir) -> sorted array of entry names */
static int l_list(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    FsNames *n = lfs_box(L, sizeof(FsNames), names_fin);
    char err[LFS_ERRLEN];
    int rc = fs_list(path, n, err, sizeof err);
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    lua_createtable(L, (int)n->count, 0);
    for (size_t i = 0; i < n->count; i++) {
        lua_pushstring(L, n->names[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* fs.is_binary(path) -> boolean (NUL in the first 8192 bytes) */
static int l_is_binary(lua_State *L)
{
    const char *path = lfs_checkpath(L, 1);
    bool bin;
    char err[LFS_ERRLEN];
    int rc = fs_is_binary(path, &bin, err, sizeof err);
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    lua_pushboolean(L, bin);
    return 1;
}

static const luaL_Reg fs_funcs[] = {
    {"read",        l_read},
    {"write",       l_write},
    {"append",      l_append},
    {"stat",        l_stat},
    {"lstat",       l_lstat},
    {"exists",      l_exists},
    {"is_dir",      l_is_dir},
    {"is_file",     l_is_file},
    {"mkdir_p",     l_mkdir_p},
    {"remove",      l_remove},
    {"remove_tree", l_remove_tree},
    {"rename",      l_rename},
    {"copy",        l_copy},
    {"mkdtemp",     l_mkdtemp},
    {"tmpname",     l_tmpname},
    {"cwd",         l_cwd},
    {"realpath",    l_realpath},
    {"list",        l_list},
    {"is_binary",   l_is_binary},
    {NULL,          NULL},
};

int luaopen_unentropy_fs(lua_State *L)
{
    lfs_util_register(L);
    luaL_newlib(L, fs_funcs);
    lfs_glob_register(L);
    return 1;
}
