-- test_stats.lua: unentropy.stats (GSL behind src/stats.c) against reference
-- values computed with SciPy/NumPy (tests/fixtures/stats/reference.json, made
-- by make_reference.py there), misuse raising, the Welch scan's windows and
-- boundaries, and the docs/api stub listing exactly the module's functions.
local T = require("t")
local fs = require("unentropy.fs")
local json = require("unentropy.json")
local stats = require("unentropy.stats")

local SRC = os.getenv("SRC") or "."
local REF = assert(json.decode(assert(fs.read(SRC .. "/tests/fixtures/stats/reference.json"))))

-- |a - b| <= rel * |b| + 1e-15: relative agreement, absolute near 0.
local function close(a, b, rel, what)
  local scale = math.max(math.abs(b), 1e-300)
  if not (math.abs(a - b) <= rel * math.abs(b) + 1e-15 or a == b) then
    error(string.format("%s: got %.17g, reference %.17g (rel. error %.3g)", what, a, b,
      math.abs(a - b) / scale), 2)
  end
end

-- GSL's t quantiles agree with SciPy to ~3e-9 (relative); the CDFs to ~4e-15.
T.test("t quantiles match SciPy", function()
  T.ok(#REF.t_quantile > 50)
  for _, c in ipairs(REF.t_quantile) do
    close(stats.t_quantile(c[1], c[2]), c[3], 1e-8, string.format("t_quantile(%g, %g)", c[1], c[2]))
  end
end)

T.test("t CDF matches SciPy", function()
  for _, c in ipairs(REF.t_cdf) do
    close(stats.t_cdf(c[1], c[2]), c[3], 1e-12, string.format("t_cdf(%g, %g)", c[1], c[2]))
  end
end)

T.test("normal quantiles and CDF match SciPy", function()
  for _, c in ipairs(REF.normal_quantile) do
    close(stats.normal_quantile(c[1]), c[2], 1e-9, "normal_quantile " .. c[1])
  end
  for _, c in ipairs(REF.normal_cdf) do
    close(stats.normal_cdf(c[1]), c[2], 1e-9, "normal_cdf " .. c[1])
  end
end)

T.test("summaries match NumPy", function()
  for i, c in ipairs(REF.summary) do
    local s = stats.summary(c.values)
    local what = "summary " .. i
    T.eq(s.n, #c.values, what)
    close(s.mean, c.mean, 1e-12, what .. " mean")
    close(s.variance, c.variance, 1e-9, what .. " variance")
    close(s.sd, math.sqrt(c.variance), 1e-9, what .. " sd")
    close(s.median, c.median, 1e-12, what .. " median")
    close(s.q1, c.q1, 1e-12, what .. " q1")
    close(s.q3, c.q3, 1e-12, what .. " q3")
    T.eq(s.min, c.min, what .. " min")
    T.eq(s.max, c.max, what .. " max")
    close(stats.quantile(c.values, 0.75), c.q3, 1e-12, what .. " quantile")
  end
end)

T.test("Welch's t-test matches SciPy", function()
  for i, c in ipairs(REF.welch) do
    local w = stats.welch(c.a, c.b)
    close(w.t, c.t, 1e-9, "welch t " .. i)
    close(w.df, c.df, 1e-9, "welch df " .. i)
    close(w.p, c.p, 1e-7, "welch p " .. i)
  end
end)

T.test("degenerate Welch: zero variances", function()
  local same = stats.welch({ 5, 5, 5 }, { 5, 5 })
  T.eq({ same.t, same.p }, { 0, 1 })
  local up = stats.welch({ 5, 5, 5 }, { 6, 6 })
  T.eq({ up.t, up.p, up.df }, { math.huge, 0, 3 })
  local down = stats.welch({ 5, 5, 5 }, { 4, 4 })
  T.eq(down.t, -math.huge)
  -- One side constant: the other side's variance alone.
  local one = stats.welch({ 5, 5, 5 }, { 6, 7 })
  close(one.df, 1, 1e-12, "df with one constant side")
end)

T.test("misuse raises", function()
  T.raises(function() stats.t_quantile(0, 3) end, "probability must be between 0 and 1")
  T.raises(function() stats.t_quantile(1, 3) end, "probability must be between 0 and 1")
  T.raises(function() stats.t_quantile(0.5, 0) end, "degrees of freedom must be positive")
  T.raises(function() stats.t_cdf(0 / 0, 3) end, "NaN")
  T.raises(function() stats.normal_quantile(1.5) end, "probability")
  T.raises(function() stats.summary({}) end, "need at least 1 values, got 0")
  T.raises(function() stats.summary({ 1, math.huge }) end, "value 2 is not finite")
  T.raises(function() stats.summary({ 1, "x" }) end, "element 2 is string")
  T.raises(function() stats.summary("x") end, "table expected")
  T.raises(function() stats.welch({ 1 }, { 1, 2 }) end, "need at least 2 values, got 1")
  T.raises(function() stats.quantile({ 1 }, 2) end, "probability must be between 0 and 1")
  T.raises(function() stats.welch_scan({ 1, 2 }, { windw = 3 }) end, "unknown option 'windw'")
  T.raises(function() stats.welch_scan({ 1, 2 }, { window = 3, min_side = 4 }) end, "min_side <= window")
  T.raises(function() stats.welch_scan({ 1, 2 }, { window = 1 }) end, "option 'window' must be an integer >= 2")
  T.raises(function() stats.welch_scan({ 1, 2, 3 }, { bounds = { 2, 2 } }) end, "sorted and distinct")
  T.raises(function() stats.welch_scan({ 1, 2, 3 }, { bounds = { 1.5 } }) end, "positive integers")
end)

-- A step series: 20 values around 100, then 20 around 110 (small fixed wiggle).
local function step_series()
  local xs = {}
  for i = 1, 40 do xs[i] = (i <= 20 and 100 or 110) + ((i * 7) % 5 - 2) * 0.3 end
  return xs
end

T.test("welch_scan: windows, min_side and the most significant split", function()
  local xs = step_series()
  local rows = stats.welch_scan(xs, { window = 10, min_side = 5 })
  -- Splits 6..36 have 5+ values on both sides (index = first value after).
  T.eq(rows[1].index, 6)
  T.eq(rows[#rows].index, 36)
  T.eq(#rows, 31)
  local best
  for _, r in ipairs(rows) do
    if not best or r.p < best.p or (r.p == best.p and math.abs(r.t) > math.abs(best.t)) then best = r end
  end
  T.eq(best.index, 21)
  T.ok(best.t > 0 and best.p < 1e-10)
  close(best.mean_after - best.mean_before, 10, 0.02, "step size")
  -- The same split tested directly.
  local a, b = {}, {}
  for i = 11, 20 do a[#a + 1] = xs[i] end
  for i = 21, 30 do b[#b + 1] = xs[i] end
  local w = stats.welch(a, b)
  close(best.t, w.t, 1e-12, "scan t equals welch t")
end)

T.test("welch_scan: windows never cross accepted boundaries", function()
  local xs = step_series()
  local rows = stats.welch_scan(xs, { window = 10, min_side = 5, bounds = { 21 } })
  for _, r in ipairs(rows) do
    T.ok(r.index <= 16 or r.index >= 26, "split " .. r.index .. " has a side shorter than 5")
    T.ok(r.index ~= 21)
    T.ok(r.p > 1e-6, "no step left once the boundary is accepted (split " .. r.index .. ")")
  end
  T.eq(#stats.welch_scan({ 1, 2, 3 }, { window = 5, min_side = 2 }), 0)
  T.eq(#stats.welch_scan({}, {}), 0)
end)

T.test("docs/api stub lists exactly the module's functions", function()
  local text = assert(fs.read(SRC .. "/docs/api/unentropy.stats.lua"))
  local documented, actual = {}, {}
  for name in text:gmatch("\nfunction stats%.([%w_]+)%(") do documented[name] = true end
  for name, v in pairs(stats) do if type(v) == "function" then actual[name] = true end end
  T.eq(documented, actual)
end)

T.test("welch_scan alpha keeps only the significant splits", function()
  local xs = step_series()
  local all = stats.welch_scan(xs, { window = 10, min_side = 5 })
  local sig = stats.welch_scan(xs, { window = 10, min_side = 5, alpha = 1e-3 })
  local want = {}
  for _, r in ipairs(all) do if r.p < 1e-3 then want[#want + 1] = r end end
  T.ok(#want > 0 and #want < #all)
  T.eq(sig, want)
  T.raises(function() stats.welch_scan(xs, { alpha = 1 }) end, "'alpha' must be between 0 and 1")
  -- A long flat series: nothing significant, quickly.
  local flat = {}
  for i = 1, 20000 do flat[i] = 100 + ((i * 7919) % 13 - 6) * 0.1 end
  T.eq(#stats.welch_scan(flat, { window = 30, min_side = 5, alpha = 1e-3 }), 0)
end)

T.test("changepoints: steps found, windows cut at accepted ones, options", function()
  local xs = {}
  for i = 1, 90 do xs[i] = (i <= 30 and 100 or (i <= 60 and 110 or 95)) + ((i * 7) % 5 - 2) * 0.3 end
  local cps = stats.changepoints(xs, { window = 30 })
  T.eq(#cps, 2)
  T.eq({ cps[1].index, cps[2].index }, { 31, 61 })
  T.ok(cps[1].t > 0 and cps[2].t < 0)
  T.ok(cps[1].p < 1e-10)
  close(cps[2].mean_before, 110, 0.01, "second change: before window stops at the first")
  -- The same first acceptance as the strongest row of a plain scan.
  local best
  for _, r in ipairs(stats.welch_scan(xs, { window = 30, min_side = 5 })) do
    if not best or math.abs(r.t) > math.abs(best.t) then best = r end
  end
  T.ok(best.index == 31 or best.index == 61)
  T.eq(#stats.changepoints(xs, { window = 30, max_changes = 1 }), 1)
  T.eq(#stats.changepoints(xs, { window = 30, min_magnitude = 12 }), 1) -- only 110 -> 95 (-13.6%)
  T.eq(stats.changepoints({}, {}), {})
  T.eq(stats.changepoints({ 1, 2, 3 }), {})
  T.raises(function() stats.changepoints(xs, { alpha = 0 }) end, "'alpha' must be between 0 and 1")
  T.raises(function() stats.changepoints(xs, { min_magnitude = -1 }) end, "'min_magnitude'")
  T.raises(function() stats.changepoints(xs, { max_changes = 0 }) end, "'max_changes' must be an integer >= 1")
  T.raises(function() stats.changepoints(xs, { p = 0.1 }) end, "unknown option 'p'")
end)

T.test("changepoints on a long pathological series stays fast", function()
  local xs = {}
  -- A square wave of period 24 with a wiggle: 833 steps, significant almost everywhere.
  for i = 1, 10000 do xs[i] = ((i - 1) // 12 % 2) * 100 + (i * 7) % 5 end
  local sys = require("unentropy.sys")
  local t0 = sys.monotonic_ms()
  local cps = stats.changepoints(xs, { max_changes = 100 })
  T.eq(#cps, 100)
  for i = 2, #cps do T.ok(cps[i].index > cps[i - 1].index) end
  T.ok(sys.monotonic_ms() - t0 < 2000, "took " .. (sys.monotonic_ms() - t0) .. " ms")
end)
