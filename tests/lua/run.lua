-- run.lua: runs Lua test files inside the real binary:
--   unentropy run tests/lua/run.lua tests/lua/test_json.lua [...]
-- Each case runs under xpcall with a traceback; the last line is
-- "N passed, N failed" and the exit status is 1 if anything failed.
local T = require("t")
local files = { ... }
local passed, failed = 0, 0
for _, file in ipairs(files) do
  T.cases = {}
  local chunk, err = loadfile(file)
  if not chunk then
    io.write("FAIL ", file, ": ", err, "\n")
    failed = failed + 1
  else
    local ok, lerr = xpcall(chunk, debug.traceback)
    if not ok then
      io.write("FAIL ", file, " (loading): ", tostring(lerr), "\n")
      failed = failed + 1
    end
  end
  for _, case in ipairs(T.cases) do
    local ok, cerr = xpcall(case.fn, debug.traceback)
    if ok then
      passed = passed + 1
      io.write("ok   ", case.name, "\n")
    else
      failed = failed + 1
      io.write("FAIL ", case.name, "\n  ", tostring(cerr):gsub("\n", "\n  "), "\n")
    end
  end
end
for _, dir in ipairs(T.tmpdirs) do
  if dir:match("^/tmp/unentropy%-test%.") then os.execute("rm -rf '" .. dir .. "'") end
end
io.write(string.format("%d passed, %d failed\n", passed, failed))
return failed == 0 and 0 or 1
