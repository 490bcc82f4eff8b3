-- test_store_history.lua: the Db verbs of the noise-aware gate: db:window
-- (branch, pull-request filter, age, limit, order, reset cut) and
-- annotations (the additive 2.1.0 table created on first use only, upsert,
-- removal, read-only opens of 2.0.0 files without the table, reopening a
-- 2.1.0 file without an unknown-version warning), plus the store stub
-- documenting the new methods.
local T = require("t")
local exec = require("unentropy.exec")
local fs = require("unentropy.fs")
local store = require("unentropy.store")

local B = { id = "bench", type = "numeric", unit = "duration" }
local DAY = 86400000
local NOW = 1767225600000 -- 2026-01-01T00:00:00.000Z

local function ts(ms)
  local s = os.date("!%Y-%m-%dT%H:%M:%S", ms // 1000)
  return string.format("%s.%03dZ", s, ms % 1000)
end

-- Records builds: list of {sha, value, branch=, event=, age_days=}.
local function fill(db, list)
  for i, b in ipairs(list) do
    local t = NOW - (b.age_days or (#list - i)) * DAY - (#list - i)
    T.ok(db:record_build({ commit_sha = b[1], branch = b.branch or "main", run_id = tostring(i),
      run_number = i, event_name = b.event or "push", timestamp = ts(t) },
      { { metric = B, value_numeric = b[2] } }))
  end
end

local function values(rows)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.value end
  return out
end

local function sqlite(path, sql)
  local r = exec.run({ argv = { "sqlite3", path, sql } })
  T.ok(r.ok, "sqlite3: " .. tostring(r.stderr))
  return (r.stdout:gsub("%s+$", ""))
end

T.test("window: branch, pull requests, order, limit and age", function()
  local dir = T.tmpdir()
  local db <close> = T.ok(store.open(dir .. "/w.db"))
  fill(db, {
    { "a1", 10, age_days = 200 }, { "a2", 11 }, { "f1", 99, branch = "feature" },
    { "p1", 98, event = "pull_request" }, { "a3", 12 }, { "a4", 13 }, { "a5", 14 },
  })
  local rows = T.ok(db:window("bench", { branch = "main", limit = 30 }))
  T.eq(values(rows), { 10, 11, 12, 13, 14 })
  T.eq(rows[1].commit_sha, "a1")
  T.eq(rows[5].branch, "main")
  T.ok(rows[5].build_id > rows[4].build_id)
  T.eq(values(db:window("bench", { branch = "main", limit = 3 })), { 12, 13, 14 })
  T.eq(values(db:window("bench", { branch = "main", limit = 30, max_age_days = 90, now = NOW })),
    { 11, 12, 13, 14 })
  T.eq(db:window("bench", { branch = "nope", limit = 30 }), {})
  T.eq(db:window("other", { branch = "main", limit = 30 }), {})
  -- Misuse raises.
  T.raises(function() db:window("bench", { branch = "main" }) end, "'limit' (integer >= 1) is required")
  T.raises(function() db:window("bench", { branch = "main", limit = 0 }) end, "'limit'")
  T.raises(function() db:window("bench", { limit = 3 }) end, "'branch' must be a string")
  T.raises(function() db:window("bench", { branch = "main", limit = 3, max_age_days = 9 }) end,
    "'now' (epoch milliseconds) is required")
  T.raises(function() db:window("bench", { branch = "main", limit = 3, bogus = 1 }) end, "unknown option 'bogus'")
end)

T.test("annotations: additive 2.1.0 table created on first use", function()
  local dir = T.tmpdir()
  local path = dir .. "/a.db"
  local db = T.ok(store.open(path))
  fill(db, { { "c1", 10 }, { "c2", 11 }, { "c3", 20 }, { "c4", 21 }, { "c5", 22 } })
  T.eq(db:annotations(), {})
  db:close()
  -- Nothing used the table yet: still exactly upstream's 2.0.0 schema.
  T.eq(sqlite(path, "SELECT group_concat(version) FROM schema_version"), "2.0.0")
  T.eq(sqlite(path, "SELECT count(*) FROM sqlite_master WHERE name = 'metric_annotations'"), "0")

  -- Read-only opens of a 2.0.0 file: no annotations, the window works.
  local ro <close> = T.ok(store.open(path, { readonly = true }))
  T.eq(ro:annotations("bench"), {})
  T.eq(values(ro:window("bench", { branch = "main", limit = 9, after_reset = true })), { 10, 11, 20, 21, 22 })
  local id, msg, code = ro:annotate({ metric_id = "bench", commit_sha = "c3", note = "x",
    created_at = "2026-01-01T00:00:00.000Z" })
  T.eq(id, nil)
  T.contains(msg, "read-only")
  T.eq(code, 8)
  ro:close()

  db = T.ok(store.open(path))
  id = T.ok(db:annotate({ metric_id = "bench", commit_sha = "c3", note = "new allocator", reset = true,
    created_at = "2026-01-02T00:00:00.000Z" }))
  T.eq(db:schema_version(), "2.1.0")
  T.eq(db:annotations(), { { id = id, metric_id = "bench", commit_sha = "c3", note = "new allocator",
    reset = true, created_at = "2026-01-02T00:00:00.000Z" } })
  -- The reset cut: only builds after c3's build.
  T.eq(values(db:window("bench", { branch = "main", limit = 9, after_reset = true })), { 21, 22 })
  T.eq(values(db:window("bench", { branch = "main", limit = 9 })), { 10, 11, 20, 21, 22 })
  -- Same metric and commit: replaced, same id.
  T.eq(db:annotate({ metric_id = "bench", commit_sha = "c3", note = "intended", reset = false,
    created_at = "2026-01-03T00:00:00.000Z" }), id)
  local list = db:annotations("bench")
  T.eq(#list, 1)
  T.eq({ list[1].note, list[1].reset }, { "intended", false })
  T.eq(values(db:window("bench", { branch = "main", limit = 9, after_reset = true })), { 10, 11, 20, 21, 22 })
  T.ok(db:annotate({ metric_id = "other", commit_sha = "c1", note = "n", created_at = "2026-01-01T00:00:00.000Z" }))
  T.eq(#db:annotations(), 2)
  T.eq(db:annotations()[1].metric_id, "other") -- ordered by created_at
  T.eq(db:remove_annotation("other", "c1"), true)
  T.eq(db:remove_annotation("other", "c1"), false)
  -- Misuse.
  T.raises(function() db:annotate({ metric_id = "bench", commit_sha = "c3", note = "x", created_at = "yesterday" }) end,
    "created_at must be")
  T.raises(function() db:annotate({ metric_id = "bench", commit_sha = "c3", created_at = "2026-01-01T00:00:00.000Z" }) end,
    "'note' must be a string")
  T.raises(function() db:annotate({ metric_id = "bench", commit_sha = "c3", note = "x", when = 1 }) end,
    "unknown option 'when'")
  db:close()

  T.eq(sqlite(path, "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version)"),
    "2.0.0,2.1.0")
  -- The 2.0.0 tables are untouched: only a table was added.
  T.eq(sqlite(path, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)"),
    "build_contexts,metric_annotations,metric_definitions,metric_values,schema_version,sqlite_sequence")
  -- Reopening a 2.1.0 file: known, no warning, nothing re-run.
  local again <close> = T.ok(store.open(path))
  T.eq(again:warnings(), {})
  T.eq(again:schema_version(), "2.1.0")
  local ro2 <close> = T.ok(store.open(path, { readonly = true }))
  T.eq(ro2:warnings(), {})
  T.eq(#ro2:annotations(), 1)
end)

T.test("upstream's migration runs on a 2.1.0 file and keeps the annotations", function()
  local dir = T.tmpdir()
  local path = dir .. "/u.db"
  local db = T.ok(store.open(path))
  fill(db, { { "c1", 10 } })
  T.ok(db:annotate({ metric_id = "bench", commit_sha = "c1", note = "n", created_at = "2026-01-01T00:00:00.000Z" }))
  db:close()
  -- What upstream's initializeSchema does with an unknown latest version:
  -- the 2.0.0 script (CREATE ... IF NOT EXISTS) again, then INSERT OR IGNORE.
  local script = [[
    CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY, applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, description TEXT);
    CREATE TABLE IF NOT EXISTS metric_definitions (id TEXT PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS build_contexts (id INTEGER PRIMARY KEY AUTOINCREMENT);
    CREATE TABLE IF NOT EXISTS metric_values (id INTEGER PRIMARY KEY AUTOINCREMENT);
    INSERT OR IGNORE INTO schema_version (version, description) VALUES ('2.0.0', 'Clean schema with string metric IDs');
    SELECT version FROM schema_version ORDER BY version DESC LIMIT 1;
    SELECT count(*) FROM metric_values;
  ]]
  T.eq(sqlite(path, script), "2.1.0\n1")
  local again <close> = T.ok(store.open(path))
  T.eq(#again:annotations(), 1)
end)

T.test("store stub documents the new Db methods", function()
  local text = assert(fs.read((os.getenv("SRC") or ".") .. "/docs/api/unentropy.store.lua"))
  for _, m in ipairs({ "window", "annotate", "remove_annotation", "annotations" }) do
    T.contains(text, "\nfunction Db:" .. m .. "(")
  end
end)
