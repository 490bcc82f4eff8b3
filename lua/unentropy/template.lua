-- unentropy.template: the small text template engine behind the HTML report
-- (and any user template that wants it). A template is compiled once into a
-- Lua function; output is HTML-escaped by default and raw output is explicit:
--   {{ expr }}    the value of expr, HTML-escaped (& < > " ' to entities)
--   {{{ expr }}}  the value of expr, raw (for markup built by trusted code)
--   {% stmt %}    Lua statements: {% for _, c in ipairs(cards) do %} ... {% end %}
--   {# note #}    a comment
-- A line holding nothing but one {% %} or {# #} tag leaves no trace in the
-- output. Inside a template, names resolve to the variables passed to the
-- render function, then (for partials) to the including template's names,
-- then to a few safe globals (ipairs, pairs, string, math, table, tostring,
-- ...) and `include(name, vars)`, `escape(s)`. An undefined name raises.
-- Errors point at template lines ("templates/report.html:12: ...").
-- Depends on unentropy.assets (templates by asset name) and unentropy.format.
local assets = require("unentropy.assets")
local format = require("unentropy.format")

local M = {}

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

-- Text of a value for output: nil -> "", numbers in shortest form, tables
-- need a __tostring. Raises for other tables (a template bug).
local function text(v)
  local t = type(v)
  if t == "string" then return v end
  if v == nil then return "" end
  if t == "number" then return format.number(v) end
  if t == "table" then
    local mt = getmetatable(v)
    if not (mt and mt.__tostring) then error("template: cannot output a table", 3) end
  end
  return tostring(v)
end

-- HTML-escapes a value (nil gives ""). Safe in text and quoted attributes.
function M.escape(v)
  return (text(v):gsub("[&<>\"']", ESC))
end

-- Marks nothing: raw output is chosen by the {{{ }}} syntax; this is the
-- text conversion it applies.
M.text = text

local BASE = {
  ipairs = ipairs, pairs = pairs, next = next, select = select, type = type,
  tostring = tostring, tonumber = tonumber, error = error, assert = assert,
  rawget = rawget, require = require, string = string, math = math,
  table = table, utf8 = utf8, escape = M.escape,
}

-- Position just after the standalone tag's line end, or nil when the tag
-- [s, e] does not stand alone on its line.
local function standalone(src, s, e)
  local line_start = s
  while line_start > 1 and src:sub(line_start - 1, line_start - 1):match("[ \t]") do
    line_start = line_start - 1
  end
  if line_start > 1 and src:sub(line_start - 1, line_start - 1) ~= "\n" then return nil end
  local rest = src:match("^[ \t]*\r?\n()", e + 1)
  if rest then return line_start, rest end
  if src:match("^[ \t]*$", e + 1) then return line_start, #src + 1 end
  return nil
end

local function count_lines(s)
  local _, n = s:gsub("\n", "")
  return n
end

-- Translates template source to Lua source. Line numbers are kept: line N of
-- the template is line N of the generated chunk.
local function translate(src, name)
  local out = { "local _text, _esc, _env = ... local _concat = table.concat " ..
    "return function(vars, parent) local _ENV = _env(vars, parent) local _b, _n = {}, 0 " }
  local pos = 1
  local function emit_text(s)
    if s ~= "" then out[#out + 1] = "_n = _n + 1 _b[_n] = " .. string.format("%q", s) .. " " end
  end
  while true do
    local s, _, kind = src:find("{([{%%#])", pos)
    if not s then
      emit_text(src:sub(pos))
      break
    end
    local open, close
    if kind == "{" and src:sub(s + 2, s + 2) == "{" then
      open, close = "{{{", "}}}"
    elseif kind == "{" then
      open, close = "{{", "}}"
    elseif kind == "%" then
      open, close = "{%", "%}"
    else
      open, close = "{#", "#}"
    end
    local cs, ce = src:find(close, s + #open, true)
    if not cs then
      local line = count_lines(src:sub(1, s)) + 1
      error(string.format("template: %s:%d: unclosed '%s'", name, line, open), 0)
    end
    local body = src:sub(s + #open, cs - 1)
    local text_end, next_pos = s - 1, ce + 1
    local skipped = ""
    if open == "{%" or open == "{#" then
      local ls, after = standalone(src, s, ce)
      if ls then
        text_end, next_pos = ls - 1, after
        skipped = string.rep("\n", count_lines(src:sub(ce + 1, after - 1)))
      end
    end
    emit_text(src:sub(pos, text_end))
    if open == "{{{" then
      out[#out + 1] = "_n = _n + 1 _b[_n] = _text(" .. body .. ") "
    elseif open == "{{" then
      out[#out + 1] = "_n = _n + 1 _b[_n] = _esc(" .. body .. ") "
    elseif open == "{%" then
      out[#out + 1] = body .. " "
    else
      out[#out + 1] = string.rep("\n", count_lines(body))
    end
    out[#out + 1] = skipped
    pos = next_pos
  end
  out[#out + 1] = " return _concat(_b) end"
  return table.concat(out)
end

local cache = {}

-- The environment of one render: vars, then the parent's names, then BASE.
local function make_env(vars, parent)
  local env = {}
  env.include = function(name, v) return M.load(name)(v or {}, env) end
  return setmetatable(env, {
    __index = function(_, k)
      local v = vars[k]
      if v ~= nil then return v end
      if parent then return parent[k] end
      v = BASE[k]
      if v ~= nil then return v end
      error(string.format("undefined variable '%s'", tostring(k)), 2)
    end,
  })
end

-- Compiles template source. name is used in error messages. Returns
-- render(vars[, parent_env]) -> string. Raises "template: <name>:<line>: ..."
-- on syntax errors; render raises on runtime errors (undefined names, ...).
function M.compile(src, name)
  assert(type(src) == "string", "template.compile: source must be a string")
  name = name or "template"
  local code = translate(src, name)
  local chunk, err = load(code, "=" .. name, "t", { table = table })
  if not chunk then error("template: " .. err, 0) end
  local render = chunk(text, M.escape, make_env)
  return function(vars, parent)
    if type(vars) ~= "table" then error("template: vars must be a table", 2) end
    return render(vars, parent)
  end
end

-- Compiles the embedded template `name` (a repository path such as
-- "templates/report.html", honouring UNENTROPY_TEMPLATES_DIR) once and
-- caches it. Raises when it does not exist.
function M.load(name)
  local fn = cache[name]
  if fn then return fn end
  local src, origin = assets.read(name)
  if not src then error("template: " .. tostring(origin), 0) end
  fn = M.compile(src, name)
  cache[name] = fn
  return fn
end

-- Renders the embedded template `name` with vars.
function M.render(name, vars) return M.load(name)(vars or {}) end

return M
