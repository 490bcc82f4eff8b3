-- coverage-lcov and coverage-go: the spec's worked example, merging across
-- records, test names and files, summary fallbacks, truncated records,
-- lcov 2.x lines, `sources` filtering, the threaded scan, bad input.
local T = require("t")
local collectors = require("unentropy.collectors")
local covdata = require("unentropy.covdata")
local linescan = require("unentropy.linescan")
local lcov = require("unentropy.collectors.coverage-lcov")

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
  return path
end

local function run(name, args, env) return collectors.run({ name, table.unpack(args) }, env or { base_dir = "." }) end

local EXAMPLE = table.concat({ "TN:", "SF:src/a.c", "DA:1,1", "DA:2,0", "DA:3,4", "DA:4,1", "DA:5,1",
  "BRDA:3,0,0,1", "BRDA:3,0,1,0", "BRDA:4,0,0,-", "BRDA:4,0,1,0", "FN:1,main", "FNDA:2,main",
  "end_of_record", "" }, "\n")

T.test("collection.md worked example: line 80, branch 25, function 100", function()
  local d = T.tmpdir()
  write(d .. "/a.info", EXAMPLE)
  local env = { base_dir = d }
  T.eq(run("coverage-lcov", { "a.info" }, env), 80)
  T.eq(run("coverage-lcov", { "a.info", "--type", "branch" }, env), 25)
  T.eq(run("coverage-lcov", { "a.info", "-t", "function" }, env), 100)
  write(d .. "/b.info", "SF:src/a.c\nDA:2,3\nend_of_record\n")
  T.eq(run("coverage-lcov", { "a.info", "b.info" }, env), 100, "a second record raises line to 100")
  T.eq(run("coverage-lcov", { "*.info" }, env), 100, "globs")
  write(d .. "/c.info", EXAMPLE .. "TN:other\nSF:src/a.c\nDA:2,3\nend_of_record\n")
  T.eq(run("coverage-lcov", { "c.info" }, env), 100, "records merged across test names")
end)

T.test("the same file twice is not counted twice", function()
  local d = T.tmpdir()
  write(d .. "/a.info", EXAMPLE .. EXAMPLE)
  T.eq(run("coverage-lcov", { d .. "/a.info" }), 80)
  T.eq(run("coverage-lcov", { d .. "/a.info", d .. "/a.info" }), 80)
end)

T.test("summary lines are a fallback per record and kind", function()
  local d = T.tmpdir()
  -- record 1 has DA lines (LF/LH ignored), record 2 only summaries
  write(d .. "/s.info", "SF:a.c\nDA:1,1\nDA:2,0\nLF:99\nLH:99\nend_of_record\n" ..
    "SF:b.c\nLF:8\nLH:6\nBRF:4\nBRH:1\nFNF:0\nFNH:0\nend_of_record\n")
  T.eq(run("coverage-lcov", { d .. "/s.info" }), 70)
  T.eq(run("coverage-lcov", { d .. "/s.info", "-t", "branch" }), 25)
  T.eq(run("coverage-lcov", { d .. "/s.info", "-t", "function", "--fallback", "42" }), 42)
end)

T.test("a record counts only with its end_of_record (truncated files)", function()
  local d = T.tmpdir()
  write(d .. "/t.info", "SF:a.c\nDA:1,1\nend_of_record\nSF:b.c\nDA:1,0\nDA:2,0\nDA:3")
  T.eq(run("coverage-lcov", { d .. "/t.info" }), 100)
  write(d .. "/u.info", "SF:a.c\nDA:1,1\nSF:b.c\nDA:1,0\nend_of_record\n")
  T.eq(run("coverage-lcov", { d .. "/u.info" }), 0, "a record cut by a new SF is dropped")
  local cov = covdata.new()
  local st = linescan.records(d .. "/t.info", lcov.RULES, cov)
  T.eq({ st.records, st.dropped }, { 1, 1 })
end)

