-- tests/lua/test_report_preview.lua: unentropy.preview (report.md §7) —
-- the PRNG and hash match their JavaScript definitions, series are
-- deterministic per metric id, domains follow the table, values respect
-- their bounds and rounding, and the preview timeline ends at 00:00 UTC.
local T = require("t")
local json = require("unentropy.json")
local preview = require("unentropy.preview")

T.test("djb2-xor and mulberry32 give the JavaScript values", function()
  -- Reference values from node: djb2 with ^, mulberry32 as published.
  T.eq(preview.hash("coverage"), 3311112139)
  T.eq(preview.hash("bundle-size"), 50316793)
  T.eq(preview.hash("a"), 177604)
  local r = preview.prng(preview.hash("coverage"))
  T.eq({ r(), r(), r() }, { 0.6379305094014853, 0.397131776669994, 0.60921337059699 })
  r = preview.prng(177604)
  T.eq({ r(), r(), r() }, { 0.6792846343014389, 0.5474410802125931, 0.3517362023703754 })
end)

T.test("series are seeded from the id only: same id, same series", function()
  local a = preview.series({ id = "coverage", name = "Coverage", unit = "percent" })
  local b = preview.series({ id = "coverage", name = "Coverage", unit = "percent" })
  T.eq(a, b)
  T.eq(#a, 20)
  local c = preview.series({ id = "coverage-2", name = "Coverage", unit = "percent" })
  T.ok(not T.deep_eq(a, c), "another id gives another series")
  T.ok(not T.deep_eq(a, preview.series({ id = "coverage", name = "Coverage", unit = "percent" }, 90)), "base matters")
end)

T.test("domains: the first matching row wins", function()
  local function d(m) return (preview.domain(m)) end
  T.eq(d({ id = "x", unit = "percent" }), "coverage")
  T.eq(d({ id = "test-coverage", unit = "integer" }), "coverage")
  T.eq(d({ id = "bundle", unit = "bytes", name = "API coverage" }), "coverage")
  T.eq(d({ id = "bundle", unit = "bytes" }), "bundle-size")
  T.eq(d({ id = "p95", unit = "duration", name = "API latency" }), "latency")
  T.eq(d({ id = "build-time", unit = "duration" }), "duration")
  T.eq(d({ id = "loc", unit = "integer" }), "code-size")
  T.eq(d({ id = "sloc", unit = "decimal", name = "Source" }), "code-size")
  T.eq(d({ id = "deps", name = "Dependencies" }), "count")
  T.eq(d({ id = "team", unit = "integer", name = "Team members" }), "growth")
  T.eq(d({ id = "warnings", unit = "integer" }), "default")
  T.eq({ preview.domain({ id = "w", unit = "bytes" }) }, { "bundle-size", 256000, 0 })
  T.eq({ preview.domain({ id = "w" }) }, { "default", 75, 2 })
  T.eq({ preview.domain({ id = "w", unit = "integer" }) }, { "default", 200, 0 })
end)

T.test("bounds and rounding per domain", function()
  local function all(t, f) for _, v in ipairs(t) do if not f(v) then return false end end return true end
  local cov = preview.series({ id = "c", unit = "percent" }, 99.5)
  T.ok(all(cov, function(v) return v >= 0 and v <= 100 and math.abs(v * 10 - math.floor(v * 10 + 0.5)) < 1e-9 end))
  local size = preview.series({ id = "s", unit = "bytes" })
  T.ok(all(size, function(v) return v >= 0 and v == math.floor(v) end))
  local lat = preview.series({ id = "api-latency", unit = "duration" })
  T.ok(all(lat, function(v) return v >= 0 end))
  local walk = preview.series({ id = "tiny", unit = "integer" }, 0.5)
  T.ok(all(walk, function(v) return v >= 0 end), "counts never negative")
  local loc = preview.series({ id = "loc", unit = "integer" })
  T.ok(loc[20] > loc[1], "code size grows")
end)

T.test("timeline: 20 stamps 3 days apart, the last at 00:00 UTC of now", function()
  local t = preview.timeline(1735700000000) -- 2025-01-01T02:53:20Z
  T.eq(#t, 20)
  T.eq(t[20], "2025-01-01T00:00:00.000Z")
  T.eq(t[1], "2024-11-05T00:00:00.000Z")
end)

T.test("stats: stable under 1% shows 0", function()
  local s = preview.stats({ 100, 100.5 })
  T.eq({ s.trendDirection, s.trendPercent }, { "stable", 0 })
  T.eq(preview.stats({ 100, 102 }).trendDirection, "up")
end)

T.test("data: synthetic labels, copies of real ones, ids end in -preview", function()
  local metrics = {
    { id = "cov", name = "Cov", type = "numeric", unit = "percent", direction = "higher-is-better" },
    { id = "st", name = "St", type = "label" },
  }
  local d = preview.data(metrics, nil, 0)
  T.eq(json.decode(json.encode(d.previewBarCharts)),
    { { id = "st-preview", name = "St", unit = json.null, labels = { "stage-a", "stage-b", "stage-c" }, counts = { 4, 2, 1 } } })
  T.eq(d.previewLineCharts[1].id, "cov-preview")
  T.eq(json.keys(d.previewStats.cov), { "latest", "min", "max", "average", "trendDirection", "trendPercent" })
  local real = { line = { cov = { 80, 82, json.null } }, bar = { st = { labels = json.array({ "x" }), counts = json.array({ 3 }) } }, builds = 3 }
  local d2 = preview.data(metrics, real, 0)
  T.eq(d2.previewBarCharts[1].labels, { "x" })
  T.eq(d2.previewLineCharts[1].values, json.array(preview.series(metrics[1], 81)))
end)
