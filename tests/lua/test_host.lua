-- The host's own modules: unentropy.sys, unentropy.assets, unentropy.log,
-- strict globals, and that the docs/api stubs list exactly what each C
-- module registers (for every stub in docs/api).
local T = require("t")
local assets = require("unentropy.assets")
local sys = require("unentropy.sys")

T.test("sys basics", function()
  T.ok(sys.version:match("^%d+%.%d+%.%d+"), "version")
  T.ok(math.type(sys.now_ms()) == "integer" and sys.now_ms() > 1.6e12, "now_ms")
  local a = sys.monotonic_ms(); sys.sleep(20); local b = sys.monotonic_ms()
  T.ok(b - a >= 19, "sleep and monotonic clock")
  sys.setenv("UNENTROPY_TEST_VAR", "x y")
  T.eq(sys.getenv("UNENTROPY_TEST_VAR"), "x y")
  T.eq(sys.environ().UNENTROPY_TEST_VAR, "x y")
  sys.setenv("UNENTROPY_TEST_VAR", nil)
  T.eq(sys.getenv("UNENTROPY_TEST_VAR"), nil)
  T.raises(function() sys.isatty("stdlog") end, "invalid option")
  T.raises(function() sys.sleep(-1) end, "negative duration")
end)

T.test("assets: embedded commands and modules", function()
  local src, origin = assets.read("lua/commands/collect.lua")
  T.ok(src and src:find("unentropy collect", 1, true), "collect.lua embedded")
  T.eq(origin, "@lua/commands/collect.lua")
  local list = assets.list("lua/commands/")
  T.ok(#list >= 5, "commands listed")
  for i = 2, #list do T.ok(list[i - 1] < list[i], "sorted") end
  T.eq(assets.exists("lua/commands/nope.lua"), false)
  local fn, err = assets.load("lua/commands/nope.lua")
  T.eq(fn, nil)
  T.contains(err, "no such asset")
  T.eq(type(assets.load("lua/unentropy/format.lua")), "function")
end)

T.test("strict globals", function()
  T.raises(function() return _G.some_undefined_name end, "undefined global 'some_undefined_name'")
  T.raises(function() some_new_global = 1 end, "assignment to undeclared global")
end)

T.test("log: prefixes, annotations, redaction, no colour without a TTY", function()
  local dir = T.tmpdir()
  local f = io.open(dir .. "/log.lua", "w")
  f:write([[
local log = require("unentropy.log")
log.warn("careful with s3cr3t-value-123")
log.error("broken: s3cr3t-value-123")
log.debug("hidden unless debug")
]])
  f:close()
  local r = T.unentropy({ "run", dir .. "/log.lua" },
    { env = { GITHUB_ACTIONS = "true", AWS_SECRET_ACCESS_KEY = "s3cr3t-value-123", NO_COLOR = false } })
  T.eq(r.stderr, "warning: careful with ***\nError: broken: ***\n")
  T.eq(r.stdout, "::warning::careful with ***\n::error::broken: ***\n")
  local d = T.unentropy({ "run", dir .. "/log.lua" }, { env = { UNENTROPY_DEBUG = "1" } })
  T.contains(d.stderr, "debug: hidden unless debug")
end)

-- Every C module with a stub: documented functions == registered functions.
local C_MODULES = { "sys", "assets", "exec", "fs", "json", "store", "http", "s3", "provider", "xml", "sloc", "covdata", "linescan", "pgstore", "stats" }
T.test("docs/api stubs match the registered C functions", function()
  local checked = 0
  for _, name in ipairs(C_MODULES) do
    local path = (os.getenv("SRC") or ".") .. "/docs/api/unentropy." .. name .. ".lua"
    local f = io.open(path, "r")
    local ok, mod = pcall(require, "unentropy." .. name)
    if f and ok then
      local text = f:read("a")
      f:close()
      local documented = {}
      for fn in text:gmatch("\nfunction [%w_]+%.([%w_]+)%(") do documented[fn] = true end
      for fn in pairs(documented) do
        T.ok(type(mod[fn]) == "function", name .. "." .. fn .. " is documented but not registered")
      end
      for k, v in pairs(mod) do
        if type(v) == "function" then
          T.ok(documented[k], name .. "." .. k .. " is registered but not documented")
        end
      end
      checked = checked + 1
    end
  end
  T.ok(checked >= 6, "checked " .. checked .. " modules")
end)
