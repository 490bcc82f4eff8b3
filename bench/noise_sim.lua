-- bench/noise_sim.lua: the acceptance simulation of the noise-aware gate
-- (docs/noise.md, issue 10). Simulated series with normal noise (coefficient
-- of variation 2%) and a 30-build window, fixed seeds, so the rates are
-- deterministic:
--   * a 10% regression in the bad direction must fail the statistical check
--     in >= 95% of trials,
--   * a stationary series must fail it in <= 1% of trials,
--   * `changes` must find an injected 8% step within ±2 builds of where it
--     was put in >= 90% of trials.
-- It drives the real code (unentropy.gate.statistical, unentropy.changes,
-- GSL through unentropy.stats). Run:
--   unentropy run bench/noise_sim.lua [--trials N] [--seed S]
-- tests/lua/test_noise_acceptance.lua loads it with dofile and asserts the rates.
local changes = require("unentropy.changes")
local statistical = require("unentropy.gate.statistical")

local M = {}

M.CV = 0.02
M.WINDOW = 30
M.MEAN = 100

-- A normal variate (Box-Muller) from Lua's seeded xoshiro256** generator.
local function normal(mean, sd)
  local u1 = 1 - math.random() -- (0, 1]
  local u2 = math.random()
  return mean + sd * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
end

local function series(n, mean, sd)
  local xs = {}
  for i = 1, n do xs[i] = normal(mean, sd) end
  return xs
end

-- Fraction of trials whose gate check fails, for PR values drawn around
-- MEAN * (1 + shift). threshold: a statistical threshold object.
function M.gate_rate(trials, shift, threshold, direction)
  local sd = M.MEAN * M.CV
  local failed = 0
  for _ = 1, trials do
    local history = { values = series(M.WINDOW, M.MEAN, sd), ref = "main" }
    local pr = normal(M.MEAN * (1 + shift), sd)
    local status = statistical.check(threshold, "bench", direction or "lower-is-better", pr, history, "duration")
    if status == "fail" then failed = failed + 1 end
  end
  return failed / trials
end

-- Fractions of trials where `changes` finds the injected step within ±tol
-- builds (hit), and where it reports some change away from it (spurious).
-- The step (size `step`, e.g. 0.08) goes at a random position in the
-- middle third of a 2 x WINDOW series; step 0 measures false detections.
function M.changes_rate(trials, step, tol)
  local sd = M.MEAN * M.CV
  local n = 2 * M.WINDOW
  local hit, spurious = 0, 0
  for _ = 1, trials do
    local at = math.random(n // 3 + 1, 2 * n // 3)
    local xs = {}
    for i = 1, n do xs[i] = normal(i >= at and M.MEAN * (1 + step) or M.MEAN, sd) end
    local found = changes.detect(xs, { window = M.WINDOW })
    local got, other = false, false
    for _, c in ipairs(found) do
      if step ~= 0 and math.abs(c.index - at) <= tol then got = true else other = true end
    end
    if got then hit = hit + 1 end
    if other then spurious = spurious + 1 end
  end
  return hit / trials, spurious / trials
end

-- Runs every measurement; returns the rates keyed by name.
function M.run(opts)
  opts = opts or {}
  local trials = opts.trials or 1000
  local seed = opts.seed or 20240610
  local out = {}
  local tests = {
    { "t", { mode = "statistical" } },
    { "z", { mode = "statistical", test = "z" } },
    { "percentage", { mode = "statistical", test = "percentage" } },
    { "iqr", { mode = "statistical", test = "iqr" } },
  }
  for i, t in ipairs(tests) do
    math.randomseed(seed, i)
    out["caught_" .. t[1]] = M.gate_rate(trials, 0.10, t[2])
    math.randomseed(seed, 100 + i)
    out["false_" .. t[1]] = M.gate_rate(trials, 0, t[2])
  end
  -- Higher-is-better metrics fail on drops, not on rises.
  math.randomseed(seed, 200)
  out.caught_t_higher = M.gate_rate(trials, -0.10, { mode = "statistical" }, "higher-is-better")
  math.randomseed(seed, 201)
  out.improvement_fails_t = M.gate_rate(trials, -0.10, { mode = "statistical" })
  math.randomseed(seed, 300)
  out.step_found, out.step_spurious = M.changes_rate(trials, 0.08, 2)
  math.randomseed(seed, 301)
  local _, none = M.changes_rate(trials, 0, 2)
  out.stationary_changes = none
  return out
end

M.LINES = {
  { "caught_t", "10% regression caught (t, 0.99, default)", ">= 95%" },
  { "false_t", "stationary false failures (t, 0.99)", "<= 1%" },
  { "step_found", "8% step found within ±2 builds (changes)", ">= 90%" },
  { "caught_z", "10% regression caught (z, 0.99)" },
  { "false_z", "stationary false failures (z, 0.99)" },
  { "caught_percentage", "10% regression caught (percentage, 5%)" },
  { "false_percentage", "stationary false failures (percentage, 5%)" },
  { "caught_iqr", "10% regression caught (iqr, k = 2)" },
  { "false_iqr", "stationary false failures (iqr, k = 2)" },
  { "caught_t_higher", "10% drop caught, higher-is-better (t)" },
  { "improvement_fails_t", "10% improvement failing, lower-is-better (t)" },
  { "step_spurious", "step series with a change reported elsewhere" },
  { "stationary_changes", "stationary series with any change reported" },
}

-- As a script: print the table.
local args = { ... }
if args[1] ~= "--module" then
  local trials, seed = 1000, nil
  for i = 1, #args, 2 do
    if args[i] == "--trials" then trials = math.tointeger(tonumber(args[i + 1])) end
    if args[i] == "--seed" then seed = math.tointeger(tonumber(args[i + 1])) end
  end
  local r = M.run({ trials = trials, seed = seed })
  print(string.format("noise simulation: %d trials each, CV %g%%, window %d builds", trials, M.CV * 100, M.WINDOW))
  for _, l in ipairs(M.LINES) do
    print(string.format("  %-48s %6.1f%%  %s", l[2], r[l[1]] * 100, l[3] and ("(required " .. l[3] .. ")") or ""))
  end
end
return M
