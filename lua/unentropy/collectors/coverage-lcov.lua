-- unentropy.collectors.coverage-lcov: `@collect coverage-lcov <path|glob>...
-- [--type line|branch|function] [--fallback <n>]` (collection.md §6).
-- The format rules are the RULES table below (prefix -> what the line
-- means); unentropy.linescan streams the files through them in C into a
-- unentropy.covdata accumulator, which merges records per source file the
-- way `lcov -a` does. Filtering by `sources` and the percentage are here.
local covdata = require("unentropy.covdata")
local linescan = require("unentropy.linescan")
local util = require("unentropy.collectors.util")

local M = {}

-- One rule per line prefix (compared case-insensitively, lines trimmed).
-- Fields are the comma-separated parts after the first ":", 1-based,
-- negative from the end. A record's lines count only once its
-- end_of_record is read; a kind without detail lines in a record falls
-- back to that record's summary lines.
M.RULES = {
  { "SF", "record" },                                              -- SF:<source file>
  { "end_of_record", "end" },
  { "DA", "mark", kind = "line", key = 1, count = 2 },             -- DA:<line>,<count>[,<checksum>]
  { "BRDA", "entry", kind = "branch", key = { 1, -2 }, count = -1 }, -- BRDA:<line>,<block>,<branch>,<taken|->
  { "FN", "entry", kind = "function", key = { 2, -1 }, skip_int = true }, -- FN:<line>[,<end>],<name>
  { "FNDA", "entry", kind = "function", key = { 2, -1 }, count = 1 }, -- FNDA:<count>,<name>
  { "FNA", "entry", kind = "function", key = { 3, -1 }, count = 2 },  -- FNA:<index>,<count>,<name> (lcov 2.2)
  { "LF", "summary", kind = "line" }, { "LH", "summary", kind = "line", covered = true },
  { "BRF", "summary", kind = "branch" }, { "BRH", "summary", kind = "branch", covered = true },
  { "FNF", "summary", kind = "function" }, { "FNH", "summary", kind = "function", covered = true },
}

M.THREADS = 4

local SPEC = { options = { util.TYPE_OPTION, { "fallback", type = "number", default = 0 } } }

-- Sums covered/total of `kind` over the files of cov that pass keep (nil:
-- all). Returns covered, total.
function M.sum(cov, kind, keep)
  local files = cov:files()
  local totals, covered = cov:totals(kind)
  local c, t = 0, 0
  for i, name in ipairs(files) do
    if keep == nil or keep(name) then
      c, t = c + covered[i], t + totals[i]
    end
  end
  return c, t
end

-- "linescan: cannot read 'x': Is a directory" -> "Cannot read <p>: Is a directory"
function M.read_error(display, msg)
  return "Cannot read " .. display .. ": " .. (tostring(msg):match("': (.*)$") or tostring(msg))
end

function M.run(args, env)
  env = env or {}
  local opts, inputs = util.coverage_args(SPEC, args, env)
  if not opts then return nil, inputs end
  local cov <close> = covdata.new()
  for _, input in ipairs(inputs) do
    local stats, serr = linescan.records(input.full, M.RULES, cov, { threads = M.THREADS })
    if not stats then return nil, M.read_error(input.path, serr) end
  end
  local c, t = M.sum(cov, opts.type, util.filter(env))
  if t == 0 then return opts.fallback end
  return c / t * 100
end

return M
