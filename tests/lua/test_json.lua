-- test_json.lua: unentropy.json through its Lua API: key order (pairs, keys,
-- encode), duplicates, integers vs floats, number formatting, nested empties,
-- malformed input with exact positions, pretty output, round trips, depth
-- limits, encode errors, the ordered-object helpers, and that the LuaLS stub
-- in docs/api matches the module.
local T = require("t")
local json = require("unentropy.json")

local function order(obj)
  local ks = {}
  for k in pairs(obj) do ks[#ks + 1] = k end
  return ks
end

T.test("objects keep document key order in pairs, keys and encode", function()
  local src = '{"zeta":1,"alpha":2,"mid":{"y":1,"x":2,"10":3,"9":4},"beta":3}'
  local v = json.decode(src)
  T.eq(order(v), { "zeta", "alpha", "mid", "beta" })
  T.eq(json.keys(v), { "zeta", "alpha", "mid", "beta" })
  T.eq(order(v.mid), { "y", "x", "10", "9" })
  T.eq(json.encode(v), src)
  T.ok(json.is_object(v) and json.is_object(v.mid))
  T.eq(getmetatable(v), json.object_mt)
end)

T.test("duplicate keys keep the first position and the last value", function()
  local v = json.decode('{"a":1,"b":2,"a":3}')
  T.eq(order(v), { "a", "b" })
  T.eq(v.a, 3)
  T.eq(json.encode(v), '{"a":3,"b":2}')
  local w, dups = json.decode('{"a":1}', { duplicates = true })
  T.eq(w.a, 1)
  T.eq(dups, {})
end)

T.test("duplicates option reports path, key, line and column", function()
  local src = '{\n  "metrics": {\n    "a": {"k": 1, "k": 2},\n    "a": [0, {"x": 1,\n "x": 2}]\n  },\n  "top": 1, "top": 2\n}'
  local v, dups = json.decode(src, { duplicates = true })
  T.eq(v.metrics.a[2].x, 2)
  T.eq(dups, {
    { path = { "metrics", "a" }, key = "k", line = 3, column = 19 },
    { path = { "metrics" }, key = "a", line = 4, column = 5 },
    { path = { "metrics", "a", 1 }, key = "x", line = 5, column = 2 },
    { path = {}, key = "top", line = 7, column = 13 },
  })
  T.eq(math.type(dups[3].path[3]), "integer")
end)

T.test("decode argument and option checks raise", function()
  T.raises(function() json.decode(123) end, "string expected")
  T.raises(function() json.decode() end, "string expected")
  T.raises(function() json.decode("{}", { dups = true }) end, "unknown option 'dups'")
  T.raises(function() json.decode("{}", { duplicates = "yes" }) end, "boolean")
  T.raises(function() json.decode("{}", 5) end, "table expected")
end)

T.test("integers are exact, other numbers are floats", function()
  local v = json.decode("[9007199254740992, 9007199254740993, 9223372036854775807, -9223372036854775808]")
  T.eq(v[1], 9007199254740992)
  T.eq(v[2], 9007199254740993)
  T.ok(v[2] ~= v[1] + 0.0 + 1 or v[2] - 1 == v[1], "2^53+1 must not collapse")
  T.eq(v[2] - v[1], 1)
  T.eq(v[3], math.maxinteger)
  T.eq(v[4], math.mininteger)
  for i = 1, 4 do T.eq(math.type(v[i]), "integer") end
  T.eq(json.encode(v), "[9007199254740992,9007199254740993,9223372036854775807,-9223372036854775808]")
  local f = json.decode("[80.0, 1e2, 9223372036854775808, -0, 0.1, 1E-2, -1.5e300]")
  T.eq(math.type(f[1]), "float"); T.eq(f[1], 80.0)
  T.eq(math.type(f[2]), "float"); T.eq(f[2], 100.0)
  T.eq(math.type(f[3]), "float"); T.eq(f[3], 2.0 ^ 63)
  T.eq(math.type(f[4]), "integer"); T.eq(f[4], 0)
  T.eq(f[5], 0.1); T.eq(f[6], 0.01); T.eq(f[7], -1.5e300)
  T.eq(json.decode("1e400"), math.huge)
end)

T.test("floats encode in shortest round-trip form like JavaScript", function()
  local cases = {
    { 0.1, "0.1" }, { 1.5, "1.5" }, { 100.0, "100" }, { -0.0, "0" }, { 0.1 + 0.2, "0.30000000000000004" },
    { 1 / 3, "0.3333333333333333" }, { 1e21, "1e+21" }, { 1e20, "100000000000000000000" },
    { 1e-7, "1e-7" }, { 0.000001, "0.000001" }, { 2.0 ^ 53, "9007199254740992" },
    { 0 / 0, "null" }, { math.huge, "null" }, { -math.huge, "null" }, { 5e-324, "5e-324" },
    { 1.7976931348623157e308, "1.7976931348623157e+308" }, { -123.456, "-123.456" },
  }
  for _, c in ipairs(cases) do T.eq(json.encode(c[1]), c[2], string.format("%.17g", c[1])) end
  for _, x in ipairs({ 0.1, 2 / 3, 1e-300, 123456.789, 4.35, 0.07, 1e15 + 0.3 }) do
    T.eq(json.decode(json.encode(x)), x, "round trip " .. string.format("%.17g", x))
  end
end)

T.test("empty and nested containers stay distinct", function()
  local src = '{"o":{},"a":[],"ao":[{}],"aa":[[]],"oa":{"x":[]}}'
  local v = json.decode(src)
  T.ok(json.is_object(v.o) and not json.is_array(v.o))
  T.ok(json.is_array(v.a) and not json.is_object(v.a))
  T.ok(json.is_object(v.ao[1]) and json.is_array(v.aa[1]))
  T.eq(json.encode(v), src)
  T.eq(json.encode({}), "[]")
  T.eq(json.encode(json.object()), "{}")
  T.eq(json.encode(json.array()), "[]")
  T.eq(json.encode({ a = {}, b = json.object() }), '{"a":[],"b":{}}')
end)

T.test("scalars, strings and escapes decode", function()
  T.eq(json.decode("true"), true)
  T.eq(json.decode(" false "), false)
  T.eq(json.decode("null"), json.null)
  T.eq(json.decode('"x"'), "x")
  T.eq(json.decode('"\\"\\\\\\/\\b\\f\\n\\r\\t"'), '"\\/\b\f\n\r\t')
  T.eq(json.decode('"\\u00e9\\u20ac\\ud83d\\ude00"'), "é€😀")
  T.eq(json.decode('"a\\u0000b"'), "a\0b")
  T.eq(json.decode('"é😀"'), "é😀")
  T.eq(json.decode('\xEF\xBB\xBF{"a":1}').a, 1)
  local long = string.rep("ab\\n", 5000)
  T.eq(json.decode('"' .. long .. '"'), string.rep("ab\n", 5000))
  T.eq(json.decode('[null]')[1], json.null)
end)

T.test("json.null is a sane light userdata shared with cjson", function()
  T.eq(type(json.null), "userdata")
  T.eq(tostring(json.null), "null")
  T.eq(json.null, require("cjson").null)
  T.eq(json.encode({ json.null, 1 }), "[null,1]")
end)

T.test("malformed input returns nil, message, line, column", function()
  local cases = {
    { "", "Unexpected end of JSON input", 1, 1 },
    { "[1,}", "Unexpected token } in JSON", 1, 4 },
    { '{"a":1,}', "Unexpected token } in JSON", 1, 8 },
    { '{\n  "a": 1\n  "b": 2\n}', "Unexpected string in JSON", 3, 3 },
    { '{\n  "é": [1 2]}', "Unexpected number in JSON", 2, 11 },
    { '{"a": 1} x', "Unexpected non-whitespace character after JSON", 1, 10 },
    { '"abc', "Unterminated string in JSON", 1, 1 },
    { '["a\nb"]', "Bad control character in string literal in JSON", 1, 4 },
    { '"\\q"', "Bad escaped character in JSON", 1, 2 },
    { '"\\ud800x"', "Lone surrogate in string in JSON", 1, 2 },
    { '"ok \xff"', "Invalid UTF-8 in JSON", 1, 5 },
    { "01", "Unexpected number in JSON", 1, 2 },
    { "+1", "Unexpected token + in JSON", 1, 1 },
    { ".5", "Unexpected token . in JSON", 1, 1 },
    { "NaN", "Unexpected token N in JSON", 1, 1 },
    { "-Infinity", "No number after minus sign in JSON", 1, 2 },
    { "0x1F", "Unexpected non-whitespace character after JSON", 1, 2 },
    { "1.", "Unterminated fractional number in JSON", 1, 3 },
    { "1e+", "Exponent part is missing a number in JSON", 1, 4 },
    { "[tru", "Unexpected end of JSON input", 1, 5 },
    { "{'a':1}", "Unexpected token ' in JSON", 1, 2 },
    { "[1]\r\n\r\n  ]", "Unexpected non-whitespace character after JSON", 3, 3 },
    { "\xEF\xBB\xBF  }", "Unexpected token } in JSON", 1, 3 },
  }
  for _, c in ipairs(cases) do
    local v, msg, line, col = json.decode(c[1])
    T.eq(v, nil, c[1])
    T.eq(msg, string.format("%s at line %d, column %d", c[2], c[3], c[4]), c[1])
    T.eq({ line, col }, { c[3], c[4] }, c[1])
    T.eq(math.type(line), "integer")
  end
end)

T.test("nesting deeper than 1000 is an error, not a crash", function()
  local ok = json.decode(string.rep("[", 1000) .. string.rep("]", 1000))
  T.ok(json.is_array(ok))
  local v, msg, line, col = json.decode(string.rep("[", 1001) .. string.rep("]", 1001))
  T.eq(v, nil)
  T.eq(msg, "Nesting deeper than 1000 levels in JSON at line 1, column 1001")
  T.eq({ line, col }, { 1, 1001 })
  T.eq(json.decode(string.rep('{"a":', 100000)), nil)
  local deep = {}
  local cur = deep
  for _ = 1, 1000 do cur[1] = {}; cur = cur[1] end
  T.raises(function() json.encode(deep) end, "nested deeper than 1000 levels")
end)

T.test("pretty output matches JSON.stringify(v, null, 2)", function()
  local v = json.decode('{"b":[1,{"c":[]},{}],"a":"x","n":null,"o":{"k":true,"f":0.5}}')
  T.eq(json.encode(v, { pretty = true }), table.concat({
    "{",
    '  "b": [',
    "    1,",
    "    {",
    '      "c": []',
    "    },",
    "    {}",
    "  ],",
    '  "a": "x",',
    '  "n": null,',
    '  "o": {',
    '    "k": true,',
    '    "f": 0.5',
    "  }",
    "}",
  }, "\n"))
  T.eq(json.encode({}, { pretty = true }), "[]")
  T.eq(json.encode(json.object(), { pretty = true }), "{}")
  T.eq(json.encode(5, { pretty = true }), "5")
  T.eq(json.encode({ 1, 2 }, { pretty = false }), "[1,2]")
  T.eq(json.encode({ "a" }, { pretty = true }), '[\n  "a"\n]')
end)

T.test("decode, encode, decode round trips", function()
  local src = [==[
{"name":"unentropy","version":3,"ratio":0.125,"neg":-42,"big":12345678901234567,
 "list":[1,2.5,"three",null,true,false,[],{},{"deep":[[[{"x":"y"}]]]}],
 "text":"tab\there \"quoted\" back\\slash \u0001 é 😀 \u2028",
 "nested":{"z":{"b":1,"a":2},"y":[{"k":"v"}]}}]==]
  local a = json.decode(src)
  local once = json.encode(a)
  local b = json.decode(once)
  T.eq(b, a)
  T.eq(json.encode(b), once)
  T.eq(json.encode(b, { pretty = true }), json.encode(a, { pretty = true }))
  T.eq(json.decode(json.encode(a, { pretty = true })), a)
  T.eq(b.text, 'tab\there "quoted" back\\slash \1 é 😀 \u{2028}')
  T.eq(json.encode("tab\t\"q\"\\\1\31\127é"), '"tab\\t\\"q\\"\\\\\\u0001\\u001f\127é"')
  T.eq(json.keys(b.nested.z), { "b", "a" })
end)

T.test("plain tables: sequences are arrays, others objects with sorted keys", function()
  T.eq(json.encode({ 1, "two", 3.5 }), '[1,"two",3.5]')
  T.eq(json.encode({ b = 1, a = 2, [10] = 3, [9] = 4, B = 5 }), '{"10":3,"9":4,"B":5,"a":2,"b":1}')
  T.eq(json.encode({ [1] = "a", [3] = "c" }), '{"1":"a","3":"c"}')
  T.eq(json.encode({ [2] = "b" }), '{"2":"b"}')
  T.eq(json.encode({ 1, 2, x = 3 }), '{"1":1,"2":2,"x":3}')
  T.eq(json.keys({ b = 1, a = 2, [3] = 0 }), { 3, "a", "b" })
  T.eq(json.encode(setmetatable({ b = 1, a = 2 }, { __index = {} })), '{"a":2,"b":1}')
  T.eq(json.encode(json.array({ 1, 2 })), "[1,2]")
end)

T.test("encode raises clear errors for unencodable values", function()
  T.raises(function() json.encode(print) end, "json: cannot encode a function value")
  T.raises(function() json.encode({ a = { b = { 1, print } } }) end,
    "json: cannot encode a function value at a.b[1]")
  T.raises(function() json.encode({ ["a b"] = io.stdout }) end,
    'json: cannot encode a userdata value at ["a b"]')
  T.raises(function() json.encode(coroutine.create(print)) end, "cannot encode a thread value")
  local cyc = { x = {} }
  cyc.x.back = cyc
  T.raises(function() json.encode(cyc) end, "json: cannot encode a table that contains itself at x.back")
  T.raises(function() json.encode({ [true] = 1 }) end, "cannot encode a table with a key of type boolean")
  T.raises(function() json.encode({ [1.5] = 1 }) end, "cannot encode a table with a non-integer number key")
  T.raises(function() json.encode({ [1] = 1, ["1"] = 2, x = 3 }) end, "cannot encode a table with both an integer key and a string key \"1\"")
  T.raises(function() json.encode({ s = "bad \xff" }) end, "json: invalid UTF-8 in string (byte 5) at s")
  T.raises(function() json.encode({ ["\xff"] = 1 }) end, "invalid UTF-8")
  T.raises(function() json.encode(1, { indent = 2 }) end, "unknown option 'indent'")
  T.raises(function() json.encode(1, { pretty = 1 }) end, "boolean")
  T.raises(function() json.encode() end, "value expected")
  T.eq(json.encode(nil), "null")
  -- a failed encode leaves nothing behind and the module keeps working
  for _ = 1, 100 do pcall(json.encode, { string.rep("x", 1000), print }) end
  collectgarbage()
  T.eq(json.encode({ 1 }), "[1]")
end)

T.test("ordered objects: assignment appends, nil removes, re-adding moves to the end", function()
  local o = json.decode('{"a":1,"b":2,"c":3}')
  o.d = 4
  T.eq(order(o), { "a", "b", "c", "d" })
  o.b = nil
  T.eq(order(o), { "a", "c", "d" })
  T.eq(json.keys(o), { "a", "c", "d" })
  T.eq(json.encode(o), '{"a":1,"c":3,"d":4}')
  o.a = 10 -- existing key: position kept
  o.b = 20 -- deleted key comes back at the end
  T.eq(order(o), { "a", "c", "d", "b" })
  T.eq(json.encode(o), '{"a":10,"c":3,"d":4,"b":20}')
  o.b = nil; o.b = 30; o.a = nil; o.a = 40
  T.eq(json.keys(o), { "c", "d", "b", "a" })
  local n = 0
  for _, v in pairs(o) do n = n + v end
  T.eq(n, 3 + 4 + 30 + 40)
  T.raises(function() o[nil] = 1 end, "index is nil")
  T.eq(json.keys(o), { "c", "d", "b", "a" })
end)

T.test("json.object, json.array, is_object, is_array", function()
  local o = json.object({ { "z", 1 }, { "a", json.null }, { "z", 3 }, { "skip", nil }, { "m", {} } })
  T.eq(json.keys(o), { "z", "a", "m" })
  T.eq(json.encode(o), '{"z":3,"a":null,"m":[]}')
  local e = json.object()
  e.second = 2; e.first = 1
  T.eq(json.encode(e), '{"second":2,"first":1}')
  T.raises(function() json.object({ { 1, 2 } }) end, "key (expected string)")
  T.raises(function() json.object({ "x" }) end, "not a {key, value} pair")
  local t = { 3, 2, 1 }
  T.eq(json.array(t), t)
  T.ok(json.is_array(t))
  T.eq(json.is_array({}), false)
  T.eq(json.is_object({}), false)
  T.eq(json.is_object("x"), false)
  T.eq(json.is_array(nil), false)
  -- a table given object_mt by hand orders its existing keys by byte order
  local h = setmetatable({ b = 1, a = 2 }, json.object_mt)
  T.eq(order(h), { "a", "b" })
  h.c = 3
  T.eq(json.encode(h), '{"a":2,"b":1,"c":3}')
  T.raises(function() json.keys("x") end, "table expected")
end)

T.test("decoded objects are collected with their key order", function()
  local function round()
    for i = 1, 20000 do
      local v = json.decode('{"id":' .. i .. ',"name":"n","tags":["a","b"],"m":{"x":1.5}}')
      v.extra = true
    end
    collectgarbage()
    collectgarbage()
    return collectgarbage("count")
  end
  local first = round() -- warms up the side table's size
  local second = round()
  T.ok(second - first < 256, string.format("memory grew by %.0f KiB", second - first))
end)

T.test("docs/api stub documents exactly the module's fields", function()
  local f = assert(io.open("docs/api/unentropy.json.lua", "r"))
  local text = f:read("a")
  f:close()
  local documented = {}
  for name in text:gmatch("\nfunction json%.([%w_]+)%(") do documented[name] = "function" end
  for name in text:gmatch("\njson%.([%w_]+)%s*=") do documented[name] = documented[name] or "field" end
  local actual = {}
  for k, v in pairs(json) do actual[k] = type(v) == "function" and "function" or "field" end
  T.eq(documented, actual)
end)

T.test("mutated documents never raise; what decodes re-encodes stably", function()
  local base = '{"a":[1,-2.5e3,"x\\u00e9\\ud83d\\ude00",null,true,false,{},[]],"b":{"c":"d\\n","e":0.1},"é":9007199254740993}'
  local alphabet = '{}[],:"\\-+.0123456789eEtrufalsn \n\t\xc3\xa9\xff\x00u'
  math.randomseed(12345)
  local decoded = 0
  for _ = 1, 3000 do
    local s = base
    for _ = 1, math.random(1, 4) do
      local pos = math.random(1, #s)
      local r = math.random(3)
      if r == 1 then
        s = s:sub(1, pos - 1) .. s:sub(pos + 1)
      else
        local k = math.random(#alphabet)
        s = s:sub(1, pos - 1) .. alphabet:sub(k, k) .. s:sub(r == 2 and pos or pos + 1)
      end
    end
    local ok, v, msg, line, col = pcall(json.decode, s)
    T.ok(ok, "decode raised on " .. string.format("%q", s))
    if v == nil then
      T.ok(type(msg) == "string" and math.type(line) == "integer" and math.type(col) == "integer", s)
      T.contains(msg, string.format(" at line %d, column %d", line, col))
    else
      decoded = decoded + 1
      local once = json.encode(v)
      T.eq(json.encode(json.decode(once)), once, s)
    end
  end
  T.ok(decoded > 100, "some mutations should still be valid JSON")
end)
