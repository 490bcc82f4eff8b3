-- test_gate_eval.lua: the quality gate's evaluation (gate.md §4-6) as a
-- table of cases: every threshold mode in both directions, severities,
-- missing PR values and baselines, zero and negative baselines, metric and
-- gate status, label metrics ignored, gate modes and exit codes, and the
-- results object's key order.
local T = require("t")
local evaluate = require("unentropy.gate.evaluate")
local gate = require("unentropy.gate")
local json = require("unentropy.json")

local HI, LO = "higher-is-better", "lower-is-better"

local function th(t) -- a threshold as config.load leaves it: an ordered object
  local pairs_list = {}
  for _, k in ipairs({ "metric", "mode", "target", "tolerance", "maxDropPercent", "severity" }) do
    if t[k] ~= nil then pairs_list[#pairs_list + 1] = { k, t[k] } end
  end
  return json.object(pairs_list)
end

-- {name, threshold, direction, pr, base, status, message}
local CHECKS = {
  { "min pass at target", { mode = "min", target = 80 }, HI, 80, nil, "pass" },
  { "min fail", { mode = "min", target = 80 }, HI, 79.9, nil, "fail",
    "Coverage (79.9) is below minimum threshold of 80" },
  { "min ignores direction", { mode = "min", target = 80 }, LO, 79, 10, "fail",
    "Coverage (79) is below minimum threshold of 80" },
  { "min needs no baseline", { mode = "min", target = 1 }, HI, 2, nil, "pass" },
  { "min shortest round-trip", { mode = "min", target = 50 }, HI, 100 / 3, nil, "fail",
    "Coverage (33.333333333333336) is below minimum threshold of 50" },
  { "min pr missing", { mode = "min", target = 80 }, HI, nil, 80, "unknown",
    "Metric value not available for pull request" },
  { "max pass at target", { mode = "max", target = 10 }, LO, 10, nil, "pass" },
  { "max fail", { mode = "max", target = 10 }, LO, 10.5, nil, "fail",
    "Coverage (10.5) exceeds maximum threshold of 10" },
  { "max ignores direction", { mode = "max", target = 10 }, HI, 11, nil, "fail",
    "Coverage (11) exceeds maximum threshold of 10" },
  { "max pr missing", { mode = "max", target = 10 }, LO, nil, nil, "unknown",
    "Metric value not available for pull request" },

  { "no-regression default tolerance pass", { mode = "no-regression" }, HI, 79.5, 80, "pass" },
  { "no-regression default tolerance fail", { mode = "no-regression" }, HI, 79.4, 80, "fail",
    "Coverage regressed beyond tolerance (79.4 vs baseline 80, tolerance: 0.5)" },
  { "no-regression improvement", { mode = "no-regression", tolerance = 0 }, HI, 81, 80, "pass" },
  { "no-regression tolerance 0", { mode = "no-regression", tolerance = 0 }, HI, 79.99, 80, "fail",
    "Coverage regressed beyond tolerance (79.99 vs baseline 80, tolerance: 0)" },
  { "no-regression lower pass", { mode = "no-regression", tolerance = 2 }, LO, 102, 100, "pass" },
  { "no-regression lower fail", { mode = "no-regression", tolerance = 2 }, LO, 102.5, 100, "fail",
    "Coverage regressed beyond tolerance (102.5 vs baseline 100, tolerance: 2)" },
  { "no-regression lower drop is fine", { mode = "no-regression", tolerance = 0 }, LO, 50, 100, "pass" },
  { "no-regression zero baseline", { mode = "no-regression" }, HI, -1, 0, "fail",
    "Coverage regressed beyond tolerance (-1 vs baseline 0, tolerance: 0.5)" },
  { "no-regression baseline missing", { mode = "no-regression" }, HI, 80, nil, "unknown",
    "Baseline data not available" },
  { "no-regression both missing", { mode = "no-regression" }, HI, nil, nil, "unknown",
    "Metric value not available for pull request" },

  { "drop pass at limit", { mode = "delta-max-drop", maxDropPercent = 5 }, HI, 76, 80, "pass" },
  { "drop fail", { mode = "delta-max-drop", maxDropPercent = 5 }, HI, 75, 80, "fail",
    "Coverage dropped by 6.25%, exceeding max allowed drop of 5%" },
  { "drop rise passes", { mode = "delta-max-drop", maxDropPercent = 1 }, HI, 90, 80, "pass" },
  { "drop negative baseline uses abs", { mode = "delta-max-drop", maxDropPercent = 10 }, HI, -12, -10, "fail",
    "Coverage dropped by 20.00%, exceeding max allowed drop of 10%" },
  { "increase fail (bundle +12%)", { mode = "delta-max-drop", maxDropPercent = 5 }, LO, 112000, 100000, "fail",
    "Coverage increased by 12.00%, exceeding max allowed increase of 5%" },
  { "increase pass at limit", { mode = "delta-max-drop", maxDropPercent = 5 }, LO, 105000, 100000, "pass" },
  { "increase shrink passes", { mode = "delta-max-drop", maxDropPercent = 5 }, LO, 1, 100000, "pass" },
  { "increase two decimals", { mode = "delta-max-drop", maxDropPercent = 2.5 }, LO, 1030, 1000, "fail",
    "Coverage increased by 3.00%, exceeding max allowed increase of 2.5%" },
  { "drop zero baseline", { mode = "delta-max-drop", maxDropPercent = 5 }, HI, 10, 0, "unknown",
    "Cannot calculate percentage drop from zero baseline" },
  { "increase zero baseline", { mode = "delta-max-drop", maxDropPercent = 5 }, LO, 10, 0, "unknown",
    "Cannot calculate percentage increase from zero baseline" },
  { "drop baseline missing", { mode = "delta-max-drop", maxDropPercent = 5 }, LO, 10, nil, "unknown",
    "Baseline data not available" },
  { "drop pr missing", { mode = "delta-max-drop", maxDropPercent = 5 }, HI, nil, 0, "unknown",
    "Metric value not available for pull request" },
}

for _, c in ipairs(CHECKS) do
  T.test("check: " .. c[1], function()
    local status, message = evaluate.check(th(c[2]), "Coverage", c[3], c[4], c[5])
    T.eq(status, c[6], "status")
    T.eq(message, c[7], "message")
  end)
end

-- Samples for evaluate(): metric id -> {pr, base, direction}.
local function sample(id, pr, base, direction, unit)
  return {
    metric = { id = id, name = id:gsub("^%l", string.upper), unit = unit, direction = direction or HI },
    pr = pr,
    baseline = base and { value = base, source = "latest", commit_sha = "abc", build_id = 1 } or nil,
  }
end

-- {name, samples, thresholds, expect = {gate, per-metric {status, isBlocking, message}, summary}}
local METRICS = {
  { "two thresholds: the failing one leads",
    { sample("cov", 79, 80) },
    { { metric = "cov", mode = "min", target = 70 }, { metric = "cov", mode = "no-regression", tolerance = 0 } },
    "fail", { { "fail", true, "Cov regressed beyond tolerance (79 vs baseline 80, tolerance: 0)", 2 } },
    { 1, 1, 0, 1, 0 } },
  { "warning failure never blocks; gate passes",
    { sample("cov", 79, 80) },
    { { metric = "cov", mode = "min", target = 70 },
      { metric = "cov", mode = "no-regression", tolerance = 0, severity = "warning" } },
    "pass", { { "fail", false, "Cov regressed beyond tolerance (79 vs baseline 80, tolerance: 0)", 2 } },
    { 1, 1, 0, 1, 0 } },
  { "warning failure beside a blocking unknown",
    { sample("cov", 50, nil) },
    { { metric = "cov", mode = "no-regression" }, { metric = "cov", mode = "min", target = 60, severity = "warning" } },
    "pass", { { "fail", false, "Cov (50) is below minimum threshold of 60", 2 } },
    { 1, 1, 0, 1, 0 } },
  { "blocker and warning both failing: blocks",
    { sample("cov", 50, 80) },
    { { metric = "cov", mode = "min", target = 60, severity = "warning" },
      { metric = "cov", mode = "no-regression", severity = "blocker" } },
    "fail", { { "fail", true, "Cov (50) is below minimum threshold of 60", 2 } },
    { 1, 1, 0, 1, 0 } },
  { "unknown only (no baseline): gate unknown, threshold still blocks",
    { sample("cov", 80, nil) },
    { { metric = "cov", mode = "no-regression" } },
    "unknown", { { "unknown", true, "Baseline data not available", 1 } },
    { 1, 1, 0, 0, 1 } },
  { "unknown beats pass in the metric status; no decided sample: gate unknown",
    { sample("cov", 80, nil) },
    { { metric = "cov", mode = "min", target = 1 }, { metric = "cov", mode = "delta-max-drop", maxDropPercent = 1,
      severity = "warning" } },
    "unknown", { { "unknown", true, "Baseline data not available", 2 } },
    { 1, 1, 0, 0, 1 } },
  { "pr missing makes every check unknown",
    { sample("cov", nil, 80) },
    { { metric = "cov", mode = "min", target = 1 } },
    "unknown", { { "unknown", true, "Metric value not available for pull request", 1 } },
    { 1, 1, 0, 0, 1 } },
  { "no thresholds anywhere: gate unknown",
    { sample("cov", 80, 80), sample("loc", 10, 9, LO) },
    {},
    "unknown", { { "unknown", false, "No threshold configured for this metric", nil },
      { "unknown", false, "No threshold configured for this metric", nil } },
    { 2, 0, 0, 0, 2 } },
  { "all passing",
    { sample("cov", 81, 80), sample("size", 100, 100, LO), sample("other", 1, 1) },
    { { metric = "cov", mode = "no-regression" }, { metric = "size", mode = "delta-max-drop", maxDropPercent = 5 } },
    "pass", { { "pass", true, nil, 1 }, { "pass", true, nil, 1 },
      { "unknown", false, "No threshold configured for this metric", nil } },
    { 3, 2, 2, 0, 1 } },
  { "all-warning metric passing: isBlocking false",
    { sample("cov", 81, 80) },
    { { metric = "cov", mode = "no-regression", severity = "warning" } },
    "pass", { { "pass", false, nil, 1 } },
    { 1, 1, 1, 0, 0 } },
  { "coverage drop and bundle +12% (the issue's scenario)",
    { sample("coverage", 78, 85), sample("bundle", 112000, 100000, LO, "bytes") },
    { { metric = "coverage", mode = "no-regression" },
      { metric = "bundle", mode = "delta-max-drop", maxDropPercent = 5 } },
    "fail", { { "fail", true, "Coverage regressed beyond tolerance (78 vs baseline 85, tolerance: 0.5)", 1 },
      { "fail", true, "Bundle increased by 12.00%, exceeding max allowed increase of 5%", 1 } },
    { 2, 2, 0, 2, 0 } },
  { "threshold on a metric without a sample (label) is ignored",
    { sample("cov", 81, 80) },
    { { metric = "phase", mode = "min", target = 1 } },
    "unknown", { { "unknown", false, "No threshold configured for this metric", nil } },
    { 1, 0, 0, 0, 1 } },
}

for _, c in ipairs(METRICS) do
  T.test("evaluate: " .. c[1], function()
    local ts = {}
    for i, t in ipairs(c[3]) do ts[i] = th(t) end
    local r = evaluate.evaluate(c[2], ts)
    T.eq(r.status, c[4], "gate status")
    for i, want in ipairs(c[5]) do
      local m = r.metrics[i]
      T.eq(m.status, want[1], m.metric .. " status")
      T.eq(m.isBlocking, want[2], m.metric .. " isBlocking")
      T.eq(m.message, want[3], m.metric .. " message")
      T.eq(#m.checks, want[4] or 0, m.metric .. " checks")
      if want[4] then
        T.ok(m.threshold ~= nil, "threshold echoed")
      else
        T.eq(m.threshold, nil, "no threshold key")
      end
    end
    local s = r.summary
    T.eq({ s.totalMetrics, s.evaluatedMetrics, s.passed, s.failed, s.unknown }, c[6], "summary")
    local failing = {}
    for _, m in ipairs(r.failing) do failing[#failing + 1] = m.metric end
    local want_failing = {}
    for i, m in ipairs(r.metrics) do
      if c[5][i][1] == "fail" and c[5][i][2] then want_failing[#want_failing + 1] = m.metric end
    end
    T.eq(failing, want_failing, "failingMetrics")
  end)
end

T.test("evaluate: metric message and threshold come from the first failing check", function()
  local t1, t2, t3 = th({ metric = "c", mode = "no-regression" }), th({ metric = "c", mode = "min", target = 90 }),
    th({ metric = "c", mode = "max", target = 10 })
  local r = evaluate.evaluate({ sample("c", 50, nil) }, { t1, t2, t3 })
  T.ok(r.metrics[1].threshold == t2, "threshold is the first failing one")
  T.eq(#r.violations, 2)
  T.eq(r.violations[2].message, "C (50) exceeds maximum threshold of 10")
  T.eq(#evaluate.blocking_violations(r), 2)
end)

T.test("evaluate: deltas, zero baseline has no relative delta", function()
  local r = evaluate.evaluate({ sample("a", 81, 80), sample("b", 5, 0), sample("c", 5, nil) }, {})
  T.eq(r.metrics[1].absoluteDelta, 1)
  T.eq(r.metrics[1].relativeDeltaPercent, 1.25)
  T.eq(r.metrics[2].absoluteDelta, 5)
  T.eq(r.metrics[2].relativeDeltaPercent, nil)
  T.eq(r.metrics[3].absoluteDelta, nil)
  local neg = evaluate.evaluate({ sample("n", -12, -10) }, {}).metrics[1]
  T.eq(neg.relativeDeltaPercent, -20)
end)

T.test("evaluate: metric entries keep the results key order and omit absent values", function()
  local t = th({ metric = "size", mode = "delta-max-drop", maxDropPercent = 5, severity = "warning" })
  local r = evaluate.evaluate({ sample("size", 112, 100, LO, "bytes"), sample("cov", nil, nil) }, { t })
  T.eq(json.encode(r.metrics[1]), '{"metric":"size","name":"Size","unit":"bytes","direction":"lower-is-better",'
    .. '"baseline":100,"baselineSource":"latest","baselineCommit":"abc","pullRequestValue":112,'
    .. '"absoluteDelta":12,"relativeDeltaPercent":12,'
    .. '"threshold":{"metric":"size","mode":"delta-max-drop","maxDropPercent":5,"severity":"warning"},'
    .. '"checks":[{"threshold":{"metric":"size","mode":"delta-max-drop","maxDropPercent":5,"severity":"warning"},'
    .. '"status":"fail","message":"Size increased by 12.00%, exceeding max allowed increase of 5%",'
    .. '"isBlocking":false}],"status":"fail","message":"Size increased by 12.00%, exceeding max allowed increase '
    .. 'of 5%","isBlocking":false}')
  T.eq(json.encode(r.metrics[2]), '{"metric":"cov","name":"Cov","direction":"higher-is-better","checks":[],'
    .. '"status":"unknown","message":"No threshold configured for this metric","isBlocking":false}')
end)

-- Label metrics are not samples (gate.md §5): gate.samples skips them.
T.test("samples: numeric metrics in config order; labels ignored; failed collection has no pr", function()
  local cfg = { metrics = {
    { id = "cov", name = "Coverage", type = "numeric" },
    { id = "phase", name = "phase", type = "label" },
    { id = "size", name = "size", type = "numeric", direction = LO },
  } }
  local collected = {
    { metric = cfg.metrics[1], ok = true, value = 81.0 },
    { metric = cfg.metrics[2], ok = true, value = "beta" },
    { metric = cfg.metrics[3], ok = false, reason = "Command failed with exit code 1" },
  }
  local base = { cov = { value = 80, source = "merge-base", commit_sha = "abc", build_id = 3 } }
  local samples = gate.samples(cfg, collected, base)
  T.eq(#samples, 2)
  T.eq(samples[1].pr, 81.0)
  T.ok(samples[1].baseline == base.cov)
  T.eq(samples[2].metric.id, "size")
  T.eq(samples[2].pr, nil)
  local r = evaluate.evaluate(samples, { th({ metric = "phase", mode = "min", target = 1 }),
    th({ metric = "size", mode = "max", target = 1 }) })
  T.eq(r.summary.evaluatedMetrics, 1)
  T.eq(r.metrics[2].message, "Metric value not available for pull request")
  T.eq(r.status, "unknown")
  local c = gate.collection(collected)
  T.eq(json.encode(c), '{"successful":2,"failed":1,"total":3,"failedMetrics":["size"]}')
end)

-- Gate modes: exit codes (gate.md §6).
local EXITS = {
  { "off", "unknown", 0 }, { "soft", "fail", 0 }, { "soft", "pass", 0 }, { "hard", "fail", 1 },
  { "hard", "pass", 0 }, { "hard", "unknown", 0 },
}
for _, c in ipairs(EXITS) do
  T.test(string.format("exit code: mode %s, status %s -> %d", c[1], c[2], c[3]), function()
    T.eq(gate.exit_code(c[1], c[2]), c[3])
  end)
end

T.test("hard failure text counts blocking failing checks", function()
  local r = evaluate.evaluate({ sample("cov", 50, 80), sample("size", 120, 100, LO) }, {
    th({ metric = "cov", mode = "min", target = 60 }), th({ metric = "cov", mode = "no-regression" }),
    th({ metric = "size", mode = "delta-max-drop", maxDropPercent = 5, severity = "warning" }),
  })
  T.eq(gate.hard_failure(r), "Quality gate failed: 2 blocking threshold violations\n"
    .. "  - cov: Cov (50) is below minimum threshold of 60\n"
    .. "  - cov: Cov regressed beyond tolerance (50 vs baseline 80, tolerance: 0.5)")
  T.eq(gate.hard_failure(evaluate.evaluate({ sample("a", 1, 1) }, {})), nil)
end)

-- Settings precedence (gate.md §2).
local function cfg_with(qg)
  local q = { mode = "soft", enablePullRequestComment = true, maxCommentMetrics = 30, maxCommentCharacters = 8000,
    baseline = { maxAgeDays = 90 }, thresholds = json.array() }
  for k, v in pairs(qg or {}) do q[k] = v end
  return { qualityGate = q }
end
local function env(t) return function(name) return t[name] end end

T.test("settings: mode flag > config > soft; empty flag is unset; invalid flag", function()
  T.eq(gate.settings(cfg_with({ mode = "hard" }), {}, env({}), "/w").mode, "hard")
  T.eq(gate.settings(cfg_with({ mode = "hard" }), { mode = "off" }, env({}), "/w").mode, "off")
  T.eq(gate.settings(cfg_with({ mode = "hard" }), { mode = "" }, env({}), "/w").mode, "hard")
  T.eq(gate.settings(cfg_with({ mode = nil }), {}, env({}), "/w").mode, "soft")
  local s, err = gate.settings(cfg_with(), { mode = "strict" }, env({}), "/w")
  T.eq(s, nil)
  T.eq(err, 'Invalid value for --mode: "strict" (choices: off, soft, hard)')
end)

T.test("settings: comment, rows, marker, output file", function()
  local s = gate.settings(cfg_with({ enablePullRequestComment = false, maxCommentMetrics = 7 }), {}, env({}), "/w")
  T.eq({ s.comment, s.max_rows, s.max_chars, s.marker, s.output_file },
    { false, 7, 8000, "<!-- unentropy-quality-gate -->", "/w/.unentropy/quality-gate-results.json" })
  s = gate.settings(cfg_with({ enablePullRequestComment = false }), { comment = true, max_comment_metrics = "3",
    comment_marker = "<!-- mine -->", output_file = "out/r.json", pr_number = "42" }, env({}), "/w/")
  T.eq({ s.comment, s.max_rows, s.marker, s.output_file, s.pr_number },
    { true, 3, "<!-- mine -->", "/w/out/r.json", 42 })
  s = gate.settings(cfg_with(), { comment = false, max_comment_metrics = "", output_file = "/abs/r.json",
    pr_number = "" }, env({}), "/w")
  T.eq({ s.comment, s.max_rows, s.output_file, s.pr_number }, { false, 30, "/abs/r.json", nil })
  local _, err = gate.settings(cfg_with(), { max_comment_metrics = "0" }, env({}), "/w")
  T.eq(err, 'Invalid value for --max-comment-metrics: "0" (expected an integer between 1 and 100)')
  _, err = gate.settings(cfg_with(), { pr_number = "x" }, env({}), "/w")
  T.eq(err, 'Invalid value for --pr-number: "x" (expected a positive integer)')
end)

T.test("settings: reference branch flag > config > GITHUB_BASE_REF > GitLab > main", function()
  local e = env({ GITHUB_BASE_REF = "gh", CI_MERGE_REQUEST_TARGET_BRANCH_NAME = "gl" })
  T.eq(gate.settings(cfg_with({ baseline = { referenceBranch = "cfg", maxAgeDays = 9 } }),
    { reference_branch = "flag" }, e, "/").ref, "flag")
  local s = gate.settings(cfg_with({ baseline = { referenceBranch = "cfg", maxAgeDays = 9 } }),
    { reference_branch = "" }, e, "/")
  T.eq({ s.ref, s.max_age_days }, { "cfg", 9 })
  T.eq(gate.settings(cfg_with(), {}, e, "/").ref, "gh")
  T.eq(gate.settings(cfg_with(), {}, env({ GITHUB_BASE_REF = "", CI_MERGE_REQUEST_TARGET_BRANCH_NAME = "gl" }),
    "/").ref, "gl")
  T.eq(gate.settings(cfg_with(), {}, env({}), "/").ref, "main")
end)

T.test("settings: merge-base flag and UNENTROPY_MERGE_BASE", function()
  local s = gate.settings(cfg_with(), { merge_base = "abc1234" }, env({ UNENTROPY_MERGE_BASE = "def5678" }), "/")
  T.eq({ s.merge_base_flag, s.merge_base_env }, { "abc1234", "def5678" })
end)

T.test("results: key order of gate.md §9; prCommentUrl null; error only when set; mode off shape", function()
  local r = evaluate.evaluate({ sample("cov", 81, 80) }, { th({ metric = "cov", mode = "min", target = 80 }) })
  local res = gate.results({ timestamp = "2024-01-01T00:00:00.000Z", duration_ms = 5, version = "1.2.3",
    collection = gate.collection({}), mode = "soft", evaluation = r, ref = "main", max_age_days = 90 })
  T.eq(json.keys(res), { "timestamp", "durationMs", "version", "collection", "prCommentUrl", "qualityGate" })
  T.eq(json.keys(res.qualityGate), { "status", "mode", "metrics", "failingMetrics", "summary", "baselineInfo" })
  T.contains(json.encode(res), '"prCommentUrl":null')
  T.contains(json.encode(res), '"baselineInfo":{"referenceBranch":"main","maxAgeDays":90}}')
  res = gate.results({ timestamp = "t", duration_ms = 5, version = "v", collection = gate.collection({}),
    comment_url = "https://x/1", error = "baseline unavailable: boom", mode = "hard", ref = "main",
    max_age_days = 3, merge_base = "abc" })
  T.eq(json.keys(res), { "timestamp", "durationMs", "version", "collection", "prCommentUrl", "error", "qualityGate" })
  T.eq(res.qualityGate.status, "unknown")
  T.eq(json.encode(res.qualityGate.baselineInfo), '{"referenceBranch":"main","maxAgeDays":3,"mergeBaseCommit":"abc"}')
  local off = gate.off_results("2024-01-01T00:00:00.000Z", 1, "1.2.3")
  T.eq(json.encode(off), '{"timestamp":"2024-01-01T00:00:00.000Z","durationMs":1,"version":"1.2.3",'
    .. '"collection":{"successful":0,"failed":0,"total":0,"failedMetrics":[]},"prCommentUrl":null,'
    .. '"qualityGate":{"status":"unknown","mode":"off","metrics":[],"failingMetrics":[],'
    .. '"summary":{"totalMetrics":0,"evaluatedMetrics":0,"passed":0,"failed":0,"unknown":0},'
    .. '"baselineInfo":{"referenceBranch":"","maxAgeDays":0}}}')
end)

T.test("outputs: the github-action.md §4 list", function()
  local r = evaluate.evaluate({ sample("cov", 50, 80), sample("size", 1, 1) },
    { th({ metric = "cov", mode = "min", target = 60 }), th({ metric = "size", mode = "max", target = 0 }) })
  local res = gate.results({ timestamp = "t", duration_ms = 1, version = "v", comment_url = "https://c/1",
    collection = gate.collection({ { ok = true, metric = { id = "cov" } }, { ok = true, metric = { id = "size" } } }),
    mode = "hard", evaluation = r, ref = "dev", max_age_days = 90 })
  local outs = gate.outputs(res, "/w/r.json", "{...}", 2)
  T.eq(outs, {
    { "quality-gate-status", "fail" }, { "quality-gate-mode", "hard" },
    { "quality-gate-failing-metrics", "cov,size" }, { "quality-gate-comment-url", "https://c/1" },
    { "metrics-collected", 2 }, { "baseline-reference-branch", "dev" }, { "baseline-builds-considered", 2 },
    { "quality-gate-results-path", "/w/r.json" }, { "quality-gate-results-json", "{...}" },
  })
  T.eq(gate.console_lines(res.qualityGate), {
    "  ❌ cov: Cov (50) is below minimum threshold of 60",
    "  ❌ size: Size (1) exceeds maximum threshold of 0",
    "Quality gate: FAIL (0 passed, 2 failed, 0 unknown)",
  })
end)
