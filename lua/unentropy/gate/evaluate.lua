-- unentropy.gate.evaluate: threshold evaluation of the quality gate
-- (gate.md §4-5). Pure: samples and thresholds in, metric results out; no IO.
-- Each threshold naming a sample's key is one check; checks honour the
-- metric's direction and severity; metric and gate status follow §5.
-- Depends on unentropy.json (ordered objects for the results file) and
-- unentropy.format (numbers in messages). The `statistical` mode is
-- unentropy.gate.statistical (docs/noise.md); its checks carry a
-- `statistics` object, and repeated metrics a `repeat` object.
local format = require("unentropy.format")
local json = require("unentropy.json")
local statistical = require("unentropy.gate.statistical")

local M = {}

M.DEFAULT_TOLERANCE = 0.5

M.MSG = {
  pr_missing = "Metric value not available for pull request",
  base_missing = "Baseline data not available",
  zero_drop = "Cannot calculate percentage drop from zero baseline",
  zero_increase = "Cannot calculate percentage increase from zero baseline",
  no_threshold = "No threshold configured for this metric",
}

local num = format.number

-- Exactly two decimals (JavaScript toFixed(2)), without grouping.
local function fixed2(x) return (format.decimals(x, 2):gsub(",", "")) end

local function is_number(v) return type(v) == "number" end

-- Evaluates one threshold against one sample.
-- name: display name; direction: "higher-is-better" | "lower-is-better";
-- pr, base: numbers or nil; sample: the whole sample (statistical mode:
-- sample.history, sample.metric.unit). Returns status
-- ("pass"|"fail"|"unknown"), message (nil when passing), and for the
-- statistical mode the details object of the results file.
function M.check(t, name, direction, pr, base, sample)
  local lower = direction == "lower-is-better"
  if not is_number(pr) then return "unknown", M.MSG.pr_missing end
  local mode = t.mode
  if mode == "statistical" then
    return statistical.check(t, name, direction, pr, sample and sample.history,
      sample and sample.metric and sample.metric.unit)
  end
  if mode == "min" then
    if pr >= t.target then return "pass" end
    return "fail", string.format("%s (%s) is below minimum threshold of %s", name, num(pr), num(t.target))
  elseif mode == "max" then
    if pr <= t.target then return "pass" end
    return "fail", string.format("%s (%s) exceeds maximum threshold of %s", name, num(pr), num(t.target))
  end
  if not is_number(base) then return "unknown", M.MSG.base_missing end
  if mode == "no-regression" then
    local tol = is_number(t.tolerance) and t.tolerance or M.DEFAULT_TOLERANCE
    local ok
    if lower then ok = pr <= base + tol else ok = pr >= base - tol end
    if ok then return "pass" end
    return "fail", string.format("%s regressed beyond tolerance (%s vs baseline %s, tolerance: %s)", name,
      num(pr), num(base), num(tol))
  elseif mode == "delta-max-drop" then
    if base == 0 then return "unknown", lower and M.MSG.zero_increase or M.MSG.zero_drop end
    local max = t.maxDropPercent
    if lower then
      local inc = (pr - base) / math.abs(base) * 100
      if inc <= max then return "pass" end
      return "fail", string.format("%s increased by %s%%, exceeding max allowed increase of %s%%", name,
        fixed2(inc), num(max))
    end
    local drop = (base - pr) / math.abs(base) * 100
    if drop <= max then return "pass" end
    return "fail", string.format("%s dropped by %s%%, exceeding max allowed drop of %s%%", name, fixed2(drop),
      num(max))
  end
  error("gate: unknown threshold mode '" .. tostring(mode) .. "'")
end

local function blocks(t) return t.severity ~= "warning" end