T.test("prefixes are case-insensitive, lines trimmed, CRLF accepted", function()
  local d = T.tmpdir()
  write(d .. "/w.info", "  sf:src/a.c \r\n\tda:1,1\r\nDa:2,0\r\nEND_OF_RECORD\r\n")
  T.eq(run("coverage-lcov", { d .. "/w.info" }), 50)
end)

T.test("lcov 2.x function lines and names with commas", function()
  local d = T.tmpdir()
  write(d .. "/f.info", table.concat({ "SF:x.cpp", "FN:3,9,f(int, char)", "FN:12,g", "FNDA:4,f(int, char)",
    "FNDA:0,g", "FNL:0,20,25", "FNA:0,1,h", "BRDA:3,e0,1,2", "BRDA:3,e0,1,0", "end_of_record", "" }, "\n"))
  T.eq(run("coverage-lcov", { d .. "/f.info", "-t", "function" }), 2 / 3 * 100)
  T.eq(run("coverage-lcov", { d .. "/f.info", "-t", "branch" }), 100, "same branch key merged")
end)

T.test("sources filter the SF entries (relative, ./, absolute)", function()
  local d = T.tmpdir()
  write(d .. "/m.info", "SF:src/a.c\nDA:1,1\nend_of_record\nSF:./test/t.c\nDA:1,0\nend_of_record\n" ..
    "SF:" .. d .. "/src/b.c\nDA:1,0\nDA:2,1\nend_of_record\n")
  T.eq(run("coverage-lcov", { "m.info" }, { base_dir = d }), 50)
  T.eq(run("coverage-lcov", { "m.info" }, { base_dir = d, sources = { "src/**" } }), 2 / 3 * 100)
  T.eq(run("coverage-lcov", { "m.info" }, { base_dir = d, sources = { "test/**" } }), 0)
  T.eq(run("coverage-lcov", { "m.info", "--fallback=-1" }, { base_dir = d, sources = { "none/**" } }), -1,
    "everything filtered gives the fallback")
end)

T.test("bad input: empty, garbage, binary give the fallback; errors name the file", function()
  local d = T.tmpdir()
  write(d .. "/empty.info", "")
  write(d .. "/garbage.info", "\0\1\2\255DA:xx\nSF\n" .. string.rep("z", 3 * 1024 * 1024) .. "\nend_of_record")
  T.eq(run("coverage-lcov", { d .. "/empty.info" }), 0)
  T.eq(run("coverage-lcov", { d .. "/garbage.info", "--fallback", "5" }), 5)
  local function fails(args, msg)
    local v, err = run("coverage-lcov", args, { base_dir = d })
    T.eq(v, nil)
    T.eq(err, msg)
  end
  fails({ "missing.info" }, "File not found: missing.info")
  fails({ "*.lcov" }, "No files matched glob pattern: *.lcov")
  fails({ "." }, "Path is a directory, expected a file: .")
  fails({}, "At least one source path is required")
  fails({ "empty.info", "--type", "lines" }, 'Invalid value for --type: "lines" (choices: line, branch, function)')
  fails({ "empty.info", "--fallback" }, "Missing required argument: fallback")
  fails({ "empty.info", "--what" }, "Unknown argument: --what")
end)

