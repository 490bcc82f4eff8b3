-- unentropy.collectors.util: what the built-in collectors share: their
-- argument parser (the forms of cli.md §1, but returning the collector
-- messages of collection.md §6 instead of printing), path joining against
-- the base directory, input expansion (paths and globs), the `sources`
-- filter for coverage entries and the covered/total percentage.
local fs = require("unentropy.fs")

local M = {}

local function key(name) return (name:gsub("-", "_")) end

local function convert(o, raw)
  if o.type == "number" then
    local n = tonumber(raw)
    if n == nil or n ~= n then
      return nil, string.format('Invalid value for --%s: "%s" (expected a number)', o[1], raw)
    end
    return n
  end
  if o.choices then
    for _, c in ipairs(o.choices) do if c == raw then return raw end end
    return nil, string.format('Invalid value for --%s: "%s" (choices: %s)', o[1], raw,
      table.concat(o.choices, ", "))
  end
  return raw
end

-- Parses a collector's arguments. spec = {options = {{"long", short=,
-- type="string"|"number"|"boolean"|"array", choices=, default=}}, max =
-- number of positionals (nil: any)}. Returns opts (hyphens as underscores,
-- positionals in opts._) or nil, message.
function M.parse(spec, args)
  local long, short, opts = {}, {}, { _ = {} }
  for _, o in ipairs(spec.options or {}) do
    long[o[1]] = o
    if o.short then short[o.short] = o end
    if o.default ~= nil then opts[key(o[1])] = o.default end
  end
  local i, n, rest = 1, #args, false
  while i <= n do
    local a = args[i]
    if rest or a == "-" or a:sub(1, 1) ~= "-" then
      opts._[#opts._ + 1] = a
    elseif a == "--" then
      rest = true
    else
      local o, inline
      if a:sub(1, 2) == "--" then
        local name, v = a:match("^%-%-([^=]+)=(.*)$")
        name = name or a:sub(3)
        inline = v
        o = long[name]
        if not o and not v and name:sub(1, 3) == "no-" and long[name:sub(4)]
          and long[name:sub(4)].type == "boolean" then
          opts[key(name:sub(4))] = false
          goto next
        end
      else
        o = short[a:sub(2, 2)]
        if o and #a > 2 then
          if o.type == "boolean" then o = nil else inline = a:sub(3) end
        end
      end
      if not o then return nil, "Unknown argument: " .. a end
      local k = key(o[1])
      if o.type == "boolean" then
        if inline ~= nil then return nil, "Unknown argument: " .. a end
        opts[k] = true
      elseif o.type == "array" then
        local list = opts[k]
        if type(list) ~= "table" or list == o.default then list = {}; opts[k] = list end
        if inline ~= nil then list[#list + 1] = inline end
        while i < n and args[i + 1]:sub(1, 1) ~= "-" do
          i = i + 1
          list[#list + 1] = args[i]
        end
        if #list == 0 then return nil, "Missing required argument: " .. o[1] end
      else
        local raw = inline
        if raw == nil then
          if i >= n then return nil, "Missing required argument: " .. o[1] end
          i = i + 1
          raw = args[i]
        end
        local v, err = convert(o, raw)
        if v == nil then return nil, err end
        opts[k] = v
      end
    end
    ::next::
    i = i + 1
  end
  if spec.max and #opts._ > spec.max then return nil, "Unknown argument: " .. opts._[spec.max + 1] end
  return opts
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
