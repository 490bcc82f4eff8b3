-- unentropy.value: turning a command's output into a metric value
-- (collection.md §3-4): the first non-blank line with JavaScript parseFloat
-- rules for numeric metrics, the trimmed line for labels, or a custom Lua
-- parser file. Pure functions; parsers are loaded once per process.
local M = {}

M.MAX_LABEL = 256

-- Whitespace: ASCII whitespace, U+00A0 (C2 A0) and U+FEFF (EF BB BF).
local function trim(s)
  local changed = true
  while changed do
    changed = false
    local n = #s
    s = s:gsub("^[ \t\r\n\v\f]+", ""):gsub("[ \t\r\n\v\f]+$", "")
    s = s:gsub("^\194\160", ""):gsub("\194\160$", "")
    s = s:gsub("^\239\187\191", ""):gsub("\239\187\191$", "")
    if #s ~= n then changed = true end
  end
  return s
end
M.trim = trim

-- The first line with non-whitespace content, trimmed; nil if none.
function M.first_line(output)
  for line in (output .. "\n"):gmatch("([^\n]*)\n") do
    local t = trim(line)
    if t ~= "" then return t end
  end
  return nil
end

-- JavaScript parseFloat on an already trimmed line: the longest valid prefix.
function M.parse_float(line)
  local sign, rest = line:match("^([+-]?)(.*)$")
  if rest:sub(1, 8) == "Infinity" then
    return sign == "-" and -math.huge or math.huge
  end
  local int, frac = rest:match("^(%d*)%.?(%d*)")
  local mant = rest:match("^%d*%.?%d*")
  if (int == nil or int == "") and (frac == nil or frac == "") then return nil end
  -- "5." is valid: mant may end with "."; an exponent needs a digit.
  local exp = rest:sub(#mant + 1):match("^[eE][+-]?%d+")
  local literal = sign .. mant .. (exp or "")
  if literal:sub(-1) == "." then literal = literal .. "0" end
  local v = tonumber(literal)
  if v == nil then return nil end
  return v + 0.0
end

-- Counts UTF-8 code points (bytes that are not continuation bytes).
local function codepoints(s)
  local _, n = s:gsub("[^\128-\191]", "")
  return n
end
M.codepoints = codepoints

local function check_label(s)
  local n = codepoints(s)
  if n > M.MAX_LABEL then
    return nil, string.format("Label value exceeds %d characters (got %d)", M.MAX_LABEL, n)
  end
  return s
end

-- value.parse(output, type) -> number|string | nil, reason
function M.parse(output, mtype)
  local line = M.first_line(output or "")
  if line == nil then return nil, "Output is empty" end
  if mtype == "label" then return check_label(line) end
  local v = M.parse_float(line)
  if v == nil then return nil, "Failed to parse numeric value from output: " .. line end
  return v
end

local format = require("unentropy.format")

-- Checks what a custom parser returned against the metric type.
function M.check_parsed(v, mtype)
  if mtype == "label" then
    if type(v) == "number" then v = format.number(v) end
    if type(v) ~= "string" then
      return nil, string.format("parser returned %s, expected string", type(v))
    end
    return check_label(v)
  end
  if type(v) ~= "number" then
    return nil, string.format("parser returned %s, expected number", type(v))
  end
  if v ~= v then return nil, "parser returned NaN" end
  return v
end

local loaded = {}

-- Loads (once) the parser file at an absolute path; returns the function or
-- nil, message. Parsers get the full unentropy.* API via require.
function M.load_parser(path)
  local cached = loaded[path]
  if cached then return cached.fn, cached.err end
  local chunk, err = loadfile(path, "t")
  local fn
  if chunk then
    local ok, res = pcall(chunk)
    if not ok then err = tostring(res)
    elseif type(res) ~= "function" then err = "parser must return a function"
    else fn = res end
  end
  loaded[path] = { fn = fn, err = err }
  return fn, err
end

-- Runs a custom parser: value | nil, reason (collection.md §4).
function M.run_parser(path, stdout, ctx, mtype)
  local fn, err = M.load_parser(path)
  if not fn then return nil, "Parser error: " .. err end
  local ok, v, perr = pcall(fn, stdout, ctx)
  if not ok then return nil, "Parser error: " .. tostring(v) end
  if v == nil then return nil, "Parser failed: " .. (perr and tostring(perr) or "no value") end
  return M.check_parsed(v, mtype)
end

return M
