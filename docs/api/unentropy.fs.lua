---@meta
-- unentropy.fs: file-system primitives, directory walk and globs (C module:
-- src/lfs.c, src/lfs_glob.c over fs.c, fs_tree.c, walk.c, walk_glob.c,
-- glob.c, glob_path.c). Misuse (wrong argument types, unknown option keys)
-- raises. Expected failures return `nil, "fs: cannot <verb> '<path>': <reason>", errno`
-- (copy and rename say "fs: cannot copy '<a>' to '<b>': <reason>").

---@class unentropy.fs
local fs = {}

---@class unentropy.fs.Stat
---@field type "file"|"directory"|"link"|"other"
---@field size integer bytes
---@field mtime number seconds since the epoch, with fractions
---@field mode integer permission bits (st_mode & 07777), e.g. 420 for 0644
---@field ino integer
---@field dev integer
---@field nlink integer

---Reads a whole file.
---@param path string
---@return string|nil data
---@return string? msg
---@return integer? errno
function fs.read(path) end

---Replaces `path` atomically: writes a temp file in the same directory, fsyncs
---it and renames it over `path`; the temp file is removed on failure. An
---existing file keeps its permission bits; a new one gets 0666 minus the umask.
---A symlink at `path` is replaced by the file.
---@param path string
---@param data string
---@return true|nil ok
---@return string? msg
---@return integer? errno
function fs.write(path, data) end

---Appends to a file, creating it if needed.
---@param path string
---@param data string
---@return true|nil ok
---@return string? msg
---@return integer? errno
function fs.append(path, data) end

---stat(2): follows symlinks.
---@param path string
---@return unentropy.fs.Stat|nil st
---@return string? msg
---@return integer? errno
function fs.stat(path) end

---lstat(2): a symlink reports type "link".
---@param path string
---@return unentropy.fs.Stat|nil st
---@return string? msg
---@return integer? errno
function fs.lstat(path) end

---True when `path` exists (following symlinks: a dangling link is false).
---@param path string
---@return boolean
function fs.exists(path) end

---True when `path` is a directory (following symlinks).
---@param path string
---@return boolean
function fs.is_dir(path) end

---True when `path` is a regular file (following symlinks).
---@param path string
---@return boolean
function fs.is_file(path) end

---Creates a directory and its missing parents; fine if it is already a directory.
---@param path string
---@return true|nil ok
---@return string? msg
---@return integer? errno
function fs.mkdir_p(path) end

---Removes a file, a symlink or an empty directory.
---@param path string
---@return true|nil ok
---@return string? msg
---@return integer? errno
function fs.remove(path) end

---Removes `path` recursively. Symlinks are removed, never followed (a symlink
---given as `path` is removed itself). A missing path is an error (ENOENT).
---@param path string
---@return true|nil ok
---@return string? msg
---@return integer? errno
function fs.remove_tree(path) end

---rename(2).
---@param from string
---@param to string
---@return true|nil ok
---@return string? msg
---@return integer? errno
function fs.rename(from, to) end

---Streams a regular file to `dst` atomically (temp file + fsync + rename); `dst`
---gets the source's permission bits minus the umask.
---@param src string
---@param dst string
---@return true|nil ok
---@return string? msg
---@return integer? errno
function fs.copy(src, dst) end

---Creates a new directory "<tmp>/<prefix>XXXXXX" (tmp = $TMPDIR when set and not
---empty, else /tmp; prefix defaults to "unentropy-" and must not contain "/").
---@param prefix? string
---@return string|nil path
---@return string? msg
---@return integer? errno
function fs.mkdtemp(prefix) end

---Creates a new empty file "<dir>/unentropy-XXXXXX" (mode 0600; dir defaults as
---for mkdtemp) and returns its path.
---@param dir? string
---@return string|nil path
---@return string? msg
---@return integer? errno
function fs.tmpname(dir) end

---The current directory.
---@return string|nil path
---@return string? msg
---@return integer? errno
function fs.cwd() end

---realpath(3): absolute, symlinks resolved; the path must exist.
---@param path string
---@return string|nil path
---@return string? msg
---@return integer? errno
function fs.realpath(path) end

---Entry names of a directory (no "." or ".."), sorted by bytes.
---@param dir string
---@return string[]|nil names
---@return string? msg
---@return integer? errno
function fs.list(dir) end

---True when the first 8192 bytes contain a NUL byte.
---@param path string
---@return boolean|nil binary
---@return string? msg
---@return integer? errno
function fs.is_binary(path) end

