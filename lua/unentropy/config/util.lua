-- unentropy.config.util: small helpers shared by the config validator and
-- resolver: JSON value kinds over unentropy.json's decoded values, document
-- key order, the violation path syntax of config.md §2, JavaScript string
-- length, and lexical file-path handling. Pure: no IO.
local json = require("unentropy.json")

local M = {}

-- The JSON kind of a decoded value: "string", "number", "boolean", "null",
-- "object" or "array". Plain Lua tables (hand-built configs) count as arrays
-- when their keys are exactly 1..n (and non-empty), else as objects.
function M.kind(v)
  local t = type(v)
  if t == "string" or t == "number" or t == "boolean" then return t end
  if v == nil or v == json.null then return "null" end
  if t == "table" then
    if json.is_array(v) then return "array" end
    if json.is_object(v) then return "object" end
    local n = #v
    if n == 0 then return "object" end
    local count = 0
    for _ in pairs(v) do count = count + 1 end
    return count == n and "array" or "object"
  end
  return t
end

-- An integer per config.md §2: a number without a fractional part.
function M.is_integer(v)
  if math.type(v) == "integer" then return true end
  return math.type(v) == "float" and v == math.floor(v) and v - v == 0
end

-- The value as a Lua integer when it is integral (80.0 -> 80).
function M.to_integer(v)
  return math.tointeger(v) or v
end

-- An object's keys in document order (sorted for plain Lua tables).
function M.keys(obj)
  if json.is_object(obj) then return json.keys(obj) end
  local ks = {}
  for k in pairs(obj) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  return ks
end

-- String length as JavaScript counts it (UTF-16 code units), so the
-- "<n> characters or less" limits match upstream. Invalid UTF-8 counts bytes.
function M.jslen(s)
  local ok, n = pcall(function()
    local n = 0
    for _, c in utf8.codes(s) do n = n + (c > 0xFFFF and 2 or 1) end
    return n
  end)
  return ok and n or #s
end

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

-- A string as a JSON string literal (like JSON.stringify).
function M.quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESCAPES[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

-- Formats a path (array of string keys and 0-based integer indexes) as
-- config.md §2: `qualityGate.thresholds[0].mode`, `metrics["Bad Key"]`;
-- the empty path is `(root)`.
function M.format_path(segs)
  if #segs == 0 then return "(root)" end
  local out = {}
  for i, s in ipairs(segs) do
    if math.type(s) == "integer" then
      out[#out + 1] = "[" .. s .. "]"
    elseif s:match("^[A-Za-z0-9_$-]+$") then
      out[#out + 1] = (i > 1 and "." or "") .. s
    else
      out[#out + 1] = "[" .. M.quote(s) .. "]"
    end
  end
  return table.concat(out)
end

-- A new path: segs plus one more segment (never mutates segs).
function M.child(segs, seg)
  local c = table.move(segs, 1, #segs, 1, {})
  c[#c + 1] = seg
  return c
end

---------------------------------------------------------------------------
-- File paths (lexical; symlinks are not resolved)

-- Collapses ".", ".." and repeated slashes; keeps a leading "/".
function M.normalize(path)
  local abs = path:sub(1, 1) == "/"
  local parts = {}
  for seg in path:gmatch("[^/]+") do
    if seg == ".." then
      if #parts > 0 and parts[#parts] ~= ".." then
        parts[#parts] = nil
      elseif not abs then
        parts[#parts + 1] = ".."
      end
    elseif seg ~= "." then
      parts[#parts + 1] = seg
    end
  end
  local s = table.concat(parts, "/")
  if abs then return "/" .. s end
  return s == "" and "." or s
end

-- `path` resolved against `base` (absolute paths are kept), normalized.
function M.join(base, path)
  if path:sub(1, 1) == "/" then return M.normalize(path) end
  return M.normalize(base .. "/" .. path)
end

-- The directory part of a path ("/a/b.json" -> "/a", "b.json" -> ".").
function M.dirname(path)
  local d = path:match("^(.*)/[^/]*$")
  if d == nil then return "." end
  if d == "" then return "/" end
  return d
end

return M