-- Evaluates every sample.
-- samples: array, in config order, of {metric = {id, name, unit?, direction?},
--   pr = number|nil, baseline = {value, source, commit_sha, build_id}|nil,
--   history = statistical window (gate.statistical) | nil,
--   runs = {runs, fold, spread, samples} | nil (repeated metric),
--   annotations = json array of {commit, note, reset} | nil}.
-- thresholds: array of threshold objects (the config's, unmodified).
-- Returns {status, metrics, failing, summary, violations, evaluated} where
--   metrics/failing are arrays of ordered json objects (gate.md §9 shape),
--   summary is an ordered json object, violations is an array of
--   {metric, name, message, blocking} (every failing check, in order), and
--   evaluated is the number of samples with at least one threshold.
function M.evaluate(samples, thresholds)
  local by_metric = {}
  for _, t in ipairs(thresholds or {}) do
    local list = by_metric[t.metric]
    if not list then list = {}; by_metric[t.metric] = list end
    list[#list + 1] = t
  end

  local metrics, failing, violations = json.array(), json.array(), {}
  local passed, failed, unknown, evaluated = 0, 0, 0, 0
  local decided = false -- some sample reached pass or fail
  for _, s in ipairs(samples) do
    local m = s.metric
    local direction = m.direction or "higher-is-better"
    local pr = s.pr
    local base = s.baseline and s.baseline.value
    local ts = by_metric[m.id] or {}
    local checks = json.array()
    local first_fail, first_unknown
    local any_fail_blocks, any_blocks = false, false
    for _, t in ipairs(ts) do
      local status, message, details = M.check(t, m.name, direction, pr, base, s)
      local c = json.object({ { "threshold", t }, { "status", status }, { "message", message },
        { "isBlocking", blocks(t) }, { "statistics", details } })
      checks[#checks + 1] = c
      if blocks(t) then any_blocks = true end
      if status == "fail" then
        first_fail = first_fail or c
        if blocks(t) then any_fail_blocks = true end
        violations[#violations + 1] = { metric = m.id, name = m.name, message = message, blocking = blocks(t) }
      elseif status == "unknown" then
        first_unknown = first_unknown or c
      end
    end

    local status, message, threshold, blocking
    if #ts == 0 then
      status, message, blocking = "unknown", M.MSG.no_threshold, false
    else
      evaluated = evaluated + 1
      local lead = first_fail or first_unknown or checks[1]
      status = first_fail and "fail" or (first_unknown and "unknown" or "pass")
      message, threshold = lead.message, lead.threshold
      blocking = first_fail and any_fail_blocks or (not first_fail and any_blocks)
    end

    local abs_delta, rel_delta
    if is_number(pr) and is_number(base) then
      abs_delta = pr - base
      if base ~= 0 then rel_delta = abs_delta / math.abs(base) * 100 end
    end
    local b = s.baseline
    local rep
    if s.runs and s.runs.runs and s.runs.runs > 1 then
      rep = json.object({ { "runs", s.runs.runs }, { "fold", s.runs.fold }, { "spread", s.runs.spread },
        { "values", json.array(s.runs.samples) } })
    end
    local entry = json.object({
      { "metric", m.id }, { "name", m.name }, { "unit", m.unit }, { "direction", direction },
      { "baseline", base }, { "baselineSource", b and b.source }, { "baselineCommit", b and b.commit_sha },
      { "pullRequestValue", pr }, { "repeat", rep }, { "absoluteDelta", abs_delta },
      { "relativeDeltaPercent", rel_delta },
      { "threshold", threshold }, { "checks", checks }, { "status", status }, { "message", message },
      { "isBlocking", blocking }, { "annotations", s.annotations },
    })
    metrics[#metrics + 1] = entry
    if status == "pass" then passed = passed + 1; decided = true
    elseif status == "fail" then failed = failed + 1; decided = true
    else unknown = unknown + 1 end
    if status == "fail" and blocking then failing[#failing + 1] = entry end
  end

  local gate
  if evaluated == 0 then gate = "unknown"
  elseif #failing > 0 then gate = "fail"
  elseif not decided then gate = "unknown"
  else gate = "pass" end

  return {
    status = gate,
    metrics = metrics,
    failing = failing,
    violations = violations,
    evaluated = evaluated,
    summary = json.object({
      { "totalMetrics", #samples }, { "evaluatedMetrics", evaluated }, { "passed", passed },
      { "failed", failed }, { "unknown", unknown },
    }),
  }
end

-- The failing checks that block, as {metric, message}, for the hard-mode
-- message on stderr.
function M.blocking_violations(result)
  local out = {}
  for _, v in ipairs(result.violations) do
    if v.blocking then out[#out + 1] = v end
  end
  return out
end

return M
