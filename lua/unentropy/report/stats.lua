-- unentropy.report.stats: per-metric statistics of the report (report.md
-- §1): latest, min, max, average and the trend over the non-null values of a
-- series. Pure (data in, data out); no dependencies.
local M = {}

-- True for a finite number (json.null, nil, NaN and infinities are not).
local function finite(v)
  return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge
end
M.finite = finite

-- Statistics of `values` (an array of length n; non-numbers are skipped).
-- stable_below: |pct| under which the direction is "stable" (0.01 for real
-- data, 1 for preview data). Returns {count, first, latest, min, max,
-- average, trendPercent, trendDirection}: count 0 leaves the rest nil;
-- fewer than 2 values give no trend; a first value of 0 gives direction
-- "new" and no percentage; otherwise "up", "down" or "stable".
function M.compute(values, n, stable_below)
  n = n or #values
  local count, first, last, lo, hi, sum = 0, nil, nil, nil, nil, 0
  for i = 1, n do
    local v = values[i]
    if finite(v) then
      count = count + 1
      if first == nil then first = v end
      last = v
      if lo == nil or v < lo then lo = v end
      if hi == nil or v > hi then hi = v end
      sum = sum + v
    end
  end
  local s = { count = count }
  if count == 0 then return s end
  s.first, s.latest, s.min, s.max, s.average = first, last, lo, hi, sum / count
  if count >= 2 then
    if first == 0 then
      s.trendDirection = "new"
    else
      local pct = (last - first) / math.abs(first) * 100
      s.trendPercent = pct
      if math.abs(pct) < (stable_below or 0.01) then
        s.trendDirection = "stable"
      elseif pct > 0 then
        s.trendDirection = "up"
      else
        s.trendDirection = "down"
      end
    end
  end
  return s
end

return M
