#!/bin/bash
# unentropy.pgstore against a real PostgreSQL (tests/tools/pg-server.sh starts
# one in a temp directory): every domain verb of unentropy.store run on the
# same data in SQLite and in PostgreSQL must give the same results (ids,
# order, event filter, baselines, definitions, imports, counts), misuse must
# raise the same way, and the schema must carry the data model's tables,
# constraints and indexes. Skips only when the server binaries are missing.
. "$SRC/tests/cli/lib.sh"
start_pg

cat > "$TMP/roundtrip.lua" <<'LUA'
local T = require("t")
local store = require("unentropy.store")
local pgstore = require("unentropy.pgstore")
local URL, WORK = os.getenv("UNENTROPY_PG_URL"), os.getenv("WORK")

local M = {
  cov = { id = "cov", type = "numeric", unit = "percent", description = "Coverage" },
  size = { id = "size", type = "numeric", unit = "bytes" },
  lbl = { id = "lbl", type = "label", description = "Phase" },
  cov2 = { id = "cov", type = "numeric", description = "Line coverage" }, -- unit nil: kept
}
local function sha(n) return string.format("%040x", n) end
local function build(n, extra)
  local b = { commit_sha = sha(n), branch = "main", run_id = "run-" .. n, run_number = n, event_name = "push",
    timestamp = string.format("2024-03-%02dT12:00:00.%03dZ", (n - 1) % 28 + 1, n) }
  for k, v in pairs(extra or {}) do b[k] = v end
  if b.event_name == false then b.event_name = nil end
  return b
end
local function norm(...)
  local v, msg = ...
  if v == nil and msg ~= nil then return { failed = true, kind = type(msg) } end
  return v
end

