-- The XML coverage collectors (cobertura, clover, jacoco) and unentropy.xml,
-- plus every case of tests/fixtures/coverage/expected.json (reports written
-- by the real tools) for all five coverage collectors.
local T = require("t")
local cjson = require("cjson")
local collectors = require("unentropy.collectors")
local xml = require("unentropy.xml")

local FIX = "tests/fixtures/coverage"

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
  return path
end

local function run(name, args, env) return collectors.run({ name, table.unpack(args) }, env or { base_dir = "." }) end

T.test("real tools' reports: every expected.json case and kind, to 0.01", function()
  local f = assert(io.open(FIX .. "/expected.json", "rb"))
  local e = cjson.decode(f:read("a"))
  f:close()
  local n = 0
  for _, c in ipairs(e.cases) do
    for _, kind in ipairs({ "line", "branch", "function" }) do
      local spec = c[kind] and c[kind].spec
      if spec then
        n = n + 1
        local args = { table.unpack(c.files) }
        args[#args + 1] = "--type=" .. kind
        local v, err = run(c.collector, args, { base_dir = FIX })
        local what = c.name .. " " .. kind
        if spec.error then
          T.eq(err, spec.error, what)
        else
          T.ok(v, what .. ": " .. tostring(err))
          T.ok(math.abs(v - spec.percent) <= 0.01, string.format("%s: %s vs %s", what, v, spec.percent))
        end
      end
    end
  end
  T.ok(n >= 100, "cases checked: " .. n)
end)

T.test("fixture runs merge to the tools' merged figures", function()
  local env = { base_dir = FIX }
  local function same(name, parts, merged, kind)
    local a = run(name, { parts[1], parts[2], "-t", kind }, env)
    local b = run(name, { merged, "-t", kind }, env)
    T.ok(a and b and math.abs(a - b) < 1e-9, string.format("%s %s: %s vs %s", merged, kind, a, b))
  end
  same("coverage-lcov", { "lcov/c-one.info", "lcov/c-two.info" }, "lcov/c-merged.info", "line")
  same("coverage-lcov", { "lcov/c-one.info", "lcov/c-two.info" }, "lcov/c-merged.info", "branch")
  same("coverage-cobertura", { "cobertura/gcovr-one.xml", "cobertura/gcovr-two.xml" }, "cobertura/gcovr-merged.xml",
    "line")
  same("coverage-jacoco", { "jacoco/one.xml", "jacoco/two.xml" }, "jacoco/merged.xml", "line")
end)

T.test("sources filter XML entries by their file names", function()
  -- nyc writes absolute paths: relative to the project they are lib/...
  local fix = require("unentropy.fs").realpath(FIX)
  local env = { base_dir = "/tmp/unentropy-coverage-fixtures/js", sources = { "lib/cart.js" } }
  local all = run("coverage-clover", { fix .. "/clover/nyc-one.xml" })
  local cart = run("coverage-clover", { fix .. "/clover/nyc-one.xml" }, env)
  T.eq(cart, 9 / 11 * 100)
  T.ok(all ~= cart)
  T.eq(run("coverage-jacoco", { FIX .. "/jacoco/one.xml" }, { base_dir = ".", sources = { "nothing/**" } }), 0)
  local shop = run("coverage-jacoco", { FIX .. "/jacoco/one.xml" }, { base_dir = ".", sources = { "com/acme/shop/**" } })
  T.ok(shop > 0 and shop <= 100)
end)

local COB = [[<?xml version="1.0"?>
<coverage lines-valid="4" lines-covered="3" line-rate="0.1" branches-covered="1" branches-valid="4">
  <packages><package name="p"><classes>
    <class name="A" filename="src/a.py">
      <methods>
        <method name="f" signature="()" line-rate="1.0"><lines><line number="99" hits="1"/></lines></method>
        <method name="g" signature="()" line-rate="0"/>
      </methods>
      <lines>
        <line number="1" hits="1"/>
        <line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/>
        <line number="3" hits="2"/>
        <line number="x" hits="2"/>
      </lines>
    </class>
    <class name="B" filename="test/b.py">
      <lines><line number="1" hits="3" branch="true" condition-coverage="100% (2/2)"/></lines>
    </class>
  </classes></package></packages>
</coverage>]]

T.test("cobertura: class-level lines, branches from roots or condition-coverage, methods", function()
  local d = T.tmpdir()
  write(d .. "/c.xml", COB)
  write(d .. "/c2.xml", (COB:gsub('number="2" hits="0"', 'number="2" hits="5"'):gsub('line%-rate="0"/>',
    'line-rate="0.5"/>')))
  local env = { base_dir = d }
  T.eq(run("coverage-cobertura", { "c.xml" }, env), 75, "line-rate is never used; method lines are not lines")
  T.eq(run("coverage-cobertura", { "c.xml", "c2.xml" }, env), 100)
  T.eq(run("coverage-cobertura", { "c.xml", "-t", "branch" }, env), 25, "root attributes")
  T.eq(run("coverage-cobertura", { "c.xml", "c2.xml", "-t", "branch" }, env), 25, "summed")
  local src = { base_dir = d, sources = { "src/**" } }
  T.eq(run("coverage-cobertura", { "c.xml", "-t", "branch" }, src), 50, "condition-coverage of kept classes")
  T.eq(run("coverage-cobertura", { "c.xml" }, src), 2 / 3 * 100)
  T.eq(run("coverage-cobertura", { "c.xml", "-t", "function" }, env), 50)
  T.eq(run("coverage-cobertura", { "c.xml", "c2.xml", "-t", "function" }, env), 100, "maximum line-rate")
end)

T.test("cobertura: gcovr function roots, errors", function()
  local d = T.tmpdir()
  local env = { base_dir = d }
  write(d .. "/g.xml", '<coverage lines-valid="1" lines-covered="1" functions-valid="4" functions-covered="3">' ..
    '<packages/></coverage>')
  write(d .. "/nom.xml", '<coverage lines-valid="1" lines-covered="1"><packages/></coverage>')
  write(d .. "/noattr.xml", '<coverage branches-valid="2"/>')
  write(d .. "/badattr.xml", '<coverage lines-valid="1" lines-covered="1" branches-covered="many"/>')
  write(d .. "/broken.xml", '<coverage>\n<packages>\n</package>\n')
  write(d .. "/garbage.xml", "\0\1\2\3garbage")
  write(d .. "/empty.xml", "")
  write(d .. "/other.xml", "<report/>")
  T.eq(run("coverage-cobertura", { "g.xml", "-t", "function" }, env), 75)
  local function fails(args, msg)
    local v, err = run("coverage-cobertura", args, env)
    T.eq(v, nil)
    T.eq(err, msg)
  end
  fails({ "nom.xml", "-t", "function" }, "No function coverage data found in any report")
  fails({ "noattr.xml", "-t", "branch" }, "Missing lines-covered/lines-valid attributes in: noattr.xml")
  fails({ "badattr.xml", "-t", "branch" }, "Invalid branches-covered in: badattr.xml")
  fails({ "broken.xml" }, "Failed to parse Cobertura XML: broken.xml (line 3, column 3: mismatched tag)")
  fails({ "garbage.xml" }, "Failed to parse Cobertura XML: garbage.xml (line 1, column 1: not well-formed (invalid token))")
  fails({ "empty.xml" }, "Failed to parse Cobertura XML: empty.xml (line 1, column 1: no element found)")
  fails({ "other.xml" }, "Missing coverage element in: other.xml")
  fails({ "missing.xml" }, "File not found: missing.xml")
  fails({ "." }, "Path is a directory, expected a file: .")
  fails({}, "At least one source path is required")
  fails({ "*.cob" }, "No files matched glob pattern: *.cob")
end)

local CLOVER = [[<coverage><project>
  <metrics statements="100" coveredstatements="1" conditionals="100" coveredconditionals="1" methods="9" coveredmethods="9"/>
  <package name="App"><package name="App\Sub">
    <file name="A.php" path="src/A.php">
      <metrics conditionals="4" coveredconditionals="1" methods="2" coveredmethods="1"/>
      <line num="1" type="method" count="5"/>
      <line num="2" type="stmt" count="1"/>
      <line num="3" type="stmt" count="0"/>
      <line num="4" type="cond" truecount="1" falsecount="0"/>
    </file>
  </package></package>
  <file name="b.js">
    <metrics conditionals="0" coveredconditionals="0" methods="2" coveredmethods="2"/>
    <line num="1" type="cond" count="0" truecount="1" falsecount="1"/>
  </file>
</project></coverage>]]

T.test("clover: files at any depth, stmt and cond lines, file-level metrics", function()
  local d = T.tmpdir()
  write(d .. "/c.xml", CLOVER)
  write(d .. "/c2.xml", (CLOVER:gsub('num="3" type="stmt" count="0"', 'num="3" type="stmt" count="2"')))
  local env = { base_dir = d }
  T.eq(run("coverage-clover", { "c.xml" }, env), 50, "method lines are not lines; cond count wins")
  T.eq(run("coverage-clover", { "c.xml", "c2.xml" }, env), 75)
  T.eq(run("coverage-clover", { "c.xml", "-t", "branch" }, env), 25, "project metrics ignored")
  T.eq(run("coverage-clover", { "c.xml", "-t", "function" }, env), 75)
  T.eq(run("coverage-clover", { "c.xml" }, { base_dir = d, sources = { "src/**" } }), 2 / 3 * 100, "keyed by path")
  write(d .. "/noproj.xml", "<coverage><file name='x'/></coverage>")
  local v, err = run("coverage-clover", { "noproj.xml" }, env)
  T.eq({ v, err }, { nil, "Missing project element in: noproj.xml" })
  write(d .. "/bad.xml", "<coverage><project>")
  v, err = run("coverage-clover", { "bad.xml" }, env)
  T.eq(err, "Failed to parse Clover XML: bad.xml (line 1, column 20: no element found)")
end)

local JACOCO = [[<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="r"><group name="g"><package name="com/a">
  <class name="com/a/Foo" sourcefilename="Foo.java">
    <method name="f" desc="()V" line="3"><counter type="LINE" missed="0" covered="2"/><counter type="METHOD" missed="0" covered="1"/></method>
    <method name="g" desc="()V" line="9"><counter type="METHOD" missed="1" covered="0"/></method>
  </class>
  <sourcefile name="Foo.java">
    <line nr="3" mi="0" ci="2" mb="1" cb="1"/>
    <line nr="4" mi="1" ci="0" mb="2" cb="0"/>
    <line nr="5" mi="0" ci="0" mb="0" cb="0"/>
  </sourcefile>
</package></group>
<package name=""><sourcefile name="Top.java"><line nr="1" mi="0" ci="1" mb="0" cb="0"/></sourcefile></package>
</report>]]

T.test("jacoco: lines, branch maxima per line, methods, groups, default package", function()
  local d = T.tmpdir()
  write(d .. "/j.xml", JACOCO)
  write(d .. "/j2.xml", (JACOCO:gsub('nr="4" mi="1" ci="0" mb="2" cb="0"', 'nr="4" mi="0" ci="1" mb="1" cb="1"')
    :gsub('missed="1" covered="0"', 'missed="0" covered="1"')))
  local env = { base_dir = d }
  T.eq(run("coverage-jacoco", { "j.xml" }, env), 2 / 3 * 100)
  T.eq(run("coverage-jacoco", { "j.xml", "j2.xml" }, env), 100)
  T.eq(run("coverage-jacoco", { "j.xml", "-t", "branch" }, env), 25)
  T.eq(run("coverage-jacoco", { "j.xml", "j2.xml", "-t", "branch" }, env), 2 / 4 * 100, "max cb, max mb+cb")
  T.eq(run("coverage-jacoco", { "j.xml", "-t", "function" }, env), 50)
  T.eq(run("coverage-jacoco", { "j.xml", "j2.xml", "-t", "function" }, env), 100)
  T.eq(run("coverage-jacoco", { "j.xml" }, { base_dir = d, sources = { "com/a/Foo.java" } }), 50)
  T.eq(run("coverage-jacoco", { "j.xml" }, { base_dir = d, sources = { "Top.java" } }), 100)
  write(d .. "/nm.xml", '<report name="x"><package name="p"/></report>')
  local v, err = run("coverage-jacoco", { "nm.xml", "-t", "function" }, env)
  T.eq(err, "No function coverage data found in any report")
  v, err = run("coverage-jacoco", { "j.xml", "nm.xml", "-t", "function" }, env)
  T.eq(v, 50)
  write(d .. "/cob.xml", "<coverage/>")
  v, err = run("coverage-jacoco", { "cob.xml" }, env)
  T.eq(err, "Missing report element in: cob.xml")
end)

T.test("xml.scan: paths with * and **, ends, ints, attribute subsets", function()
  local d = T.tmpdir()
  write(d .. "/t.xml", '<a><b n="1" s=" 12x"><c/><b n="2"><c k="v"/></b></b><d><b n="3"/></d></a>')
  local seen = {}
  local ok = xml.scan(d .. "/t.xml", {
    { path = "a/**/b", attrs = { "n:int", "s:int", "s" }, start = function(n, s, raw)
      seen[#seen + 1] = string.format("b%d:%s:%s", n, tostring(s), tostring(raw))
    end, stop = function() seen[#seen + 1] = "/b" end },
    { path = "a/*/c", attrs = { "k" }, start = function(k) seen[#seen + 1] = "c:" .. tostring(k) end },
  })
  T.eq(ok, true)
  T.eq(seen, { "b1:12: 12x", "c:nil", "b2:nil:nil", "/b", "/b", "b3:nil:nil", "/b" })
end)

T.test("xml.scan: errors are returned, callback errors raised, entities refused", function()
  local d = T.tmpdir()
  local rules = { { path = "a", start = function() end } }
  local ok, msg, code, line, col = xml.scan(d .. "/none.xml", rules)
  T.eq({ ok, code }, { nil, 2 })
  T.contains(msg, "No such file or directory")
  write(d .. "/bad.xml", "<a>\n  <b>\n</a>")
  ok, msg, code, line, col = xml.scan(d .. "/bad.xml", rules)
  T.eq({ ok, code, line, col }, { nil, "syntax", 3, 3 })
  write(d .. "/bomb.xml", '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;">]><a>&y;</a>')
  ok, msg, code = xml.scan(d .. "/bomb.xml", rules)
  T.eq({ ok, code }, { nil, "syntax" })
  T.contains(msg, "entity declarations are not allowed")
  write(d .. "/ok.xml", "<a><a/></a>")
  T.raises(function()
    xml.scan(d .. "/ok.xml", { { path = "a", start = function() error("boom") end } })
  end, "boom")
  T.raises(function() xml.scan(d .. "/ok.xml", { { path = "a", bogus = 1 } }) end, "unknown rule field")
  T.raises(function() xml.scan(d .. "/ok.xml", {}) end, "1 to 16 rules")
end)

T.test("docs/collectors.md: the OpenCover example collector runs as written", function()
  local f = assert(io.open((os.getenv("SRC") or ".") .. "/docs/collectors.md", "rb"))
  local doc = f:read("a")
  f:close()
  local code = doc:match("```lua\n(%-%- tools/coverage%-opencover%.lua.-)```")
  T.ok(code, "example found")
  local d = T.tmpdir()
  write(d .. "/coverage-opencover.lua", code)
  local report = [[<?xml version="1.0" encoding="utf-8"?>
<CoverageSession><Modules><Module>
  <Files><File uid="1" fullPath="/src/A.cs"/><File uid="2" fullPath="/src/B.cs"/></Files>
  <Classes><Class><Methods><Method><SequencePoints>
    <SequencePoint vc="2" sl="10" fileid="1"/><SequencePoint vc="0" sl="11" fileid="1"/>
    <SequencePoint vc="1" sl="3" fileid="2"/><SequencePoint vc="0" sl="10" fileid="1"/>
  </SequencePoints></Method></Methods></Class></Classes>
</Module></Modules></CoverageSession>]]
  write(d .. "/a.xml", report)
  write(d .. "/b.xml", (report:gsub('vc="0" sl="11"', 'vc="4" sl="11"')))
  local r = T.unentropy({ "run", d .. "/coverage-opencover.lua", d .. "/a.xml" })
  T.eq({ r.status, r.stdout }, { 0, "66.66666666666666\n" })
  r = T.unentropy({ "run", d .. "/coverage-opencover.lua", d .. "/a.xml", d .. "/b.xml" })
  T.eq(r.stdout, "100\n")
  write(d .. "/bad.xml", "<CoverageSession>")
  r = T.unentropy({ "run", d .. "/coverage-opencover.lua", d .. "/bad.xml" })
  T.eq(r.status, 1)
  T.contains(r.stderr, "Error: Failed to read " .. d .. "/bad.xml: xml: cannot parse")
end)
