-- unentropy.gate: the quality gate's policy around the evaluation
-- (gate.md §2, §6, §9, §10): settings with flag > config > default
-- precedence, samples from collection results and baselines, the results
-- object (key order of §9), the GitHub outputs and the console lines. Pure
-- except settings(), which reads the environment through a getter.
-- Evaluation is in unentropy.gate.evaluate, baselines in unentropy.gate.baseline.
local baseline = require("unentropy.gate.baseline")
local comment = require("unentropy.comment")
local evaluate = require("unentropy.gate.evaluate")
local json = require("unentropy.json")

local M = {}

M.MODES = { "off", "soft", "hard" }
M.DEFAULT_RESULTS = ".unentropy/quality-gate-results.json"

local function set(v)
  if v == nil or v == "" then return nil end
  return v
end

local function join(dir, path)
  if path:sub(1, 1) == "/" then return path end
  return (dir:gsub("/+$", "")) .. "/" .. path:gsub("^%./", "")
end

local function int_flag(name, raw, lo, hi)
  raw = set(raw)
  if raw == nil then return nil end
  local n = math.tointeger(tonumber(raw))
  if n == nil or (lo and n < lo) or (hi and n > hi) then
    local want = hi and string.format("an integer between %d and %d", lo, hi) or "a positive integer"
    return nil, string.format('Invalid value for --%s: "%s" (expected %s)', name, raw, want)
  end
  return n
end

-- Resolves the settings (gate.md §2). opts: parsed flags (mode, comment,
-- comment_marker, max_comment_metrics, reference_branch, merge_base,
-- pr_number, output_file; strings, "" meaning unset); getenv(name); cwd.
-- Returns settings | nil, usage error message (without "Error: ").
function M.settings(cfg, opts, getenv, cwd)
  local qg = cfg.qualityGate
  local s = {}
  local mode = set(opts.mode)
  if mode then
    local known = false
    for _, m in ipairs(M.MODES) do known = known or m == mode end
    if not known then
      return nil, string.format('Invalid value for --mode: "%s" (choices: %s)', mode, table.concat(M.MODES, ", "))
    end
  end
  s.mode = mode or qg.mode or "soft"
  if opts.comment ~= nil then s.comment = opts.comment else s.comment = qg.enablePullRequestComment ~= false end
  local err
  s.max_rows, err = int_flag("max-comment-metrics", opts.max_comment_metrics, 1, 100)
  if err then return nil, err end
  s.max_rows = s.max_rows or qg.maxCommentMetrics or 30
  s.pr_number, err = int_flag("pr-number", opts.pr_number, 1)
  if err then return nil, err end
  s.max_chars = qg.maxCommentCharacters or 8000
  s.marker = set(opts.comment_marker) or comment.MARKER
  s.ref = baseline.reference_branch(opts.reference_branch, qg.baseline.referenceBranch, getenv)
  s.max_age_days = qg.baseline.maxAgeDays or 90
  s.merge_base_flag = set(opts.merge_base)
  s.merge_base_env = set(getenv("UNENTROPY_MERGE_BASE"))
  s.output_file = join(cwd, set(opts.output_file) or M.DEFAULT_RESULTS)
  s.template = qg.commentTemplate
  return s
end

-- One sample per numeric metric, in config order (gate.md §1.5).
-- collected: the collect.run_all results; baselines: id -> baseline;
-- histories (optional): id -> statistical window with its annotations
-- (baseline.histories).
function M.samples(cfg, collected, baselines, histories)
  local by_id = {}
  for _, r in ipairs(collected) do by_id[r.metric.id] = r end
  local out = {}
  for _, m in ipairs(cfg.metrics) do
    if m.type == "numeric" then
      local r = by_id[m.id]
      local pr = r and r.ok and type(r.value) == "number" and r.value or nil
      local h = histories and histories[m.id]
      out[#out + 1] = { metric = m, pr = pr, baseline = baselines[m.id], history = h,
        annotations = h and h.annotations, runs = r and r.runs and r.runs > 1 and r or nil }
    end
  end
  return out
end

