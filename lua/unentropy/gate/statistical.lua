-- unentropy.gate.statistical: the `statistical` threshold mode
-- (docs/noise.md). The pull-request value is compared with the distribution
-- of the reference branch's recent builds (the window, oldest first):
--   t           Student-t prediction interval: mean ± t(q, n-1)·sd·√(1 + 1/n)
--   z           normal interval: mean ± z(q)·sd
--   percentage  mean ± boundary % of |mean|
--   iqr         median ± boundary·IQR
-- where q = (1 + boundary) / 2 for t and z: boundary is the two-sided
-- confidence of the interval (0.99 by default). Only the bad side fails:
-- above the upper limit when lower is better, below the lower limit when
-- higher is better. Fewer than minSamples builds give unknown. Pure: data
-- in, status/message/details out; numerics from unentropy.stats (GSL).
local json = require("unentropy.json")
local rules = require("unentropy.config.rules")
local stats = require("unentropy.stats")

local M = {}

M.DEFAULTS = rules.STATISTICAL_DEFAULTS

local function trim(s)
  if s:find("%.") then s = s:gsub("0+$", ""):gsub("%.$", "") end
  return s
end

local function group(s)
  local sign, int, rest = s:match("^(-?)(%d+)(.*)$")
  if not int then return s end
  return sign .. int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "") .. rest
end

-- x with 4 significant digits (at least), grouped, trailing zeros trimmed.
function M.sig(x)
  if x ~= x then return "NaN" end
  if x == math.huge then return "∞" end
  if x == -math.huge then return "-∞" end
  if x == 0 then return "0" end
  local d = math.max(0, 3 - math.floor(math.log(math.abs(x), 10)))
  local s = trim(string.format("%." .. math.min(d, 12) .. "f", x))
  if s == "-0" then s = "0" end
  return group(s)
end

-- A value in the metric's unit, precise enough to tell a limit from a value
-- (unit formatting rounds durations to whole seconds).
function M.value(x, unit)
  if type(x) ~= "number" then return "N/A" end
  if unit == "duration" then
    local a = math.abs(x)
    if a < 1 then return M.sig(x * 1000) .. " ms" end
    if a < 3600 then return M.sig(x) .. " s" end
    return M.sig(x / 3600) .. " h"
  elseif unit == "percent" then
    return M.sig(x) .. "%"
  elseif unit == "bytes" then
    local a, units = math.abs(x), { "B", "KB", "MB", "GB", "TB" }
    local i = 1
    while a >= 1024 and i < #units do a = a / 1024; x = x / 1024; i = i + 1 end
    return M.sig(x) .. " " .. units[i]
  end
  return M.sig(x)
end

-- The effective settings of a statistical threshold.
function M.settings(t)
  local test = t.test or M.DEFAULTS.test
  return {
    test = test,
    boundary = t.boundary or M.DEFAULTS.boundary[test],
    window = t.window or M.DEFAULTS.window,
    min_samples = t.minSamples or M.DEFAULTS.minSamples,
  }
end

-- "99%" for a confidence of 0.99, "99.9%" for 0.999.
local function confidence(b) return M.sig(b * 100) .. "%" end

-- The share of the window strictly below x plus half the ties, in percent.
local function percentile(xs, x)
  local below = 0
  for _, v in ipairs(xs) do
    if v < x then below = below + 1 elseif v == x then below = below + 0.5 end
  end
  return below / #xs * 100
end

-- The interval of one test over the window values xs (n >= 2).
-- Returns {center, lower, upper, statistic, statistic_name, summary}.
function M.interval(set, xs, pr)
  local s = stats.summary(xs)
  local n = s.n
  local out = { summary = s }
  if set.test == "t" or set.test == "z" then
    local q, scale
    if set.test == "t" then
      q = stats.t_quantile((1 + set.boundary) / 2, n - 1)
      scale = s.sd * math.sqrt(1 + 1 / n)
    else
      q = stats.normal_quantile((1 + set.boundary) / 2)
      scale = s.sd
    end
    out.center, out.half = s.mean, q * scale
    if pr then
      local d = pr - s.mean
      out.statistic = scale > 0 and d / scale or (d == 0 and 0 or (d > 0 and math.huge or -math.huge))
    end
  elseif set.test == "percentage" then
    out.center, out.half = s.mean, math.abs(s.mean) * set.boundary / 100
    if pr and s.mean ~= 0 then out.statistic = (pr - s.mean) / math.abs(s.mean) * 100 end
  else -- iqr
    out.iqr = s.q3 - s.q1
    out.center, out.half = s.median, set.boundary * out.iqr
    if pr then out.statistic = percentile(xs, pr) end
  end
  out.lower, out.upper = out.center - out.half, out.center + out.half
  return out
end

local STAT_NAMES = { t = "t", z = "z", percentage = "change vs mean", iqr = "percentile" }

