-- unentropy.format: unit formatting (collection.md §7), shared by test,
-- collect, the PR comment, job summaries and report stats. en-US grouping;
-- rounding to N decimals is half away from zero on the exact binary value;
-- "round" is JavaScript's Math.round (half toward +inf).
local M = {}

-- Exact decimal expansion of x (glibc prints doubles exactly; 99 digits
-- cover every value whose rounding at 2 decimals can be a tie).
local function exact(x) return string.format("%.99f", x) end

-- |x| rounded half away from zero to n decimals, as a digit string.
local function fixed_abs(x, n)
  x = math.abs(x)
  local e = exact(x)
  local int, frac = e:match("^(%d+)%.(%d+)$")
  local tail = frac:sub(n + 1)
  if tail:match("^50*$") then
    -- An exact tie: printf would round to even; step away from zero.
    local truncated = tonumber(int .. "." .. frac:sub(1, n)) or tonumber(int)
    return string.format("%." .. n .. "f", truncated + 10 ^ -n)
  end
  return string.format("%." .. n .. "f", x)
end

local function group(digits)
  local int, rest = digits:match("^(%d+)(.*)$")
  int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return int .. rest
end

local function is_zero(s) return not s:find("[1-9]") end

-- Rounds x to n decimals (half away from zero) with grouping, no minus sign
-- on a result that rounds to zero.
function M.decimals(x, n)
  local s = fixed_abs(x, n)
  local neg = x < 0 and not is_zero(s)
  return (neg and "-" or "") .. group(s)
end

-- JavaScript Math.round.
function M.js_round(x) return math.floor(x + 0.5) end

local function round_int(x)
  local r = M.js_round(x)
  if r == 0 then r = 0 end -- no -0
  return string.format("%.0f", r)
end

local function signed(x, s)
  if x < 0 and not is_zero(s) then return "-" .. s end
  return s
end

local function bytes(x)
  local a = math.abs(x)
  local scaled, suffix
  if a < 1024 then
    return signed(x, group(round_int(a))) .. " B"
  elseif a < 1024 ^ 2 then scaled, suffix = a / 1024, " KB"
  elseif a < 1024 ^ 3 then scaled, suffix = a / 1024 ^ 2, " MB"
  else scaled, suffix = a / 1024 ^ 3, " GB" end
  local s
  if scaled == math.floor(scaled) then s = group(string.format("%.0f", scaled))
  else s = group(fixed_abs(scaled, 1)) end
  return signed(x, s) .. suffix
end

local function duration(x)
  local a = math.abs(x)
  local s
  if a < 1 then s = round_int(a * 1000) .. "ms"
  elseif a < 60 then s = round_int(a) .. "s"
  elseif a < 3600 then s = string.format("%.0fm %ss", math.floor(a / 60), round_int(a % 60))
  else s = string.format("%.0fh %sm", math.floor(a / 3600), round_int((a % 3600) / 60)) end
  return signed(x, s)
end

local function plain(x)
  local s = fixed_abs(x, 2):gsub("%.?0+$", "")
  if s == "" then s = "0" end
  return signed(x, group(s))
end

-- format.value(x, unit) -> string. unit: "percent", "integer", "bytes",
-- "duration", "decimal" or nil. nil/json.null values print "N/A".
function M.value(x, unit)
  if type(x) ~= "number" then return "N/A" end
  if x ~= x then return "NaN" end
  if x == math.huge then return "∞" end
  if x == -math.huge then return "-∞" end
  if unit == "percent" then return M.decimals(x, 1) .. "%"
  elseif unit == "integer" then return signed(x, group(round_int(math.abs(x))))
  elseif unit == "bytes" then return bytes(x)
  elseif unit == "duration" then return duration(x)
  elseif unit == "decimal" then return M.decimals(x, 2)
  end
  return plain(x)
end

-- format.delta(d, unit): "+" before non-negative deltas.
function M.delta(d, unit)
  local s = M.value(d, unit)
  if type(d) == "number" and d >= 0 then return "+" .. s end
  return s
end

-- format.trend_percent(p): abs(p) with 1 decimal, then "%".
function M.trend_percent(p) return M.decimals(math.abs(p), 1) .. "%" end

-- Shortest round-trip form of a number: 1234, 33.333333333333336.
function M.number(x)
  if math.type(x) == "integer" then return tostring(x) end
  if x ~= x then return "NaN" end
  if x == math.huge then return "Infinity" end
  if x == -math.huge then return "-Infinity" end
  if x == math.floor(x) and math.abs(x) < 2 ^ 63 then return string.format("%.0f", x) end
  for p = 15, 17 do
    local s = string.format("%." .. p .. "g", x)
    if tonumber(s) == x then return s end
  end
  return string.format("%.17g", x)
end

return M
