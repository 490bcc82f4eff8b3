-- unentropy.collectors.loc: `@collect loc [path] [--language/-l <Lang>]
-- [--exclude/-e <entry>...] [--no-default-excludes]` (collection.md §6).
-- Policy lives here: which files are in scope (walk or `sources`), excludes,
-- the language filter and what a read error means. The walk is
-- unentropy.fs; reading and sloc-compatible counting is one C loop in
-- unentropy.sloc, driven by the rules in collectors/languages.lua.
local fs = require("unentropy.fs")
local sloc = require("unentropy.sloc")
local languages = require("unentropy.collectors.languages")
local log = require("unentropy.log")
local util = require("unentropy.collectors.util")

local M = {}

M.DEFAULT_SKIP = { ".git", ".hg", ".svn", ".bzr", "node_modules" }

local SPEC = {
  max = 1,
  options = {
    { "language", short = "l", type = "string" },
    { "exclude", short = "e", type = "array" },
    { "default-excludes", type = "boolean", default = true },
  },
}

-- Splits --exclude entries: plain names skip directories (any case), entries
-- with glob characters are patterns over the relative file path.
local function excludes(entries, defaults)
  local names, globs = {}, {}
  if defaults then for _, n in ipairs(M.DEFAULT_SKIP) do names[#names + 1] = n end end
  for _, e in ipairs(entries or {}) do
    if fs.has_glob(e) then globs[#globs + 1] = e else names[#names + 1] = e end
  end
  return names, globs
end

-- The files in scope, relative to root. Returns root, paths, display
-- prefix, or nil, message.
local function scope(path, env, names, globs)
  local base = env.base_dir or "."
  if path then
    local full = util.join(base, path)
    local st = fs.stat(full)
    if not st then return nil, "Directory not found: " .. path end
    if st.type ~= "directory" then return nil, "Path is not a directory: " .. path end
    local files, err = fs.walk(full, { skip_names = names, exclude = #globs > 0 and globs or nil,
      strict = true })
    if not files then return nil, err end
    return full, files, (path:gsub("/+$", "")) .. "/"
  end
  if not env.sources or #env.sources == 0 then
    return nil, "Path is required when sources is not configured"
  end
  local files, err = M.source_files(base, env.sources, names)
  if not files then return nil, err end
  if #globs > 0 then
    local m = fs.matcher(globs)
    local kept = {}
    for _, f in ipairs(files) do if not m:match(f) then kept[#kept + 1] = f end end
    files = kept
  end
  return base, files, ""
end

-- The regular files matching `sources` under base, minus files below a
-- directory named in skip (case-insensitive). Returns paths or nil, message.
function M.source_files(base, sources, skip)
  local files, err = fs.glob(base, sources, { skip_names = skip, strict = true })
  if not files then return nil, err end
  return files
end

-- Counts files (relative to root) with the loc rules. opts = {language =,
-- default_excludes = bool, per_file = bool}. Returns total, info (see
-- unentropy.sloc count_files), warning text or nil.
function M.count(root, files, opts)
  local only, nonempty, warning
  if opts.language then
    local exts = languages.names[opts.language]
    if exts then
      only = {}
      for _, e in ipairs(exts) do only[e:lower()] = true end
    else
      nonempty = true
      warning = string.format('unknown language "%s"; counting every file by non-empty lines', opts.language)
    end
  end
  local total, info = sloc.count_files(root, files, languages.rules(), {
    only = only, nonempty = nonempty, skip_binary = opts.default_excludes ~= false,
    per_file = opts.per_file })
  return total, info, warning
end

function M.run(args, env)
  env = env or {}
  local opts, err = util.parse(SPEC, args)
  if not opts then return nil, err end
  local names, globs = excludes(opts.exclude, opts.default_excludes)
  local path = opts._[1]
  local root, files, prefix = scope(path, env, names, globs)
  if not root then return nil, files end
  local total, info, warning = M.count(root, files, opts)
  if warning then log.warn(warning) end
  local e = info.errors[1]
  if e then return nil, "Cannot read " .. prefix .. e.path .. ": " .. e.message end
  return total
end

return M
