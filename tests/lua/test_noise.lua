-- test_noise.lua: the noise-aware gate's logic (docs/noise.md): the
-- statistical threshold (t, z, percentage, iqr limits against values
-- computed independently, direction, minSamples, window, messages, zero
-- variance), its place in the evaluation results and the PR comment,
-- repeated samples (fold, spread, failing runs with a real command), and
-- change-point detection (unentropy.changes).
local T = require("t")
local changes = require("unentropy.changes")
local collect = require("unentropy.collect")
local comment = require("unentropy.comment")
local evaluate = require("unentropy.gate.evaluate")
local gate = require("unentropy.gate")
local json = require("unentropy.json")
local st = require("unentropy.gate.statistical")

-- 30 builds around 44 ms: a fixed wiggle, mean exactly 0.044 s.
local function history(n, mean, spread)
  local xs = {}
  for i = 1, n do xs[i] = mean + spread * (((i * 7) % 11) - 5) / 5 end
  return { values = xs, ref = "main" }
end

local function mean_sd(xs)
  local s = 0
  for _, x in ipairs(xs) do s = s + x end
  local m = s / #xs
  local ss = 0
  for _, x in ipairs(xs) do ss = ss + (x - m) ^ 2 end
  return m, math.sqrt(ss / (#xs - 1))
end

local function near(a, b, tol, what) T.ok(math.abs(a - b) <= tol, string.format("%s: %.12g vs %.12g", what, a, b)) end

T.test("t test: the 99% prediction limit, message and details", function()
  local h = history(30, 0.044, 0.0005)
  local m, sd = mean_sd(h.values)
  -- t(0.995, 29) from SciPy: 2.7563859036706
  local upper = m + 2.7563859036706 * sd * math.sqrt(1 + 1 / 30)
  local status, msg, d = st.check({ mode = "statistical" }, "bench", "lower-is-better", 0.0482, h, "duration")
  T.eq(status, "fail")
  near(d.upperLimit, upper, 1e-12, "upper limit")
  near(d.limit, upper, 1e-12, "limit")
  near(d.mean, m, 1e-15, "mean")
  near(d.standardDeviation, sd, 1e-15, "sd")
  T.eq({ d.test, d.boundary, d.window, d.samples, d.minSamples }, { "t", 0.99, 30, 30, 8 })
  T.eq(d.statistic.name, "t")
  near(d.statistic.value, (0.0482 - m) / (sd * math.sqrt(1 + 1 / 30)), 1e-9, "t statistic")
  T.eq(msg, string.format("bench: 48.2 ms is above the 99%% upper limit of %s ms from 30 builds on main "
    .. "(mean %s ms ± %s ms, t = %s)", st.sig(upper * 1000), st.sig(m * 1000), st.sig(sd * 1000),
    st.sig(d.statistic.value)))
  T.eq(d.summary, msg:sub(#"bench: " + 1))
  -- Just inside the limit passes, with no message.
  local s2, m2, d2 = st.check({ mode = "statistical" }, "bench", "lower-is-better", upper - 1e-9, h, "duration")
  T.eq({ s2, m2 }, { "pass", nil })
  T.contains(d2.summary, "is within the 99% upper limit")
  -- Lower is better: a big improvement passes.
  T.eq(st.check({ mode = "statistical" }, "bench", "lower-is-better", 0.001, h, "duration"), "pass")
end)

T.test("z, percentage and iqr limits; higher-is-better fails below", function()
  local h = history(20, 100, 2)
  local m, sd = mean_sd(h.values)
  local _, _, d = st.check({ mode = "statistical", test = "z", boundary = 0.95 }, "x", "higher-is-better", 50, h)
  near(d.lowerLimit, m - 1.9599639845401 * sd, 1e-9, "z lower")
  T.eq(d.limit, d.lowerLimit)
  local status, msg = st.check({ mode = "statistical", test = "z", boundary = 0.95 }, "x", "higher-is-better", 50, h)
  T.eq(status, "fail")
  T.contains(msg, "x: 50 is below the 95% lower limit of ")
  T.eq(st.check({ mode = "statistical", test = "z", boundary = 0.95 }, "x", "higher-is-better", 150, h), "pass")

  local s3, msg3, d3 = st.check({ mode = "statistical", test = "percentage", boundary = 5 }, "x", "lower-is-better", 106, h)
  near(d3.upperLimit, m * 1.05, 1e-9, "percentage upper")
  T.eq(s3, "fail")
  T.contains(msg3, "is above the upper limit (mean + 5%) of ")
  T.contains(msg3, string.format("from 20 builds on main (mean %s ± %s, +%s%% vs mean)", st.sig(m), st.sig(sd),
    st.sig((106 - m) / m * 100)))

  local sorted = table.move(h.values, 1, #h.values, 1, {})
  table.sort(sorted)
  local function q(p) -- type 7 quantile
    local pos = (#sorted - 1) * p + 1
    local lo = math.floor(pos)
    return sorted[lo] + (pos - lo) * ((sorted[lo + 1] or sorted[lo]) - sorted[lo])
  end
  local s4, msg4, d4 = st.check({ mode = "statistical", test = "iqr", boundary = 1.5 }, "x", "lower-is-better", 200, h)
  near(d4.upperLimit, q(0.5) + 1.5 * (q(0.75) - q(0.25)), 1e-9, "iqr upper")
  T.eq(s4, "fail")
  T.contains(msg4, "(median + 1.5 × IQR)")
  T.contains(msg4, "100th percentile")
end)

T.test("minSamples, window and non-finite history", function()
  local status, msg = st.check({ mode = "statistical" }, "x", "lower-is-better", 1, history(5, 10, 1))
  T.eq({ status, msg }, { "unknown", "Not enough history for a statistical check: 5 of 8 builds on main" })
  T.eq(st.check({ mode = "statistical", minSamples = 5 }, "x", "lower-is-better", 10, history(5, 10, 1)), "pass")
  T.eq(select(2, st.check({ mode = "statistical" }, "x", "lower-is-better", 1, nil)),
    "Not enough history for a statistical check: 0 of 8 builds on the reference branch")
  T.eq(st.check({ mode = "statistical" }, "x", "lower-is-better", nil, history(30, 1, 0.1)), "unknown")
  -- Only the last `window` builds count: old slow builds are forgotten.
  local h = history(10, 10, 0.1)
  for i = 1, 10 do table.insert(h.values, 1, 50) end
  local _, _, d = st.check({ mode = "statistical", window = 10 }, "x", "lower-is-better", 10.5, h)
  T.eq(d.samples, 10)
  T.ok(d.mean < 10.1)
  local _, _, d20 = st.check({ mode = "statistical", window = 20 }, "x", "lower-is-better", 10.5, h)
  T.eq(d20.samples, 20)
  -- Infinities and NaN in the history are skipped.
  local odd = history(8, 10, 0.1)
  odd.values[#odd.values + 1] = math.huge
  T.eq(select(3, st.check({ mode = "statistical" }, "x", "lower-is-better", 10, odd)).samples, 8)
end)

T.test("zero variance: equal passes, any change in the bad direction fails", function()
  local h = { values = { 7, 7, 7, 7, 7, 7, 7, 7 }, ref = "main" }
  T.eq(st.check({ mode = "statistical" }, "x", "lower-is-better", 7, h), "pass")
  T.eq(st.check({ mode = "statistical" }, "x", "lower-is-better", 7.001, h), "fail")
  T.eq(st.check({ mode = "statistical" }, "x", "lower-is-better", 6, h), "pass")
  T.eq(st.check({ mode = "statistical", test = "iqr" }, "x", "higher-is-better", 6.5, h), "fail")
end)

T.test("value formatting keeps limits apart", function()
  T.eq(st.value(0.0482, "duration"), "48.2 ms")
  T.eq(st.value(45.123, "duration"), "45.12 s")
  T.eq(st.value(7200, "duration"), "2 h")
  T.eq(st.value(81.25, "percent"), "81.25%")
  T.eq(st.value(1536, "bytes"), "1.5 KB")
  T.eq(st.value(123456.7, nil), "123,457")
  T.eq(st.value(-0.000123456, nil), "-0.0001235")
  T.eq(st.sig(0), "0")
end)

local BENCH = { id = "bench", name = "Parse benchmark", unit = "duration", direction = "lower-is-better", type = "numeric" }

local function evaluation(pr, h, runs)
  return evaluate.evaluate({ { metric = BENCH, pr = pr, baseline = { value = 0.044, source = "latest" }, history = h,
    runs = runs, annotations = h and h.annotations } },
    { json.object({ { "metric", "bench" }, { "mode", "statistical" } }) })
end

T.test("evaluation results: statistics on the check, repeat on the metric", function()
  local h = history(30, 0.044, 0.0005)
  h.annotations = json.array({ json.object({ { "commit", "abcdef1234567" }, { "note", "new <parser>" },
    { "reset", true } }) })
  local e = evaluation(0.0482, h, { runs = 5, fold = "median", spread = 3.14, samples = { 1, 2, 3, 4, 5 } })
  T.eq(e.status, "fail")
  local m = e.metrics[1]
  local keys = table.concat(json.keys(m), ",")
  T.contains(keys, "pullRequestValue,repeat,absoluteDelta")
  T.contains(keys, "isBlocking,annotations")
  T.eq(m["repeat"].runs, 5)
  T.eq(m["repeat"].values, { 1, 2, 3, 4, 5 })
  T.eq(m.checks[1].statistics.samples, 30)
  T.contains(m.message, "Parse benchmark: 48.2 ms is above the 99% upper limit of ")
  local results = gate.results({ timestamp = "t", duration_ms = 1, version = "v", collection = json.object({}),
    mode = "hard", evaluation = e, ref = "main", max_age_days = 90 })
  local text = json.encode(results, { pretty = true })
  T.contains(text, '"statistics": {')
  T.contains(text, '"upperLimit": ')
  T.contains(text, '"repeat": {')
  -- The comment: limit in the Threshold column, runs in the PR cell, notes, one-line violation.
  local body = comment.render(results, { max_rows = 30, max_chars = 8000, failures = {} })
  T.contains(body, "| ❌ Parse benchmark (`bench`) | 44ms | 48ms _(5 runs, spread 3.1%)_ | +4ms | ≤ ")
  T.contains(body, " (99% t, 30 builds) |")
  T.contains(body, "- ❌ **Parse benchmark** (`bench`): Parse benchmark: 48.2 ms is above the 99% upper limit of ")
  T.contains(body, "### Notes\n- 📝 **Parse benchmark** (`bench`) @ `abcdef1` (statistical window restarts after it): "
    .. "new &lt;parser&gt;")
  -- Console: a passing statistical check says where the value sits.
  local ok = gate.results({ timestamp = "t", duration_ms = 1, version = "v", collection = json.object({}),
    mode = "hard", evaluation = evaluation(0.0441, history(30, 0.044, 0.0005)), ref = "main", max_age_days = 90 })
  T.contains(gate.console_lines(ok.qualityGate)[1], "  ✅ bench: passed: 44.1 ms is within the 99% upper limit of ")
  -- Not evaluated yet: the requirement describes the test.
  T.eq(st.requirement({ mode = "statistical", test = "iqr" }, nil, "lower-is-better", "duration"),
    "statistical (median ± 2×IQR, last 30 builds)")
end)

T.test("fold and spread", function()
  T.eq({ collect.fold({ 3, 1, 2 }, "median") }, { 2, 100 })
  T.eq(collect.fold({ 4, 1, 2, 3 }, "median"), 2.5)
  T.eq(collect.fold({ 4, 1, 2, 3 }, "mean"), 2.5)
  T.eq(collect.fold({ 4, 1, 2, 3 }, "min"), 1)
  T.eq(collect.fold({ 4, 1, 2, 3 }, "max"), 4)
  T.eq({ collect.fold({ 0, 0 }, "max") }, { 0 })
  T.eq(collect.describe({ ok = true, runs = 5, spread = 3.14159 }), "5 runs, spread 3.1%")
  T.eq(collect.describe({ ok = true, runs = 1 }), nil)
end)

T.test("repeat runs the command N times and folds the values", function()
  local dir = T.tmpdir()
  local cfg = { base_dir = dir, metrics = {} }
  local ctx = { commit_sha = "abc", branch = "main", run_id = "1", run_number = 1, event_name = "push" }
  -- Prints 10, 20, 30, 40, 50 on successive runs.
  local m = { id = "c", name = "c", type = "numeric", command = "n=$(cat n 2>/dev/null || echo 0); n=$((n + 1)); "
    .. "echo $n > n; echo $((n * 10))", runs = 5, fold = "median", timeout = 5000 }
  local r = collect.run_metric(m, { cfg = cfg, ctx = ctx })
  T.ok(r.ok, tostring(r.reason))
  T.eq(r.samples, { 10, 20, 30, 40, 50 })
  T.eq({ r.value, r.runs, r.fold }, { 30, 5, "median" })
  near(r.spread, 40 / 30 * 100, 1e-9, "spread")
  m.fold = "min"
  T.eq(collect.run_metric(m, { cfg = cfg, ctx = ctx }).value, 60)
  -- A failing run fails the metric and says which.
  local bad = { id = "b", name = "b", type = "numeric", runs = 3, timeout = 5000,
    command = "n=$(cat k 2>/dev/null || echo 0); n=$((n + 1)); echo $n > k; [ $n -lt 2 ] && echo 5 || exit 7" }
  local rb = collect.run_metric(bad, { cfg = cfg, ctx = ctx })
  T.eq(rb.ok, false)
  T.eq(rb.reason, "run 2 of 3: Command failed with exit code 7")
  T.eq(rb.value, nil)
end)

local function step(n, at, lo, hi)
  local xs = {}
  for i = 1, n do xs[i] = (i >= at and hi or lo) + (((i * 7) % 5) - 2) * 0.4 end
  return xs
end

T.test("change points: one step, two steps, none, min_magnitude", function()
  local found = changes.detect(step(60, 31, 100, 108))
  T.eq(#found, 1)
  T.eq(found[1].index, 31)
  near(found[1].change_percent, 8, 0.5, "change")
  T.ok(found[1].p < 0.001)
  T.ok(changes.is_regression(found[1], "lower-is-better"))
  T.ok(not changes.is_regression(found[1], "higher-is-better"))
  -- Two steps 20 builds apart: windows stop at accepted change points.
  local xs = step(60, 21, 100, 108)
  for i = 41, 60 do xs[i] = xs[i] - 16 end
  local two = changes.detect(xs)
  T.eq(#two, 2)
  T.eq({ two[1].index, two[2].index }, { 21, 41 })
  near(two[2].after, 92, 0.5, "second segment mean")
  -- Nothing on a flat series; nothing below min_magnitude.
  T.eq(changes.detect(step(60, 61, 100, 100)), {})
  T.eq(changes.detect(step(60, 31, 100, 108), { min_magnitude = 10 }), {})
  T.eq(#changes.detect(step(60, 31, 100, 108), { min_magnitude = 5 }), 1)
  T.eq(changes.detect({ 1, 2, 3 }), {})
  -- for_series: branch filter, non-numeric and non-finite values skipped.
  local series = {}
  for i, v in ipairs(step(40, 21, 10, 20)) do
    series[#series + 1] = { build_id = i, value_numeric = v, branch = "main", commit_sha = "c" .. i }
    series[#series + 1] = { build_id = 100 + i, value_numeric = 999, branch = "other" }
  end
  series[#series + 1] = { build_id = 500, value_numeric = math.huge, branch = "main" }
  local f, points = changes.for_series(series, "main", { window = 10 })
  T.eq(#points, 40)
  T.eq(#f, 1)
  T.eq(f[1].build.commit_sha, "c21")
end)

T.test("baseline.histories: windows, reset annotation, shown annotations, Db without window", function()
  local baseline = require("unentropy.gate.baseline")
  local store = require("unentropy.store")
  local dir = T.tmpdir()
  local db <close> = T.ok(store.open(dir .. "/h.db"))
  local M1 = { id = "bench", type = "numeric" }
  for i = 1, 12 do
    T.ok(db:record_build({ commit_sha = string.format("%040x", i), branch = i == 5 and "feature" or "main",
      run_id = tostring(i), run_number = i, event_name = "push",
      timestamp = string.format("2026-01-01T%02d:00:00.000Z", i) }, { { metric = M1, value_numeric = i } }))
  end
  local metrics = { { id = "bench", type = "numeric" }, { id = "other", type = "numeric" }, { id = "lbl", type = "label" } }
  local ths = { { metric = "bench", mode = "statistical", window = 4 }, { metric = "bench", mode = "statistical", window = 6 },
    { metric = "other", mode = "min", target = 1 } }
  local opts = { ref = "main", max_age_days = 90, now = 1767312000000, commit = string.format("%040x", 99) }
  local h = T.ok(baseline.histories(db, metrics, ths, opts))
  T.eq(h.bench.values, { 7, 8, 9, 10, 11, 12 }) -- max window 6; build 5 is on another branch
  T.eq(h.other, nil)
  T.eq(h.bench.annotations, nil)
  T.ok(db:annotate({ metric_id = "bench", commit_sha = string.format("%040x", 9), note = "step", reset = true,
    created_at = "2026-01-02T00:00:00.000Z" }))
  T.ok(db:annotate({ metric_id = "bench", commit_sha = string.format("%040x", 99), note = "this PR",
    created_at = "2026-01-02T00:00:00.000Z" }))
  T.ok(db:annotate({ metric_id = "bench", commit_sha = string.format("%040x", 2), note = "old",
    created_at = "2026-01-02T00:00:00.000Z" }))
  h = T.ok(baseline.histories(db, metrics, ths, opts))
  T.eq(h.bench.values, { 10, 11, 12 })
  T.eq(h.bench.reset.note, "step")
  local notes = {}
  for _, a in ipairs(h.bench.annotations) do notes[#notes + 1] = a.note .. (a.pullRequest and "+pr" or "") end
  T.eq(notes, { "step", "this PR+pr" })
  -- A Db without the window verb (another backend): series filtered in Lua.
  local plain = setmetatable({}, { __index = function(_, k)
    if k == "series" or k == "baseline" then return function(_, ...) return db[k](db, ...) end end
  end })
  local hp = T.ok(baseline.histories(plain, metrics, ths, opts))
  T.eq(hp.bench.values, { 7, 8, 9, 10, 11, 12 })
end)

T.test("change points in a report dataset: timeline positions on one branch", function()
  local builds, values = {}, {}
  local xs = step(40, 21, 10, 20)
  for i, v in ipairs(xs) do
    builds[#builds + 1] = { id = #builds + 1, branch = "main", commit_sha = "m" .. i }
    values[#values + 1] = v
    builds[#builds + 1] = { id = #builds + 1, branch = "pr", commit_sha = "p" .. i }
    values[#values + 1] = 1000
  end
  local found = changes.for_dataset(builds, values, "main", { window = 10 })
  T.eq(#found, 1)
  T.eq(found[1].position, 41) -- the 21st main build, interleaved with other branches
  T.eq(found[1].build.commit_sha, "m21")
  T.eq(changes.for_dataset(builds, values, "nope"), {})
end)
