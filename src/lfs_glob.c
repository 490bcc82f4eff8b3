/* lfs_glob.c: unentropy.fs binding, walk and glob side: walk, glob,
 * glob_match, has_glob, match_ordered, normalize and the reusable Matcher
 * userdata. Argument checks and push/pull only: the work is in walk.c,
 * walk_glob.c, glob.c and glob_path.c. C memory is held in to-be-closed
 * boxes (lfs_box), so a raise anywhere leaks nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "glob.h"
#include "lfs.h"
#include "walk.h"

#define MATCHER_MT "unentropy.fs.Matcher"

typedef struct Matcher {
    GlobSet *set; /* NULL once closed */
    char *base;   /* absolute base for absolute paths, or NULL */
} Matcher;

static void set_fin(void *obj)
{
    globset_free(*(GlobSet **)obj);
}

static void glob_fin(void *obj)
{
    glob_free(*(Glob **)obj);
}

static void str_fin(void *obj)
{
    free(*(char **)obj);
}

static void list_fin(void *obj)
{
    walk_list_free(obj);
}

static int oom(lua_State *L)
{
    return luaL_error(L, "fs: %s", strerror(ENOMEM));
}

/* Compiles the patterns (string or array) at idx into a boxed set. Pushes
 * two values. May raise (bad pattern types, too many alternatives). */
static GlobSet *push_set(lua_State *L, int idx, const char *fname, const char *base_abs)
{
    size_t n;
    const char **pats = lfs_strings(L, idx, fname, "patterns", &n);
    GlobSet **slot = lfs_box(L, sizeof(GlobSet *), set_fin);
    char err[LFS_ERRLEN];
    if (globset_compile(pats, n, base_abs, slot, err, sizeof err) != 0) {
        luaL_error(L, "%s", err);
    }
    return *slot;
}

/* Boxed absolute, lexically normal form of base. May raise. */
static const char *push_abs(lua_State *L, const char *base)
{
    char **slot = lfs_box(L, sizeof(char *), str_fin);
    *slot = glob_abspath(base);
    if (*slot == NULL) {
        luaL_error(L, "fs: cannot resolve '%s': %s", base, strerror(errno));
    }
    return *slot;
}

/* Boxed normalized copy of path, made relative to base_abs when it is
 * absolute. May raise. */
static const char *push_norm(lua_State *L, const char *path, const char *base_abs, size_t *len)
{
    char **slot = lfs_box(L, sizeof(char *), str_fin);
    if ((*slot = strdup(path)) == NULL) {
        oom(L);
    }
    glob_normalize(*slot);
    if (base_abs != NULL && (*slot)[0] == '/') {
        char *rel = glob_relativize(*slot, base_abs, false);
        if (rel == NULL) {
            oom(L);
        }
        free(*slot);
        *slot = rel;
    }
    *len = strlen(*slot);
    return *slot;
}

/* fs.has_glob(s) -> boolean */
static int l_has_glob(lua_State *L)
{
    lua_pushboolean(L, glob_has_magic(luaL_checkstring(L, 1)));
    return 1;
}

/* fs.glob_match(pattern, path) -> boolean */
static int l_glob_match(lua_State *L)
{
    const char *pattern = luaL_checkstring(L, 1);
    const char *path = luaL_checkstring(L, 2);
    Glob **g = lfs_box(L, sizeof(Glob *), glob_fin);
    char err[LFS_ERRLEN];
    if (glob_compile(pattern, g, err, sizeof err) != 0) {
        return luaL_error(L, "%s", err);
    }
    size_t len;
    const char *p = push_norm(L, path, NULL, &len);
    lua_pushboolean(L, glob_match(*g, p, len) != glob_negated(*g));
    return 1;
}

/* fs.match_ordered(patterns, path [, base]) -> boolean */
static int l_match_ordered(lua_State *L)
{
    luaL_checkany(L, 1);
    const char *path = luaL_checkstring(L, 2);
    const char *base = luaL_optstring(L, 3, NULL);
    const char *abs = base ? push_abs(L, base) : NULL;
    GlobSet *set = push_set(L, 1, "fs.match_ordered", abs);
    size_t len;
    const char *p = push_norm(L, path, abs, &len);
    lua_pushboolean(L, globset_match(set, p, len));
    return 1;
}

/* fs.normalize(path [, base]) -> normalized path */
static int l_normalize(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *base = luaL_optstring(L, 2, NULL);
    const char *abs = base ? push_abs(L, base) : NULL;
    size_t len;
    const char *p = push_norm(L, path, abs, &len);
    lua_pushlstring(L, p, len);
    return 1;
}

/* ---- Matcher ------------------------------------------------------------- */

static Matcher *check_matcher(lua_State *L, int i)
{
    Matcher *m = luaL_checkudata(L, i, MATCHER_MT);
    if (m->set == NULL) {
        luaL_error(L, "attempt to use a closed Matcher");
    }
    return m;
}

static int l_matcher_close(lua_State *L)
{
    Matcher *m = luaL_checkudata(L, 1, MATCHER_MT);
    globset_free(m->set);
    free(m->base);
    m->set = NULL;
    m->base = NULL;
    return 0;
}

/* fs.matcher(patterns [, base]) -> Matcher (compiled once) */
static int l_matcher(lua_State *L)
{
    luaL_checkany(L, 1);
    const char *base = luaL_optstring(L, 2, NULL);
    size_t n;
    const char **pats = lfs_strings(L, 1, "fs.matcher", "patterns", &n);
    Matcher *m = lua_newuserdatauv(L, sizeof(Matcher), 0); /* created closed */
    m->set = NULL;
    m->base = NULL;
    luaL_setmetatable(L, MATCHER_MT);
    if (base != NULL && (m->base = glob_abspath(base)) == NULL) {
        return luaL_error(L, "fs: cannot resolve '%s': %s", base, strerror(errno));
    }
    char err[LFS_ERRLEN];
    if (globset_compile(pats, n, m->base, &m->set, err, sizeof err) != 0) {
        return luaL_error(L, "%s", err);
    }
    return 1;
}

