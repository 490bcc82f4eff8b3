-- Unit formatting: the example table of collection.md §7, exactly.
local T = require("t")
local format = require("unentropy.format")

local cases = {
  { 85.5, "percent", "85.5%" }, { 100, "percent", "100.0%" }, { 0, "percent", "0.0%" },
  { 12345.6, "percent", "12,345.6%" },
  { 1234567, "integer", "1,234,567" }, { 1234.5, "integer", "1,235" }, { -1234, "integer", "-1,234" },
  { 500, "bytes", "500 B" }, { 1024, "bytes", "1 KB" }, { 1536, "bytes", "1.5 KB" },
  { 1024000, "bytes", "1,000 KB" }, { 1048576, "bytes", "1 MB" }, { 1572864, "bytes", "1.5 MB" },
  { 1610612736, "bytes", "1.5 GB" }, { -1536, "bytes", "-1.5 KB" }, { 0, "bytes", "0 B" },
  { 0, "duration", "0ms" }, { 0.5, "duration", "500ms" }, { 1, "duration", "1s" }, { 59, "duration", "59s" },
  { 60, "duration", "1m 0s" }, { 90, "duration", "1m 30s" }, { 3600, "duration", "1h 0m" },
  { 3665, "duration", "1h 1m" }, { 7322, "duration", "2h 2m" },
  { 3.14159, "decimal", "3.14" }, { 5, "decimal", "5.00" }, { 2.1, "decimal", "2.10" },
  { 3, nil, "3" }, { 2.5, nil, "2.5" }, { 3.14159, nil, "3.14" }, { 1234567.891, nil, "1,234,567.89" },
  -- rounding: half away from zero on the exact binary value
  { 2.25, "percent", "2.3%" }, { -2.25, "percent", "-2.3%" }, { 1.005, "decimal", "1.00" },
  { -0.04, "percent", "0.0%" }, { -0.001, nil, "0" }, { 0.125, "decimal", "0.13" },
  { 1023.6, "bytes", "1,024 B" }, { 59.6, "duration", "60s" },
  { math.huge, "percent", "∞" }, { -math.huge, nil, "-∞" },
}

for _, c in ipairs(cases) do
  T.test(string.format("format %s %s -> %s", tostring(c[1]), tostring(c[2]), c[3]), function()
    T.eq(format.value(c[1], c[2]), c[3])
  end)
end

T.test("nil prints N/A", function() T.eq(format.value(nil, "percent"), "N/A") end)

T.test("delta adds + for non-negative", function()
  T.eq(format.delta(2.5, "percent"), "+2.5%")
  T.eq(format.delta(262144, "bytes"), "+256 KB")
  T.eq(format.delta(90, "duration"), "+1m 30s")
  T.eq(format.delta(0, "percent"), "+0.0%")
  T.eq(format.delta(-2.5, "percent"), "-2.5%")
end)

T.test("trend percent", function()
  T.eq(format.trend_percent(-12.345), "12.3%")
end)

T.test("shortest round-trip numbers", function()
  T.eq(format.number(100 / 3), "33.333333333333336")
  T.eq(format.number(1234), "1234")
  T.eq(format.number(1234.0), "1234")
  T.eq(format.number(0.1), "0.1")
end)
