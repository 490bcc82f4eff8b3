-- test_exec.lua: the unentropy.exec binding inside the real binary: result
-- shapes, exit codes, signals, timeouts that kill grandchildren, bounded
-- capture, stdin, environment, cwd, drain, start failures (nil, msg, errno),
-- misuse raising, no leaked fds, and the docs/api stub matching the module.
local T = require("t")
local exec = require("unentropy.exec")
local sys = require("unentropy.sys")

local function sh(cmd, opts)
  opts = opts or {}
  opts.shell = cmd
  return T.ok(exec.run(opts))
end

-- Gone means gone: exec.run reaps what it killed, so `kill -0` must fail at
-- once (a zombie would still pass it).
local function gone(pid)
  return exec.run({ argv = { "kill", "-0", tostring(pid) } }).status ~= 0
end

local function read_pids(path)
  local pids = {}
  for line in io.lines(path) do pids[#pids + 1] = tonumber(line) end
  return pids
end

-- Our open descriptors as "fd -> target" lines (pipe inodes masked). The
-- listing child waits first: right after exec, the parent may not have
-- finished its own bookkeeping (closing the status pipe, opening a pidfd).
local function open_fds()
  local r = exec.run({ shell = "sleep 0.2; ls -l /proc/" .. sys.pid() .. "/fd" })
  local fds = {}
  for fd, target in r.stdout:gmatch(" (%d+) %-> ([^\n]+)") do
    fds[#fds + 1] = fd .. " -> " .. target:gsub("%[%d+%]", "")
  end
  table.sort(fds)
  return fds
end

T.test("exit codes and the result shape", function()
  for _, code in ipairs({ 0, 1, 42 }) do
    local r = sh("exit " .. code)
    T.eq(r.status, code)
    T.eq(math.type(r.status), "integer")
    T.eq(r.ok, code == 0)
    T.eq(r.signal, nil)
    T.eq(r.signal_number, nil)
    T.eq(r.timed_out, false)
    T.eq(r.stdout, "")
    T.eq(r.truncated, false)
    T.eq(math.type(r.duration_ms), "float")
  end
end)

T.test("argv runs without a shell and searches PATH", function()
  local r = T.ok(exec.run({ argv = { "printf", "%s|%s|%s", "a b", "$HOME", 7 } }))
  T.eq(r.stdout, "a b|$HOME|7")
  T.eq(r.ok, true)
  r = sh("echo out; echo err >&2")
  T.eq({ r.stdout, r.stderr }, { "out\n", "err\n" })
end)

T.test("a signal is reported by name and number, status nil", function()
  local r = sh("kill -SEGV $$")
  T.eq(r.signal, "SIGSEGV")
  T.eq(r.signal_number, 11)
  T.eq(r.status, nil)
  T.eq(r.ok, false)
end)

T.test("timeout kills the whole process group", function()
  local dir = T.tmpdir()
  local t0 = sys.monotonic_ms()
  local r = sh("sleep 100 & echo $! > pids; sleep 100 & echo $! >> pids; wait",
    { cwd = dir, timeout = 300 })
  local elapsed = sys.monotonic_ms() - t0
  T.eq(r.timed_out, true)
  T.eq(r.ok, false)
  T.eq(r.signal, "SIGTERM")
  T.ok(elapsed < 10000 and r.duration_ms >= 290, "returned in time: " .. elapsed)
  local pids = read_pids(dir .. "/pids")
  T.eq(#pids, 2)
  for _, pid in ipairs(pids) do T.ok(gone(pid), "grandchild " .. pid .. " gone") end
end)

T.test("a child ignoring SIGTERM gets SIGKILL after kill_grace", function()
  local r = sh("trap '' TERM; sleep 100; sleep 100", { timeout = 200, kill_grace = 300 })
  T.eq(r.timed_out, true)
  T.eq(r.signal, "SIGKILL")
  T.ok(r.duration_ms >= 490 and r.duration_ms < 10000, "duration " .. r.duration_ms)
end)

T.test("50 MB of output is cut to max_output with bounded memory", function()
  local function hwm_kb()
    local f = io.open("/proc/self/status")
    if not f then return 0 end
    local s = f:read("a")
    f:close()
    return tonumber(s:match("VmHWM:%s*(%d+)")) or 0
  end
  collectgarbage()
  local before = hwm_kb()
  local r = sh("head -c 52428800 /dev/zero")
  T.eq(r.ok, true)
  T.eq(#r.stdout, 1048576)
  T.eq(r.stdout_truncated, true)
  T.eq(r.stderr_truncated, false)
  T.eq(r.truncated, true)
  T.ok(hwm_kb() - before < 20 * 1024, "peak RSS grew by " .. (hwm_kb() - before) .. " KiB")
  r = sh("echo 0123456789", { max_output = 4 })
  T.eq(r.stdout, "0123")
  T.eq(r.truncated, true)
end)

T.test("stdout and stderr large at once do not deadlock", function()
  local r = sh("head -c 3000000 /dev/zero >&2 & head -c 3000000 /dev/zero; wait",
    { max_output = 4 * 1048576, timeout = 20000 })
  T.eq(r.timed_out, false)
  T.eq({ #r.stdout, #r.stderr, r.truncated }, { 3000000, 3000000, false })
end)

T.test("stdin string, default /dev/null", function()
  T.eq(sh("cat; echo end").stdout, "end\n")
  T.eq(sh("cat", { stdin = "a\0b\n" }).stdout, "a\0b\n")
  local big = string.rep("0123456789abcdef", 200000) -- 3.2 MB, beyond any pipe buffer
  local r = sh("cat", { stdin = big, max_output = 4 * 1048576 })
  T.ok(r.stdout == big, "3.2 MB round trip")
  T.eq(sh("exit 0", { stdin = big }).ok, true) -- child never reads: no SIGPIPE for us
end)

T.test("environment: add, replace, remove, clear", function()
  sys.setenv("UNENTROPY_T_KEEP", "kept")
  sys.setenv("UNENTROPY_T_REPLACE", "old")
  sys.setenv("UNENTROPY_T_REMOVE", "x")
  local r = sh('echo "$UNENTROPY_T_KEEP,$UNENTROPY_T_ADD,$UNENTROPY_T_REPLACE,${UNENTROPY_T_REMOVE-unset},$N"',
    { env = { UNENTROPY_T_ADD = "added", UNENTROPY_T_REPLACE = "new", UNENTROPY_T_REMOVE = false, N = 12 } })
  T.eq(r.stdout, "kept,added,new,unset,12\n")
  r = T.ok(exec.run({ argv = { "/usr/bin/env" }, clear_env = true, env = { ONLY = "1" } }))
  T.eq(r.stdout, "ONLY=1\n")
  T.eq(exec.run({ argv = { "/usr/bin/env" }, clear_env = true }).stdout, "")
  sys.setenv("UNENTROPY_T_KEEP", nil)
  sys.setenv("UNENTROPY_T_REPLACE", nil)
  sys.setenv("UNENTROPY_T_REMOVE", nil)
end)

T.test("cwd", function()
  local dir = T.tmpdir()
  local real = exec.run({ argv = { "realpath", dir } }).stdout
  T.eq(sh("pwd -P", { cwd = dir }).stdout, real)
end)

T.test("start failures return nil, message, errno", function()
  local r, msg, code = exec.run({ argv = { "unentropy-no-such-program", "x" } })
  T.eq({ r, msg, code }, { nil, "exec: cannot run 'unentropy-no-such-program': No such file or directory", 2 })
  r, msg, code = exec.run({ argv = { "true" }, cwd = "/nonexistent/dir" })
  T.eq({ r, msg, code }, { nil, "exec: cannot run 'true' in '/nonexistent/dir': No such file or directory", 2 })
  r, msg, code = exec.run({ shell = "true", cwd = "/nonexistent/dir" })
  T.eq(r, nil)
  T.contains(msg, "exec: cannot run '/bin/sh' in '/nonexistent/dir'")
end)

T.test("a background grandchild holding stdout is cut off after drain", function()
  local dir = T.tmpdir()
  local r = sh("sleep 100 & echo $! > bg; echo started", { cwd = dir, drain = 300 })
  T.eq(r.ok, true)
  T.eq(r.stdout, "started\n")
  T.ok(r.duration_ms >= 280 and r.duration_ms < 8000, "duration " .. r.duration_ms)
  T.ok(gone(read_pids(dir .. "/bg")[1]), "background process killed")
  r = sh("sleep 100 & echo x") -- default drain: 1 s
  T.ok(r.duration_ms >= 950 and r.duration_ms < 10000, "default drain " .. r.duration_ms)
end)

T.test("duration_ms is plausible", function()
  local r = sh("sleep 0.2")
  T.ok(r.duration_ms >= 190 and r.duration_ms < 8000, "duration " .. r.duration_ms)
end)

T.test("misuse raises", function()
  T.raises(function() exec.run() end, "table expected")
  T.raises(function() exec.run("ls") end, "table expected")
  T.raises(function() exec.run({ argv = { "true" }, tiemout = 5 }) end, "unknown option 'tiemout'")
  T.raises(function() exec.run({ argv = { "true" }, [1] = "x" }) end, "option names must be strings")
  T.raises(function() exec.run({}) end, "exactly one of 'argv' and 'shell'")
  T.raises(function() exec.run({ argv = { "true" }, shell = "true" }) end, "exactly one of")
  T.raises(function() exec.run({ argv = "true" }) end, "option 'argv' must be an array")
  T.raises(function() exec.run({ argv = {} }) end, "option 'argv' must be a non-empty array")
  T.raises(function() exec.run({ argv = { "echo", {} } }) end, "option 'argv' has a table")
  T.raises(function() exec.run({ argv = { "echo", true } }) end, "option 'argv' has a boolean")
  T.raises(function() exec.run({ argv = { "echo", "a\0b" } }) end, "option 'argv' contains a NUL")
  T.raises(function() exec.run({ shell = 5 }) end, "option 'shell' must be a string")
  T.raises(function() exec.run({ shell = "true", cwd = 1 }) end, "option 'cwd' must be a string")
  T.raises(function() exec.run({ shell = "true", env = "A=1" }) end, "option 'env' must be a table")
  T.raises(function() exec.run({ shell = "true", env = { A = true } }) end, "option 'env' has a boolean")
  T.raises(function() exec.run({ shell = "true", env = { ["A=B"] = "1" } }) end, "invalid variable name")
  T.raises(function() exec.run({ shell = "true", env = { [""] = "1" } }) end, "invalid variable name")
  T.raises(function() exec.run({ shell = "true", env = { "x" } }) end, "invalid variable name")
  T.raises(function() exec.run({ shell = "true", clear_env = 1 }) end, "option 'clear_env' must be a boolean")
  T.raises(function() exec.run({ shell = "true", timeout = "5" }) end, "option 'timeout' must be a number")
  T.raises(function() exec.run({ shell = "true", timeout = 0 }) end, "option 'timeout' must be positive")
  T.raises(function() exec.run({ shell = "true", timeout = 0 / 0 }) end, "option 'timeout' must be positive")
  T.raises(function() exec.run({ shell = "true", kill_grace = -1 }) end, "option 'kill_grace' must not be negative")
  T.raises(function() exec.run({ shell = "true", drain = false }) end, "option 'drain' must be a number")
  T.raises(function() exec.run({ shell = "true", max_output = 1.5 }) end, "option 'max_output' must be a non-negative integer")
  T.raises(function() exec.run({ shell = "true", max_output = -1 }) end, "non-negative integer")
  T.raises(function() exec.run({ shell = "true", max_output = "10" }) end, "non-negative integer")
  T.raises(function() exec.run({ shell = "true", stdin = 5 }) end, "option 'stdin' must be a string")
  T.raises(function() exec.signal_name("x") end, "number expected")
end)

T.test("signal_name", function()
  T.eq(exec.signal_name(15), "SIGTERM")
  T.eq(exec.signal_name(9), "SIGKILL")
  T.eq(exec.signal_name(11), "SIGSEGV")
  T.eq(exec.signal_name(0), nil)
  T.eq(exec.signal_name(-3), nil)
end)

T.test("no fds leak across runs, failures and raises", function()
  collectgarbage()
  local before = open_fds()
  for _ = 1, 20 do
    sh("echo x; echo y >&2", { stdin = "z" })
    exec.run({ argv = { "unentropy-no-such-program" } })
    pcall(exec.run, { shell = "true", env = { A = {} } })
    sh("sleep 5", { timeout = 1 })
  end
  collectgarbage()
  T.eq(open_fds(), before)
end)

T.test("docs/api stub lists exactly the module's functions", function()
  local src = (os.getenv("SRC") or ".") .. "/docs/api/unentropy.exec.lua"
  local f = T.ok(io.open(src))
  local documented, actual = {}, {}
  for name in f:read("a"):gmatch("\nfunction exec%.([%w_]+)%(") do documented[name] = true end
  f:close()
  for name in pairs(exec) do actual[name] = true end
  T.eq(documented, actual)
end)
