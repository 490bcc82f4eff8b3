-- test_importer.lua: the pure half of `unentropy import` (import.md §1-3, §6):
-- every record rule and its exact reason, the order in which problems are
-- reported, timestamp normalization, defaults and derived run ids, the
-- git-log lookup index against a brute-force `git log -1 --before` model,
-- the plan and both summaries, and the seed workflow bytes.
local T = require("t")
local importer = require("unentropy.importer")
local git = require("unentropy.importer.git")

local SHA = string.rep("ab12", 10)

-- A valid record as JSON text, with fields replaced or removed (false).
local function line(over, order)
  local fields = { { "metric_id", '"coverage"' }, { "timestamp", '"2024-01-15T10:30:00Z"' },
    { "value_numeric", "80.5" } }
  local idx = {}
  for i, f in ipairs(fields) do idx[f[1]] = i end
  for k, v in pairs(over or {}) do
    if idx[k] then fields[idx[k]][2] = v else fields[#fields + 1] = { k, v } end
  end
  if order then table.sort(fields, function(a, b) return (order[a[1]] or 50) < (order[b[1]] or 50) end) end
  local parts = {}
  for _, f in ipairs(fields) do
    if f[2] ~= false then parts[#parts + 1] = string.format('"%s":%s', f[1], f[2]) end
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function reason(text)
  local rec, why = importer.check_line(text)
  T.eq(rec, nil, "accepted " .. text)
  return why
end

local function accepted(text)
  local rec, why = importer.check_line(text)
  if not rec then error("rejected " .. text .. ": " .. tostring(why), 2) end
  return rec
end

T.test("blank lines, CRLF and a valid record", function()
  T.eq(importer.check_line(""), false)
  T.eq(importer.check_line("  \t\r"), false)
  local rec = accepted(line({ commit_sha = '"' .. SHA .. '"', branch = '"dev"', source = '"ci"',
    run_id = '"77"', run_number = "3", metadata = '{"a":[1,{"b":null}]}' }) .. "\r")
  T.eq(rec, { metric_id = "coverage", given_timestamp = "2024-01-15T10:30:00Z", timestamp = "2024-01-15T10:30:00.000Z",
    ms = 1705314600000, value_numeric = 80.5, commit_sha = SHA, branch = "dev", source = "ci", run_id = "77",
    run_number = 3 })
  T.eq(accepted(line({ value_numeric = false, value_label = '"green"' })).value_label, "green")
end)

T.test("JSON and object problems", function()
  T.contains(reason("not json"), "invalid JSON: Unexpected token o in JSON at line 1, column 2")
  T.contains(reason('{"metric_id":"a",'), "invalid JSON: ")
  T.contains(reason('{"a":1}\0garbage'), "invalid JSON: ")
  T.contains(reason("\255\254{}"), "invalid JSON: ")
  for _, v in ipairs({ "[1]", "1", '"x"', "null", "true" }) do
    T.eq(reason(v), "record must be a JSON object", v)
  end
  T.eq(reason(line({ zz = "1", aa = "2" }, { zz = 0 })), 'unrecognized key "zz"')
  T.eq(reason(line({ zz = "1", aa = "2" }, { aa = 0 })), 'unrecognized key "aa"')
  -- an unknown key is reported before any field problem
  T.eq(reason(line({ metric_id = "1", extra = "true" })), 'unrecognized key "extra"')
end)

T.test("field types name what was received", function()
  T.eq(reason(line({ metric_id = false })), "metric_id: expected string, received undefined")
  T.eq(reason(line({ metric_id = "null" })), "metric_id: expected string, received null")
  T.eq(reason(line({ metric_id = "7" })), "metric_id: expected string, received number")
  T.eq(reason(line({ timestamp = "[]" })), "timestamp: expected string, received array")
  T.eq(reason(line({ timestamp = false })), "timestamp: expected string, received undefined")
  T.eq(reason(line({ value_numeric = '"80"' })), "value_numeric: expected number, received string")
  T.eq(reason(line({ value_numeric = "null" })), "value_numeric: expected number, received null")
  T.eq(reason(line({ value_numeric = false, value_label = "{}" })), "value_label: expected string, received object")
  T.eq(reason(line({ commit_sha = "true" })), "commit_sha: expected string, received boolean")
  T.eq(reason(line({ branch = "1" })), "branch: expected string, received number")
  T.eq(reason(line({ source = "[]" })), "source: expected string, received array")
  T.eq(reason(line({ run_id = "5" })), "run_id: expected string, received number")
  T.eq(reason(line({ run_number = '"5"' })), "run_number: expected number, received string")
end)

T.test("field rules", function()
  T.eq(reason(line({ metric_id = '"Coverage"' })), "metric_id must match ^[a-z0-9-]+$")
  T.eq(reason(line({ metric_id = '""' })), "metric_id must match ^[a-z0-9-]+$")
  T.eq(reason(line({ metric_id = '"' .. string.rep("a", 65) .. '"' })), "metric_id must be 1-64 characters")
  accepted(line({ metric_id = '"' .. string.rep("a", 64) .. '"' }))
  T.eq(reason(line({ value_numeric = false, value_label = '"' .. string.rep("x", 257) .. '"' })),
    "value_label must be 256 characters or less")
  accepted(line({ value_numeric = false, value_label = '"' .. string.rep("x", 256) .. '"' }))
  accepted(line({ value_numeric = false, value_label = '"' .. string.rep("é", 256) .. '"' })) -- characters, not bytes
  accepted(line({ value_numeric = false, value_label = '""' }))
  for _, sha in ipairs({ SHA:upper(), SHA:sub(2), SHA .. "0", string.rep("g", 40) }) do
    T.eq(reason(line({ commit_sha = '"' .. sha .. '"' })), "commit_sha must be 40-char lowercase hex")
  end
  T.eq(reason(line({ branch = '""' })), "branch must be 1-255 characters")
  T.eq(reason(line({ branch = '"' .. string.rep("b", 256) .. '"' })), "branch must be 1-255 characters")
  accepted(line({ branch = '"' .. string.rep("b", 255) .. '"' }))
  T.eq(reason(line({ source = '""' })), "source must be 1-64 characters")
  T.eq(reason(line({ source = '"' .. string.rep("s", 65) .. '"' })), "source must be 1-64 characters")
  T.eq(reason(line({ run_id = '"' .. string.rep("r", 65) .. '"' })), "run_id must be 1-64 characters")
  T.eq(reason(line({ run_number = "-1" })), "run_number must be a non-negative integer")
  T.eq(reason(line({ run_number = "1.5" })), "run_number must be a non-negative integer")
  T.eq(reason(line({ run_number = "1e300" })), "run_number must be a non-negative integer")
  T.eq(math.type(accepted(line({ run_number = "2.0" })).run_number), "integer")
  T.eq(reason(line({ metadata = "[]" })), "metadata must be an object")
  T.eq(reason(line({ metadata = '"x"' })), "metadata must be an object")
  T.eq(reason(line({ metadata = "null" })), "metadata must be an object")
  T.eq(reason(line({ value_numeric = false })), "exactly one of value_numeric or value_label must be set")
  T.eq(reason(line({ value_label = '"x"' })), "exactly one of value_numeric or value_label must be set")
  T.eq(accepted(line({ value_numeric = "1e400" })).value_numeric, math.huge)
end)

T.test("the first problem in table order wins", function()
  T.eq(reason(line({ metric_id = '"X"', timestamp = "1" })), "metric_id must match ^[a-z0-9-]+$")
  T.eq(reason(line({ timestamp = '"soon"', value_numeric = '"1"' })),
    "timestamp must be an RFC 3339 date-time with offset")
  T.eq(reason(line({ value_numeric = false, value_label = "1", commit_sha = '"x"' })),
    "value_label: expected string, received number")
  T.eq(reason(line({ run_number = "-1", metadata = "1" })), "run_number must be a non-negative integer")
  T.eq(reason(line({ value_numeric = false, metadata = "1" })), "metadata must be an object")
end)

T.test("timestamps: RFC 3339 with an offset, stored in UTC with milliseconds", function()
  local cases = {
    ["2024-01-15T10:30:00+02:00"] = "2024-01-15T08:30:00.000Z",
    ["2024-01-15T10:30:00.5Z"] = "2024-01-15T10:30:00.500Z",
    ["2024-01-15T10:30:00.123456-01:30"] = "2024-01-15T12:00:00.123Z",
    ["2024-01-15t10:30:00z"] = "2024-01-15T10:30:00.000Z",
    ["2024-02-29T23:59:59+00:00"] = "2024-02-29T23:59:59.000Z",
    ["2024-12-31T23:00:00-01:00"] = "2025-01-01T00:00:00.000Z",
    ["0000-03-01T01:00:00+01:00"] = "0000-03-01T00:00:00.000Z",
  }
  for ts, stored in pairs(cases) do
    T.eq(accepted(line({ timestamp = '"' .. ts .. '"' })).timestamp, stored, ts)
  end
  for _, ts in ipairs({ "2024-01-15", "2024-01-15T10:30:00", "2024-01-15 10:30:00Z", "2024-01-15T10:30Z",
    "2024-01-15T10:30:00+0200", "2024-01-15T10:30:00+02", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
    "2024-13-01T00:00:00Z", "2024-01-15T24:00:00Z", "2024-01-15T10:30:00.Z", "2024-01-15T10:30:00ZZ",
    "0000-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", " 2024-01-15T10:30:00Z" }) do
    T.eq(reason(line({ timestamp = '"' .. ts .. '"' })), "timestamp must be an RFC 3339 date-time with offset", ts)
  end
end)

T.test("complete: defaults and derived run ids", function()
  local rec = accepted(line())
  T.eq(importer.complete(rec, SHA, "trunk"), rec)
  T.eq({ rec.commit_sha, rec.branch, rec.source, rec.run_id, rec.run_number },
    { SHA, "trunk", "manual", "import:manual:ab12ab12ab12", 0 })
  rec = accepted(line({ branch = '"dev"', source = '"ci"', run_id = '"r1"', run_number = "4" }))
  importer.complete(rec, SHA, "trunk")
  T.eq({ rec.branch, rec.source, rec.run_id, rec.run_number }, { "dev", "ci", "r1", 4 })
  rec = accepted(line({ source = '"ci"' }))
  T.eq(importer.complete(rec, string.rep("0", 40), "main").run_id, "import:ci:000000000000")
  -- A source of 64 characters gives 84; only a longer one (not valid input) overflows.
  local none, category, why = importer.complete({ source = string.rep("s", 120) }, SHA, "main")
  T.eq({ none, category, why }, { nil, "run-id-length",
    "derived run_id exceeds 128 characters; provide an explicit run_id" })
end)

-- `git log -1 --before=T`: the first commit of the walk with a date <= T.
local function brute(times, shas, t)
  for i, ct in ipairs(times) do
    if ct <= t then return shas[i] end
  end
  return nil
end

T.test("git index: the lookup is git's first match in walk order", function()
  local times = { 100, 300, 50, 200, 10, 10 }
  local shas, text = {}, {}
  for i, ct in ipairs(times) do
    shas[i] = string.format("%040x", i)
    text[#text + 1] = ct .. " " .. shas[i] .. "\n"
  end
  local idx = git.index(table.concat(text))
  T.eq(idx.times, { 100, 50, 10 })
  for _, t in ipairs({ 5, 9, 10, 49, 50, 99, 100, 101, 299, 300, 10 ^ 10 }) do
    T.eq(git.lookup(idx, t * 1000 + 999), brute(times, shas, t), "t=" .. t)
  end
  T.eq(git.lookup(idx, 100000), shas[1]) -- exactly at the commit second
  T.eq(git.lookup(idx, 99999), shas[3])
  T.eq(git.lookup(git.index(""), 0), nil)
  math.randomseed(7)
  for _ = 1, 200 do
    local n = math.random(1, 30)
    times, shas, text = {}, {}, {}
    for i = 1, n do
      times[i] = math.random(0, 40)
      shas[i] = string.format("%040x", i)
      text[i] = times[i] .. " " .. shas[i] .. "\n"
    end
    idx = git.index(table.concat(text))
    for t = -1, 41 do T.eq(git.lookup(idx, t * 1000), brute(times, shas, t)) end
  end
end)

local function sample_plan()
  local plan = importer.new_plan()
  local function add(text, sha, tier)
    local rec = accepted(text)
    plan:add_valid()
    importer.complete(rec, sha, "main")
    plan:add_resolved(rec, tier)
  end
  add(line({ source = '"ci"', timestamp = '"2024-03-01T00:00:00+05:00"' }), SHA, "source-provided")
  add(line({ metric_id = '"size"', timestamp = '"2024-02-01T00:00:00Z"' }), SHA, "nearest-timestamp")
  add(line({ metric_id = '"alpha"', source = '"ci"', timestamp = '"2024-02-29T19:30:00Z"' }), SHA,
    "nearest-timestamp")
  plan:add_invalid()
  plan:add_valid()
  plan:add_skipped("unresolved-commit")
  plan:add_valid()
  plan:add_skipped("run-id-length")
  plan:add_valid()
  plan:add_skipped("unresolved-commit")
  return plan
end

T.test("plan and summaries", function()
  local plan = sample_plan()
  T.eq({ plan.total, plan.valid, plan.invalid, plan:skipped(), plan:failed_strict() }, { 7, 6, 1, 3, true })
  T.eq(plan:metric_ids(), { "alpha", "coverage", "size" })
  local declared = { coverage = true }
  T.eq(importer.summary(plan, { jsonl = "h.jsonl", output = "o.db", dry_run = true, declared = declared }),
    table.concat({
      "dry-run summary for h.jsonl:",
      "  records:       7 (6 valid, 1 invalid)",
      "  sources:       ci (2), manual (1)",
      "  metric ids:    alpha (undeclared), coverage, size (undeclared)",
      "  date range:    2024-02-01T00:00:00.000Z → 2024-02-29T19:30:00.000Z",
      "  commit resolution:",
      "    source-provided        1",
      "    nearest-timestamp      2",
      "    skipped                3",
      "      timestamp predates repo history: 2",
      "      derived run_id too long: 1",
      "no database writes performed (--dry-run).",
    }, "\n"))
  T.eq(importer.summary(plan, { jsonl = "h.jsonl", output = "o.db", inserted = 3, declared = declared }),
    table.concat({
      "imported 3 records from h.jsonl into o.db",
      "  sources: ci (2), manual (1)",
      "  metrics: alpha (undeclared), coverage, size (undeclared)",
      "  date range: 2024-02-01T00:00:00.000Z → 2024-02-29T19:30:00.000Z",
      "  commits resolved: 1 from source SHA, 2 by nearest timestamp",
      "  commits skipped: 3",
      "    timestamp predates repo history: 2",
      "    derived run_id too long: 1",
    }, "\n"))
  local empty = importer.new_plan()
  empty:add_invalid()
  T.eq(importer.summary(empty, { jsonl = "e", output = "o", inserted = 0 }), "imported 0 records from e into o")
  T.eq(importer.summary(empty, { jsonl = "e", output = "o", dry_run = true }), table.concat({
    "dry-run summary for e:", "  records:       1 (0 valid, 1 invalid)", "  commit resolution:",
    "    source-provided        0", "    nearest-timestamp      0", "    skipped                0",
    "no database writes performed (--dry-run).",
  }, "\n"))
  T.eq(importer.warning_text("h.jsonl", 12, "bad"), "h.jsonl:12 — bad (record skipped)")
end)

T.test("seed workflow", function()
  local yaml = importer.seed_workflow("my-metrics")
  T.eq(yaml:sub(-1), "\n")
  T.contains(yaml, "name: unentropy seed\non:\n  push:\n    branches: [\"unentropy-import-*\"]\n\n")
  T.contains(yaml, "          name: my-metrics\n          path: seed.db\n          if-no-files-found: error\n" ..
    "          retention-days: 90\n")
  T.eq(select(2, yaml:gsub("\n", "")), 19)
end)
