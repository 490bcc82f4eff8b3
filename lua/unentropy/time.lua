-- unentropy.time: RFC 3339 timestamps. Parses "YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)"
-- to epoch milliseconds and formats epoch milliseconds as the stored UTC form
-- "YYYY-MM-DDTHH:MM:SS.sssZ" (storage.md §1). Pure integer arithmetic, no
-- dependence on the process time zone.
local M = {}

-- Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  -- Lua's // floors, so no adjustment for negative years is needed (the C
  -- original truncates and corrects by hand).
  local era = y // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local DAYS_IN_MONTH = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

-- Parses an RFC 3339 timestamp with a mandatory offset. Returns epoch ms
-- (integer) or nil.
function M.parse_rfc3339(s)
  if type(s) ~= "string" then return nil end
  local y, mo, d, h, mi, sec, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d):(%d%d)(.*)$")
  if not y then return nil end
  y, mo, d, h, mi, sec = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec)
  local frac, zone = rest:match("^%.(%d+)(.*)$")
  if not frac then zone = rest end
  local offset
  if zone == "Z" or zone == "z" then
    offset = 0
  else
    local sign, oh, om = zone:match("^([+-])(%d%d):(%d%d)$")
    if not sign then return nil end
    oh, om = tonumber(oh), tonumber(om)
    if oh > 23 or om > 59 then return nil end
    offset = (oh * 60 + om) * (sign == "-" and -1 or 1)
  end
  if mo < 1 or mo > 12 or d < 1 or d > DAYS_IN_MONTH[mo] or h > 23 or mi > 59 or sec > 60 then
    return nil
  end
  if mo == 2 and d == 29 and not (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) then return nil end
  if sec == 60 then sec = 59 end -- leap second: clamp, as JavaScript does not model them
  local ms = 0
  if frac then ms = tonumber((frac .. "00"):sub(1, 3)) end
  local days = days_from_civil(y, mo, d)
  return ((days * 24 + h) * 60 + mi - offset) * 60000 + sec * 1000 + ms
end

-- Formats epoch ms as "YYYY-MM-DDTHH:MM:SS.sssZ".
function M.format_ms(ms)
  ms = math.floor(ms)
  local days = ms // 86400000
  local rem = ms - days * 86400000
  local y, m, d = civil_from_days(days)
  return string.format("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
    rem // 3600000, rem // 60000 % 60, rem // 1000 % 60, rem % 1000)
end

-- Normalizes an RFC 3339 string to the stored form, or nil.
function M.normalize(s)
  local ms = M.parse_rfc3339(s)
  return ms and M.format_ms(ms)
end

-- Lenient parse for stored values (SQLite-style: may lack the offset, use a
-- space, or lack milliseconds; no offset means UTC). Returns ms or nil.
function M.parse_stored(s)
  local ms = M.parse_rfc3339(s)
  if ms then return ms end
  if type(s) ~= "string" then return nil end
  local base = s:match("^(%d%d%d%d%-%d%d%-%d%d[Tt ]%d%d:%d%d:%d%d%.?%d*)$")
  if base then return M.parse_rfc3339(base .. "Z") end
  local date = s:match("^(%d%d%d%d%-%d%d%-%d%d)$")
  if date then return M.parse_rfc3339(date .. "T00:00:00Z") end
  return nil
end

M.days_from_civil = days_from_civil
M.civil_from_days = civil_from_days
return M
