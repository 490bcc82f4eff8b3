-- unentropy changes: step changes in a branch's history (docs/noise.md).
-- Opens the storage read-only, takes every numeric metric's series on the
-- branch (pull-request builds excluded) and runs the sliding-window Welch
-- test of unentropy.changes; prints each change point with its commit, the
-- means before and after and the relative change, plus any annotation on
-- that commit. --json prints the same as one JSON document.
local baseline = require("unentropy.gate.baseline")
local changes = require("unentropy.changes")
local cli = require("unentropy.cli")
local config = require("unentropy.config")
local json = require("unentropy.json")
local log = require("unentropy.log")
local options = require("unentropy.options")
local statistical = require("unentropy.gate.statistical")
local storage = require("unentropy.storage")
local sys = require("unentropy.sys")

local spec = {
  name = "changes",
  usage = "unentropy changes [config/storage options] [--metric <id>] [--branch <b>] [--window <n>] " ..
    "[--p-value <p>] [--min-magnitude <percent>] [--json]",
  summary = "Find step changes in a branch's history (sliding-window Welch's t-test).",
  options = options.build(options.config, options.storage, {
    { "metric", type = "string", arg = "id", help = "only this metric (default: every numeric metric)" },
    { "branch", type = "string", arg = "b",
      help = "branch (else qualityGate.baseline.referenceBranch, GITHUB_BASE_REF, main)" },
    { "window", type = "integer", arg = "n", default = 30, help = "builds on each side of a split (2-1000)" },
    { "p-value", type = "number", arg = "p", default = 0.001, help = "significance level (0 < p < 1)" },
    { "min-magnitude", type = "number", arg = "percent", help = "ignore changes smaller than this" },
    { "json", type = "boolean", help = "print JSON" },
  }),
  positionals = { max = 0 },
}

local opts, code = cli.parse(spec, { ... })
if not opts then return code end
if opts.window < 2 or opts.window > 1000 then
  log.error('Invalid value for --window: "' .. opts.window .. '" (expected an integer between 2 and 1000)')
  return 1
end
if not (opts.p_value > 0 and opts.p_value < 1) then
  log.error('Invalid value for --p-value: "' .. opts.p_value .. '" (expected a number between 0 and 1)')
  return 1
end
if opts.min_magnitude ~= nil and not (opts.min_magnitude >= 0) then
  log.error('Invalid value for --min-magnitude: "' .. opts.min_magnitude .. '" (expected a non-negative percent)')
  return 1
end

local cfg, rc = config.load_or_report(opts.config)
if not cfg then return rc end

local metrics = {}
for _, m in ipairs(cfg.metrics) do
  if m.type == "numeric" and (opts.metric == nil or opts.metric == m.id) then metrics[#metrics + 1] = m end
end
if opts.metric and #metrics == 0 then
  local m = cfg.metrics_by_id[opts.metric]
  log.error(m and ("metric '" .. opts.metric .. "' is not numeric")
    or ("unknown metric '" .. opts.metric .. "' (not in " .. cfg.path .. ")"))
  return 1
end

local branch = baseline.reference_branch(opts.branch, cfg.qualityGate.baseline.referenceBranch, sys.getenv)
local handle, err, ecode = storage.open(cfg, opts, "ro", { branch = branch })
if not handle then
  log.error(err)
  if ecode == "not_found" then io.stderr:write("Run metric collection first, or check the path.\n") end
  return 1
end

local detect_opts = { window = opts.window, p_value = opts.p_value, min_magnitude = opts.min_magnitude }
local report = {}
for _, m in ipairs(metrics) do
  local series, serr = handle.db:series(m.id)
  if not series then
    handle.cleanup()
    log.error(serr)
    return 1
  end
  local anns = handle.db.annotations and handle.db:annotations(m.id) or {}
  local found, points = changes.for_series(series, branch, detect_opts)
  for _, c in ipairs(found) do
    for _, a in ipairs(anns) do
      local sha = c.build.commit_sha or ""
      local k = math.min(#a.commit_sha, #sha)
      if k >= 7 and a.commit_sha:sub(1, k):lower() == sha:sub(1, k):lower() then c.annotation = a end
    end
  end
  report[#report + 1] = { metric = m, changes = found, builds = #points }
end
handle.cleanup()

if opts.json then
  local doc = json.object({ { "branch", branch }, { "window", opts.window }, { "pValue", opts.p_value },
    { "minMagnitude", opts.min_magnitude }, { "metrics", json.array() } })
  for _, r in ipairs(report) do
    local list = json.array()
    for _, c in ipairs(r.changes) do
      local b = c.build
      list[#list + 1] = json.object({
        { "buildId", b.build_id }, { "commit", b.commit_sha }, { "runNumber", b.run_number },
        { "timestamp", b.timestamp }, { "index", c.index }, { "before", c.before }, { "after", c.after },
        { "changePercent", c.change_percent }, { "pValue", c.p }, { "t", c.t },
        { "kind", changes.is_regression(c, r.metric.direction) and "regression" or "improvement" },
        { "annotation", c.annotation and json.object({ { "note", c.annotation.note },
          { "reset", c.annotation.reset } }) },
      })
    end
    doc.metrics[#doc.metrics + 1] = json.object({ { "metric", r.metric.id }, { "name", r.metric.name },
      { "unit", r.metric.unit }, { "direction", r.metric.direction }, { "builds", r.builds }, { "changes", list } })
  end
  io.stdout:write(json.encode(doc, { pretty = true }), "\n")
  return 0
end

local out = io.stdout
out:write(string.format("Change points on %s (window %d, p < %s%s):\n", branch, opts.window,
  statistical.sig(opts.p_value), opts.min_magnitude and (", at least " .. statistical.sig(opts.min_magnitude) .. "%")
  or ""))
for _, r in ipairs(report) do
  local m = r.metric
  local title = m.name == m.id and m.id or (m.name .. " (" .. m.id .. ")")
  if #r.changes == 0 then
    out:write(string.format("  %s: no change points in %d builds\n", title, r.builds))
  else
    out:write(string.format("  %s: %d change point%s in %d builds\n", title, #r.changes,
      #r.changes == 1 and "" or "s", r.builds))
  end
  for _, c in ipairs(r.changes) do
    local b = c.build
    local pct = c.change_percent and string.format(" (%s%.1f%%)", c.change_percent >= 0 and "+" or "",
      c.change_percent) or ""
    out:write(string.format("    %s %s run #%s %s: %s → %s%s, p = %.2g\n",
      changes.is_regression(c, m.direction) and "▲ regression " or "▼ improvement",
      (b.commit_sha or ""):sub(1, 7), tostring(b.run_number), (b.timestamp or ""):sub(1, 10),
      statistical.value(c.before, m.unit), statistical.value(c.after, m.unit), pct, c.p))
    if c.annotation then
      out:write(string.format("      📝 %s%s\n", c.annotation.note, c.annotation.reset and " (window reset)" or ""))
    end
  end
end
return 0
