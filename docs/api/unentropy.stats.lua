---@meta unentropy.stats
-- unentropy.stats: the numerics of the noise-aware gate (docs/noise.md),
-- a C module over GSL. This file only documents it for LuaLS. Every failure
-- is misuse (a probability outside (0, 1), df <= 0, too few values, a value
-- that is not a finite number) and raises "stats: ...".

local stats = {}

---Quantile (inverse CDF) of Student's t distribution.
---@param p number  0 < p < 1
---@param df number  degrees of freedom, > 0 (need not be an integer)
---@return number
function stats.t_quantile(p, df) end

---CDF of Student's t distribution: P(T <= x).
---@param x number
---@param df number  > 0
---@return number
function stats.t_cdf(x, df) end

---Quantile of the standard normal distribution.
---@param p number  0 < p < 1
---@return number
function stats.normal_quantile(p) end

---CDF of the standard normal distribution.
---@param x number
---@return number
function stats.normal_cdf(x) end

---@class unentropy.stats.Summary
---@field n integer
---@field mean number
---@field variance number  sample variance (n - 1); 0 for one value
---@field sd number
---@field min number
---@field max number
---@field median number
---@field q1 number  first quartile (linear interpolation, numpy's default)
---@field q3 number  third quartile

---Summary of a non-empty array of finite numbers.
---@param xs number[]
---@return unentropy.stats.Summary
function stats.summary(xs) end

---The p-quantile of a non-empty array (linear interpolation, numpy's default).
---@param xs number[]
---@param p number  0 <= p <= 1
---@return number
function stats.quantile(xs, p) end

---@class unentropy.stats.Welch
---@field t number  (mean_b - mean_a) / standard error; +/-inf when both variances are 0 and the means differ
---@field df number  Welch-Satterthwaite degrees of freedom
---@field p number  two-sided p-value
---@field mean_a number
---@field mean_b number

---Welch's unequal-variance t-test of b against a (at least 2 values each).
---@param a number[]
---@param b number[]
---@return unentropy.stats.Welch
function stats.welch(a, b) end

---@class unentropy.stats.ScanOptions
---@field window? integer  values on each side of a split (default 30, >= 2)
---@field min_side? integer  fewest values a side may have after cutting (default 5, 2..window)
---@field bounds? integer[]  sorted 1-based split positions already accepted: windows never cross them
---@field alpha? number  only rows with p < alpha (0 < alpha < 1); much faster on long series

---@class unentropy.stats.ScanRow
---@field index integer  1-based position of the first value after the split
---@field t number
---@field df number
---@field p number
---@field mean_before number
---@field mean_after number

---Sliding-window Welch scan: one row per split position whose two windows
---both have at least min_side values, in ascending order.
---@param xs number[]
---@param opts unentropy.stats.ScanOptions
---@return unentropy.stats.ScanRow[]
function stats.welch_scan(xs, opts) end

---@class unentropy.stats.ChangeOptions
---@field window? integer  values on each side of a split (default 30, >= 2)
---@field min_side? integer  fewest values a side may have (default 5, 2..window)
---@field alpha? number  significance level (default 0.001)
---@field min_magnitude? number  smallest change, in percent of the before-mean (default: any)
---@field max_changes? integer  at most this many, the strongest first (default 100)

---Change points (docs/noise.md): repeatedly accepts the split with the
---largest |t| of the sliding-window Welch test whose p < alpha, windows cut
---at the change points accepted so far. Sorted by index; mean_before and
---mean_after are the two windows' means at acceptance.
---@param xs number[]
---@param opts? unentropy.stats.ChangeOptions
---@return unentropy.stats.ScanRow[]
function stats.changepoints(xs, opts) end

return stats
