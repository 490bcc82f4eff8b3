local T = require("t")
local time = require("unentropy.time")

T.test("epoch and known instants", function()
  T.eq(time.parse_rfc3339("1970-01-01T00:00:00Z"), 0)
  T.eq(time.parse_rfc3339("2000-03-01T00:00:00.5Z"), 951868800500)
  T.eq(time.format_ms(951868800500), "2000-03-01T00:00:00.500Z")
  T.eq(time.format_ms(-1), "1969-12-31T23:59:59.999Z")
end)

T.test("offsets normalize to UTC", function()
  T.eq(time.normalize("2024-06-01T10:00:00+02:00"), "2024-06-01T08:00:00.000Z")
  T.eq(time.normalize("2024-06-01T00:30:00.123456-01:30"), "2024-06-01T02:00:00.123Z")
  T.eq(time.normalize("2024-12-31T23:00:00-01:00"), "2025-01-01T00:00:00.000Z")
end)

T.test("invalid timestamps", function()
  for _, s in ipairs({ "2024-06-01T10:00:00", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
    "2024-06-01", "yesterday", "2024-13-01T00:00:00Z", "2024-06-01T24:00:00Z", "2024-06-01T10:00:00+2:00" }) do
    T.eq(time.parse_rfc3339(s), nil, s)
  end
  T.eq(time.normalize("2024-02-29T12:00:00Z"), "2024-02-29T12:00:00.000Z")
end)

T.test("stored forms are read leniently", function()
  T.eq(time.parse_stored("2024-06-01 08:00:00"), time.parse_rfc3339("2024-06-01T08:00:00Z"))
  T.eq(time.parse_stored("2024-06-01T08:00:00.250"), time.parse_rfc3339("2024-06-01T08:00:00.250Z"))
end)

T.test("years before 0000-03-01 and negative eras", function()
  T.eq(time.format_ms(time.parse_rfc3339("0000-01-01T00:00:00Z")), "0000-01-01T00:00:00.000Z")
  T.eq(time.days_from_civil(0, 1, 1), -719528)
  T.eq(time.days_from_civil(-1, 12, 31), -719529)
  T.eq({ time.civil_from_days(-719529) }, { -1, 12, 31 })
  T.eq({ time.civil_from_days(-719528) }, { 0, 1, 1 })
end)

T.test("round trip over many days", function()
  for days = -700000, 2900000, 997 do
    local ms = days * 86400000 + 12345
    T.eq(time.parse_rfc3339(time.format_ms(ms)), ms)
  end
end)
