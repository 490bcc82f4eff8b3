-- unentropy.report.theme: resolving report.theme and report.mode into
-- palettes, and the theme stylesheet (report.md §6). Built-in palettes come
-- from templates/themes.lua; a custom {dark?, light?} palette overrides
-- single variables of lattice. Every value is checked to be #rrggbb before it
-- reaches CSS. Depends on unentropy.assets.
local assets = require("unentropy.assets")

local M = {}

local tokens

-- The design tokens (templates/themes.lua), loaded once.
function M.tokens()
  if not tokens then
    local chunk = assert(assets.load("templates/themes.lua"))
    tokens = chunk()
  end
  return tokens
end

local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

-- Resolves a theme (a built-in name or {dark?, light?}) and a mode ("auto",
-- "light", "dark"). Returns {name, mode, dark, light, vars} where dark and
-- light map each variable to "#rrggbb". Raises on an unknown name or a
-- value that is not 7-character hex (the config validator rejects both
-- first; this guards API callers).
function M.resolve(theme, mode)
  local t = M.tokens()
  theme = theme or "lattice"
  mode = mode or "auto"
  if mode ~= "auto" and mode ~= "light" and mode ~= "dark" then
    error("report: mode must be one of: auto, light, dark", 2)
  end
  local name, dark, light
  if type(theme) == "string" then
    if not t[theme] or type(t[theme]) ~= "table" or not t[theme].dark then
      error("report: theme must be one of: " .. table.concat(t.order, ", "), 2)
    end
    name, dark, light = theme, copy(t[theme].dark), copy(t[theme].light)
  else
    name, dark, light = "custom", copy(t.lattice.dark), copy(t.lattice.light)
    for variant, target in pairs({ dark = dark, light = light }) do
      local over = theme[variant]
      if over then
        for k, v in pairs(over) do
          if target[k] == nil then error("report: unknown theme variable '" .. tostring(k) .. "'", 2) end
          target[k] = v
        end
      end
    end
  end
  for _, palette in ipairs({ dark, light }) do
    for _, k in ipairs(t.vars) do
      local v = palette[k]
      if type(v) ~= "string" or not v:match("^#%x%x%x%x%x%x$") then
        error("report: theme values must be 7-character hex (e.g. #1c2230)", 2)
      end
    end
  end
  return { name = name, mode = mode, dark = dark, light = light, vars = t.vars, series = t.series }
end

local function block(selector, palette, vars, scheme)
  local parts = { selector, "{" }
  for _, k in ipairs(vars) do parts[#parts + 1] = k .. ":" .. palette[k] .. ";" end
  parts[#parts + 1] = "color-scheme:" .. scheme .. "}\n"
  return table.concat(parts)
end

-- The variables stylesheet. Auto mode: :root{dark}, light under
-- prefers-color-scheme, then [data-theme] overrides. Locked: only that
-- variant, as :root.
function M.css(th)
  if th.mode == "light" then return block(":root", th.light, th.vars, "light") end
  if th.mode == "dark" then return block(":root", th.dark, th.vars, "dark") end
  return block(":root", th.dark, th.vars, "dark")
    .. "@media (prefers-color-scheme: light){" .. block(":root", th.light, th.vars, "light") .. "}\n"
    .. block('[data-theme="dark"]', th.dark, th.vars, "dark")
    .. block('[data-theme="light"]', th.light, th.vars, "light")
end

-- WCAG contrast ratio of two "#rrggbb" colours.
function M.contrast(a, b)
  local function lum(hex)
    local c = {}
    for i = 0, 2 do
      local v = tonumber(hex:sub(2 + i * 2, 3 + i * 2), 16) / 255
      c[i + 1] = v <= 0.03928 and v / 12.92 or ((v + 0.055) / 1.055) ^ 2.4
    end
    return 0.2126 * c[1] + 0.7152 * c[2] + 0.0722 * c[3]
  end
  local la, lb = lum(a), lum(b)
  if la < lb then la, lb = lb, la end
  return (la + 0.05) / (lb + 0.05)
end

return M
