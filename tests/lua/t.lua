-- t.lua: the tiny test library used by tests/lua/test_*.lua. A test file
-- registers cases with T.test(name, fn) and asserts with T.eq / T.ok /
-- T.raises; tests/lua/run.lua runs them inside the real binary.
local T = { cases = {} }

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show(v[k]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
T.show = show

local function deep_eq(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then
    return type(a) == "number" and type(b) == "number" and a ~= a and b ~= b
  end
  for k, v in pairs(a) do if not deep_eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
T.deep_eq = deep_eq

function T.test(name, fn) T.cases[#T.cases + 1] = { name = name, fn = fn } end

function T.eq(actual, expected, what)
  if not deep_eq(actual, expected) then
    error(string.format("%sexpected %s, got %s", what and (what .. ": ") or "",
      show(expected), show(actual)), 2)
  end
end

function T.ok(v, what)
  if not v then error((what or "expected a true value") .. ", got " .. show(v), 2) end
  return v
end

-- Asserts fn raises an error whose message contains `pattern` (plain text).
function T.raises(fn, pattern)
  local ok, err = pcall(fn)
  if ok then error("expected an error" .. (pattern and (" matching " .. show(pattern)) or ""), 2) end
  if pattern and not tostring(err):find(pattern, 1, true) then
    error(string.format("error %s does not contain %s", show(tostring(err)), show(pattern)), 2)
  end
  return err
end

-- Asserts s contains the plain text `needle`.
function T.contains(s, needle, what)
  if type(s) ~= "string" or not s:find(needle, 1, true) then
    error(string.format("%sexpected %s to contain %s", what and (what .. ": ") or "",
      show(s), show(needle)), 2)
  end
end

-- A fresh temporary directory, removed at the end of the run.
T.tmpdirs = {}
function T.tmpdir()
  local exec = require("unentropy.exec")
  local r = exec.run({ argv = { "mktemp", "-d", "/tmp/unentropy-test.XXXXXX" } })
  local dir = r.stdout:gsub("%s+$", "")
  T.tmpdirs[#T.tmpdirs + 1] = dir
  return dir
end

-- Runs the unentropy binary itself with args; returns the exec result.
function T.unentropy(args, opts)
  local exec = require("unentropy.exec")
  opts = opts or {}
  local argv = { os.getenv("UNENTROPY") or require("unentropy.fs").realpath("/proc/self/exe") }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return exec.run({ argv = argv, cwd = opts.cwd, env = opts.env, timeout = opts.timeout or 60000 })
end

return T
