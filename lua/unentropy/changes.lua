-- unentropy.changes: change-point detection on a branch's history
-- (docs/noise.md), used by `unentropy changes` and the report. A sliding
-- two-sample test: every split of the series is tested with Welch's t-test
-- of the `window` builds before it against the `window` builds from it on.
-- The strongest split (largest |t|) with p below the p-value (and at least
-- min_magnitude % apart, when given) is accepted; then the splits are
-- tested again with windows that never cross an accepted change point,
-- until nothing significant is left (unentropy.stats.changepoints, in C).
-- Splits closer than min_side builds to an accepted change point cannot be
-- tested any more, which merges the run of neighbouring detections that a
-- single step produces into one. Pure: numbers in, change points out.
local stats = require("unentropy.stats")

local M = {}

M.DEFAULTS = { window = 30, p_value = 0.001, min_side = 5, max_changes = 100 }

local function mean(xs, from, to)
  local s = 0
  for i = from, to do s = s + xs[i] end
  return s / (to - from + 1)
end

-- Finds change points in values (finite numbers, oldest first).
-- opts = {window = 30, p_value = 0.001, min_magnitude = percent|nil,
-- min_side = 5, max_changes = 100 (the strongest are kept)}. Returns an
-- array, ascending by index, of {index (1-based position of the first
-- value after the change), p, t, before, after
-- (means of the segments on either side, each cut at the neighbouring
-- change points and at `window` values), change_percent (nil when before
-- is 0)}.
function M.detect(values, opts)
  opts = opts or {}
  local window = opts.window or M.DEFAULTS.window
  local n = #values
  local min_side = math.min(opts.min_side or M.DEFAULTS.min_side, window)
  if n < 2 * min_side then return {} end
  local found = {}
  for i, r in ipairs(stats.changepoints(values, { window = window, min_side = min_side,
    alpha = opts.p_value or M.DEFAULTS.p_value, min_magnitude = opts.min_magnitude,
    max_changes = opts.max_changes or M.DEFAULTS.max_changes })) do
    found[i] = { index = r.index, p = r.p, t = r.t }
  end
  for k, c in ipairs(found) do
    local lo = math.max(k > 1 and found[k - 1].index or 1, c.index - window)
    local hi = math.min(k < #found and found[k + 1].index - 1 or n, c.index + window - 1)
    c.before, c.after = mean(values, lo, c.index - 1), mean(values, c.index, hi)
    if c.before ~= 0 then c.change_percent = (c.after - c.before) / math.abs(c.before) * 100 end
  end
  return found
end

-- Whether a change is a regression for a metric's direction.
function M.is_regression(change, direction)
  if direction == "lower-is-better" then return change.after > change.before end
  return change.after < change.before
end

-- The change points of one metric's stored series on a branch.
-- series: db:series rows (oldest first); branch: nil for every branch.
-- Returns changes (as detect, plus build = the series row of the first
-- build after the change), points = the rows used.
function M.for_series(series, branch, opts)
  local points, values = {}, {}
  for _, r in ipairs(series) do
    local v = r.value_numeric
    if (branch == nil or r.branch == branch) and type(v) == "number" and v == v and math.abs(v) ~= math.huge then
      points[#points + 1] = r
      values[#values + 1] = v
    end
  end
  local found = M.detect(values, opts)
  for _, c in ipairs(found) do c.build = points[c.index] end
  return found, points
end

-- The positions (dataset indexes) of the builds on `branch`; computed once
-- and shared by every metric of a report.
function M.branch_positions(builds, branch)
  local out = {}
  for i, b in ipairs(builds) do
    if b.branch == branch then out[#out + 1] = i end
  end
  return out
end

-- The change points of one metric in the report's dataset (values aligned
-- with builds, all branches): only builds on `branch` with finite numbers.
-- positions: branch_positions(builds, branch), optional. Returns detect's
-- changes with `position` = the dataset (timeline) index of the first
-- build after the change, and `build` = that build's row.
function M.for_dataset(builds, values, branch, opts, positions)
  positions = positions or M.branch_positions(builds, branch)
  local idx, xs, n = {}, {}, 0
  for _, i in ipairs(positions) do
    local v = values[i]
    if type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge then
      n = n + 1
      idx[n], xs[n] = i, v
    end
  end
  local found = M.detect(xs, opts)
  for _, c in ipairs(found) do
    c.position = idx[c.index]
    c.build = builds[c.position]
  end
  return found
end

return M
