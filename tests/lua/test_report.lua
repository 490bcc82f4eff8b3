-- tests/lua/test_report.lua: unentropy.report — reading and aligning by
-- build id, statistics, label counts, layout, the embedded data contract
-- (report.md §3) and its escaping (§8), the page texts, determinism, the
-- export (§10), custom templates (§9) and the collect hook. Real databases
-- in temp dirs; the browser side is tests/browser/report.test.mjs.
local T = require("t")
local config = require("unentropy.config")
local fs = require("unentropy.fs")
local json = require("unentropy.json")
local report = require("unentropy.report")
local stats = require("unentropy.report.stats")
local store = require("unentropy.store")
local sys = require("unentropy.sys")

local null = json.null

local function cfg_from(text, dir)
  local doc = assert(json.decode(text))
  local cfg, errs = config.validate(doc, { base_dir = dir or "/tmp", path = (dir or "/tmp") .. "/unentropy.json" })
  assert(cfg, errs and errs[1] and (errs[1].path .. ": " .. errs[1].message))
  return cfg
end

local CFG = [[{
  "metrics": {
    "cov": { "type": "numeric", "unit": "percent", "name": "Coverage", "command": "x" },
    "size": { "type": "numeric", "unit": "bytes", "name": "Size", "command": "x", "direction": "lower-is-better" },
    "status": { "type": "label", "name": "Status", "command": "x" }
  }
}]]

local M = {
  cov = { id = "cov", type = "numeric", unit = "percent" },
  size = { id = "size", type = "numeric", unit = "bytes" },
  status = { id = "status", type = "label" },
  gone = { id = "gone", type = "numeric" },
}

local function build(i, ts, extra)
  local b = { commit_sha = string.format("%040x", 0xabcdef0 + i), branch = "main", run_id = "r" .. i,
    run_number = i, event_name = "push", timestamp = ts }
  for k, v in pairs(extra or {}) do b[k] = v end
  return b
end

-- A database: build 1 and 2 share a timestamp (they must not merge), build
-- 3 lacks cov, build 4 is a pull request (left out), "gone" is not in the config.
local function fixture_db(dir)
  local path = dir .. "/u.db"
  local db = assert(store.open(path))
  assert(db:record_build(build(1, "2024-05-01T10:00:00.000Z"), {
    { metric = M.cov, value_numeric = 50 }, { metric = M.size, value_numeric = 1000 },
    { metric = M.status, value_label = "ok" }, { metric = M.gone, value_numeric = 9 } }))
  assert(db:record_build(build(2, "2024-05-01T10:00:00.000Z"), {
    { metric = M.cov, value_numeric = 55 }, { metric = M.status, value_label = "fail" } }))
  assert(db:record_build(build(3, "2024-05-03T08:00:00.000Z"), {
    { metric = M.size, value_numeric = 1500 }, { metric = M.status, value_label = "ok" } }))
  assert(db:record_build(build(4, "2024-05-04T08:00:00.000Z", { event_name = "pull_request" }), {
    { metric = M.cov, value_numeric = 1 } }))
  db:close()
  return path
end

local NOW = 1735689600000 -- 2025-01-01T00:00:00Z

T.test("read: values aligned by build id, nulls where missing, config metrics only", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local ds = assert(report.load(cfg, { db = fixture_db(dir) }))
  T.eq(ds.n, 3)
  T.eq(ds.timeline, { "2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00.000Z", "2024-05-03T08:00:00.000Z" })
  T.eq(ds.series.cov, { 50, 55, null })
  T.eq(ds.series.size, { 1000, null, 1500 })
  T.eq(ds.series.status, { "ok", "fail", "ok" })
  T.eq(ds.series.gone, nil)
end)

T.test("load: a missing database is not_found; the file is opened read-only", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local ds, err, code = report.load(cfg, { db = dir .. "/none.db" })
  T.eq({ ds, err, code }, { nil, "Database not found: " .. dir .. "/none.db", "not_found" })
  T.ok(not fs.exists(dir .. "/none.db"), "not created")
end)

T.test("stats: latest/min/max/average/trend, new, stable, too few", function()
  local s = stats.compute({ null, 10, 20, null, 15 }, 5)
  T.eq({ s.count, s.first, s.latest, s.min, s.max, s.average, s.trendPercent, s.trendDirection },
    { 3, 10, 15, 10, 20, 15, 50, "up" })
  T.eq(stats.compute({ 0, 5 }).trendDirection, "new")
  T.eq(stats.compute({ 0, 5 }).trendPercent, nil)
  T.eq(stats.compute({ 100, 100.005 }).trendDirection, "stable")
  T.eq(stats.compute({ 100, 99 }).trendDirection, "down")
  T.eq(stats.compute({ 7 }).trendDirection, nil)
  T.eq(stats.compute({ null, null }, 2).count, 0)
  T.eq(stats.compute({ 1 / 0, 2, 0 / 0, 4 }).average, 3.0)
end)

