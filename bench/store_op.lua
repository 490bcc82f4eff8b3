-- One storage operation, timed in-process (bench/store.sh).
-- usage: unentropy run bench/store_op.lua DB record|series N
local store = require("unentropy.store")
local sys = require("unentropy.sys")
local path, op, n = ...
local db = assert(store.open(path, { readonly = op == "series" }))
local t0 = sys.monotonic_ms()
if op == "record" then
  local values = {}
  for m = 1, 50 do
    values[m] = { metric = { id = "metric-" .. m, type = "numeric" }, value_numeric = m + 0.25 }
  end
  assert(db:record_build({ commit_sha = string.format("%040x", 1e9 + tonumber(n)), branch = "main",
    run_id = "bench-" .. n, run_number = 100000 + tonumber(n), event_name = "push",
    timestamp = "2030-01-01T00:00:00.000Z" }, values))
else
  local rows = assert(db:series("metric-7"))
  assert(#rows >= 10000, #rows)
end
io.write(string.format("%.3f\n", sys.monotonic_ms() - t0))
db:close()
