-- unentropy.config.check: the building blocks of the config schema: a
-- violation/warning collector over a walk context, the strict-object walker
-- (document key order, `unrecognized key`, duplicate-key warnings) and
-- checker builders for the recurring field rules (enum, string limits,
-- integer ranges, nested objects, file paths). Depends on config.util.
local util = require("unentropy.config.util")

local kind, child, fmt, jslen = util.kind, util.child, util.format_path, util.jslen

local M = {}

---------------------------------------------------------------------------
-- Collecting

local function add(ctx, segs, message)
  ctx.errors[#ctx.errors + 1] = { path = fmt(segs), message = message }
end

local function warn(ctx, segs, message)
  ctx.warnings[#ctx.warnings + 1] = { path = fmt(segs), message = message }
end

local function type_error(ctx, segs, expected, v)
  add(ctx, segs, "expected " .. expected .. ", received " .. kind(v))
end

-- Warns once for a key the decoder saw more than once (config.md §10).
local function note_dup(ctx, segs)
  local key = fmt(segs)
  if ctx.dups[key] then
    ctx.dups[key] = nil
    warn(ctx, segs, "duplicate key")
  end
end

-- Walks a strict object's keys in document order: fields[key](ctx, path,
-- value, obj) checks each known key; others get `unrecognized key`, or
-- unknown(key) when given.
local function walk(ctx, segs, obj, fields, unknown)
  for _, k in ipairs(util.keys(obj)) do
    local p = child(segs, k)
    note_dup(ctx, p)
    local check = fields[k]
    if check then
      check(ctx, p, obj[k], obj)
    else
      add(ctx, p, unknown and unknown(k) or "unrecognized key")
    end
  end
end

---------------------------------------------------------------------------
-- Checker builders

local function set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

-- A string among `list`; anything else (other types included) gives msg.
local function enum(list, msg)
  local ok = set_of(list)
  return function(ctx, p, v)
    if type(v) ~= "string" or not ok[v] then add(ctx, p, msg) end
  end
end

local function string_max(max, msg)
  return function(ctx, p, v)
    if type(v) ~= "string" then return type_error(ctx, p, "string", v) end
    if jslen(v) > max then add(ctx, p, msg) end
  end
end

local function string_nonempty(msg)
  return function(ctx, p, v)
    if type(v) ~= "string" then return type_error(ctx, p, "string", v) end
    if v == "" then add(ctx, p, msg) end
  end
end

local function boolean(ctx, p, v)
  if type(v) ~= "boolean" then type_error(ctx, p, "boolean", v) end
end

local function number(ctx, p, v)
  if type(v) ~= "number" then type_error(ctx, p, "number", v) end
end

local function int_range(lo, hi, msg)
  return function(ctx, p, v)
    if type(v) ~= "number" or not util.is_integer(v) then return type_error(ctx, p, "integer", v) end
    if v < lo or v > hi then add(ctx, p, msg) end
  end
end

-- A strict object whose keys are checked by fields.
local function object(fields, unknown)
  return function(ctx, p, v)
    if kind(v) ~= "object" then return type_error(ctx, p, "object", v) end
    walk(ctx, p, v, fields, unknown)
  end
end

-- A path to an existing file, resolved against the config directory (§9).
local function file_path(name)
  return function(ctx, p, v)
    if type(v) ~= "string" then return type_error(ctx, p, "string", v) end
    if v == "" then return add(ctx, p, name .. " cannot be empty") end
    local resolved = util.join(ctx.base_dir, v)
    if not ctx.is_file(resolved) then add(ctx, p, "file not found: " .. resolved) end
  end
end

M.add, M.warn, M.type_error, M.note_dup, M.walk = add, warn, type_error, note_dup, walk
M.set_of, M.enum, M.string_max, M.string_nonempty = set_of, enum, string_max, string_nonempty
M.boolean, M.number, M.int_range, M.object, M.file_path = boolean, number, int_range, object, file_path

return M