-- The collection block of the results: successful, failed, total, failedMetrics.
function M.collection(collected)
  local ok, failed = 0, json.array()
  for _, r in ipairs(collected) do
    if r.ok then ok = ok + 1 else failed[#failed + 1] = r.metric.id end
  end
  return json.object({ { "successful", ok }, { "failed", #failed }, { "total", #collected },
    { "failedMetrics", failed } })
end

-- Builds the results object (gate.md §9). r = {timestamp, duration_ms,
-- version, collection, comment_url, error, mode, evaluation (from
-- evaluate.evaluate, or nil for an empty evaluation), ref, max_age_days,
-- merge_base}.
function M.results(r)
  local e = r.evaluation or {
    status = "unknown", metrics = json.array(), failing = json.array(),
    summary = json.object({ { "totalMetrics", 0 }, { "evaluatedMetrics", 0 }, { "passed", 0 }, { "failed", 0 },
      { "unknown", 0 } }),
  }
  local obj = json.object({
    { "timestamp", r.timestamp }, { "durationMs", r.duration_ms }, { "version", r.version },
    { "collection", r.collection },
  })
  obj.prCommentUrl = r.comment_url or json.null
  if r.error then obj.error = r.error end
  obj.qualityGate = json.object({
    { "status", e.status }, { "mode", r.mode }, { "metrics", e.metrics }, { "failingMetrics", e.failing },
    { "summary", e.summary },
    { "baselineInfo", json.object({ { "referenceBranch", r.ref }, { "maxAgeDays", r.max_age_days },
      { "mergeBaseCommit", r.merge_base } }) },
  })
  return obj
end

-- The results of mode off (gate.md §9).
function M.off_results(timestamp, duration_ms, version)
  return M.results({
    timestamp = timestamp, duration_ms = duration_ms, version = version, mode = "off", ref = "", max_age_days = 0,
    collection = json.object({ { "successful", 0 }, { "failed", 0 }, { "total", 0 },
      { "failedMetrics", json.array() } }),
  })
end

-- The step outputs (github-action.md §4), as {name, value} pairs.
function M.outputs(results, path, text, builds_considered)
  local qg = results.qualityGate
  local failing = {}
  for _, m in ipairs(qg.failingMetrics) do failing[#failing + 1] = m.metric end
  local url = results.prCommentUrl
  return {
    { "quality-gate-status", qg.status },
    { "quality-gate-mode", qg.mode },
    { "quality-gate-failing-metrics", table.concat(failing, ",") },
    { "quality-gate-comment-url", type(url) == "string" and url or "" },
    { "metrics-collected", results.collection.successful },
    { "baseline-reference-branch", qg.baselineInfo.referenceBranch },
    { "baseline-builds-considered", builds_considered or 0 },
    { "quality-gate-results-path", path },
    { "quality-gate-results-json", text },
  }
end

-- Console lines after the evaluation (gate.md §10): one per sample, then
-- the status line.
function M.console_lines(qg)
  local lines = {}
  for _, m in ipairs(qg.metrics) do
    local text = m.message or "passed"
    -- A passing statistical check says where the value sits (docs/noise.md).
    for _, c in ipairs(m.message == nil and m.checks or {}) do
      if c.statistics and c.statistics.summary then text = "passed: " .. c.statistics.summary; break end
    end
    lines[#lines + 1] = string.format("  %s %s: %s", comment.icon(m.status), m.metric, text)
  end
  local s = qg.summary
  lines[#lines + 1] = string.format("Quality gate: %s (%d passed, %d failed, %d unknown)", qg.status:upper(),
    s.passed, s.failed, s.unknown)
  return lines
end

-- The exit code of a finished gate (gate.md §6): 1 only for a failure in
-- hard mode.
function M.exit_code(mode, status)
  if mode == "hard" and status == "fail" then return 1 end
  return 0
end

-- The hard-mode failure text for stderr (gate.md §6), or nil.
function M.hard_failure(evaluation)
  local v = evaluate.blocking_violations(evaluation)
  if #v == 0 then return nil end
  local lines = { string.format("Quality gate failed: %d blocking threshold violations", #v) }
  for _, x in ipairs(v) do lines[#lines + 1] = string.format("  - %s: %s", x.metric, x.message) end
  return table.concat(lines, "\n")
end

return M
