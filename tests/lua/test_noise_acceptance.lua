-- test_noise_acceptance.lua: the acceptance rates of issue 10 (docs/noise.md)
-- from bench/noise_sim.lua, 1,000 trials each with its fixed seed (so the
-- rates are deterministic): a 10% regression caught in >= 95% of trials, a
-- stationary series failing in <= 1%, an 8% step found by `changes` within
-- ±2 builds in >= 90%; plus direction-awareness (improvements never fail).
local T = require("t")

local sim = assert(loadfile((os.getenv("SRC") or ".") .. "/bench/noise_sim.lua"))("--module")
local r = sim.run({ trials = 1000 })

T.test("10% regression caught in at least 95% of 1,000 trials (t, default)", function()
  T.ok(r.caught_t >= 0.95, "caught " .. r.caught_t)
end)

T.test("stationary series fail in at most 1% of 1,000 trials (t, default)", function()
  T.ok(r.false_t <= 0.01, "false failures " .. r.false_t)
  T.ok(r.false_t > 0, "the check is not vacuous")
end)

T.test("changes finds an injected 8% step within ±2 builds in at least 90% of trials", function()
  T.ok(r.step_found >= 0.90, "found " .. r.step_found)
  T.ok(r.stationary_changes <= 0.05, "spurious changes on stationary series " .. r.stationary_changes)
end)

T.test("direction-aware: drops fail higher-is-better metrics, improvements never fail", function()
  T.ok(r.caught_t_higher >= 0.95, "caught " .. r.caught_t_higher)
  T.eq(r.improvement_fails_t, 0)
end)

T.test("the other tests catch the regression too", function()
  for _, k in ipairs({ "z", "percentage", "iqr" }) do
    T.ok(r["caught_" .. k] >= 0.95, k .. " caught " .. r["caught_" .. k])
    T.ok(r["false_" .. k] <= 0.02, k .. " false " .. r["false_" .. k])
  end
end)
