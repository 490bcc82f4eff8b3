-- unentropy.preview: synthetic report data (report.md §7), shown by
-- `preview` without a database and by any report with fewer than 10 builds.
-- Deterministic: each series comes from a mulberry32 PRNG seeded with the
-- djb2-xor hash of the metric id (plus a Box-Muller Gaussian), so the same
-- id, name, unit and base always give the same values; the timeline is 20
-- timestamps 3 days apart ending at 00:00 UTC of "now". Pure apart from the
-- clock value passed in. Depends on unentropy.time, unentropy.json and
-- unentropy.report.stats.
local json = require("unentropy.json")
local stats = require("unentropy.report.stats")
local time = require("unentropy.time")

local M = {}

M.POINTS = 20
local DAY = 86400000
local U32 = 0xffffffff

-- djb2 with xor, on bytes, kept to 32 bits.
function M.hash(s)
  local h = 5381
  for i = 1, #s do h = (((h << 5) + h) ~ s:byte(i)) & U32 end
  return h
end

local function imul(a, b) return (a * b) & U32 end

-- mulberry32: returns a function giving floats in [0, 1).
function M.prng(seed)
  local a = seed & U32
  return function()
    a = (a + 0x6D2B79F5) & U32
    local t = imul(a ~ (a >> 15), 1 | a)
    t = ((t + imul(t ~ (t >> 7), 61 | t)) & U32) ~ t
    return ((t ~ (t >> 14)) & U32) / 4294967296
  end
end

local function gaussian(rand)
  local u1, u2 = rand(), rand()
  if u1 < 1e-12 then u1 = 1e-12 end
  return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
end

local function has(text, words)
  for _, w in ipairs(words) do
    if text:find(w, 1, true) then return true end
  end
  return false
end

local DEFAULT_BASE = { percent = 75, bytes = 200 * 1024, duration = 120, integer = 200, decimal = 5 }

-- The domain of a metric {id, name, unit}: name, default base, decimals.
function M.domain(m)
  local unit = m.unit
  local text = ((m.name or "") .. " " .. (m.id or "")):lower()
  if unit == "percent" or has(text, { "coverage" }) then return "coverage", 65, 1 end
  if unit == "bytes" then return "bundle-size", 250 * 1024, 0 end
  if unit == "duration" and has(text, { "response", "latency", "api" }) then return "latency", 0.15, 3 end
  if unit == "duration" then return "duration", 150, 2 end
  if (unit == "integer" or unit == "decimal") and has(text, { "loc", "line", "lines", "code", "source" }) then
    return "code-size", 5000, 0
  end
  if has(text, { "depend", "count", "package" }) then return "count", 100, 0 end
  if has(text, { "contributor", "user", "team", "member" }) then return "growth", 5, 0 end
  local decimals = (unit == "percent" and 1) or ((unit == "bytes" or unit == "integer") and 0) or 2
  return "default", DEFAULT_BASE[unit] or 75, decimals
end

local SHAPES = {}

function SHAPES.coverage(base, rand, i)
  local v = base - base * 0.15 * math.exp(-(i - 1) / 6) + gaussian(rand) * 0.4
  return math.max(0, math.min(100, v))
end

function SHAPES.bundle_size(base, rand, _, prev)
  local v = prev or base * 0.9
  local r = rand()
  if r < 0.3 then v = v + base * 0.04 * rand()
  elseif r < 0.4 then v = v - base * 0.03 * rand() end
  return v
end

function SHAPES.latency(base, rand)
  local v = base * (1 + 0.08 * gaussian(rand))
  if rand() < 0.1 then v = v * (1.5 + rand()) end
  return v
end

function SHAPES.duration(base, rand, _, prev)
  local v = prev or base
  if v > base * 1.3 then v = base * 1.1 end -- the previous spike is over
  v = v + 0.3 * (base - v) + 0.05 * base * gaussian(rand)
  if rand() < 0.08 then v = v * 1.4 end
  return v
end

