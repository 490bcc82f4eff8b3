-- unentropy sources [--config/-c <path>] [--absolute] [--loc/-l] [--sort name|loc]
-- Lists the regular files in scope of the config's `sources` (cli.md
-- "sources", collection.md §5), optionally with their lines of code counted
-- by the loc collector's rules (no language filter, default excludes on).
local cli = require("unentropy.cli")
local fs = require("unentropy.fs")
local log = require("unentropy.log")
local loc = require("unentropy.collectors.loc")

local SPEC = {
  name = "sources",
  usage = "unentropy sources [--config/-c <path>] [--absolute] [--loc/-l] [--sort name|loc]",
  summary = "List the files in scope of the config's sources, optionally with lines of code.",
  options = {
    { "config", short = "c", type = "string", default = "unentropy.json", arg = "path",
      help = "configuration file" },
    { "absolute", type = "boolean", help = "print absolute paths" },
    { "loc", short = "l", type = "boolean", help = "count lines of code per file (loc collector rules)" },
    { "sort", type = "string", choices = { "name", "loc" }, default = "name", help = "row order (loc needs --loc)" },
  },
  positionals = { max = 0 },
}

local opts, code = cli.parse(SPEC, { ... })
if not opts then return code end

local cfg, rc = require("unentropy.config").load_or_report(opts.config)
if not cfg then return rc end
if not cfg.sources or #cfg.sources == 0 then
  log.error("No sources configured in " .. opts.config)
  io.stderr:write('Add a "sources" array to your configuration.\n')
  return 1
end
if opts.sort == "loc" and not opts.loc then
  log.error("--sort loc requires --loc")
  return 1
end

local base = cfg.base_dir
local files, err = fs.glob(base, cfg.sources, { skip_names = opts.loc and loc.DEFAULT_SKIP or nil })
if not files then
  log.error("Failed to resolve sources: " .. tostring(err))
  return 1
end

-- "/a/b/../c" -> "/a/c" (paths from patterns with a leading "../")
local function absolute(rel)
  local parts = {}
  for seg in (base .. "/" .. rel):gmatch("[^/]+") do
    if seg == ".." then
      if #parts > 0 then parts[#parts] = nil end
    elseif seg ~= "." then
      parts[#parts + 1] = seg
    end
  end
  return "/" .. table.concat(parts, "/")
end

local function show(rel) return opts.absolute and absolute(rel) or rel end

local function width(s) return utf8.len(s) or #s end

local function grouped(n)
  local s = tostring(math.tointeger(n) or n)
  local neg, digits = s:match("^(-?)(%d+)$")
  if not digits then return s end
  return neg .. digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
end

if not opts.loc then
  for _, rel in ipairs(files) do io.stdout:write(show(rel), "\n") end
  return 0
end

if #files == 0 then return 0 end
local total, info = loc.count(base, files, { default_excludes = true, per_file = true })
local rows = {}
for i, rel in ipairs(files) do
  local n = info.counts[i]
  if n then rows[#rows + 1] = { path = show(rel), loc = n } end
end
if opts.sort == "loc" then
  table.sort(rows, function(a, b)
    if a.loc ~= b.loc then return a.loc < b.loc end
    return a.path < b.path
  end)
end

local w = width("Path")
for _, r in ipairs(rows) do w = math.max(w, width(r.path)) end
w = w + 2
local out = { "Path" .. string.rep(" ", w - 4) .. "LOC" }
for _, r in ipairs(rows) do
  local count = tostring(r.loc)
  out[#out + 1] = r.path .. string.rep(" ", w - width(r.path)) .. string.rep(" ", 8 - #count) .. count
end
out[#out + 1] = string.rep("─", math.max(w + 8, 24))
local note = #info.errors > 0 and string.format(" (%d file(s) skipped due to read errors)", #info.errors) or ""
out[#out + 1] = string.format("%d file(s), %s LOC%s", #rows, grouped(total), note)
io.stdout:write(table.concat(out, "\n"), "\n")
return 0
