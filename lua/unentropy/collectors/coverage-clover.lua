-- unentropy.collectors.coverage-clover: `@collect coverage-clover
-- <path|glob>... [--type line|branch|function]` (collection.md §6).
-- <file> elements at any depth under <coverage><project> (PHPUnit packages,
-- istanbul/nyc), keyed by `path` else `name`; line sets unioned per key
-- across reports; branch/function from the file-level <metrics>.
local covdata = require("unentropy.covdata")
local lcov = require("unentropy.collectors.coverage-lcov")
local util = require("unentropy.collectors.util")

local M = {}

local SPEC = { options = { util.TYPE_OPTION } }
local FILE = "coverage/project/**/file"

-- Reads one report into cov; returns true or nil, message.
function M.read(input, cov, kind)
  local root, project = false, false
  local key = ""
  local rules = {
    { path = "coverage", start = function() root = true end },
    { path = "coverage/project", start = function() project = true end },
    { path = FILE, attrs = { "path", "name" }, start = function(path, name) key = path or name or "" end },
  }
  if kind == "line" then
    rules[#rules + 1] = { path = FILE .. "/line",
      attrs = { "num:int", "type", "count:int", "truecount:int", "falsecount:int" },
      start = function(num, ty, count, t, f)
        if num == nil or num < 0 or num > 0xffffffff or (ty ~= "stmt" and ty ~= "cond") then return end
        local hit
        if ty == "cond" and count == nil then
          hit = (t or 0) + (f or 0) > 0
        else
          hit = (count or 0) > 0
        end
        cov:mark(key, "line", num, hit)
      end }
  else
    local covered, total = "coveredconditionals:int", "conditionals:int"
    if kind == "function" then covered, total = "coveredmethods:int", "methods:int" end
    rules[#rules + 1] = { path = FILE .. "/metrics", attrs = { covered, total },
      start = function(c, t) cov:add(key, kind, t or 0, c or 0) end }
  end
  local ok, err = util.scan_xml(input, "Clover", rules)
  if not ok then return nil, err end
  if not (root and project) then return nil, "Missing project element in: " .. input.path end
  return true
end

function M.run(args, env)
  env = env or {}
  local opts, inputs = util.coverage_args(SPEC, args, env)
  if not opts then return nil, inputs end
  local cov <close> = covdata.new()
  for _, input in ipairs(inputs) do
    local ok, rerr = M.read(input, cov, opts.type)
    if not ok then return nil, rerr end
  end
  local c, t = lcov.sum(cov, opts.type, util.filter(env))
  return util.percent(c, t)
end

return M
