-- test_gate_comment.lua: the quality gate's PR comment (gate.md §8).
-- Golden files in tests/fixtures/gate/ (pass, fail, unknown, no baseline,
-- truncation; reviewed by eye) are compared byte for byte; set
-- UNENTROPY_UPDATE_GOLDEN=1 to rewrite them after an intended change. Also:
-- escaping, the length cap at every size (rows never broken, <details>
-- always closed), custom templates, their failures and the marker.
local T = require("t")
local comment = require("unentropy.comment")
local evaluate = require("unentropy.gate.evaluate")
local fs = require("unentropy.fs")
local gate = require("unentropy.gate")
local json = require("unentropy.json")
local sys = require("unentropy.sys")

local GOLDEN = (os.getenv("SRC") or ".") .. "/tests/fixtures/gate/"
local HI, LO = "higher-is-better", "lower-is-better"
local MB = "0123456789abcdef0123456789abcdef01234567"

-- Builds results from a scenario: metrics = {{id, name, unit, direction, pr,
-- base, source}}, thresholds = {{metric=, mode=, ...}}, mode, ref.
local function scenario(sc)
  local samples = {}
  for _, m in ipairs(sc.metrics) do
    local base
    if m.base ~= nil then
      local src = m.source or "merge-base"
      base = { value = m.base, source = src, commit_sha = src == "merge-base" and MB or "fedcba9876543210",
        build_id = src == "merge-base" and 1 or 2 }
    end
    samples[#samples + 1] = {
      metric = { id = m.id, name = m.name or m.id, unit = m.unit, direction = m.direction or HI },
      pr = m.pr, baseline = base,
    }
  end
  local ths = json.array()
  for _, t in ipairs(sc.thresholds or {}) do
    local pairs_list = {}
    for _, k in ipairs({ "metric", "mode", "target", "tolerance", "maxDropPercent", "severity" }) do
      if t[k] ~= nil then pairs_list[#pairs_list + 1] = { k, t[k] } end
    end
    ths[#ths + 1] = json.object(pairs_list)
  end
  local collected = {}
  for _, m in ipairs(sc.metrics) do
    collected[#collected + 1] = { metric = { id = m.id }, ok = m.pr ~= nil }
  end
  return gate.results({ timestamp = "2025-03-10T00:00:00.000Z", duration_ms = 1234, version = "0.0.0",
    collection = gate.collection(collected), mode = sc.mode or "soft", evaluation = evaluate.evaluate(samples, ths),
    ref = sc.ref or "main", max_age_days = 90, merge_base = sc.merge_base, error = sc.error })
end

local function render(sc, opts)
  opts = opts or {}
  opts.failures = opts.failures or sc.failures
  local text, warning = comment.render(scenario(sc), opts)
  return text, warning
end

-- The docs URL is a build-time constant: goldens hold a placeholder.
local function normalized(text)
  local s = text:gsub(sys.docs_url:gsub("%p", "%%%0"), "<docs URL>")
  return s
end

local function golden(name, text)
  text = normalized(text) .. "\n"
  local path = GOLDEN .. name
  if os.getenv("UNENTROPY_UPDATE_GOLDEN") == "1" then
    T.ok(fs.mkdir_p(GOLDEN))
    T.ok(fs.write(path, text))
  end
  local want = T.ok(fs.read(path), "golden file " .. path)
  T.eq(text, want, name)
end

local PASS = {
  mode = "soft", merge_base = MB,
  metrics = {
    { id = "test-coverage", name = "Test Coverage", unit = "percent", pr = 81.0, base = 80.1 },
    { id = "binary-size", unit = "bytes", direction = LO, pr = 1363149, base = 1258291 },
    { id = "warnings", name = "Warnings", unit = "integer", direction = LO, pr = 2, base = 3 },
    { id = "test-count", name = "Tests", unit = "integer", pr = 120, base = 120 },
  },
  thresholds = {
    { metric = "test-coverage", mode = "min", target = 80 },
    { metric = "test-coverage", mode = "no-regression" },
    { metric = "binary-size", mode = "delta-max-drop", maxDropPercent = 10 },
  },
}

local FAIL = {
  mode = "hard", merge_base = MB, ref = "release/2.x",
  metrics = {
    { id = "coverage", name = "Coverage", unit = "percent", pr = 78.25, base = 85.5 },
    { id = "bundle-size", name = "Bundle | size <gzip> & `raw` [x](y)", unit = "bytes", direction = LO,
      pr = 112000, base = 100000, source = "latest" },
    { id = "loc", name = "Lines of code", unit = "integer", direction = LO, pr = 12500, base = 12000 },
    { id = "bench-p95", name = "p95 latency", unit = "duration", direction = LO },
    { id = "build-time", name = "Build time", unit = "duration", direction = LO, pr = 95, base = 90 },
    { id = "complexity", unit = "decimal", pr = 3.5, base = 3.5 },
  },
  thresholds = {
    { metric = "coverage", mode = "no-regression" },
    { metric = "coverage", mode = "min", target = 80 },
    { metric = "bundle-size", mode = "delta-max-drop", maxDropPercent = 5 },
    { metric = "loc", mode = "max", target = 12000, severity = "warning" },
    { metric = "bench-p95", mode = "max", target = 2 },
    { metric = "build-time", mode = "no-regression", tolerance = 10 },
  },
  failures = { { metric = "bench-p95", reason = "Command timed out after 120000ms" } },
}

local UNKNOWN = {
  mode = "soft", merge_base = MB,
  metrics = {
    { id = "coverage", name = "Coverage", unit = "percent", base = 80 },
    { id = "errors", name = "Errors", unit = "integer", direction = LO, pr = 3, base = 0 },
    { id = "docs", name = "Documented APIs", unit = "percent", pr = 55 },
  },
  thresholds = {
    { metric = "coverage", mode = "min", target = 70 },
    { metric = "errors", mode = "delta-max-drop", maxDropPercent = 10 },
    { metric = "docs", mode = "no-regression" },
  },
  failures = { { metric = "coverage", reason = "Command failed with exit code 1: lcov: no data\nsecond line" } },
}

local NO_BASELINE = {
  mode = "hard", ref = "develop",
  metrics = {
    { id = "coverage", name = "Test Coverage", unit = "percent", pr = 81.5 },
    { id = "size", name = "Bundle size", unit = "bytes", direction = LO, pr = 2411724 },
    { id = "loc", name = "loc", unit = "integer", direction = LO, pr = 48211 },
    { id = "build-time", name = "Build time", unit = "duration", direction = LO, pr = 74 },
    { id = "warnings", name = "Warnings", unit = "integer", direction = LO, pr = 0 },
    { id = "flaky", name = "Flaky tests", unit = "integer", direction = LO, pr = 2 },
    { id = "ratio", name = "Ratio", pr = 0.125 },
  },
  thresholds = {
    { metric = "coverage", mode = "no-regression" },
    { metric = "size", mode = "delta-max-drop", maxDropPercent = 5 },
  },
}

-- 40 metrics with a threshold (every `every`-th one failing, every fourth
-- failure a warning) plus 20 without.
local function big(every)
  local sc = { mode = "hard", merge_base = MB, metrics = {}, thresholds = {} }
  for i = 1, 40 do
    local id = string.format("module-%02d-coverage", i)
    local failing = i % every == 0
    sc.metrics[#sc.metrics + 1] = { id = id, name = string.format("Module %02d coverage", i), unit = "percent",
      pr = failing and (70 + i / 10) or 80.5, base = 80 }
    sc.thresholds[#sc.thresholds + 1] = { metric = id, mode = "no-regression",
      severity = (i // every) % 4 == 0 and "warning" or nil }
  end
  for i = 1, 20 do
    sc.metrics[#sc.metrics + 1] = { id = string.format("extra-%02d", i), unit = "integer", pr = i, base = i - 1 }
  end
  return sc
end

T.test("golden: pass", function()
  local text, warning = render(PASS, {})
  T.eq(warning, nil)
  golden("pass.md", text)
end)

T.test("golden: fail (blocking and warning violations, failed collection, escaping, mixed baselines)", function()
  golden("fail.md", (render(FAIL, {})))
end)

T.test("golden: unknown (missing PR value, zero baseline, missing baseline)", function()
  local text = render(UNKNOWN, {})
  T.contains(text, "## 🛡️ Quality Gate: **UNKNOWN** ⚠️")
  golden("unknown.md", text)
end)

T.test("golden: no baseline", function()
  golden("no-baseline.md", (render(NO_BASELINE, {})))
end)

T.test("golden: truncation (30-row cap, 3000 characters)", function()
  local text = render(big(8), { max_rows = 30, max_chars = 3000 })
  T.ok(comment.length(text) <= 3000, "within the cap: " .. comment.length(text))
  golden("truncation.md", text)
end)

T.test("rows cap: maxCommentMetrics with the '...and K more' line", function()
  local text = render(FAIL, { max_rows = 2 })
  T.contains(text, "| ❌ Coverage (`coverage`) |")
  T.ok(not text:find("Lines of code (`loc`)", 1, true), "third row dropped")
  T.contains(text, "\n_...and 3 more evaluated metrics_\n")
  T.contains(text, "### Violations\n- ❌ **Coverage** (`coverage`)") -- violations are not capped by rows
end)

local function check_structure(text, what)
  local open, expected = 0, nil
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if line:match("^<details") then open = open + 1 end
    if line == "</details>" then open = open - 1 end
    T.ok(open >= 0 and open <= 1, what .. ": details nesting")
    if line:sub(1, 1) == "|" then
      T.ok(line:match("^|.*|$") ~= nil, what .. ": whole table row: " .. line)
      local _, cells = line:gsub("[^\\]|", "")
      -- Every row has as many cells as its table's header (4, or 5 with Threshold).
      expected = expected or cells
      T.ok(cells == 4 or cells == 5, what .. ": cells in " .. line)
      T.eq(cells, expected, what .. ": cells in " .. line)
    else
      expected = nil
    end
  end
  T.eq(open, 0, what .. ": every <details> closed")
end

T.test("length cap: every size keeps marker, heading and whole rows; details closed", function()
  local results = scenario(big(1))
  local plain = comment.render(results, { max_rows = 100, max_chars = 20000 })
  T.ok(comment.length(plain) < 20000)
  check_structure(plain, "uncapped")
  for max = 100, comment.length(plain) + 50, 97 do
    local text = comment.render(results, { max_rows = 100, max_chars = max })
    local what = "cap " .. max
    T.ok(comment.length(text) <= math.max(max, 80), what .. ": length " .. comment.length(text))
    T.ok(text:sub(1, #comment.MARKER) == comment.MARKER, what .. ": marker first")
    T.contains(text, "## 🛡️ Quality Gate: **FAIL** ❌", what)
    check_structure(text, what)
    if max >= 500 then T.contains(text, "Powered by [Unentropy]", what .. ": footer") end
  end
end)

T.test("length cap order: other rows, then evaluated rows, then violations, then the middle", function()
  local results = scenario(big(1))
  local full = comment.render(results, { max_rows = 30, max_chars = 20000 })
  local n = comment.length(full)
  local t1 = comment.render(results, { max_rows = 30, max_chars = n - 1 })
  T.contains(t1, "_20 other tracked metrics omitted_")
  T.contains(t1, "_...and 10 more evaluated metrics_")
  T.ok(not t1:find("extra-01", 1, true))
  local t2 = comment.render(results, { max_rows = 30, max_chars = comment.length(t1) - 1 })
  T.contains(t2, "_...and 11 more evaluated metrics_")
  T.contains(t2, "_20 other tracked metrics omitted_")
  local t3 = comment.render(results, { max_rows = 30, max_chars = 1500 })
  T.ok(not t3:find("| ❌", 1, true), "no evaluated rows left")
  T.contains(t3, "_...and 40 more evaluated metrics_")
  T.contains(t3, "more violations_")
  local t4 = comment.render(results, { max_rows = 30, max_chars = 400 })
  T.contains(t4, comment.TRUNCATED)
  T.contains(t4, "</details>")
end)

T.test("escaping: names lose backticks, pipes and HTML; links and emphasis neutralized", function()
  T.eq(comment.escape("a|b <c> & `d` [e](f) *g* _h_ ~i~ \\"),
    "a\\|b &lt;c&gt; &amp; d \\[e\\](f) \\*g\\* \\_h\\_ \\~i\\~ \\\\")
  T.eq(comment.escape("two\nlines"), "two lines")
  local text = render(FAIL, {})
  T.contains(text, "| ❌ Bundle \\| size &lt;gzip&gt; &amp; raw \\[x\\](y) (`bundle-size`) |")
  T.contains(text, "**Reference**: release/2.x")
  T.contains(text, "latest on `release/2.x`")
end)

T.test("delta helper: N/A, '-', signed", function()
  T.eq(comment.delta(nil, "percent"), "N/A")
  T.eq(comment.delta(0, "bytes"), "-")
  T.eq(comment.delta(0.9, "percent"), "+0.9%")
  T.eq(comment.delta(-1, "integer"), "-1")
end)

local function template_file(body)
  local path = T.tmpdir() .. "/comment.lua"
  T.ok(fs.write(path, body))
  return path
end

T.test("custom template: gets results and helpers; the marker is prepended", function()
  local path = template_file([[
return function(results, h)
  local qg = results.qualityGate
  local lines = { "# Gate " .. qg.status .. " (" .. qg.mode .. ")" }
  for _, m in ipairs(qg.metrics) do
    lines[#lines + 1] = string.format("- %s %s: %s -> %s (%s)", h.icon(m.status), h.escape(m.name),
      h.format(m.baseline, m.unit), h.format(m.pullRequestValue, m.unit), h.delta(m.absoluteDelta, m.unit))
  end
  for _, f in ipairs(h.failures) do lines[#lines + 1] = "failed: " .. h.code(f.metric) end
  return table.concat(lines, "\n")
end
]])
  local text, warning = render(FAIL, { template = path })
  T.eq(warning, nil)
  T.eq(text, table.concat({
    "<!-- unentropy-quality-gate -->", "",
    "# Gate fail (hard)",
    "- ❌ Coverage: 85.5% -> 78.3% (-7.3%)",
    "- ❌ Bundle \\| size &lt;gzip&gt; &amp; raw \\[x\\](y): 97.7 KB -> 109.4 KB (+11.7 KB)",
    "- ❌ Lines of code: 12,000 -> 12,500 (+500)",
    "- ⚠️ p95 latency: N/A -> N/A (N/A)",
    "- ✅ Build time: 1m 30s -> 1m 35s (+5s)",
    "- ⚠️ complexity: 3.50 -> 3.50 (-)",
    "failed: `bench-p95`",
  }, "\n"))
end)

T.test("custom template: h.default, own marker kept, custom marker", function()
  local path = template_file([[
return function(results, h)
  return "Intro\n\n" .. h.default(results) .. "\n\n" .. h.marker
end
]])
  local text = render(PASS, { template = path, marker = "<!-- custom -->" })
  T.ok(text:sub(1, 7) == "Intro\n\n", "no marker prepended when the body has it")
  T.contains(text, "## 🛡️ Quality Gate: **PASS** ✅")
  T.ok(text:sub(-15) == "<!-- custom -->", "marker at the end")
  T.eq(comment.strip_marker(text, "<!-- custom -->"):sub(-10), "</details>")
end)

T.test("custom template failures fall back to the default body with a warning", function()
  local default = render(PASS, {})
  local cases = {
    { "return function() error('boom') end", "boom" },
    { "return function() return 42 end", "template returned number" },
    { "return 1", "template must return a function" },
    { "return function(", "expected" },
    { "error('at load')", "at load" },
  }
  for _, c in ipairs(cases) do
    local text, warning = render(PASS, { template = template_file(c[1]) })
    T.eq(text, default, c[1])
    T.contains(warning, "comment template failed: ", c[1])
    T.contains(warning, c[2], c[1])
    T.contains(warning, "; using the default comment", c[1])
  end
  local _, warning = render(PASS, { template = "/nonexistent/comment.lua" })
  T.contains(warning, "/nonexistent/comment.lua")
end)

T.test("custom template output is capped by cutting the middle", function()
  local path = template_file([[
return function(results, h)
  local lines = { "## Heading" }
  for i = 1, 200 do lines[#lines + 1] = "| row " .. i .. " | x | y | z |" end
  lines[#lines + 1] = "<details>"
  lines[#lines + 1] = "<summary>more</summary>"
  lines[#lines + 1] = "```"
  for i = 1, 50 do lines[#lines + 1] = "code " .. i end
  lines[#lines + 1] = "```"
  lines[#lines + 1] = "</details>"
  lines[#lines + 1] = "---"
  lines[#lines + 1] = "footer"
  return table.concat(lines, "\n")
end
]])
  for _, max in ipairs({ 300, 2000, 4500 }) do
    local text = render(PASS, { template = path, max_chars = max })
    T.ok(comment.length(text) <= max, "cap " .. max)
    T.ok(text:find("^<!%-%- unentropy%-quality%-gate %-%->\n\n## Heading\n"), "head kept")
    T.ok(text:find("\n%-%-%-\nfooter$"), "footer kept")
    T.contains(text, comment.TRUNCATED)
    check_structure(text, "custom " .. max)
    local _, fences = text:gsub("\n```", "")
    T.eq(fences % 2, 0, "code fences balanced at " .. max)
  end
end)

T.test("strip_marker: the job summary body", function()
  local text = render(PASS, {})
  local summary = comment.strip_marker(text)
  T.ok(summary:sub(1, 3) == "## ", "starts with the heading")
  T.ok(not summary:find(comment.MARKER, 1, true))
end)

T.test("evaluation error is shown under the heading", function()
  local sc = { metrics = {}, thresholds = {}, error = "baseline unavailable: database disk image is malformed" }
  local text = render(sc, {})
  T.contains(text, "## 🛡️ Quality Gate: **UNKNOWN** ⚠️\n\n⚠️ **Error**: baseline unavailable: database disk "
    .. "image is malformed\n\n### No Baseline Data Available")
end)

T.test("templates get a copy: changing it leaves the results file untouched", function()
  local path = template_file([[
return function(results, h)
  results.qualityGate.status = "pass"
  results.qualityGate.metrics[1].pullRequestValue = 100
  return "changed"
end
]])
  local results = scenario(FAIL)
  local before = json.encode(results)
  local text = comment.render(results, { template = path })
  T.eq(text, comment.MARKER .. "\n\nchanged")
  T.eq(json.encode(results), before)
end)
