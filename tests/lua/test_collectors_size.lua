-- The size collector: regular-file bytes, directories via lstat, symlinks
-- and directory entries 0, hard links once, globs, sources, messages.
local T = require("t")
local collectors = require("unentropy.collectors")

local function write(path, n)
  local f = assert(io.open(path, "wb"))
  f:write(string.rep("x", n))
  f:close()
end

local function sh(cmd) assert(os.execute(cmd), cmd) end

local function size(args, env) return collectors.run({ "size", table.unpack(args) }, env or { base_dir = "." }) end

local function tree()
  local d = T.tmpdir()
  sh("mkdir -p '" .. d .. "/dist/js' '" .. d .. "/other'")
  write(d .. "/dist/a.bin", 1000)
  write(d .. "/dist/js/b.js", 300)
  write(d .. "/top.txt", 7)
  write(d .. "/other/c.txt", 20)
  sh("ln '" .. d .. "/dist/a.bin' '" .. d .. "/dist/hard.bin'")
  sh("ln '" .. d .. "/dist/a.bin' '" .. d .. "/other/hard2.bin'")
  sh("ln -s a.bin '" .. d .. "/dist/sym.bin'")
  sh("ln -s ../other '" .. d .. "/dist/otherlink'")
  return d
end

T.test("size of files and directories, hard links once, symlinks 0", function()
  local d = tree()
  local env = { base_dir = d }
  T.eq(size({ "dist" }, env), 1300)
  T.eq(size({ "dist/a.bin" }, env), 1000)
  T.eq(size({ "dist/sym.bin" }, env), 0, "a symlink counts 0, not followed")
  T.eq(size({ "dist/otherlink" }, env), 0)
  T.eq(size({ "dist", "dist/a.bin", "other" }, env), 1320, "overlap between arguments counted once")
  T.eq(size({ d .. "/top.txt" }), 7, "absolute path")
end)

T.test("size globs expand to files and directories", function()
  local d = tree()
  local env = { base_dir = d }
  T.eq(size({ "**/*.bin" }, env), 1000)
  T.eq(size({ "*" }, env), 1327)
  T.eq(size({ "dist/*", "top.*" }, env), 1307)
end)

T.test("size with sources and no path", function()
  local d = tree()
  T.eq(size({}, { base_dir = d, sources = { "**/*.txt" } }), 27)
  T.eq(size({}, { base_dir = d, sources = { "**", "!dist/**" } }), 1027)
  T.eq(size({ "top.txt" }, { base_dir = d, sources = { "**" } }), 7, "paths win over sources")
end)

T.test("size errors", function()
  local d = tree()
  local function fails(args, env, msg)
    local v, err = size(args, env)
    T.eq(v, nil)
    T.eq(err, msg)
  end
  fails({ "nope" }, { base_dir = d }, "Path not found: nope")
  fails({ "dist/a.bin/x" }, { base_dir = d }, "Path not found: dist/a.bin/x")
  fails({ "*.zip" }, { base_dir = d }, "No files matched glob pattern: *.zip")
  fails({}, { base_dir = d }, "At least one path is required when sources is not configured")
  fails({ "--human" }, { base_dir = d }, "Unknown argument: --human")
  T.eq(size({ "--", "dist" }, { base_dir = d }), 1300, "-- ends options")
end)

T.test("measure size prints the plain number", function()
  local d = tree()
  local r = T.unentropy({ "measure", "size", "dist", "top.txt" }, { cwd = d })
  T.eq(r.stdout, "1307\n")
  T.eq(r.status, 0)
end)
