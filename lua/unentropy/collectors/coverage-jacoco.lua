-- unentropy.collectors.coverage-jacoco: `@collect coverage-jacoco
-- <path|glob>... [--type line|branch|function]` (collection.md §6).
-- A source file's path is "<package name>/<sourcefile name>"; line sets
-- and per-line branch maxima merge across reports; methods are keyed by
-- "class|method|desc" under their class's source file.
local covdata = require("unentropy.covdata")
local lcov = require("unentropy.collectors.coverage-lcov")
local util = require("unentropy.collectors.util")

local M = {}

local SPEC = { options = { util.TYPE_OPTION } }
local PKG = "report/**/package"

local function join(pkg, name)
  name = name or ""
  if pkg == "" then return name end
  return pkg .. "/" .. name
end

-- Reads one report into cov. Returns the number of methods or nil, message.
function M.read(input, cov, kind)
  local root, methods = false, 0
  local pkg, file = "", ""
  local class, method, covered = "", nil, false
  local rules = {
    { path = "report", start = function() root = true end },
    { path = PKG, attrs = { "name" }, start = function(name) pkg = name or "" end },
  }
  if kind ~= "function" then
    rules[#rules + 1] = { path = PKG .. "/sourcefile", attrs = { "name" },
      start = function(name) file = join(pkg, name) end }
    rules[#rules + 1] = { path = PKG .. "/sourcefile/line", attrs = { "nr:int", "mi:int", "ci:int", "mb:int", "cb:int" },
      start = function(nr, mi, ci, mb, cb)
        if nr == nil or nr < 0 or nr > 0xffffffff then return end
        if kind == "line" then
          if (mi or 0) + (ci or 0) > 0 then cov:mark(file, "line", nr, (ci or 0) > 0) end
        else
          cov:entry(file, "branch", tostring(nr), (mb or 0) + (cb or 0), cb or 0)
        end
      end }
  else
    rules[#rules + 1] = { path = PKG .. "/class", attrs = { "name", "sourcefilename" },
      start = function(name, src)
        class = name or ""
        file = join(pkg, src)
      end }
    rules[#rules + 1] = { path = PKG .. "/class/method", attrs = { "name", "desc" },
      start = function(name, desc)
        method = class .. "|" .. (name or "") .. "|" .. (desc or "")
        covered = false
      end,
      stop = function()
        methods = methods + 1
        cov:entry(file, "function", method, 1, covered and 1 or 0)
      end }
    rules[#rules + 1] = { path = PKG .. "/class/method/counter", attrs = { "type", "covered:int" },
      start = function(ty, c)
        if ty == "METHOD" and (c or 0) > 0 then covered = true end
      end }
  end
  local ok, err = util.scan_xml(input, "JaCoCo", rules)
  if not ok then return nil, err end
  if not root then return nil, "Missing report element in: " .. input.path end
  return methods
end

function M.run(args, env)
  env = env or {}
  local opts, inputs = util.coverage_args(SPEC, args, env)
  if not opts then return nil, inputs end
  local cov <close> = covdata.new()
  local methods = 0
  for _, input in ipairs(inputs) do
    local n, rerr = M.read(input, cov, opts.type)
    if not n then return nil, rerr end
    methods = methods + n
  end
  if opts.type == "function" and methods == 0 then return nil, "No function coverage data found in any report" end
  local c, t = lcov.sum(cov, opts.type, util.filter(env))
  return util.percent(c, t)
end

return M