/* matcher:match(path) -> boolean (path normalized as by fs.normalize) */
static int l_matcher_match(lua_State *L)
{
    Matcher *m = check_matcher(L, 1);
    size_t len;
    const char *path = luaL_checklstring(L, 2, &len);
    bool plain = path[0] != '/' && !(path[0] == '.' && path[1] == '/')
              && strchr(path, '\\') == NULL;
    if (!plain) {
        path = push_norm(L, path, m->base, &len);
    }
    lua_pushboolean(L, globset_match(m->set, path, len));
    return 1;
}

static int l_matcher_tostring(lua_State *L)
{
    Matcher *m = luaL_checkudata(L, 1, MATCHER_MT);
    lua_pushfstring(L, "%s (%s)", MATCHER_MT, m->set ? "open" : "closed");
    return 1;
}

/* ---- walk and glob ------------------------------------------------------- */

/* Pushes paths, types (or nil), skipped; returns 3. */
static int push_list(lua_State *L, const WalkList *l, bool types)
{
    lua_createtable(L, (int)l->count, 0);
    for (size_t i = 0; i < l->count; i++) {
        lua_pushlstring(L, l->entries[i].path, l->entries[i].len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    if (types) {
        lua_createtable(L, (int)l->count, 0);
        for (size_t i = 0; i < l->count; i++) {
            lua_pushstring(L, l->entries[i].type == WALK_DIR ? "directory" : "file");
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    } else {
        lua_pushnil(L);
    }
    lua_pushinteger(L, (lua_Integer)l->skipped);
    return 3;
}

/* Reads the options shared by walk and glob from the table at 2. */
static void walk_opts(lua_State *L, const char *fname, WalkOptions *o, bool *types)
{
    o->dirs = lfs_opt_bool(L, 2, fname, "dirs", false);
    o->strict = lfs_opt_bool(L, 2, fname, "strict", false);
    *types = lfs_opt_bool(L, 2, fname, "types", false);
    if (!lua_isnoneornil(L, 2) && lua_getfield(L, 2, "skip_names") != LUA_TNIL) {
        o->skip_names = lfs_strings(L, -1, fname, "skip_names", &o->nskip);
    }
}

/* fs.walk(root [, {skip_names=, dirs=, types=, exclude=, strict=}])
 *   -> paths, types|nil, skipped | nil, msg, errno */
static int l_walk(lua_State *L)
{
    static const char *const keys[] = {"skip_names", "dirs", "types", "exclude", "strict", NULL};
    const char *root = lfs_checkpath(L, 1);
    lfs_check_opts(L, 2, "fs.walk", keys);
    WalkOptions o = {0};
    bool types;
    walk_opts(L, "fs.walk", &o, &types);
    if (!lua_isnoneornil(L, 2) && lua_getfield(L, 2, "exclude") != LUA_TNIL) {
        o.exclude = push_set(L, -1, "fs.walk", NULL);
    }
    WalkList *l = lfs_box(L, sizeof(WalkList), list_fin);
    char err[LFS_ERRLEN];
    int rc = walk_tree(root, &o, l, err, sizeof err);
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    return push_list(L, l, types);
}

/* fs.glob(base, patterns [, {dirs=, types=, strict=, skip_names=}])
 *   -> paths, types|nil, skipped | nil, msg, errno */
static int l_glob(lua_State *L)
{
    static const char *const keys[] = {"skip_names", "dirs", "types", "strict", NULL};
    const char *base = lfs_checkpath(L, 1);
    luaL_checkany(L, 2);
    lfs_check_opts(L, 3, "fs.glob", keys);
    lua_settop(L, 3);
    lua_insert(L, 2); /* [base, opts, patterns]: walk_opts reads index 2 */
    size_t n;
    const char **pats = lfs_strings(L, 3, "fs.glob", "patterns", &n);
    WalkOptions o = {0};
    bool types;
    walk_opts(L, "fs.glob", &o, &types);
    WalkList *l = lfs_box(L, sizeof(WalkList), list_fin);
    char err[LFS_ERRLEN];
    int rc = glob_expand(base, pats, n, &o, l, err, sizeof err);
    if (rc != 0) {
        return lfs_fail(L, err, rc);
    }
    return push_list(L, l, types);
}

static const luaL_Reg glob_funcs[] = {
    {"walk",          l_walk},
    {"glob",          l_glob},
    {"glob_match",    l_glob_match},
    {"has_glob",      l_has_glob},
    {"match_ordered", l_match_ordered},
    {"matcher",       l_matcher},
    {"normalize",     l_normalize},
    {NULL,            NULL},
};

static const luaL_Reg matcher_methods[] = {
    {"match", l_matcher_match},
    {"close", l_matcher_close},
    {NULL,    NULL},
};

static const luaL_Reg matcher_meta[] = {
    {"__gc",       l_matcher_close},
    {"__close",    l_matcher_close},
    {"__tostring", l_matcher_tostring},
    {"__index",    NULL},
    {NULL,         NULL},
};

void lfs_glob_register(lua_State *L)
{
    if (luaL_newmetatable(L, MATCHER_MT)) {
        luaL_setfuncs(L, matcher_meta, 0);
        luaL_newlib(L, matcher_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, glob_funcs, 0);
}
