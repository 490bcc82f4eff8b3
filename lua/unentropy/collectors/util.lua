-- unentropy.collectors.util: what the built-in collectors share: their
-- argument parser (the forms of cli.md §1, but returning the collector
-- messages of collection.md §6 instead of printing), path joining against
-- the base directory, input expansion (paths and globs), the `sources`
-- filter for coverage entries and the covered/total percentage.
local fs = require("unentropy.fs")

local M = {}

-- Parses a collector's arguments with the CLI's parser (the forms of cli.md
-- §1). spec = {options = {...as cli.parse_args...}, max = number of
-- positionals (nil: any)}. Returns opts (hyphens as underscores, positionals
-- in opts._) or nil, message; --help is just an unknown argument here.
function M.parse(spec, args)
  local opts, msg, kind = require("unentropy.cli").parse_args(
    { options = spec.options, positionals = { max = spec.max } }, args)
  if kind == "help" then
    for _, a in ipairs(args) do
      if a == "--help" or a == "-h" then return nil, "Unknown argument: " .. a end
    end
  end
  return opts, msg
end

-- The preamble every coverage collector shares: parse the arguments and
-- expand the report paths and globs. Returns opts, inputs | nil, message.
function M.coverage_args(spec, args, env)
  local opts, err = M.parse(spec, args)
  if not opts then return nil, err end
  if #opts._ == 0 then return nil, "At least one source path is required" end
  local inputs, ierr = M.inputs(opts._, env and env.base_dir, {
    missing = function(p) return "File not found: " .. p end })
  if not inputs then return nil, ierr end
  return opts, inputs
end

-- The --type option shared by the coverage collectors.
M.TYPE_OPTION = { "type", short = "t", type = "string", choices = { "line", "branch", "function" },
  default = "line" }

-- A user path resolved against the base directory ("." = as given).
function M.join(base, p)
  if p:sub(1, 1) == "/" or base == nil or base == "." or base == "" then return p end
  return base .. "/" .. p
end

-- Expands coverage inputs: each argument with glob characters must match
-- at least one file; any other must be an existing file. Returns an array
-- of {path = display path, full = path to open} or nil, message. The
-- missing-file message is the collector's own (msgs.missing(p)).
function M.inputs(args, base, msgs)
  local out, seen = {}, {}
  local function add(display, full)
    if not seen[full] then
      seen[full] = true
      out[#out + 1] = { path = display, full = full }
    end
  end
  for _, a in ipairs(args) do
    if fs.has_glob(a) then
      local files, err = fs.glob(base or ".", { a })
      if not files then return nil, "Cannot read " .. a .. ": " .. err end
      if #files == 0 then return nil, "No files matched glob pattern: " .. a end
      for _, rel in ipairs(files) do add(rel, M.join(base, rel)) end
    else
      local full = M.join(base, a)
      local st = fs.stat(full)
      if not st then return nil, msgs.missing(a) end
      if st.type == "directory" then return nil, "Path is a directory, expected a file: " .. a end
      add(a, full)
    end
  end
  return out
end

-- A predicate over coverage file names for env.sources (nil: keep all).
-- Names are normalized (collection.md §5): "\" becomes "/", a leading "./"
-- is removed, absolute names are made relative to the base directory (as
-- written, or resolved through symlinks: reports may use either). `strip`
-- is a prefix removed first (coverage-go's module path).
function M.filter(env, strip)
  if not env or not env.sources or #env.sources == 0 then return nil end
  local base = env.base_dir or "."
  local lexical = fs.matcher(env.sources, base)
  local real = fs.realpath(base)
  local resolved = real and fs.matcher(env.sources, real) or nil
  local cache = {}
  return function(name)
    local v = cache[name]
    if v == nil then
      local n = name
      if strip and n:sub(1, #strip) == strip then n = n:sub(#strip + 1) end
      v = lexical:match(n) or (resolved ~= nil and n:find("^/") ~= nil and resolved:match(n))
      cache[name] = v
    end
    return v
  end
end

-- Scans one XML report (unentropy.xml rules) and maps failures to the
-- collector messages: "Failed to parse <format> XML: <p> (line L, column C:
-- reason)" and "Cannot read <p>: <reason>".
function M.scan_xml(input, format, rules)
  local ok, msg, code, line, col = require("unentropy.xml").scan(input.full, rules)
  if ok then return true end
  if code == "syntax" then
    local reason = tostring(msg):match(": line %d+, column %d+: (.*)$") or msg
    return nil, string.format("Failed to parse %s XML: %s (line %d, column %d: %s)", format, input.path, line,
      col, reason)
  end
  return nil, "Cannot read " .. input.path .. ": " .. (tostring(msg):match("': (.*)$") or tostring(msg))
end

-- JavaScript parseInt(s, 10) for attribute values (nil for NaN).
function M.parse_int(s)
  if s == nil then return nil end
  local d = s:match("^%s*([+-]?%d+)")
  return d and math.tointeger(tonumber(d)) or (d and tonumber(d)) or nil
end

-- covered / total * 100, or `zero` (default 0) when total is 0.
function M.percent(covered, total, zero)
  if total == 0 then return zero or 0 end
  return covered / total * 100
end

return M
