-- test_store.lua: the unentropy.store binding inside the real binary: result
-- shapes of every verb, re-run replacement, the pull-request filter,
-- baselines, closed handles raising, <close> and collectgarbage releasing
-- the connection, misuse raising, environmental failures as nil, msg, code
-- (files left untouched), and the docs/api stub matching the methods.
local T = require("t")
local store = require("unentropy.store")

local paths = {}
local function tmpdb()
  local p = os.tmpname() -- an empty file: a valid, empty database
  paths[#paths + 1] = p
  return p
end
local function cleanup()
  for _, p in ipairs(paths) do
    for _, suffix in ipairs({ "", "-wal", "-shm", "-journal", ".snap" }) do
      os.remove(p .. suffix)
    end
  end
end
local function exists(p)
  local f = io.open(p, "rb")
  if f then f:close() end
  return f ~= nil
end
local function slurp(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local COV = { id = "coverage", name = "Coverage", type = "numeric", unit = "percent",
  description = "Line coverage", command = "echo 1" }
local STATUS = { id = "status", type = "label" }

local function build(sha, run_id, over)
  local b = { commit_sha = sha, branch = "main", run_id = run_id, run_number = 1,
    event_name = "push", timestamp = "2025-01-01T00:00:00.000Z" }
  for k, v in pairs(over or {}) do b[k] = v end
  return b
end
local function cov(v) return { { metric = COV, value_numeric = v } } end
local function latest(branch, days, now)
  return { branch = branch, max_age_days = days, now = now }
end

T.test("record_build and the read shapes", function()
  local db <close> = T.ok(store.open(tmpdb()))
  T.eq(db:schema_version(), "2.0.0")
  T.eq(db:warnings(), {})
  T.eq(db:next_run_number(), 1)
  local ts = "2025-02-01T10:00:00.500Z"
  local id = db:record_build(build("abc", "7", { run_number = 7, timestamp = ts }),
    { { metric = COV, value_numeric = 81.5 }, { metric = STATUS, value_label = "green" },
      { metric = { id = "size", type = "numeric" }, value_numeric = math.huge } })
  T.eq(id, 1)
  T.eq(db:timeline(), { { id = 1, commit_sha = "abc", branch = "main", run_id = "7", run_number = 7,
    event_name = "push", timestamp = ts } })
  T.eq(db:all_values(), { n = 3, build_id = { 1, 1, 1 },
    metric_id = { "coverage", "status", "size" },
    value_numeric = { 81.5, nil, math.huge }, value_label = { nil, "green" } })
  T.eq(db:series("coverage"), { { build_id = 1, value_numeric = 81.5, commit_sha = "abc",
    branch = "main", run_number = 7, timestamp = ts } })
  T.eq(db:series("status")[1].value_label, "green")
  T.eq(db:series("nothing"), {})
  T.eq(db:metric_definitions(), {
    { id = "coverage", type = "numeric", unit = "percent", description = "Line coverage" },
    { id = "status", type = "label" }, { id = "size", type = "numeric" } })
  T.eq(db:build_count(), 1)
  T.eq(db:max_run_number(), 7)
  T.eq(db:next_run_number(), 8)
  T.eq(math.type(db:build_count()), "integer")
end)

T.test("a re-run replaces the build's values and keeps its id", function()
  local db <close> = T.ok(store.open(tmpdb()))
  local id = db:record_build(build("s", "1"), { { metric = COV, value_numeric = 1 },
    { metric = STATUS, value_label = "x" } })
  T.eq(db:record_build(build("s", "1", { run_number = 2 }), cov(2)), id)
  T.eq(db:build_count(), 1)
  T.eq(db:all_values().metric_id, { "coverage" })
  T.eq(db:series("coverage")[1].value_numeric, 2)
  -- a build whose metrics all failed is recorded but not reported
  T.ok(db:record_build(build("t", "2"), {}) > id)
  T.eq(db:build_count(), 2)
  T.eq(#db:timeline(), 1)
end)

T.test("pull requests are left out unless asked for", function()
  local db <close> = T.ok(store.open(tmpdb()))
  db:record_build(build("a", "1", { timestamp = "2025-01-01T00:00:00.000Z" }), cov(1))
  db:record_build(build("b", "2", { event_name = "pull_request",
    timestamp = "2025-01-02T00:00:00.000Z" }), cov(2))
  local no_event = build("c", "3", { timestamp = "2025-01-03T00:00:00.000Z" })
  no_event.event_name = nil
  db:record_build(no_event, cov(3))
  local t = db:timeline()
  T.eq({ #t, t[1].commit_sha, t[2].commit_sha, t[2].event_name }, { 2, "a", "c", nil })
  T.eq(#db:timeline({ include_pull_requests = true }), 3)
  T.eq(db:all_values().n, 2)
  T.eq(db:all_values({ include_pull_requests = true }).n, 3)
  T.eq(#db:series("coverage", { include_pull_requests = false }), 2)
end)

T.test("baselines", function()
  local db <close> = T.ok(store.open(tmpdb()))
  db:record_build(build("AAA", "1", { timestamp = "2025-03-01T00:00:00.000Z" }), cov(70))
  db:record_build(build("bbb", "2", { timestamp = "2025-03-05T00:00:00.000Z" }), cov(75))
  db:record_build(build("ccc", "3", { event_name = "pull_request",
    timestamp = "2025-03-06T00:00:00.000Z" }), cov(99))
  T.eq(db:baseline("coverage", latest("main", 90, "2025-03-10T00:00:00Z")),
    { value = 75, build_id = 2, commit_sha = "bbb", branch = "main", run_number = 1,
      timestamp = "2025-03-05T00:00:00.000Z", source = "latest" })
  -- exactly N x 24 h: 2025-03-05T00:00Z is 5 days before
  T.eq(db:baseline("coverage", latest("main", 5, "2025-03-10T00:00:00.000Z")).value, 75)
  T.eq(db:baseline("coverage", latest("main", 5, "2025-03-10T00:00:00.001Z")), nil)
  -- epoch milliseconds for now (2025-03-10T00:00:00Z)
  T.eq(db:baseline("coverage", latest("main", 5, 1741564800000)).commit_sha, "bbb")
  T.eq(db:baseline("coverage", latest("dev", 90, "2025-03-10T00:00:00Z")), nil)
  local mb = db:baseline("coverage", { commit = "aaa" })
  T.eq({ mb.value, mb.source, mb.commit_sha }, { 70, "merge-base", "AAA" })
  T.eq(db:baseline("coverage", { commit = "ccc" }), nil) -- PR builds are never baselines
  T.raises(function() db:baseline("coverage", latest("main", 1, "soon")) end,
    "invalid 'now' timestamp 'soon'")
end)

T.test("import", function()
  local p = tmpdb()
  local db <close> = T.ok(store.open(p, { journal = "delete" }))
  local recs = {
    { commit_sha = "s1", branch = "main", run_id = "import:x:s1",
      timestamp = "2024-01-01T00:00:00.000Z", metric_id = "cov", value_numeric = 5 },
    { commit_sha = "s1", branch = "main", run_id = "import:x:s1", run_number = 3,
      timestamp = "2024-01-01T00:00:00.000Z", metric_id = "state", value_label = "ok" },
  }
  T.eq(db:import(recs), 2)
  T.eq(db:import(recs), 2)
  T.eq(db:build_count(), 1)
  T.eq(db:timeline()[1].event_name, "import")
  T.eq(db:metric_definitions(),
    { { id = "cov", type = "numeric" }, { id = "state", type = "label" } })
  T.ok(not exists(p .. "-wal"))
end)

T.test("read_transaction, integrity_check and snapshot", function()
  local p = tmpdb()
  local db <close> = T.ok(store.open(p))
  db:record_build(build("a", "1"), cov(1))
  local t, v = db:read_transaction(function(d) return d:timeline(), d:all_values() end)
  T.eq({ #t, v.n }, { 1, 1 })
  T.raises(function() db:read_transaction(function(d) d:record_build(build("b", "2"), {}) end) end,
    "a transaction is already open")
  T.raises(function() db:read_transaction(function() error("boom") end) end, "boom")
  T.eq(db:build_count(), 1) -- usable again after the error
  T.eq(db:integrity_check(), true)
  T.eq(db:integrity_check({ quick = true }), true)
  local snap = p .. ".snap"
  T.eq(db:snapshot(snap), true)
  local ok, msg, code = db:snapshot(snap)
  T.eq({ ok, code }, { nil, 14 })
  T.contains(msg, "File exists")
  T.eq(db:snapshot(snap, { replace = true }), true)
  local copy <close> = T.ok(store.open(snap, { readonly = true }))
  T.eq(copy:build_count(), 1)
  T.eq(slurp(snap):byte(19), 1) -- single file, rollback journal
end)

T.test("closed handles, <close> and collectgarbage", function()
  local p = tmpdb()
  local db = T.ok(store.open(p))
  T.contains(tostring(db), "unentropy.store.Db ('" .. p .. "', read-write)")
  T.eq(db:close(), true)
  T.eq(db:close(), true)
  T.eq(tostring(db), "unentropy.store.Db (closed)")
  T.raises(function() db:timeline() end, "attempt to use a closed Db")
  T.raises(function() db:record_build(build("a", "1"), {}) end, "attempt to use a closed Db")

  local kept
  do
    local d <close> = T.ok(store.open(p))
    d:record_build(build("a", "1"), cov(1))
    T.ok(exists(p .. "-wal"))
    kept = d
  end
  T.eq(tostring(kept), "unentropy.store.Db (closed)")
  T.ok(not exists(p .. "-wal"))

  local function leak() T.ok(store.open(p)):record_build(build("b", "2"), {}) end
  leak()
  T.ok(exists(p .. "-wal"))
  collectgarbage()
  collectgarbage()
  T.ok(not exists(p .. "-wal"), "the finalizer closes the connection")
  local ro <close> = T.ok(store.open(p, { readonly = true }))
  T.eq(ro:build_count(), 2)
  T.contains(tostring(ro), "read-only")
end)

T.test("environmental failures return nil, msg, code", function()
  local missing = os.tmpname()
  os.remove(missing)
  local db, msg, code = store.open(missing, { readonly = true })
  T.eq({ db, code }, { nil, 14 })
  T.eq(msg, "store: cannot open '" .. missing .. "': No such file or directory")
  T.ok(not exists(missing))
  db, msg, code = store.open(missing, { create = false })
  T.eq({ db, code }, { nil, 14 })

  local junk = tmpdb()
  local f = assert(io.open(junk, "wb"))
  f:write(string.rep("not a database\n", 400))
  f:close()
  for _, opts in ipairs({ {}, { readonly = true }, { journal = "delete" } }) do
    db, msg, code = store.open(junk, opts)
    T.eq({ db, msg, code }, { nil, "store: '" .. junk .. "' is not a SQLite database", 26 })
  end
  T.eq(slurp(junk), string.rep("not a database\n", 400))
  T.ok(not exists(junk .. "-wal") and not exists(junk .. "-journal"))

  local p = tmpdb()
  T.ok(store.open(p)):close()
  local ro <close> = T.ok(store.open(p, { readonly = true }))
  local id
  id, msg, code = ro:record_build(build("a", "1"), {})
  T.eq({ id, code }, { nil, 8 })
  T.contains(msg, "readonly")
end)

T.test("misuse raises", function()
  T.raises(function() store.open({}) end, "bad argument #1")
  T.raises(function() store.open(tmpdb(), { bogus = true }) end, "unknown option 'bogus'")
  T.raises(function() store.open(tmpdb(), { readonly = "yes" }) end,
    "option 'readonly' must be a boolean")
  T.raises(function() store.open(tmpdb(), { readonly = true, create = true }) end,
    "'create' needs a read-write open")
  T.raises(function() store.open(tmpdb(), { journal = "memory" }) end, "'journal' must be")
  T.raises(function() store.open(tmpdb(), { busy_timeout = -1 }) end, "busy_timeout")
  local db <close> = T.ok(store.open(tmpdb()))
  T.raises(function() db.timeline(42) end, "bad argument #1")
  T.raises(function() db:record_build("x", {}) end, "bad argument #1")
  T.raises(function()
    db:record_build(build("a", "1", { timestamp = "2025-01-01T00:00:00Z" }), {})
  end,
    "build.timestamp must be YYYY-MM-DDTHH:MM:SS.sssZ")
  T.raises(function() db:record_build(build("a", "1", { run_number = 1.5 }), {}) end,
    "build.run_number must be a non-negative integer")
  T.raises(function() db:record_build(build("a", "1", { branch = 3 }), {}) end,
    "build.branch must be a string")
  T.raises(function() db:record_build(build("a", "1"), { { metric = COV } }) end,
    "exactly one of value_numeric and value_label")
  T.raises(function() db:record_build(build("a", "1"), cov(0 / 0)) end, "NaN")
  T.raises(function() db:record_build(build("a", "1"), { { metric = COV, value_label = "x" } }) end,
    "metric type 'numeric' does not match its value")
  T.raises(function() db:record_build(build("a", "1"), { 5 }) end, "values[1] must be a table")
  T.raises(function() db:timeline({ pull_requests = true }) end, "unknown option 'pull_requests'")
  T.raises(function() db:series() end, "bad argument #1 to 'series'")
  T.raises(function() db:baseline("m", {}) end, "'branch' (string) is required")
  T.raises(function() db:baseline("m", { branch = "main" }) end, "'max_age_days'")
  T.raises(function() db:baseline("m", { commit = "a", branch = "main" }) end, "'commit' excludes")
  T.raises(function() db:import({ { commit_sha = "a" } }) end, "record.branch must be a string")
  T.raises(function() db:snapshot(tmpdb(), { overwrite = true }) end, "unknown option 'overwrite'")
  T.eq(db:build_count(), 0) -- nothing was written by the failed calls
end)

T.test("docs/api stub lists exactly the module's functions and methods", function()
  local src = (os.getenv("SRC") or ".") .. "/docs/api/unentropy.store.lua"
  local text = slurp(src)
  local documented, actual = { funcs = {}, methods = {} }, { funcs = {}, methods = {} }
  for name in text:gmatch("\nfunction store%.([%w_]+)%(") do documented.funcs[name] = true end
  for name in text:gmatch("\nfunction Db:([%w_]+)%(") do documented.methods[name] = true end
  for name in pairs(store) do actual.funcs[name] = true end
  local db <close> = T.ok(store.open(":memory:"))
  for name in pairs(getmetatable(db).__index) do actual.methods[name] = true end
  T.eq(documented, actual)
end)

T.test("remove temporary files", cleanup)
