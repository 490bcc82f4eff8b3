-- test_store_import.lua: the streaming import of unentropy.store inside the
-- real binary: db:import_begin() and the Import methods give the same rows as
-- db:import, roll back on rollback/<close>/collectgarbage/db:close and on a
-- database error, raise on misuse and on finished or closed handles, and the
-- docs/api stub lists exactly the Import methods.
local T = require("t")
local store = require("unentropy.store")

local paths = {}
local function tmpdb()
  local p = os.tmpname()
  paths[#paths + 1] = p
  return p
end

local TS = "2024-01-01T00:00:00.000Z"
local function rec(sha, metric, v, over)
  local r = { commit_sha = sha, branch = "main", run_id = "import:x:" .. sha, timestamp = TS,
    metric_id = metric }
  if type(v) == "string" then r.value_label = v else r.value_numeric = v end
  for k, x in pairs(over or {}) do r[k] = x end
  return r
end

local RECS = {
  rec("s1", "cov", 50),
  rec("s1", "size", 7, { branch = "other", run_number = 5, timestamp = "2024-06-01T00:00:00.000Z" }),
  rec("s2", "state", "ok", { timestamp = "2024-01-02T00:00:00.000Z" }),
  rec("s2", "state", "late", { timestamp = "2024-01-02T00:00:00.000Z" }),
}

local function rows(db)
  local out = {}
  local v = db:all_values()
  for i = 1, v.n do
    out[i] = { v.build_id[i], v.metric_id[i], v.value_numeric[i] or v.value_label[i] }
  end
  return { timeline = db:timeline(), values = out, defs = db:metric_definitions() }
end

T.test("add and add_batch write what db:import writes, idempotently", function()
  local a <close> = T.ok(store.open(tmpdb(), { journal = "delete" }))
  T.eq(a:import(RECS), 4)
  local b <close> = T.ok(store.open(tmpdb(), { journal = "delete" }))
  for _ = 1, 2 do
    local imp = T.ok(b:import_begin())
    T.eq(imp:count(), 0)
    T.eq(imp:add(RECS[1]), true)
    T.eq(imp:count(), 1)
    T.eq(imp:add_batch({ RECS[2], RECS[3], RECS[4] }), 3)
    T.eq(imp:add_batch({}), 0)
    T.contains(tostring(imp), "unentropy.store.Import (open, 4 records)")
    T.eq(imp:commit(), 4)
    T.eq(tostring(imp), "unentropy.store.Import (finished)")
    T.eq(imp:count(), 0)
  end
  T.eq(rows(b), rows(a))
  T.eq(b:build_count(), 2)
  T.eq(b:timeline()[1].event_name, "import")
  T.eq(b:series("state")[1].value_label, "late")
end)

T.test("rollback, <close>, collectgarbage and db:close write nothing", function()
  local p = tmpdb()
  local db <close> = T.ok(store.open(p, { journal = "delete" }))
  local imp = T.ok(db:import_begin())
  imp:add(RECS[1])
  T.eq(db:build_count(), 1) -- the open transaction sees its own rows
  T.eq(imp:rollback(), true)
  T.eq(imp:rollback(), true)
  T.eq(db:build_count(), 0)
  T.raises(function() imp:add(RECS[1]) end, "attempt to use a finished Import")
  T.raises(function() imp:commit() end, "attempt to use a finished Import")

  T.raises(function()
    local scoped <close> = T.ok(db:import_begin())
    scoped:add(RECS[1])
    error("converter failed")
  end, "converter failed")
  T.eq(db:build_count(), 0)
  do
    local scoped <close> = T.ok(db:import_begin())
    scoped:add(RECS[1])
  end -- left without commit
  T.eq(db:build_count(), 0)

  local dropped = T.ok(db:import_begin())
  dropped:add(RECS[1])
  dropped = nil -- luacheck: ignore
  collectgarbage()
  collectgarbage()
  T.eq(db:build_count(), 0)
  local again = T.ok(db:import_begin()) -- the collected one no longer holds the transaction
  again:add(RECS[1])
  T.eq(again:commit(), 1)
  T.eq(db:build_count(), 1)

  local db2 = T.ok(store.open(p, { journal = "delete" }))
  local open = T.ok(db2:import_begin())
  open:add(RECS[3])
  db2:close()
  T.raises(function() open:add(RECS[1]) end, "attempt to use a closed Db")
  T.raises(function() open:commit() end, "attempt to use a closed Db")
  T.eq(open:rollback(), true)
  T.eq(open:count(), 0)
  T.eq(db:build_count(), 1) -- s2 was never committed
end)

T.test("a database error rolls the whole import back", function()
  local db <close> = T.ok(store.open(tmpdb(), { journal = "delete" }))
  local imp = T.ok(db:import_begin())
  T.eq(imp:add(RECS[1]), true)
  -- "Bad" fails the metric_definitions GLOB check inside SQLite.
  local ok, msg, code = imp:add(rec("s3", "Bad", 1))
  T.eq({ ok, code & 0xff }, { nil, 19 })
  T.contains(msg, "store: import failed: CHECK constraint failed")
  T.raises(function() imp:commit() end, "attempt to use a finished Import")
  T.eq(db:build_count(), 0)

  imp = T.ok(db:import_begin())
  ok, msg, code = imp:add_batch({ RECS[1], rec("s3", "Bad", 1), RECS[3] })
  T.eq({ ok, code & 0xff }, { nil, 19 })
  T.eq(db:build_count(), 0)
  T.eq(imp:rollback(), true)
end)

T.test("misuse raises and leaves the import open", function()
  local db <close> = T.ok(store.open(tmpdb(), { journal = "delete" }))
  local imp <close> = T.ok(db:import_begin())
  T.raises(function() db:import_begin() end, "a transaction is already open")
  T.raises(function() db:import(RECS) end, "a transaction is already open")
  T.raises(function()
    db:record_build({ commit_sha = "a", branch = "m", run_id = "1", run_number = 1, timestamp = TS }, {})
  end, "a transaction is already open")
  T.raises(function() db:read_transaction(function() end) end, "a transaction is already open")
  T.raises(function() imp:add("x") end, "table expected")
  T.raises(function() imp:add({ commit_sha = "a" }) end, "record.branch must be a string")
  T.raises(function() imp:add(rec("a", "m", 1, { timestamp = "2024-01-01T00:00:00Z" })) end,
    "YYYY-MM-DDTHH:MM:SS.sssZ")
  T.raises(function() imp:add(rec("a", "m", 0 / 0)) end, "NaN")
  T.raises(function() imp:add(rec("a", "m", 1, { value_label = "x" })) end, "exactly one")
  T.raises(function() imp:add(rec("a", "m", 1, { run_number = -1 })) end, "non-negative integer")
  T.raises(function() imp:add_batch({ RECS[1], "x" }) end, "records[2] must be a table")
  T.eq(imp:count(), 1) -- RECS[1] of the batch went in before the bad entry
  T.eq(imp:add(RECS[2]), true)
  T.eq(imp:commit(), 2)
  T.eq(db:build_count(), 1)
  local ro <close> = T.ok(store.open(db:path(), { readonly = true }))
  local none, msg, code = ro:import_begin()
  T.eq({ none, code }, { nil, 8 })
  T.contains(msg, "read-only")
end)

T.test("docs/api stub lists exactly the Import methods", function()
  local f = assert(io.open((os.getenv("SRC") or ".") .. "/docs/api/unentropy.store.lua", "rb"))
  local text = f:read("a")
  f:close()
  local documented, actual = {}, {}
  for name in text:gmatch("\nfunction Import:([%w_]+)%(") do documented[name] = true end
  local db <close> = T.ok(store.open(":memory:"))
  local imp <close> = T.ok(db:import_begin())
  for name in pairs(getmetatable(imp).__index) do actual[name] = true end
  T.eq(documented, actual)
end)

T.test("remove temporary files", function()
  for _, p in ipairs(paths) do
    for _, suffix in ipairs({ "", "-wal", "-shm", "-journal" }) do os.remove(p .. suffix) end
  end
end)