-- The same writes on either store; returns what each step returned.
local function apply(db)
  local r = {}
  local function rec(...) r[#r + 1] = norm(...) end
  rec(db:record_build(build(1), { { metric = M.cov, value_numeric = 80.5 }, { metric = M.size, value_numeric = 1000 },
    { metric = M.lbl, value_label = "alpha" } }))
  rec(db:record_build(build(2, { branch = "feature", event_name = "pull_request" }), { { metric = M.cov, value_numeric = 70 } }))
  -- same instant as build 1: ordered by id
  rec(db:record_build(build(3, { timestamp = build(1).timestamp }), { { metric = M.cov, value_numeric = 81 },
    { metric = M.lbl, value_label = "beta" } }))
  rec(db:record_build(build(4, { event_name = "workflow_dispatch" }), {})) -- no values
  -- a re-run of build 1: fields and values replaced, id kept, unit kept
  rec(db:record_build(build(1, { run_number = 11, timestamp = "2024-03-05T00:00:00.000Z" }),
    { { metric = M.cov2, value_numeric = 82 } }))
  rec(db:record_build(build(6, { event_name = false, timestamp = "2023-12-31T23:59:59.999Z" }),
    { { metric = M.cov, value_numeric = -math.huge }, { metric = M.size, value_numeric = 0 } }))
  rec(db:record_build(build(7, { event_name = "pull_request_target" }), { { metric = M.cov, value_numeric = 99 } }))
  rec(db:record_build(build(8, { branch = "main", timestamp = "2024-03-20T00:00:00.000Z" }),
    { { metric = M.size, value_numeric = math.huge }, { metric = M.cov, value_numeric = 1e-300 } }))
  rec(db:import({
    { commit_sha = sha(20), branch = "main", run_id = "imp", run_number = 20, timestamp = "2022-01-01T00:00:00.000Z",
      metric_id = "cov", value_numeric = 50 },
    { commit_sha = sha(20), branch = "other", run_id = "imp", timestamp = "2022-02-01T00:00:00.000Z",
      metric_id = "old-metric", value_numeric = 5 },
    { commit_sha = sha(3), branch = "main", run_id = "run-3", timestamp = "2022-01-01T00:00:00.000Z",
      metric_id = "cov", value_numeric = 81.25 }, -- existing build: value replaced, build kept
    { commit_sha = sha(21), branch = "main", run_id = "imp", timestamp = "2022-01-02T00:00:00.000Z",
      metric_id = "lbl", value_label = "gamma" },
  }))
  local imp = assert(db:import_begin())
  rec(imp:add({ commit_sha = sha(30), branch = "main", run_id = "s", run_number = 30,
    timestamp = "2021-06-01T00:00:00.000Z", metric_id = "cov", value_numeric = 40 }))
  rec(#db:timeline()) -- queries see the import's rows
  rec(imp:add_batch({
    { commit_sha = sha(31), branch = "main", run_id = "s", timestamp = "2021-06-02T00:00:00.000Z", metric_id = "cov",
      value_numeric = 41 },
    { commit_sha = sha(31), branch = "main", run_id = "s", timestamp = "2021-06-02T00:00:00.000Z", metric_id = "streamed",
      value_label = "x" },
    { commit_sha = sha(30), branch = "main", run_id = "s", timestamp = "2021-06-01T00:00:00.000Z", metric_id = "cov",
      value_numeric = 42 },
  }))
  rec(imp:count())
  rec(imp:commit())
  rec(imp:count())
  local gone = assert(db:import_begin())
  gone:add({ commit_sha = sha(40), branch = "main", run_id = "x", timestamp = "2021-01-01T00:00:00.000Z",
    metric_id = "never", value_numeric = 1 })
  rec(gone:rollback())
  rec(db:build_count())
  -- a failing build (the same metric twice) writes nothing (last: PostgreSQL
  -- sequences do not roll back, so later ids would differ by one)
  rec(db:record_build(build(9), { { metric = M.cov, value_numeric = 1 }, { metric = M.cov, value_numeric = 2 } }))
  rec(db:build_count())
  return r
end

local NOW = 1711929600000 -- 2024-04-01T00:00:00Z
local function observe(db)
  local o = {}
  o.timeline = db:timeline()
  o.timeline_pr = db:timeline({ include_pull_requests = true })
  o.values = db:all_values()
  o.values_pr = db:all_values({ include_pull_requests = true })
  for _, m in ipairs({ "cov", "size", "lbl", "old-metric", "streamed", "nope" }) do
    o["series_" .. m] = db:series(m)
    o["series_pr_" .. m] = db:series(m, { include_pull_requests = true })
  end
  o.latest_90 = db:baseline("cov", { branch = "main", max_age_days = 90, now = NOW })
  o.latest_1 = db:baseline("cov", { branch = "main", max_age_days = 1, now = NOW })
  o.latest_12 = db:baseline("cov", { branch = "main", max_age_days = 12, now = NOW }) -- cutoff 03-20T00:00 exactly
  o.latest_iso = db:baseline("size", { branch = "main", max_age_days = 400, now = "2024-04-01T00:00:00.000Z" })
  o.latest_feature = db:baseline("cov", { branch = "feature", max_age_days = 400, now = NOW }) -- PR only
  o.latest_label = db:baseline("lbl", { branch = "main", max_age_days = 400, now = NOW })
  o.commit = db:baseline("cov", { commit = sha(3):upper() })
  o.commit_pr = db:baseline("cov", { commit = sha(2) })
  o.defs = db:metric_definitions()
  o.count, o.max_run, o.next_run = db:build_count(), db:max_run_number(), db:next_run_number()
  o.snapshot = { db:read_transaction(function(d) return #d:timeline(), d:all_values().n, d:build_count() end) }
  o.integrity = db:integrity_check()
  o.warnings = db:warnings()
  o.version = db:schema_version()
  return o
end

local sdb = assert(store.open(WORK .. "/roundtrip.db"))
local pdb = assert(pgstore.open(URL, { schema = "roundtrip" }))

T.test("writes return the same in SQLite and PostgreSQL", function()
  local a, b = apply(sdb), apply(pdb)
  T.eq(b, a)
  T.eq(a[1], 1, "first id")
  T.eq(a[5], 1, "a re-run keeps its id")
  T.eq(a[#a - 1], { failed = true, kind = "string" }, "duplicate metric fails")
  T.eq(a[#a], a[#a - 2], "and writes nothing")
end)

T.test("every query answers the same", function()
  local a, b = observe(sdb), observe(pdb)
  for k, v in pairs(a) do T.eq(b[k], v, k) end
  for k in pairs(b) do T.ok(a[k] ~= nil or b[k] == nil, k) end
  T.eq(a.latest_12.timestamp, "2024-03-20T00:00:00.000Z", "cutoff is inclusive")
  T.eq(a.latest_1, nil)
  T.eq(a.commit.value, 81.25)
  T.eq(a.version, "2.0.0")
  T.eq(#a.timeline > 0, true)
end)

T.test("misuse raises in both", function()
  for _, db in ipairs({ sdb, pdb }) do
    T.raises(function() db:record_build(build(50, { timestamp = "2024-01-01" }), {}) end, "timestamp")
    T.raises(function() db:record_build(build(50), { { metric = M.cov, value_numeric = 0 / 0 } }) end, "NaN")
    T.raises(function() db:timeline({ bogus = true }) end, "unknown option 'bogus'")
    T.raises(function() db:read_transaction(function(d) d:record_build(build(51), {}) end) end,
      "a transaction is already open")
    T.raises(function() db:baseline("cov", { branch = "main" }) end, "max_age_days")
    local imp = db:import_begin()
    T.raises(function() db:import_begin() end, "a transaction is already open")
    T.raises(function() imp:add({ commit_sha = "x" }) end, "record")
    imp:rollback()
    T.raises(function() imp:add({}) end, "attempt to use a finished Import")
  end
  T.raises(function() pdb:baseline("cov", { branch = "main", max_age_days = 1, now = "yesterday" }) end,
    "invalid 'now' timestamp")
end)

T.test("a closed Db raises; <close> and the GC close it", function()
  local db = assert(pgstore.open(URL, { schema = "roundtrip" }))
  T.contains(tostring(db), "read-write")
  db:close()
  db:close()
  T.raises(function() db:timeline() end, "attempt to use a closed Db")
  T.eq(tostring(db), "unentropy.pgstore.Db (closed)")
  do
    local c <close> = assert(pgstore.open(URL, { schema = "roundtrip", readonly = true }))
    T.contains(tostring(c), "read-only")
  end
  for _ = 1, 20 do pgstore.open(URL, { schema = "roundtrip" }) end
  collectgarbage()
  collectgarbage()
end)

T.test("read-only opens never write and need the schema", function()
  local ro = assert(pgstore.open(URL, { schema = "roundtrip", readonly = true }))
  local id, msg = ro:record_build(build(60), {})
  T.eq(id, nil)
  T.contains(msg, "read-only")
  T.eq(ro:build_count(), pdb:build_count())
  ro:close()
  local none, err, code = pgstore.open(URL, { schema = "never_created", readonly = true })
  T.eq(none, nil)
  T.contains(err, "no unentropy data")
  T.eq(code, 5)
end)

T.test("differences that are documented: snapshot, path", function()
  local ok, msg = pdb:snapshot(WORK .. "/x.db")
  T.eq(ok, nil)
  T.contains(msg, "not supported")
  T.eq(pdb:path(), pdb:path():gsub(":[^:@/]*@", "@"), "no password in the path")
  T.contains(pdb:path(), "(schema roundtrip)")
end)

T.test("argument checks of pgstore.open", function()
  T.raises(function() pgstore.open(URL) end, "table expected")
  T.raises(function() pgstore.open(URL, {}) end, "'schema' (string) is required")
  T.raises(function() pgstore.open(URL, { schema = "s", colour = 1 }) end, "unknown option 'colour'")
  T.raises(function() pgstore.open(URL, { schema = "s", port = 1.5 }) end, "option 'port'")
  T.raises(function() pgstore.open(URL, { schema = "" }) end, "non-empty")
end)

T.test("schema names are quoted identifiers", function()
  local odd = 'We"ird; DROP SCHEMA roundtrip CASCADE; --'
  local before = pdb:build_count()
  local db = assert(pgstore.open(URL, { schema = odd }))
  T.ok(db:record_build(build(1), { { metric = M.cov, value_numeric = 1 } }))
  T.eq(db:build_count(), 1)
  db:close()
  T.eq(pdb:build_count(), before, "the other schema is intact")
  T.ok(before > 0)
end)
LUA

WORK=$TMP "$U" run "$SRC/tests/lua/run.lua" "$TMP/roundtrip.lua" > "$TMP/rt.out" 2>&1
rc=$?
cat "$TMP/rt.out"
check "round trip suite passes" 0 "$rc"

# The schema in PostgreSQL: tables, constraints, indexes, schema_version.
q() { psql "$URL" -Atq -c "$1"; }
check "tables" "build_contexts metric_definitions metric_values schema_version" \
    "$(q "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'roundtrip'")"
check "indexes" "idx_build_branch idx_build_commit idx_build_commit_lower idx_build_event_timestamp idx_build_timestamp idx_metric_value_build" \
    "$(q "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'roundtrip' AND indexname LIKE 'idx_%'")"
check "schema_version row" "2.0.0|Clean schema with string metric IDs" \
    "$(q "SELECT version || '|' || description FROM roundtrip.schema_version")"
check "timestamp type" "timestamp with time zone" \
    "$(q "SELECT data_type FROM information_schema.columns WHERE table_schema = 'roundtrip' AND table_name = 'build_contexts' AND column_name = 'timestamp'")"
out=$(q "INSERT INTO roundtrip.build_contexts (commit_sha, branch, run_id, run_number, timestamp) VALUES ('$(printf '%040x' 3)', 'main', 'run-3', 1, now())" 2>&1)
check_contains "unique (commit_sha, run_id)" "duplicate key value violates unique constraint" "$out"
out=$(q "INSERT INTO roundtrip.metric_values (metric_id, build_id, value_numeric, value_label) VALUES ('cov', 1, 1, 'x')" 2>&1)
check_contains "exactly one of value_numeric and value_label" "violates check constraint" "$out"
out=$(q "INSERT INTO roundtrip.metric_definitions (id, type) VALUES ('Bad', 'numeric')" 2>&1)
check_contains "metric id check" "violates check constraint" "$out"
out=$(q "INSERT INTO roundtrip.metric_values (metric_id, build_id, value_numeric) VALUES ('nope', 1, 1)" 2>&1)
check_contains "foreign keys" "violates foreign key constraint" "$out"

# Migrations are safe when many jobs connect at once: 16 first opens of a
# new schema in parallel.
cat > "$TMP/open.lua" <<'LUA'
local pgstore = require("unentropy.pgstore")
local db, err = pgstore.open(os.getenv("UNENTROPY_PG_URL"), { schema = "parallel_open" })
if not db then io.stderr:write(err, "\n") return 1 end
print(db:schema_version())
return 0
LUA
for i in $(seq 1 16); do "$U" run "$TMP/open.lua" > "$TMP/open.$i" 2>&1 & done
wait
check "16 parallel first opens migrate once" "16" "$(cat "$TMP"/open.* | grep -c '^2.0.0$')"
check "one schema_version row" "1" "$(q "SELECT count(*) FROM parallel_open.schema_version")"
finish