T.test("view: the §3 data table", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local ds = assert(report.load(cfg, { db = fixture_db(dir) }))
  local v = report.view(cfg, ds, { repository = "acme/app", now_ms = NOW })
  local d = v.data
  T.eq(json.keys(d), { "version", "repository", "generatedAt", "mode", "timeline", "metadata", "lineCharts",
    "barCharts", "showToggle", "previewTimeline", "previewLineCharts", "previewBarCharts", "previewStats",
    "availableDateRange", "layout", "metrics" })
  T.eq({ d.version, d.repository, d.generatedAt, d.mode }, { sys.version, "acme/app", "2025-01-01T00:00:00.000Z", "auto" })
  local sha2 = string.format("%040x", 0xabcdef0 + 2)
  T.eq(d.metadata[2], { id = 2, sha = sha2:sub(1, 7), commit = sha2, run = 2, branch = "main" })
  T.eq(#d.lineCharts, 2)
  T.eq({ d.lineCharts[1].id, d.lineCharts[1].name, d.lineCharts[1].unit, d.lineCharts[1].direction },
    { "cov", "Coverage", "percent", "higher-is-better" })
  T.eq(d.lineCharts[2].direction, "lower-is-better")
  T.eq({ d.barCharts[1].labels, d.barCharts[1].counts }, { { "fail", "ok" }, { 1, 2 } })
  T.eq(d.showToggle, true)
  T.eq(#d.previewTimeline, 20)
  T.eq(d.previewTimeline[20], "2025-01-01T00:00:00.000Z")
  T.eq(d.previewTimeline[19], "2024-12-29T00:00:00.000Z")
  T.eq(d.previewLineCharts[1].id, "cov-preview")
  T.eq({ d.previewBarCharts[1].id, d.previewBarCharts[1].labels }, { "status-preview", { "fail", "ok" } })
  T.eq(json.keys(d.previewStats), { "cov", "size" })
  T.eq(d.availableDateRange, json.object({ { "min", "2024-05-01" }, { "max", "2024-05-03" } }))
  T.eq(d.layout, null)
  local enc = json.decode(json.encode(d))
  T.eq(enc.lineCharts[1].values, { 50, 55, null })
end)

T.test("view: stats texts and trend colour by direction", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local ds = assert(report.load(cfg, { db = fixture_db(dir) }))
  local v = report.view(cfg, ds, { repository = "r", now_ms = NOW })
  local cov, size = v.metrics_by_id.cov.formatted, v.metrics_by_id.size.formatted
  T.eq(cov, { latest = "55.0%", min = "50.0%", max = "55.0%", average = "52.5%", trend = "↑10.0%", trendClass = "good" })
  T.eq(size, { latest = "1.5 KB", min = "1,000 B", max = "1.5 KB", average = "1.2 KB", trend = "↑50.0%", trendClass = "bad" })
end)

T.test("layout: unknown keys dropped, empty charts dropped, titles, chart types", function()
  local cfg = cfg_from([[{
    "metrics": {
      "a": { "type": "numeric", "name": "Alpha", "command": "x" },
      "b": { "type": "numeric", "name": "Beta", "command": "x" },
      "l": { "type": "label", "name": "Lab", "command": "x" }
    },
    "report": { "sections": [
      { "name": "S1", "description": "d", "charts": [
        { "metrics": ["a", "zzz", "b"] }, { "metrics": "zzz" }, { "metrics": "l", "title": "T" } ] },
      { "name": "", "charts": [ { "metrics": ["nope"] } ] } ] }
  }]])
  local v = report.view(cfg, report.empty(cfg), { repository = "r", now_ms = NOW })
  local L = json.decode(json.encode(v.data.layout))
  T.eq(L, { sections = {
    { name = "S1", description = "d", charts = {
      { type = "multi", metricIds = { "a", "b" }, title = "Alpha, Beta", chartType = "line" },
      { type = "single", metricId = "l", title = "T", chartType = "bar" } } },
    { name = "", charts = {} } } })
  local html = assert(report.render(v))
  T.contains(html, "No metrics configured")
  T.contains(html, 'id="chart-a-b"')
  T.contains(html, 'aria-label="Bar chart showing Lab distribution"')
end)

T.test("page: texts, footer version and date, locked mode, one script block of data", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG:gsub('"metrics"', '"report": { "mode": "light", "theme": "flux" }, "metrics"', 1), dir)
  local ds = assert(report.load(cfg, { db = fixture_db(dir) }))
  local html = assert(report.render(report.view(cfg, ds, { repository = "acme/app", now_ms = NOW + 3723000 })))
  T.ok(html:find("^<!DOCTYPE html>\n<html lang=\"en\" data%-theme=\"light\">"), html:sub(1, 80))
  T.contains(html, "<title>Unentropy Metrics Report - acme/app</title>")
  T.contains(html, "unentropy v" .. sys.version .. "</span>")
  T.contains(html, "generated Jan 1, 2025, 01:02 UTC")
  T.contains(html, "May 1, 2024 — May 3, 2024")
  T.contains(html, "3 builds")
  T.contains(html, "Limited data available. Preview data is displayed to help visualize trends.")
  T.ok(not html:find('id="uent-theme-toggle"', 1, true), "no toggle when locked")
  T.ok(not html:find("@media (prefers-color-scheme: light){:root", 1, true), "locked: one variant only")
  T.contains(html, ":root{--bg:#faf7f2;")
  T.ok(not html:find('getItem("unentropy-theme")', 1, true), "locked: stored preferences are not read")
  local _, scripts = html:gsub("<script>", "")
  T.eq(scripts, 3)
  T.ok(not html:find("<script src", 1, true) and not html:find("<link", 1, true) and not html:find("@import", 1, true))
  T.ok(not html:find("sourceMappingURL", 1, true), "no reference to a source map")
  T.contains(html, "window.__chartData = {")
  T.contains(html, "unentropyReport.init(window.__chartData);")
end)

T.test("escaping: payloads in names, labels, branch and repository stay text", function()
  local dir = T.tmpdir()
  local P1, P2 = "</script><script>window.__xss=1</script>", '"><img src=x onerror=window.__xss=1>'
  local cfg = cfg_from(([[{
    "metrics": { "m": { "type": "numeric", "name": %s, "description": %s, "command": "x" },
                 "l": { "type": "label", "name": %s, "command": "x" } },
    "report": { "sections": [ { "name": %s, "description": %s, "charts": [ { "metrics": ["m", "l"], "title": %s } ] } ] }
  }]]):format(json.encode(P1), json.encode(P2), json.encode(P2), json.encode(P1), json.encode(P2), json.encode(P1)), dir)
  local db = assert(store.open(dir .. "/x.db"))
  assert(db:record_build(build(1, "2024-05-01T10:00:00.000Z", { branch = P1 }), {
    { metric = { id = "m", type = "numeric" }, value_numeric = 1 },
    { metric = { id = "l", type = "label" }, value_label = P2 .. "\226\128\168" .. P1 } }))
  db:close()
  local ds = assert(report.load(cfg, { db = dir .. "/x.db" }))
  local html = assert(report.render(report.view(cfg, ds, { repository = P1 .. "/" .. P2, now_ms = NOW })))
  T.ok(not html:find("<script>window.__xss", 1, true), "no raw script payload")
  T.ok(not html:find("<img", 1, true), "no raw img payload")
  T.contains(html, "&lt;/script&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;")
  T.contains(html, "&quot;&gt;&lt;img src=x onerror=window.__xss=1&gt;")
  local data = html:match("window.__chartData = (.-);\nunentropyReport")
  T.ok(data and not data:find("[<>&]") and not data:find("\226\128\168", 1, true), "JSON escaped")
  T.contains(data, "\\u003c/script\\u003e")
  T.contains(data, "\\u2028")
  local decoded = assert(json.decode(data))
  T.eq(decoded.metadata[1].branch, P1)
  T.eq(decoded.barCharts[1].labels[1], P2 .. "\226\128\168" .. P1)
  local _, scripts = html:gsub("<script", "")
  T.eq(scripts, 4)
end)

T.test("determinism: identical inputs and now give identical bytes", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local db = fixture_db(dir)
  local a = assert(report.render(report.view(cfg, assert(report.load(cfg, { db = db })), { repository = "r", now_ms = NOW })))
  local b = assert(report.render(report.view(cfg, assert(report.load(cfg, { db = db })), { repository = "r", now_ms = NOW })))
  T.ok(a == b, "same bytes")
  local c = assert(report.render(report.view(cfg, assert(report.load(cfg, { db = db })), { repository = "r", now_ms = NOW + 60000 })))
  T.ok(a ~= c, "now matters")
end)

T.test("now and repository: SOURCE_DATE_EPOCH, flags and environment", function()
  local old = sys.getenv("SOURCE_DATE_EPOCH")
  sys.setenv("SOURCE_DATE_EPOCH", "1700000000")
  T.eq(report.now_ms(), 1700000000000)
  sys.setenv("SOURCE_DATE_EPOCH", old or "")
  local cfg = { base_dir = "/work/my-project" }
  local gh, gl = sys.getenv("GITHUB_REPOSITORY"), sys.getenv("CI_PROJECT_PATH")
  sys.setenv("GITHUB_REPOSITORY", "")
  sys.setenv("CI_PROJECT_PATH", "")
  T.eq(report.repository(cfg, "o/n"), "o/n")
  T.eq(report.repository(cfg, nil), "my-project")
  sys.setenv("CI_PROJECT_PATH", "group/sub/proj")
  T.eq(report.repository(cfg, ""), "group/sub/proj")
  sys.setenv("GITHUB_REPOSITORY", "gh/repo")
  T.eq(report.repository(cfg, nil), "gh/repo")
  sys.setenv("GITHUB_REPOSITORY", gh or "")
  sys.setenv("CI_PROJECT_PATH", gl or "")
  local v = report.view({ metrics = {}, metrics_by_id = {}, report = {} }, { n = 0, timeline = {}, ms = {}, builds = {},
    series = {} }, { synthetic = true, now_ms = NOW })
  T.eq(v.repository, "preview/repository")
end)

T.test("export: CSV rows in timeline then config order, RFC 4180 quoting; JSON shape", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local db = assert(store.open(dir .. "/e.db"))
  assert(db:record_build(build(1, "2024-05-01T10:00:00.000Z", { branch = 'feat,"x"' }), {
    { metric = M.status, value_label = "a,b" }, { metric = M.cov, value_numeric = 0.1 + 0.2 } }))
  assert(db:record_build(build(2, "2024-05-02T10:00:00.000Z"), { { metric = M.size, value_numeric = 1e21 } }))
  db:close()
  local v = report.view(cfg, assert(report.load(cfg, { db = dir .. "/e.db" })), { repository = "o/n", now_ms = NOW })
  local sha1, sha2 = string.format("%040x", 0xabcdef0 + 1), string.format("%040x", 0xabcdef0 + 2)
  T.eq(report.export(v, "csv"), table.concat({
    "timestamp,commit_sha,run_number,branch,metric_id,value",
    '2024-05-01T10:00:00.000Z,' .. sha1 .. ',1,"feat,""x""",cov,0.30000000000000004',
    '2024-05-01T10:00:00.000Z,' .. sha1 .. ',1,"feat,""x""",status,"a,b"',
    '2024-05-02T10:00:00.000Z,' .. sha2 .. ',2,main,size,1e+21', "" }, "\n"))
  local j = report.export(v, "json")
  T.ok(j:sub(-1) == "\n" and j:find('^{\n  "repository": "o/n",\n  "generatedAt": "2025%-01%-01T00:00:00.000Z",'), j:sub(1, 100))
  local doc = json.decode(j)
  T.eq(doc.metrics[1], { id = "cov", name = "Coverage", type = "numeric", unit = "percent", direction = "higher-is-better" })
  T.eq(doc.metrics[3].unit, null)
  T.eq(json.keys(doc.builds[1]), { "id", "timestamp", "commit_sha", "run_number", "branch", "values" })
  T.eq(json.keys(doc.builds[1].values), { "cov", "status" })
  T.eq(doc.builds[2].values.size, 1e21)
  T.raises(function() report.export(v, "xml") end, "kind must be")
end)

T.test("generate: writes index.html or data.<ext> into a new directory", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local db = fixture_db(dir)
  local res = assert(report.generate(cfg, { db = db, output = dir .. "/out/nested", format = "html", repository = "a/b" }))
  T.eq({ res.builds, res.metrics }, { 3, 3 })
  T.eq(res.path, fs.realpath(dir .. "/out/nested/index.html"))
  res = assert(report.generate(cfg, { db = db, output = dir .. "/out/nested", format = "csv" }))
  T.ok(fs.is_file(dir .. "/out/nested/data.csv"))
  local _, err, code = report.generate(cfg, { db = dir .. "/missing.db", output = dir .. "/o2", format = "html" })
  T.eq({ err, code }, { "Database not found: " .. dir .. "/missing.db", "not_found" })
end)

T.test("custom templates: view + h, h.default, errors fail, remote resources warn", function()
  local dir = T.tmpdir()
  local function tpl(name, body)
    assert(fs.write(dir .. "/" .. name, body))
    return dir .. "/" .. name
  end
  local cfg = cfg_from(CFG, dir)
  local v = report.view(cfg, assert(report.load(cfg, { db = fixture_db(dir) })), { repository = "o/<n>", now_ms = NOW })
  local out = assert(report.render(v, { template = tpl("a.lua", [[
    return function(view, h)
      return "<h1>" .. h.escape(view.repository) .. "</h1>" .. view.buildCount .. "|" .. #view.metrics .. "|" ..
        view.metrics[1].formatted.latest .. "|" .. h.format(1536, "bytes") .. "|" .. h.json_script({ x = "</script>" }, "d")
    end]]) }))
  T.eq(out, '<h1>o/&lt;n&gt;</h1>3|3|55.0%|1.5 KB|<script>window.d = {"x":"\\u003c/script\\u003e"};</script>')
  local page = assert(report.render(v, { template = tpl("b.lua", "return function(view, h) return h.default(view) end") }))
  T.eq(page, assert(report.render(v)))
  local css = assert(report.render(v, { template = tpl("c.lua", 'return function(view, h) return h.asset("report.css") .. h.asset("chart.js") end') }))
  T.contains(css, "Chart.js v4.5.1")
  local html, err = report.render(v, { template = tpl("d.lua", "return function(view, h) error('boom') end") })
  T.eq(html, nil)
  T.contains(err, "boom")
  html, err = report.render(v, { template = tpl("e.lua", "return 42") })
  T.eq({ html, err }, { nil, "template must return a function" })
  html, err = report.render(v, { template = tpl("f.lua", "return function() return 1 end") })
  T.eq({ html, err }, { nil, "template must return a string, got number" })
  local _, warnings = report.render(v, { template = tpl("g.lua",
    [[return function() return '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="http://x/y.css">' end]]) })
  T.eq(#warnings, 2)
  T.contains(warnings[1], "remote <script src>")
end)

T.test("generate_for_collect: absolute path of index.html, or nil and a message", function()
  local dir = T.tmpdir()
  local cfg = cfg_from(CFG, dir)
  local db = fixture_db(dir)
  local cwd = fs.cwd()
  local path = report.generate_for_collect(cfg, { report_dir = dir .. "/rep", repository = "x/y" },
    { type = "sqlite-local", path = db, location = "storage://sqlite-local/" .. db })
  T.eq(path, fs.realpath(dir .. "/rep/index.html"))
  T.contains(assert(fs.read(path)), "Unentropy Metrics Report - x/y")
  local p2, err = report.generate_for_collect(cfg, { report_dir = dir .. "/rep2" },
    { type = "sqlite-local", path = dir .. "/nope.db" })
  T.eq(p2, nil)
  T.contains(err, "Database not found")
  T.eq(fs.cwd(), cwd)
end)

T.test("scale: 2,000 builds x 20 metrics generate quickly and fully", function()
  local dir = T.tmpdir()
  local db = assert(store.open(dir .. "/big.db"))
  local metrics = {}
  local doc = { '{"metrics":{' }
  for m = 1, 20 do
    metrics[m] = { id = "m" .. m, type = "numeric", unit = "integer" }
    doc[#doc + 1] = (m > 1 and "," or "") .. '"m' .. m .. '":{"type":"numeric","unit":"integer","command":"x"}'
  end
  doc[#doc + 1] = "}}"
  local records = {}
  for b = 1, 2000 do
    for m = 1, 20 do
      records[#records + 1] = { commit_sha = string.format("%040x", b), branch = "main", run_id = "s" .. b, run_number = b,
        timestamp = string.format("2024-01-01T00:00:00.000Z"):gsub("00:00:00", string.format("%02d:%02d:%02d",
          b // 3600, b // 60 % 60, b % 60)), metric_id = "m" .. m, value_numeric = b * m }
    end
  end
  assert(db:import(records))
  db:close()
  local cfg = cfg_from(table.concat(doc), dir)
  local t0 = os.clock()
  local res = assert(report.generate(cfg, { db = dir .. "/big.db", output = dir .. "/o", format = "html" }))
  local cpu = os.clock() - t0
  T.eq(res.builds, 2000)
  local html = assert(fs.read(res.path))
  local d = json.decode(html:match("window.__chartData = (.-);\nunentropyReport"))
  T.eq(#d.lineCharts[20].values, 2000)
  T.eq(d.lineCharts[20].values[2000], 40000)
  T.ok(cpu < 5, "generation took " .. cpu .. " s of CPU") -- generous: debug and sanitizer builds
end)
