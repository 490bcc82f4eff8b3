-- One timed storage operation for bench/pg.sh, in-process, on either store:
--   unentropy run bench/pg_op.lua sqlite PATH   OP N
--   unentropy run bench/pg_op.lua pg     SCHEMA OP N   (connection: UNENTROPY_PG_URL)
-- OP = record (one build of 50 numeric metrics) | report (the report's data
-- queries: timeline + all_values in one read transaction). Prints the
-- milliseconds the operation took (opening excluded).
local pgstore = require("unentropy.pgstore")
local store = require("unentropy.store")
local sys = require("unentropy.sys")

local kind, target, op, n = ...
n = tonumber(n) or 1
local db
if kind == "sqlite" then
  db = assert(store.open(target))
else
  db = assert(pgstore.open(assert(sys.getenv("UNENTROPY_PG_URL"), "UNENTROPY_PG_URL"), { schema = target }))
end

local t0 = sys.monotonic_ms()
if op == "record" then
  local values = {}
  for m = 1, 50 do
    values[m] = { metric = { id = "metric-" .. m, type = "numeric" }, value_numeric = m + n / 100 }
  end
  assert(db:record_build({ commit_sha = string.format("%040x", 3000000000 + n), branch = "main",
    run_id = "bench-" .. n, run_number = 100000 + n, event_name = "push",
    timestamp = string.format("2031-01-01T00:00:%02d.000Z", n % 60) }, values))
elseif op == "report" then
  local builds, values = db:read_transaction(function(d) return assert(d:timeline()), assert(d:all_values()) end)
  assert(#builds > 0 and values.n > 0)
else
  error("unknown op " .. tostring(op))
end
io.write(string.format("%.3f\n", sys.monotonic_ms() - t0))
db:close()
