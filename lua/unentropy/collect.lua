-- unentropy.collect: running metrics (collection.md §2-4). Each metric runs
-- as a shell command in the config directory (with the UNENTROPY_*
-- variables, a timeout that kills its process group, bounded output) or as an
-- inline built-in collector; its output becomes a value through the default
-- parsing rules or the metric's own Lua parser. A failing metric yields a
-- reason, never an error. Shared by collect, test and gate. A metric with
-- `repeat` N runs N times and records the runs folded by `fold` (min,
-- median, mean, max); the result keeps every run and the spread
-- (docs/noise.md).
local collectors = require("unentropy.collectors")
local context = require("unentropy.context")
local exec = require("unentropy.exec")
local sys = require("unentropy.sys")
local value = require("unentropy.value")

local M = {}

M.DEFAULT_TIMEOUT = 60000

local SIGNAL_NAMES = setmetatable({}, { __index = function(_, n) return "signal " .. tostring(n) end })

-- The failure reason for a finished command (exact texts of §2).
function M.failure_reason(r, timeout)
  if r.timed_out then return string.format("Command timed out after %dms", timeout) end
  if r.signal then return "Command terminated by signal " .. (r.signal or SIGNAL_NAMES[r.signal_number]) end
  local reason = "Command failed with exit code " .. tostring(r.status)
  local stderr = value.trim(r.stderr or "")
  if stderr ~= "" then
    if utf8.len(stderr) and utf8.len(stderr) > 500 then
      stderr = "…" .. stderr:sub(utf8.offset(stderr, -500))
    elseif #stderr > 500 and not utf8.len(stderr) then
      stderr = "…" .. stderr:sub(-500)
    end
    reason = reason .. ": " .. stderr
  end
  return reason
end

local function parse_output(metric, stdout, pctx)
  if metric.parser then
    return value.run_parser(metric.parser, stdout, pctx, metric.type)
  end
  return value.parse(stdout, metric.type)
end

-- Runs one metric's command (or inline collector) once.
local function run_once(metric, opts)
  local cfg, ctx = opts.cfg, opts.ctx
  local base_dir = cfg.base_dir
  local started = sys.monotonic_ms()
  local res = { metric = metric }
  local stdout, stderr, truncated = "", "", false
  local pctx = {
    metric = { id = metric.id, name = metric.name, type = metric.type, unit = metric.unit,
      direction = metric.direction },
    build = { commit_sha = ctx.commit_sha, branch = ctx.branch, run_id = ctx.run_id,
      run_number = ctx.run_number, event_name = ctx.event_name },
    base_dir = base_dir,
  }
  local inline = collectors.inline(metric.command)
  if inline then
    local v, err = collectors.run(inline, { base_dir = base_dir, sources = cfg.sources, config = cfg })
    if v == nil then
      res.reason = err
    else
      stdout = type(v) == "number" and require("unentropy.format").number(v) or tostring(v)
      if type(v) == "number" and not metric.parser and metric.type ~= "label" then
        res.value = v + 0.0
      end
    end
  else
    local timeout = opts.timeout or metric.timeout or M.DEFAULT_TIMEOUT
    local r, err = exec.run({ shell = metric.command, cwd = base_dir, timeout = timeout,
      env = context.metric_env(ctx, metric) })
    if not r then
      res.reason = err
    else
      stdout, stderr, truncated = r.stdout, r.stderr, r.truncated
      if not r.ok then res.reason = M.failure_reason(r, timeout) end
    end
  end
  if res.reason == nil and res.value == nil then
    pctx.stderr, pctx.truncated = stderr, truncated
    local v, err = parse_output(metric, stdout, pctx)
    if v == nil then res.reason = err else res.value = v end
  end
  res.ok = res.reason == nil
  res.duration_ms = sys.monotonic_ms() - started
  res.stdout, res.stderr, res.truncated = stdout, stderr, truncated
  return res
end

