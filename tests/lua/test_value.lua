-- Value parsing: JavaScript parseFloat rules and labels (collection.md §3).
local T = require("t")
local value = require("unentropy.value")

local numeric = {
  { "87.5%", 87.5 }, { "12abc", 12 }, { "-3.2e2 ms", -320 }, { ".5", 0.5 }, { "5.", 5 },
  { "1e", 1 }, { "1e+", 1 }, { "+Infinity", math.huge }, { "-Infinity", -math.huge },
  { "0x1A", 0 }, { "1,234", 1 }, { "  42  \n", 42 }, { "\n\n  7 apples\n8", 7 },
  { "\194\16012.5\194\160", 12.5 }, { "\239\187\19199", 99 }, { "1e3", 1000 }, { "-0", -0.0 },
  { "Infinityx", math.huge }, { "3.e2", 300 },
}
for _, c in ipairs(numeric) do
  T.test("numeric " .. string.format("%q", c[1]), function()
    local v, err = value.parse(c[1], "numeric")
    T.eq(v, c[2], err)
    T.eq(math.type(v), "float")
  end)
end

for _, bad in ipairs({ "infinity", "inf", "NaN", "$5", ".", "-.e3", "abc" }) do
  T.test("numeric failure " .. bad, function()
    local v, err = value.parse(bad, "numeric")
    T.eq(v, nil)
    T.eq(err, "Failed to parse numeric value from output: " .. bad)
  end)
end

T.test("empty output", function()
  local v, err = value.parse("  \n\t\n", "numeric")
  T.eq(v, nil)
  T.eq(err, "Output is empty")
end)

T.test("labels are trimmed first lines", function()
  T.eq(value.parse("  main-branch  \nother", "label"), "main-branch")
end)

T.test("label limit counts code points", function()
  T.eq(value.parse(string.rep("é", 256), "label"), string.rep("é", 256))
  local v, err = value.parse(string.rep("a", 257), "label")
  T.eq(v, nil)
  T.eq(err, "Label value exceeds 256 characters (got 257)")
end)

T.test("parser results are type-checked", function()
  T.eq(value.check_parsed(3, "numeric"), 3)
  T.eq(select(2, value.check_parsed("3", "numeric")), "parser returned string, expected number")
  T.eq(select(2, value.check_parsed(0 / 0, "numeric")), "parser returned NaN")
  T.eq(value.check_parsed(2.5, "label"), "2.5")
  T.eq(select(2, value.check_parsed({}, "label")), "parser returned table, expected string")
end)
