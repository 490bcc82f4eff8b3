-- unentropy.collectors.coverage-cobertura: `@collect coverage-cobertura
-- <path|glob>... [--type line|branch|function]` (collection.md §6).
-- unentropy.xml streams each report and calls the handlers below only for
-- the elements they subscribe to; unentropy.covdata merges per filename
-- (line sets unioned, methods by maximum). Files are always merged.
local covdata = require("unentropy.covdata")
local lcov = require("unentropy.collectors.coverage-lcov")
local util = require("unentropy.collectors.util")

local M = {}

local SPEC = { options = { util.TYPE_OPTION } }
local CLASS = "coverage/packages/package/classes/class"
local ROOT_ATTRS = { "lines-covered", "lines-valid", "branches-covered", "branches-valid", "functions-covered",
  "functions-valid" }

-- Reads one report into cov. Returns a summary {root = bool, roots = {attr
-- = raw value}, methods = n} or nil, message.
function M.read(input, cov, kind)
  local info = { root = false, roots = {}, methods = 0 }
  local pkg, file, class = "", "", ""
  local rules = {
    { path = "coverage", attrs = ROOT_ATTRS, start = function(...)
      info.root = true
      for i, a in ipairs(ROOT_ATTRS) do info.roots[a] = select(i, ...) end
    end },
    { path = "coverage/packages/package", attrs = { "name" }, start = function(name) pkg = name or "" end },
    { path = CLASS, attrs = { "filename", "name" }, start = function(f, n) file, class = f or "", n or "" end },
  }
  if kind == "line" then
    rules[#rules + 1] = { path = CLASS .. "/lines/line", attrs = { "number:int", "hits:int" },
      start = function(number, hits)
        if number and number >= 0 and number <= 0xffffffff then
          cov:mark(file, "line", number, hits ~= nil and hits > 0)
        end
      end }
  elseif kind == "branch" then
    rules[#rules + 1] = { path = CLASS .. "/lines/line", attrs = { "branch", "condition-coverage" },
      start = function(branch, cc)
        if branch == "true" and cc then
          local c, t = cc:match("%((%d+)/(%d+)%)")
          if c then cov:add(file, "branch", tonumber(t), tonumber(c)) end
        end
      end }
  else
    rules[#rules + 1] = { path = CLASS .. "/methods/method", attrs = { "name", "signature", "line-rate" },
      start = function(name, sig, rate)
        info.methods = info.methods + 1
        local r = tonumber(rate and rate:match("^%s*([+-]?[%d.]+[eE]?[+-]?%d*)") or nil)
        cov:entry(file, "function", table.concat({ pkg, class, name or "", sig or "" }, "|"), 1,
          (r and r > 0) and 1 or 0)
      end }
  end
  local ok, err = util.scan_xml(input, "Cobertura", rules)
  if not ok then return nil, err end
  if not info.root then return nil, "Missing coverage element in: " .. input.path end
  return info
end

function M.run(args, env)
  env = env or {}
  local opts, inputs = util.coverage_args(SPEC, args, env)
  if not opts then return nil, inputs end
  local kind = opts.type
  local keep = util.filter(env)
  local cov <close> = covdata.new()
  local roots = { c = 0, t = 0, fc = 0, ft = 0, has_functions = false }
  local methods = 0
  for _, input in ipairs(inputs) do
    local info, rerr = M.read(input, cov, kind)
    if not info then return nil, rerr end
    methods = methods + info.methods
    local r = info.roots
    if kind == "branch" and not keep then
      if r["lines-covered"] == nil or r["lines-valid"] == nil then
        return nil, "Missing lines-covered/lines-valid attributes in: " .. input.path
      end
      for _, a in ipairs({ "lines-covered", "lines-valid", "branches-covered", "branches-valid" }) do
        if r[a] ~= nil and util.parse_int(r[a]) == nil then return nil, "Invalid " .. a .. " in: " .. input.path end
      end
      roots.c = roots.c + (util.parse_int(r["branches-covered"]) or 0)
      roots.t = roots.t + (util.parse_int(r["branches-valid"]) or 0)
    elseif kind == "function" and r["functions-valid"] ~= nil then
      roots.has_functions = true
      roots.fc = roots.fc + (util.parse_int(r["functions-covered"]) or 0)
      roots.ft = roots.ft + (util.parse_int(r["functions-valid"]) or 0)
    end
  end
  if kind == "branch" and not keep then return util.percent(roots.c, roots.t) end
  if kind == "function" and methods == 0 then
    if roots.has_functions then return util.percent(roots.fc, roots.ft) end
    return nil, "No function coverage data found in any report"
  end
  local c, t = lcov.sum(cov, kind, keep)
  return util.percent(c, t)
end

return M