---@class unentropy.fs.WalkOptions
---@field skip_names? string[] directory base names to skip, case-insensitive (e.g. {".git", "node_modules"})
---@field dirs? boolean also list directories (default false)
---@field types? boolean return a second array, parallel to paths, of "file"|"directory"
---@field exclude? string|string[] glob patterns matched against relative paths with the ordered rule (see match_ordered; e.g. {"**/*.log", "!keep.log"}); what passes is left out, a directory that passes is pruned; {} excludes nothing
---@field strict? boolean an unreadable subdirectory fails the walk (default false: it is skipped and counted)

---Walks `root` (a symlink root is followed; it must be a directory). Returns the
---relative paths ("/"-separated, no leading "./") of regular files (and
---directories with `dirs`), sorted by byte order. Symlinks are never followed
---nor listed; fifos, sockets and devices are not listed; dotfiles are.
---The third value counts unreadable subdirectories that were skipped.
---@param root string
---@param opts? unentropy.fs.WalkOptions
---@return string[]|nil paths
---@return string[]|string|nil types_or_msg types when opts.types, else nil; the message on failure
---@return integer skipped_or_errno
function fs.walk(root, opts) end

---@class unentropy.fs.GlobOptions
---@field dirs? boolean also list matching directories (default false)
---@field types? boolean return a second array of "file"|"directory"
---@field strict? boolean an unreadable subdirectory fails the expansion
---@field skip_names? string[] directory base names never entered (case-insensitive); base's own ancestors are exempt

---Expands `patterns` (one pattern or an ordered list, see match_ordered) under
---`base`: regular files (and directories with `dirs`) whose base-relative path
---passes the ordered rule, sorted by byte order; symlinks are never followed.
---Directories that no positive pattern can reach are not entered, nor are those
---covered by a later "!X/**" negation (dotfiles below them are then left out too).
---Absolute patterns are first made relative to base (lexically; glob characters
---above base are not supported). Patterns with leading "../" walk up from base's
---real path; their results read "../x". Paths inside base are always reported
---base-relative, so "../<base name>/..." patterns never match. ".." in the middle
---of a pattern is not resolved. Same return shape as fs.walk.
---@param base string
---@param patterns string|string[]
---@param opts? unentropy.fs.GlobOptions
---@return string[]|nil paths
---@return string[]|string|nil types_or_msg
---@return integer skipped_or_errno
function fs.glob(base, patterns, opts) end

---Matches one pattern against a path (fast-glob/micromatch dialect): `*` within a
---segment, `**` segment = zero or more segments, `?`, classes `[abc]` `[a-z]`
---`[!a]` `[^a]` `[[:digit:]]`, alternation `{a,b}` (nested; a brace group without
---a comma is literal; at most 4096 alternatives, more raises), `\` escapes;
---case-sensitive. `*`, `?`, classes and `**` never match a segment starting with
---"." unless the pattern segment starts with a literal "."; "." and ".." are only
---matched literally. `src/**` also matches `src`. A leading "!" negates the
---result. The path is normalized ("\" -> "/", leading "./" removed); the pattern
---loses its leading "./" (backslashes in patterns are escapes).
---@param pattern string
---@param path string
---@return boolean
function fs.glob_match(pattern, path) end

---True when s contains any of `* ? [ ] { }`.
---@param s string
---@return boolean
function fs.has_glob(s) end

---The ordered rule (collection.md §5): start excluded when at least one pattern
---is positive, included when all are negated (or the list is empty); apply the
---patterns in order, the last match wins. With `base`, absolute patterns and an
---absolute path are first made relative to it (lexically).
---@param patterns string|string[]
---@param path string
---@param base? string
---@return boolean
function fs.match_ordered(patterns, path, base) end

---@class unentropy.fs.Matcher
local Matcher = {}

---match_ordered with the patterns compiled once.
---@param path string
---@return boolean
function Matcher:match(path) end

---Frees the compiled patterns (idempotent; also on __gc and __close). Using a
---closed Matcher raises.
function Matcher:close() end

---Compiles an ordered pattern list once for many paths (coverage filtering).
---@param patterns string|string[]
---@param base? string
---@return unentropy.fs.Matcher
function fs.matcher(patterns, base) end

---Normalizes a path as §5 does: "\" -> "/", leading "./" removed and, with
---`base`, an absolute path made relative to base (lexically, "../" as needed).
---@param path string
---@param base? string
---@return string
function fs.normalize(path, base) end

return fs