M.FOLDS = {
  min = function(xs) return math.min(table.unpack(xs)) end,
  max = function(xs) return math.max(table.unpack(xs)) end,
  mean = function(xs)
    local sum = 0
    for _, x in ipairs(xs) do sum = sum + x end
    return sum / #xs
  end,
  median = function(xs)
    local s = table.move(xs, 1, #xs, 1, {})
    table.sort(s)
    local n = #s
    if n % 2 == 1 then return s[(n + 1) // 2] end
    return (s[n // 2] + s[n // 2 + 1]) / 2
  end,
}

-- Folds repeated numeric samples: value, spread (max - min as a percentage
-- of |value|; nil when value is 0).
function M.fold(samples, how)
  local v = (M.FOLDS[how] or M.FOLDS.median)(samples)
  local lo, hi = math.min(table.unpack(samples)), math.max(table.unpack(samples))
  local spread
  if v ~= 0 then spread = (hi - lo) / math.abs(v) * 100 end
  return v, spread
end

-- "5 runs, spread 3.1%" for a repeated metric's result, else nil.
function M.describe(res)
  if not res or not res.runs or res.runs <= 1 or not res.ok then return nil end
  local text = string.format("%d runs", res.runs)
  if res.spread then text = text .. string.format(", spread %.1f%%", res.spread) end
  return text
end

-- A result's value as printed: labels raw, numbers with the unit formatter.
function M.shown(res)
  if type(res.value) == "string" then return res.value end
  return require("unentropy.format").value(res.value, res.metric.unit)
end

-- The on_result callback printing the per-metric lines of collect and gate
-- (cli.md "collect"): "  ✓ <key>  <value>  [(<runs>)  ](<s.s>s)" or
-- "  ✗ <key>  <reason>", plus the command with verbose.
function M.progress_lines(out, verbose)
  return function(res)
    if res.ok then
      local runs = M.describe(res) -- "5 runs, spread 3.1%" (repeat)
      out:write(string.format("  ✓ %s  %s  %s(%.1fs)\n", res.metric.id, M.shown(res),
        runs and ("(" .. runs .. ")  ") or "", res.duration_ms / 1000))
    else
      out:write(string.format("  ✗ %s  %s\n", res.metric.id, res.reason))
    end
    if verbose then out:write("     Command: ", res.metric.command, "\n") end
    out:flush()
  end
end

-- Runs one metric. opts = {cfg = resolved config, ctx = build context,
-- timeout = override ms}. Returns {ok, value, reason, duration_ms,
-- stdout, stderr, truncated}; a repeated metric (metric.runs > 1) adds
-- runs, fold, samples (every run's value) and spread, and fails with
-- "run <k> of <n>: <reason>" as soon as one run fails. stdout and stderr
-- are the last run's.
function M.run_metric(metric, opts)
  local n = metric.runs or 1
  if n <= 1 then return run_once(metric, opts) end
  local started = sys.monotonic_ms()
  local samples, res = {}, nil
  for k = 1, n do
    res = run_once(metric, opts)
    if res.ok and type(res.value) ~= "number" then
      res.ok, res.reason = false, "repeat needs numeric values, got " .. type(res.value)
    end
    if not res.ok then
      res.reason = string.format("run %d of %d: %s", k, n, res.reason)
      res.value = nil
      break
    end
    samples[k] = res.value
  end
  res.runs, res.fold, res.samples = n, metric.fold or "median", samples
  if res.ok then res.value, res.spread = M.fold(samples, res.fold) end
  res.duration_ms = sys.monotonic_ms() - started
  return res
end

-- Runs every metric in config order; on_result(res, index) is called after
-- each. skip = {metric_id = reason} fails metrics before running them (type
-- mismatch with the database). Returns the array of results.
function M.run_all(cfg, ctx, opts)
  opts = opts or {}
  local results = {}
  for i, metric in ipairs(cfg.metrics) do
    local res
    local skip = opts.skip and opts.skip[metric.id]
    if skip then
      res = { metric = metric, ok = false, reason = skip, duration_ms = 0 }
    else
      res = M.run_metric(metric, { cfg = cfg, ctx = ctx, timeout = opts.timeout })
    end
    results[i] = res
    if opts.on_result then opts.on_result(res, i) end
  end
  return results
end

return M
