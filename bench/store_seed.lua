-- Seeds a database with BUILDS builds x METRICS metrics (bench/store.sh).
-- usage: unentropy run bench/store_seed.lua DB BUILDS METRICS
local store = require("unentropy.store")
local time = require("unentropy.time")
local path, builds, metrics = ...
builds, metrics = tonumber(builds), tonumber(metrics)
local db = assert(store.open(path))
local chunk = 500
local t0 = time.parse_rfc3339("2020-01-01T00:00:00Z")
for first = 1, builds, chunk do
  local records = {}
  for b = first, math.min(first + chunk - 1, builds) do
    local sha = string.format("%040x", b)
    local ts = time.format_ms(t0 + b * 3600000)
    for m = 1, metrics do
      records[#records + 1] = { commit_sha = sha, branch = "main", run_id = "seed-" .. b, run_number = b,
        timestamp = ts, metric_id = "metric-" .. m, value_numeric = (b * m) % 1000 + 0.5 }
    end
  end
  assert(db:import(records))
end
db:close()
