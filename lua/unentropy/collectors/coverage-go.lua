-- unentropy.collectors.coverage-go: `@collect coverage-go <path|glob>...
-- [--type line]` (collection.md §6): Go coverprofiles. unentropy.linescan
-- parses and deduplicates the blocks in C (by file and range, keeping the
-- maximum count); here: inputs, the `sources` filter (with the go.mod
-- module path stripped) and Σ covered statements / Σ statements.
local covdata = require("unentropy.covdata")
local fs = require("unentropy.fs")
local linescan = require("unentropy.linescan")
local lcov = require("unentropy.collectors.coverage-lcov")
local util = require("unentropy.collectors.util")

local M = {}

local SPEC = { options = { util.TYPE_OPTION } }

-- The `module` path of base_dir/go.mod, or nil.
function M.module_path(base)
  local text = fs.read(util.join(base or ".", "go.mod"))
  if not text then return nil end
  for line in text:gmatch("[^\n]+") do
    local m = line:match("^%s*module%s+(%S+)")
    if m then
      m = m:gsub('^"(.*)"$', "%1")
      return m
    end
  end
  return nil
end

function M.run(args, env)
  env = env or {}
  local opts, err = util.parse(SPEC, args)
  if not opts then return nil, err end
  if opts.type ~= "line" then return nil, "coverage-go supports only --type line" end
  if #opts._ == 0 then return nil, "At least one source path is required" end
  local inputs, ierr = util.inputs(opts._, env.base_dir, {
    missing = function(p) return "File not found: " .. p end })
  if not inputs then return nil, ierr end
  local cov <close> = covdata.new()
  for _, input in ipairs(inputs) do
    local ok, msg, code, line = linescan.coverprofile(input.full, cov, "line")
    if not ok then
      if code == "mode" then return nil, "Missing mode line in: " .. input.path end
      if code == "line" then return nil, "Invalid coverprofile line " .. line .. " in " .. input.path end
      return nil, lcov.read_error(input.path, msg)
    end
  end
  local mod = env.sources and M.module_path(env.base_dir)
  local c, t = lcov.sum(cov, "line", util.filter(env, mod and (mod .. "/")))
  return util.percent(c, t)
end

return M