-- How the limit was made, for messages: "the 99% upper limit",
-- "the upper limit (mean + 5%)", "the upper limit (median + 2 × IQR)".
local function limit_words(set, side)
  if set.test == "t" or set.test == "z" then return "the " .. confidence(set.boundary) .. " " .. side .. " limit" end
  local sign = side == "upper" and "+" or "−"
  if set.test == "percentage" then
    return string.format("the %s limit (mean %s %s%%)", side, sign, M.sig(set.boundary))
  end
  return string.format("the %s limit (median %s %s × IQR)", side, sign, M.sig(set.boundary))
end

-- The parenthesised evidence: "mean 44 ms ± 0.52 ms, t = 7.93".
local function evidence(set, iv, unit)
  local s = iv.summary
  local parts
  if set.test == "iqr" then
    parts = { "median " .. M.value(s.median, unit), "IQR " .. M.value(iv.iqr, unit) }
  else
    parts = { "mean " .. M.value(s.mean, unit) .. " ± " .. M.value(s.sd, unit) }
  end
  if iv.statistic then
    if set.test == "percentage" then
      parts[#parts + 1] = string.format("%s%s%% vs mean", iv.statistic >= 0 and "+" or "", M.sig(iv.statistic))
    elseif set.test == "iqr" then
      parts[#parts + 1] = M.sig(iv.statistic) .. "th percentile"
    else
      parts[#parts + 1] = string.format("%s = %s", set.test, M.sig(iv.statistic))
    end
  end
  return table.concat(parts, ", ")
end

-- Evaluates one statistical threshold.
-- t: the threshold; pr: number|nil; direction; history = {values = {...},
-- builds = {{commit_sha, ...}, ...}, reset = annotation|nil, ref = branch}
-- or nil; name, unit: the metric's display name and unit.
-- Returns status, message (nil when passing), details (ordered json object
-- for the results file, nil when pr is missing).
function M.check(t, name, direction, pr, history, unit)
  if type(pr) ~= "number" then return "unknown", "Metric value not available for pull request" end
  local set = M.settings(t)
  local all = history and history.values or {}
  local first = math.max(1, #all - set.window + 1)
  local xs = {}
  for i = first, #all do
    if all[i] == all[i] and math.abs(all[i]) ~= math.huge then xs[#xs + 1] = all[i] end
  end
  local ref = history and history.ref or "the reference branch"
  local n = #xs
  local details = json.object({ { "test", set.test }, { "boundary", set.boundary }, { "window", set.window },
    { "samples", n }, { "minSamples", set.min_samples } })
  if history and history.reset then
    details.resetAfter = json.object({ { "commit", history.reset.commit_sha }, { "note", history.reset.note } })
  end
  if n < set.min_samples or n < 2 then
    local msg = string.format("Not enough history for a statistical check: %d of %d builds on %s", n,
      set.min_samples, ref)
    details.summary = msg
    return "unknown", msg, details
  end
  local iv = M.interval(set, xs, pr)
  local s = iv.summary
  details.mean = s.mean
  details.standardDeviation = s.sd
  details.median = s.median
  if iv.iqr then details.iqr = iv.iqr end
  details.lowerLimit = iv.lower
  details.upperLimit = iv.upper
  local lower_better = direction == "lower-is-better"
  local side = lower_better and "upper" or "lower"
  local limit = lower_better and iv.upper or iv.lower
  details.limit = limit
  if iv.statistic then
    details.statistic = json.object({ { "name", STAT_NAMES[set.test] }, { "value", iv.statistic } })
  end
  local fails = (lower_better and pr > limit) or (not lower_better and pr < limit)
  local relation
  if fails then relation = lower_better and "is above" or "is below"
  else relation = "is within" end
  local text = string.format("%s %s %s of %s from %d builds on %s (%s)", M.value(pr, unit), relation,
    limit_words(set, side), M.value(limit, unit), n, ref, evidence(set, iv, unit))
  details.summary = text
  if fails then return "fail", name .. ": " .. text, details end
  return "pass", nil, details
end

-- The requirement of a statistical threshold for the comment's Threshold
-- column: "≤ 45.1 ms (99% t, 30 builds)" once evaluated, else a description.
function M.requirement(t, details, direction, unit)
  local set = M.settings(t)
  local how
  if set.test == "t" or set.test == "z" then how = confidence(set.boundary) .. " " .. set.test
  elseif set.test == "percentage" then how = "mean ± " .. M.sig(set.boundary) .. "%"
  else how = "median ± " .. M.sig(set.boundary) .. "×IQR" end
  if details and type(details.limit) == "number" then
    local op = direction == "lower-is-better" and "≤ " or "≥ "
    return string.format("%s%s (%s, %d builds)", op, M.value(details.limit, unit), how, details.samples)
  end
  return string.format("statistical (%s, last %d builds)", how, set.window)
end

return M
