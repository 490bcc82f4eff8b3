-- bench/collectors_gen.lua: input generators for bench/collectors.sh, run
-- with `unentropy run bench/collectors_gen.lua <what> <out> <size>`:
--   tree <dir> <files>          a source tree of that many files (C, Python,
--                               JavaScript, TypeScript, Go, Lua, text), 120
--                               per directory, ~30-60 lines each
--   lcov <file> <MiB> [files]   an LCOV file: one project of `files` source
--                               files (default 2000) recorded again under a
--                               new test name until the size is reached
--   cobertura <file> <MiB> [classes]  a Cobertura report: packages of 20
--                               classes x 150 lines, filenames cycling over
--                               `classes` distinct files (default 10000)
-- Deterministic (a fixed LCG), so every run measures the same inputs.
local what, out, size, extra = ...
local seed = 12345
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local BODIES = {
  c = { "/* %d: a block comment\n * spanning lines\n */\n", "int f%d(int x) {\n    return x * 2; // double\n}\n",
    "\n", "static const char *s%d = \"text\";\n" },
  py = { "# comment %d\n", "def f%d(x):\n    \"\"\"Doc.\"\"\"\n    return x * 2  # double\n", "\n", "V%d = 1\n" },
  js = { "// comment %d\n", "export function f%d(x) {\n  /* inline */ return x * 2;\n}\n", "\n", "const v%d = 1;\n" },
  ts = { "// comment %d\n", "export function f%d(x: number): number {\n  return x * 2;\n}\n", "\n", "let v%d = 1;\n" },
  go = { "// comment %d\n", "func F%d(x int) int {\n\treturn x * 2\n}\n", "\n", "var V%d = 1\n" },
  lua = { "-- comment %d\n", "local function f%d(x)\n  return x * 2 --[[ double ]]\nend\n", "\n", "local v%d = 1\n" },
  txt = { "line %d of text\n", "more text %d\n", "\n", "%d\n" },
}
local EXTS = { "c", "py", "js", "ts", "go", "lua", "txt" }

if what == "tree" then
  local n = tonumber(size)
  local dir
  for i = 0, n - 1 do
    if i % 120 == 0 then
      dir = string.format("%s/d%03d/sub%d", out, i // 1200, (i // 120) % 10)
      assert(os.execute("mkdir -p '" .. dir .. "'"))
    end
    local ext = EXTS[i % #EXTS + 1]
    local parts, body = {}, BODIES[ext]
    for k = 1, 12 + rnd(12) do parts[k] = string.format(body[rnd(#body) + 1], i * 100 + k) end
    write(string.format("%s/f%d.%s", dir, i, ext), table.concat(parts))
  end
elseif what == "lcov" then
  local target = tonumber(size) * 1024 * 1024
  local nfiles = tonumber(extra) or 2000
  local recs = {}
  for f = 1, nfiles do
    local n = 50 + rnd(350)
    local r = { "SF:src/mod" .. (f // 50) .. "/file" .. f .. ".c" }
    for fn = 0, n // 40 do r[#r + 1] = "FN:" .. (fn * 40 + 1) .. ",func_" .. fn end
    for l = 1, n do r[#r + 1] = "DA:" .. l .. "," .. ({ 0, 1, 3, 12 })[rnd(4) + 1] end
    for b = 0, n // 10 do
      r[#r + 1] = "BRDA:" .. (b * 10 + 2) .. ",0," .. (b % 2) .. "," .. ({ "-", "0", "1", "5" })[rnd(4) + 1]
    end
    r[#r + 1] = "LF:" .. n
    r[#r + 1] = "LH:0"
    r[#r + 1] = "end_of_record\n"
    recs[#recs + 1] = table.concat(r, "\n")
  end
  local block = table.concat(recs)
  local f = assert(io.open(out, "wb"))
  local written, t = 0, 0
  while written < target do
    f:write("TN:test", t, "\n", block)
    written, t = written + #block, t + 1
  end
  f:close()
elseif what == "cobertura" then
  local target = tonumber(size) * 1024 * 1024
  local distinct = tonumber(extra) or 10000
  local f = assert(io.open(out, "wb"))
  f:write('<?xml version="1.0" ?>\n<coverage version="7.4" timestamp="1" lines-valid="1" lines-covered="1" ',
    'line-rate="1" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0">\n',
    "\t<sources>\n\t\t<source>/src</source>\n\t</sources>\n\t<packages>\n")
  local written, p, c = 0, 0, 0
  while written < target do
    local s = { string.format('\t\t<package name="pkg%d" line-rate="0.5" branch-rate="0" complexity="0">\n\t\t\t<classes>\n', p) }
    for _ = 1, 20 do
      local id = c % distinct
      c = c + 1
      s[#s + 1] = string.format('\t\t\t\t<class name="f%d.py" filename="pkg%d/f%d.py" complexity="0" line-rate="0.5" ' ..
        'branch-rate="0">\n\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n', id, id // 20, id)
      for l = 1, 150 do
        if l % 7 == 0 then
          s[#s + 1] = string.format('\t\t\t\t\t\t<line number="%d" hits="%d" branch="true" ' ..
            'condition-coverage="50%% (1/2)"/>\n', l, rnd(3))
        else
          s[#s + 1] = string.format('\t\t\t\t\t\t<line number="%d" hits="%d"/>\n', l, rnd(3))
        end
      end
      s[#s + 1] = "\t\t\t\t\t</lines>\n\t\t\t\t</class>\n"
    end
    s[#s + 1] = "\t\t\t</classes>\n\t\t</package>\n"
    local text = table.concat(s)
    f:write(text)
    written, p = written + #text, p + 1
  end
  f:write("\t</packages>\n</coverage>\n")
  f:close()
else
  io.stderr:write("usage: collectors_gen.lua tree|lcov|cobertura <out> <size> [extra]\n")
  return 1
end
return 0
