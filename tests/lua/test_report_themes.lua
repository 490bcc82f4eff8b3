-- tests/lua/test_report_themes.lua: the design tokens and theme resolution
-- (report.md §6): 4 themes x 2 variants x 12 hex variables, text contrast,
-- custom palettes over lattice, the stylesheet order in auto and locked mode.
local T = require("t")
local config = require("unentropy.config")
local theme = require("unentropy.report.theme")

T.test("every built-in theme has both variants with the 12 variables as #rrggbb", function()
  local tokens = theme.tokens()
  T.eq(tokens.order, config.THEMES)
  T.eq(tokens.vars, config.THEME_VARS)
  for _, name in ipairs(tokens.order) do
    for _, variant in ipairs({ "dark", "light" }) do
      local p = tokens[name][variant]
      local n = 0
      for k, v in pairs(p) do
        n = n + 1
        T.ok(v:match("^#%x%x%x%x%x%x$"), name .. "." .. variant .. "." .. k .. " = " .. v)
      end
      T.eq(n, 12, name .. "." .. variant)
    end
  end
end)

T.test("--text and --text-dim reach 4.5:1 on --bg and --surface-card", function()
  local tokens = theme.tokens()
  for _, name in ipairs(tokens.order) do
    for _, variant in ipairs({ "dark", "light" }) do
      local p = tokens[name][variant]
      for _, fg in ipairs({ "--text", "--text-dim" }) do
        for _, bg in ipairs({ "--bg", "--surface-card" }) do
          local c = theme.contrast(p[fg], p[bg])
          T.ok(c >= 4.5, string.format("%s %s %s on %s: %.2f", name, variant, fg, bg, c))
        end
      end
    end
  end
  T.ok(math.abs(theme.contrast("#000000", "#ffffff") - 21) < 1e-9)
end)

T.test("custom palettes override single variables of lattice", function()
  local th = theme.resolve({ dark = { ["--accent"] = "#ff00aa" } }, "auto")
  local lattice = theme.tokens().lattice
  T.eq(th.dark["--accent"], "#ff00aa")
  T.eq(th.dark["--bg"], lattice.dark["--bg"])
  T.eq(th.light, lattice.light)
  T.raises(function() theme.resolve({ dark = { ["--accent"] = "red;}body{x" } }) end, "7-character hex")
  T.raises(function() theme.resolve({ dark = { ["--nope"] = "#000000" } }) end, "unknown theme variable")
  T.raises(function() theme.resolve("neon") end, "theme must be one of")
  T.raises(function() theme.resolve("flux", "sepia") end, "mode must be one of")
end)

T.test("stylesheet: auto order, locked variant only", function()
  local auto = theme.css(theme.resolve("flux", "auto"))
  local a = auto:find(":root{--bg:#14110d", 1, true)
  local b = auto:find("@media (prefers-color-scheme: light){:root{--bg:#faf7f2", 1, true)
  local c = auto:find('[data-theme="dark"]{--bg:#14110d', 1, true)
  local d = auto:find('[data-theme="light"]{--bg:#faf7f2', 1, true)
  T.ok(a and b and c and d and a < b and b < c and c < d, auto)
  local dark = theme.css(theme.resolve("flux", "dark"))
  T.eq(select(2, dark:gsub("%-%-bg:", "")), 1)
  T.contains(dark, ":root{--bg:#14110d;")
  T.ok(not dark:find("data-theme", 1, true))
end)
