-- The loc collector and unentropy.sloc: sloc 0.3.2 conformance (fixtures
-- generated with the real sloc), node's extname, the tree walk, excludes,
-- the language filter, `sources`, binary files and error messages.
local T = require("t")
local cjson = require("cjson")
local sloc = require("unentropy.sloc")
local languages = require("unentropy.collectors.languages")
local collectors = require("unentropy.collectors")

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local function mkdir(path) assert(os.execute("mkdir -p '" .. path .. "'")) end

local function loc(args, env) return collectors.run({ "loc", table.unpack(args) }, env or { base_dir = "." }) end

T.test("sloc 0.3.2 conformance: every fixture case, every count", function()
  local f = assert(io.open("tests/fixtures/sloc/cases.json", "rb"))
  local data = cjson.decode(f:read("a"))
  f:close()
  local rules = languages.rules()
  T.ok(#data.cases > 400, "fixture cases")
  for i, c in ipairs(data.cases) do
    local got = rules:count(c.code, c.ext)
    for k, v in pairs(c.r) do
      T.eq(got[k], math.tointeger(v), string.format("case %d (%s) %s", i, c.ext, k))
    end
  end
end)

T.test("sloc quirks are kept: /**/ ends detection, --]] closes Lua blocks", function()
  local rules = languages.rules()
  -- sloc's /\/\*+/ swallows "/**", so the "*/" is never found
  local r = rules:count("a\n/**/\nb\n// c\n", "c")
  T.eq(r.error, true)
  T.eq(r.source, 4)
  T.eq(rules:count("x = 1\n--[[ a\nb ]]\n--]]\ny\n", "lua").source, 2)
  T.eq(rules:count("code\n", "C").source, 1, "extension case")
end)

T.test("non-sloc files count lines with non-whitespace content", function()
  T.eq(sloc.nonempty("a\n\n  \t\nb\r\n\r\n\xC2\xA0\n"), 2)
  T.eq(sloc.nonempty(""), 0)
  T.eq(languages.rules():count("a\n\nb\n", "json").source, 2)
end)

T.test("extname follows node's path.extname", function()
  local cases = { ["a.ts"] = "ts", ["a.b.TS"] = "ts", [".bashrc"] = "", ["..foo"] = "foo", ["a."] = "",
    ["noext"] = "", ["dir.x/file"] = "", ["dir/.hidden.js"] = "js", ["..."] = "" }
  for p, e in pairs(cases) do T.eq(sloc.extname(p), e, p) end
end)

T.test("bad language rules raise", function()
  T.raises(function() sloc.rules({ syntaxes = { x = { single = "a|" } }, extensions = {} }) end,
    "empty alternative")
  T.raises(function() sloc.rules({ syntaxes = {}, extensions = { q = "missing" } }) end, "unknown syntax")
  T.raises(function() sloc.rules({ syntaxes = { x = { bogus = "a" } }, extensions = {} }) end, "unknown key")
  T.raises(function() sloc.count_files(".", {}, languages.rules(), { bogus = true }) end, "unknown option")
end)

local function tree()
  local d = T.tmpdir()
  mkdir(d .. "/src/sub")
  mkdir(d .. "/src/node_modules/pkg")
  mkdir(d .. "/.git")
  mkdir(d .. "/Build")
  write(d .. "/src/a.c", "int a; // c\n/* x\n y */\n\nint b;\n")             -- 2
  write(d .. "/src/b.py", "x = 1 # c\n# only\n\n\"\"\"doc\n\"\"\"\ny=2\n")    -- 2
  write(d .. "/src/readme.txt", "hello\n\n  \nworld\n")                       -- 2
  write(d .. "/src/sub/C.TS", "let x = 1; // c\n")                             -- 1
  write(d .. "/src/bin.dat", "a\0b\nc\n")                                      -- binary
  write(d .. "/src/node_modules/pkg/m.js", "var x;\n")                         -- excluded
  write(d .. "/.git/config", "x\n")                                            -- excluded
  write(d .. "/Build/gen.c", "int z;\n")                                       -- 1
  assert(os.execute("ln -s ../a.c '" .. d .. "/src/sub/link.c'"))
  assert(os.execute("ln -s ../src '" .. d .. "/Build/srclink'"))
  return d
end

T.test("loc walks a directory with the default excludes", function()
  local d = tree()
  T.eq(loc({ d }), 8)
  T.eq(loc({ "src" }, { base_dir = d }), 7, "relative to the base directory")
  T.eq(loc({ d .. "/src/sub" }), 1, "symlinks neither followed nor counted")
  T.eq(loc({ d, "--no-default-excludes" }), 8 + 2 + 1 + 1)
end)

T.test("loc excludes: plain names are directories (any case), globs match paths", function()
  local d = tree()
  T.eq(loc({ d, "--exclude", "build" }), 7)
  T.eq(loc({ d, "-e", "src/**" }), 1)
  T.eq(loc({ d, "-e", "**/*.py", "**/*.txt" }), 4)
  T.eq(loc({ d, "--exclude=sub", "--exclude", "BUILD" }), 6)
end)

T.test("loc --language filters by extension, case-insensitively", function()
  local d = tree()
  T.eq(loc({ d, "--language", "C" }), 3)
  T.eq(loc({ d, "-l", "TypeScript" }), 1)
  T.eq(loc({ d, "-l", "Python" }), 2)
  T.eq(loc({ d, "-l", "python" }), 4 + 5 + 2 + 1 + 1, "unknown name: every file by non-empty lines")
end)

T.test("loc with sources and no path", function()
  local d = tree()
  T.eq(loc({}, { base_dir = d, sources = { "src/**" } }), 7)
  T.eq(loc({}, { base_dir = d, sources = { "src/**", "!src/sub/**" } }), 6)
  T.eq(loc({ "-e", "**/*.py" }, { base_dir = d, sources = { "**/*.py", "**/*.c" } }), 3)
  T.eq(loc({ "Build" }, { base_dir = d, sources = { "src/**" } }), 1, "a path wins over sources")
end)

T.test("loc errors", function()
  local d = tree()
  local function fails(args, env, msg)
    local v, err = loc(args, env)
    T.eq(v, nil)
    T.eq(err, msg)
  end
  fails({ d .. "/nope" }, nil, "Directory not found: " .. d .. "/nope")
  fails({ "src/a.c" }, { base_dir = d }, "Path is not a directory: src/a.c")
  fails({}, { base_dir = d }, "Path is required when sources is not configured")
  fails({ d, "extra" }, nil, "Unknown argument: extra")
  fails({ d, "--bogus" }, nil, "Unknown argument: --bogus")
  fails({ d, "-l" }, nil, "Missing required argument: language")
end)

T.test("count_files reports unreadable files instead of failing", function()
  local d = tree()
  local total, info = sloc.count_files(d, { "src/a.c", "missing.c", "src", "src/bin.dat" }, languages.rules(),
    { per_file = true, skip_binary = true })
  T.eq(total, 2)
  T.eq(info.files, 1)
  T.eq(info.binary, 1)
  T.eq(info.counts, { 2, false, false, false })
  T.eq(#info.errors, 2)
  T.eq(info.errors[1].path, "missing.c")
  T.eq(info.errors[1].message, "No such file or directory")
  T.eq(info.errors[2].message, "Is a directory")
  local t2 = sloc.count_files(d, { "src/a.c", "src/b.py" }, languages.rules(), { only = { py = true } })
  T.eq(t2, 2)
end)

T.test("measure loc: value on stdout, unknown language warning on stderr", function()
  local d = tree()
  local r = T.unentropy({ "measure", "loc", d, "--language", "Klingon" })
  T.eq(r.status, 0)
  T.eq(r.stdout, "13\n")
  T.contains(r.stderr, 'warning: unknown language "Klingon"; counting every file by non-empty lines')
  r = T.unentropy({ "measure", "loc", d .. "/nope" })
  T.eq(r.status, 1)
  T.contains(r.stderr, "Error: Directory not found: " .. d .. "/nope\n")
end)

