---@meta unentropy.exec
-- unentropy.exec: run a child process to completion with bounded output
-- capture, process-group timeouts and no shell unless asked for. Implemented
-- in C (src/exec.c, binding src/lexec.c); this file is documentation only.

local exec = {}

---@class unentropy.exec.RunOpts
---@field argv? string[] program and arguments; argv[1] is searched in PATH (the child's PATH). Numbers are accepted as strings.
---@field shell? string run as `/bin/sh -c <shell>`; exactly one of `argv` and `shell`
---@field cwd? string working directory of the child (default: ours)
---@field env? table<string, string|number|false> added to / replacing the inherited environment; `false` removes a variable
---@field clear_env? boolean start from an empty environment (then apply `env`)
---@field timeout? number milliseconds, > 0; default none. On expiry the whole process group gets SIGTERM
---@field kill_grace? number ms between SIGTERM and SIGKILL after a timeout (default 2000)
---@field max_output? integer bytes kept per stream (default 1048576); the rest is read and discarded
---@field drain? number ms to keep reading output after the child exited (default 1000); then the group gets SIGKILL
---@field stdin? string bytes fed to the child's stdin (default /dev/null)

---@class unentropy.exec.Result
---@field ok boolean exit status 0 and no timeout
---@field status integer|nil exit code; nil when killed by a signal
---@field signal string|nil terminating signal name, e.g. "SIGSEGV"
---@field signal_number integer|nil terminating signal number
---@field timed_out boolean the timeout expired (the group was sent SIGTERM)
---@field stdout string captured stdout (at most max_output bytes)
---@field stderr string captured stderr (at most max_output bytes)
---@field stdout_truncated boolean stdout had more than max_output bytes
---@field stderr_truncated boolean stderr had more than max_output bytes
---@field truncated boolean either stream was truncated
---@field duration_ms number wall-clock run time in milliseconds (float)

--- Runs a command and waits for it. The child gets its own process group,
--- default signal dispositions and mask, and stdin from `opts.stdin` or
--- /dev/null. Whatever is left in its process group at the end is killed.
--- A non-zero exit, a signal or a timeout is a result, not an error.
--- Raises on misuse (unknown option, wrong type). Returns
--- `nil, "exec: cannot run 'prog': No such file or directory", errno` when the
--- program cannot start (not found, not executable, `cwd` missing).
---@param opts unentropy.exec.RunOpts
---@return unentropy.exec.Result|nil result
---@return string? message
---@return integer? errno
function exec.run(opts) end

--- Name of a signal number: "SIGTERM", "SIGRTMIN+2", ...; nil if `n` is not
--- a signal. Raises if `n` is not an integer.
---@param n integer
---@return string|nil
function exec.signal_name(n) end

return exec