T.test("large inputs are split at record ends across threads, same result", function()
  local d = T.tmpdir()
  local f = assert(io.open(d .. "/big.info", "wb"))
  local parts = {}
  for i = 1, 300 do
    parts[#parts + 1] = "SF:src/f" .. (i % 97) .. ".c\n"
    for l = 1, 200 do parts[#parts + 1] = "DA:" .. l .. "," .. ((l * i) % 3) .. "\n" end
    parts[#parts + 1] = "BRDA:5,0," .. (i % 4) .. "," .. (i % 2) .. "\nend_of_record\n"
  end
  local block = table.concat(parts)
  for _ = 1, math.ceil(20 * 1024 * 1024 / #block) do f:write(block) end
  f:close()
  local one, four = covdata.new(), covdata.new()
  local s1 = linescan.records(d .. "/big.info", lcov.RULES, one, { threads = 1 })
  local s4 = linescan.records(d .. "/big.info", lcov.RULES, four, { threads = 4 })
  T.eq(s4.records, s1.records)
  T.eq(s4.lines, s1.lines)
  for _, kind in ipairs({ "line", "branch" }) do
    T.eq({ lcov.sum(four, kind) }, { lcov.sum(one, kind) }, kind)
  end
  T.ok(one:bytes() < 4 * 1024 * 1024, "memory grows with distinct lines only")
end)

T.test("covdata: marks, entries, sums, merge, transactions", function()
  local a <close> = covdata.new()
  a:mark("x", "line", 1, true)
  a:mark("x", "line", 1, false)
  a:mark("x", "line", 100000, false)
  a:entry("x", "branch", "k", 1, 0)
  a:entry("x", "branch", "k", 1, 1)
  a:add("y", "function", 3, 2)
  local b = covdata.new()
  b:mark("x", "line", 100000, true)
  b:entry("y", "branch", "k", 2, 0)
  a:merge(b)
  T.eq(a:files(), { "x", "y" })
  T.eq({ a:totals("line") }, { { 2, 0 }, { 2, 0 } })
  T.eq({ a:totals("branch") }, { { 1, 2 }, { 1, 0 } })
  T.eq({ a:totals("function") }, { { 0, 3 }, { 0, 2 } })
  b:close()
  T.raises(function() b:files() end, "closed")
  T.raises(function() a:mark("x", "lines", 1, true) end, "invalid option")
  T.raises(function() a:merge(a) end, "itself")
end)

-- coverage-go -----------------------------------------------------------------

local PROFILE = "mode: set\nexample.com/m/a.go:3.10,5.2 2 1\nexample.com/m/a.go:7.10,9.2 3 0\n" ..
  "example.com/m/b.go:1.1,2.2 5 0\nexample.com/m/a.go:7.10,9.2 3 1\n"

T.test("coverage-go: blocks deduplicated by file and range, max count", function()
  local d = T.tmpdir()
  write(d .. "/c.out", PROFILE)
  write(d .. "/c2.out", "mode: count\r\nexample.com/m/b.go:1.1,2.2 5 7\r\n\r\n")
  T.eq(run("coverage-go", { "c.out" }, { base_dir = d }), 50)
  T.eq(run("coverage-go", { "c.out", "c2.out" }, { base_dir = d }), 100)
  T.eq(run("coverage-go", { "*.out", "--type", "line" }, { base_dir = d }), 100)
  write(d .. "/none.out", "mode: atomic\n")
  T.eq(run("coverage-go", { "none.out" }, { base_dir = d }), 0)
end)

T.test("coverage-go: sources match names without the go.mod module path", function()
  local d = T.tmpdir()
  write(d .. "/c.out", PROFILE)
  write(d .. "/go.mod", "// x\nmodule example.com/m\n\ngo 1.21\n")
  T.eq(run("coverage-go", { "c.out" }, { base_dir = d, sources = { "a.go" } }), 100)
  T.eq(run("coverage-go", { "c.out" }, { base_dir = d, sources = { "b.go" } }), 0)
end)

T.test("coverage-go errors", function()
  local d = T.tmpdir()
  write(d .. "/bad1.out", "oops\nx.go:1.1,2.2 1 1\n")
  write(d .. "/bad2.out", "mode: set\nx.go:1.1,2.2 1 1\n\nx.go:1.1,2 1 1\n")
  write(d .. "/empty.out", "")
  write(d .. "/bin.out", "mode: set\n\0\1\2\n")
  local function fails(args, msg)
    local v, err = run("coverage-go", args, { base_dir = d })
    T.eq(v, nil)
    T.eq(err, msg)
  end
  fails({ "bad1.out" }, "Missing mode line in: bad1.out")
  fails({ "bad2.out" }, "Invalid coverprofile line 4 in bad2.out")
  fails({ "empty.out" }, "Missing mode line in: empty.out")
  fails({ "bin.out" }, "Invalid coverprofile line 2 in bin.out")
  fails({ "bad1.out", "-t", "branch" }, "coverage-go supports only --type line")
  fails({ "gone.out" }, "File not found: gone.out")
end)
