-- tests/browser/format_cases.lua: prints a JSON table of [value, unit,
-- format.value(value, unit)] cases; tests/browser/report.test.mjs checks that
-- the page's unentropyReport.formatValue gives the same strings.
-- usage: unentropy run tests/browser/format_cases.lua
local format = require("unentropy.format")
local json = require("unentropy.json")

local units = { "percent", "integer", "bytes", "duration", "decimal", json.null }
local values = {
  0, 0.0, -0.0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 2.675, 1.005, 1.015, 0.05, 0.15, 0.25, 0.35,
  0.045, -0.045, 0.0049, -0.004, -0.0049, 99.95, 99.949999, 12.345, 1234.5, 1234567.891, -1234567.891,
  0.49999999999999994, 1e-7, 1e-300, 123456789012, 1e15, 1e20, 9.99e20, 1e21, 1.5e22, -3e25, 2 ^ 53, 2 ^ 53 + 2,
  1023, 1023.5, 1024, 1025, 1536, 1048575, 1048576, 1572864, 1073741823.9, 1073741824, 1610612736,
  5e12, 0.0005, 0.0004999, 0.9994, 0.9995, 0.9996, 1, 59.4, 59.5, 59.6, 60, 61.5, 119.5, 3599.4, 3599.6,
  3600, 3629.9, 3630, 86400.5, 359999.9, -0.9995, -59.6, -3600, 65.25, 65.35, 72.45, 80.05, 33.333333333333336,
  66.66666666666667, 0.1, 0.2, 0.30000000000000004, 1.45, 1.55, 10.005, 100.125, 8.345, 8.355,
}
-- Pseudo-random values over many magnitudes (deterministic LCG).
local seed = 12345
local function rnd()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
end
for _ = 1, 1500 do
  local mag = math.floor(rnd() * 16) - 4
  local v = (rnd() - 0.3) * 10 ^ mag
  if rnd() < 0.3 then v = math.floor(v * 1000 + 0.5) / 1000 end
  if rnd() < 0.1 then v = math.floor(v) + 0.5 end
  values[#values + 1] = v
end

local cases = json.array()
for _, v in ipairs(values) do
  for _, u in ipairs(units) do
    cases[#cases + 1] = json.array({ v, u, format.value(v, u ~= json.null and u or nil) })
  end
end
io.stdout:write(json.encode(cases), "\n")
