-- unentropy.report.render: runs a report template over a view (report.md
-- §9). A template is a Lua function(view, h) -> string: the stock one is
-- templates/report.lua, a custom one is the file named by report.template.
-- h offers escape, attr, json_script (data for a <script> block, escaped per
-- §8), json (the escaped JSON text alone), format (unit formatting), asset
-- (the bundled report.css, report.js, chart.js), theme_css, render (an
-- embedded partial through unentropy.template) and default (the stock page).
-- Depends on unentropy.assets, unentropy.format, unentropy.json,
-- unentropy.template and unentropy.report.theme.
local assets = require("unentropy.assets")
local format = require("unentropy.format")
local json = require("unentropy.json")
local template = require("unentropy.template")
local theme = require("unentropy.report.theme")

local M = {}

local JSON_ESC = { ["<"] = "\\u003c", [">"] = "\\u003e", ["&"] = "\\u0026" }
local LS_PS = { ["\226\128\168"] = "\\u2028", ["\226\128\169"] = "\\u2029" }

-- JSON text safe inside <script>: <, >, &, U+2028 and U+2029 escaped. Only
-- string contents can hold these characters, where the escapes mean the same.
function M.safe_json(value)
  local s = json.encode(value)
  -- Plain finds (memchr) first: most reports contain none of these bytes,
  -- and a pattern scan of a multi-megabyte text is not free.
  if s:find("<", 1, true) or s:find(">", 1, true) or s:find("&", 1, true) then
    s = s:gsub("[<>&]", JSON_ESC)
  end
  if s:find("\226\128", 1, true) then s = s:gsub("\226\128[\168\169]", LS_PS) end
  return s
end

local ASSETS = {
  ["report.css"] = "templates/report.css",
  ["report.js"] = "templates/report.js",
  ["chart.js"] = "vendor/chartjs/chart.umd.min.js",
}
local asset_cache = {}

-- The text of a bundled asset, ready to inline: the vendored file's trailing
-- sourceMappingURL comment is dropped (no reference to another file), and
-- "</script" cannot end the inline block. Raises for an unknown name.
function M.asset(name)
  local cached = asset_cache[name]
  if cached then return cached end
  local path = ASSETS[name]
  if not path then error("report: unknown asset '" .. tostring(name) .. "'", 2) end
  local text, err = assets.read(path)
  if not text then error("report: " .. tostring(err), 0) end
  text = text:gsub("\n//# sourceMappingURL=[^\n]*\n?$", "\n")
  if name ~= "report.css" then text = text:gsub("</(script)", "<\\/%1") end
  asset_cache[name] = text
  return text
end

local stock

-- The stock template function (templates/report.lua), loaded once.
function M.stock()
  if not stock then
    local chunk = assert(assets.load("templates/report.lua"))
    stock = chunk()
  end
  return stock
end

-- The helper table passed to templates.
function M.helpers()
  local h = {}
  h.escape = template.escape
  h.attr = template.escape
  h.json = M.safe_json
  function h.json_script(value, name)
    name = name or "__chartData"
    if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
      error("report: json_script name must be an identifier", 2)
    end
    return "<script>window." .. name .. " = " .. M.safe_json(value) .. ";</script>"
  end
  h.format = format.value
  h.asset = M.asset
  h.theme_css = theme.css
  h.render = template.render
  function h.default(view) return M.stock()(view, h) end
  return h
end

-- Loads a custom template file; returns its function or nil, msg.
function M.load_template(path)
  local chunk, err = loadfile(path, "t")
  if not chunk then return nil, "template: " .. tostring(err) end
  local ok, fn = pcall(chunk)
  if not ok then return nil, "template: " .. tostring(fn) end
  if type(fn) ~= "function" then return nil, "template must return a function" end
  return fn
end

-- Warnings for output that loads remote scripts or styles.
function M.external_warnings(html)
  local lower = html:lower()
  local found = {}
  local checks = {
    { "<script[^>]-%ssrc%s*=%s*[\"']?%s*https?:", "a remote <script src>" },
    { "<script[^>]-%ssrc%s*=%s*[\"']?%s*//", "a remote <script src>" },
    { "<link[^>]-%shref%s*=%s*[\"']?%s*https?:", "a remote stylesheet <link>" },
    { "@import", "a CSS @import" },
    { "url%(%s*[\"']?%s*https?:", "a remote CSS url()" },
  }
  for _, c in ipairs(checks) do
    if lower:find(c[1]) then found[#found + 1] = "report template output loads " .. c[2] .. " (the page is no longer self-contained)" end
  end
  return found
end

-- Renders the view. opts.template: a custom template file (absolute path)
-- or nil for the stock page. Returns html, warnings | nil, msg. A template
-- error fails (report.md §9).
function M.render(view, opts)
  opts = opts or {}
  local fn, err = M.stock(), nil
  if opts.template then
    fn, err = M.load_template(opts.template)
    if not fn then return nil, err end
  end
  local ok, out = pcall(fn, view, M.helpers())
  if not ok then return nil, tostring(out) end
  if type(out) ~= "string" then return nil, "template must return a string, got " .. type(out) end
  local warnings = opts.template and M.external_warnings(out) or {}
  return out, warnings
end

return M