function SHAPES.code_size(base, rand, i)
  return base * 0.9 + (i - 1) * base * 0.006 + gaussian(rand) * base * 0.003
end

function SHAPES.count(base, rand, i)
  return base * 0.95 + ((i - 1) // 3) * base * 0.01 + (rand() < 0.2 and 1 or 0)
end

function SHAPES.growth(base, rand, _, prev)
  local v = prev or base
  if rand() < 0.2 then v = v + math.max(1, base * 0.1) end
  return v
end

function SHAPES.default(base, rand, _, prev)
  return (prev or base) + gaussian(rand) * base * 0.02
end

local NON_NEGATIVE = { bytes = true, duration = true, integer = true }

local function round(v, decimals)
  local p = 10 ^ decimals
  local r = math.floor(v * p + 0.5) / p
  if decimals == 0 then r = math.floor(r) end
  return r
end

-- The synthetic series of metric {id, name, unit}: M.POINTS numbers. base
-- (optional) replaces the domain's default base.
function M.series(m, base)
  local domain, default, decimals = M.domain(m)
  base = base or default
  local rand = M.prng(M.hash(m.id or ""))
  local shape = SHAPES[domain:gsub("-", "_")]
  local clamp = domain ~= "default" or NON_NEGATIVE[m.unit]
  local out, prev = {}, nil
  for i = 1, M.POINTS do
    local v = shape(base, rand, i, prev)
    if clamp and v < 0 then v = 0 end
    prev = v
    out[i] = round(v, decimals)
  end
  return out
end

-- The preview timeline: M.POINTS ISO timestamps 3 days apart, the last at
-- 00:00 UTC of now_ms.
function M.timeline(now_ms)
  local last = (now_ms // DAY) * DAY
  local out = {}
  for i = 1, M.POINTS do out[i] = time.format_ms(last - (M.POINTS - i) * 3 * DAY) end
  return out
end

-- Preview statistics: as the real ones, but "stable" (percentage 0) when
-- the change is under 1%.
function M.stats(values)
  local s = stats.compute(values, #values, 1)
  if s.trendDirection == "stable" then s.trendPercent = 0 end
  return s
end

-- The preview part of the report data (report.md §3). metrics: the config
-- metrics in order; real: {line = {id -> values}, bar = {id -> {labels,
-- counts}}, builds = n} (nil for synthetic only); now_ms: "now".
-- Returns {previewTimeline, previewLineCharts, previewBarCharts,
-- previewStats} with json arrays/objects ready to encode.
function M.data(metrics, real, now_ms)
  local line, bar = json.array(), json.array()
  local pstats = json.object()
  for _, m in ipairs(metrics) do
    if m.type == "label" then
      local labels, counts
      local r = real and real.bar[m.id]
      if r and real.builds > 0 then
        labels, counts = r.labels, r.counts
      else
        labels, counts = json.array({ "stage-a", "stage-b", "stage-c" }), json.array({ 4, 2, 1 })
      end
      bar[#bar + 1] = json.object({ { "id", m.id .. "-preview" }, { "name", m.name },
        { "unit", m.unit or json.null }, { "labels", labels }, { "counts", counts } })
    else
      local base
      local r = real and real.line[m.id]
      if r then
        local s = stats.compute(r, real.builds)
        base = s.average
      end
      local values = M.series(m, base)
      line[#line + 1] = json.object({ { "id", m.id .. "-preview" }, { "name", m.name },
        { "unit", m.unit or json.null }, { "direction", m.direction or "higher-is-better" },
        { "values", json.array(values) } })
      local s = M.stats(values)
      pstats[m.id] = json.object({ { "latest", s.latest }, { "min", s.min }, { "max", s.max },
        { "average", s.average }, { "trendDirection", s.trendDirection or json.null },
        { "trendPercent", s.trendPercent or json.null } })
    end
  end
  return {
    previewTimeline = json.array(M.timeline(now_ms)),
    previewLineCharts = line,
    previewBarCharts = bar,
    previewStats = pstats,
  }
end

return M
