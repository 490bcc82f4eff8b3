-- unentropy.collect: running metrics (collection.md §2-4). Each metric runs
-- as a shell command in the config directory (with the UNENTROPY_*
-- variables, a timeout that kills its process group, bounded output) or as an
-- inline built-in collector; its output becomes a value through the default
-- parsing rules or the metric's own Lua parser. A failing metric yields a
-- reason, never an error. Shared by collect, test and gate.
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

-- Runs one metric. opts = {cfg = resolved config, ctx = build context,
-- timeout = override ms}. Returns {ok, value, reason, duration_ms,
-- stdout, stderr, truncated}.
function M.run_metric(metric, opts)
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
