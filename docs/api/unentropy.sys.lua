---@meta unentropy.sys
-- unentropy.sys: clock, environment, sleep, version and terminal checks.
-- Implemented in C (src/lsys.c); this file is documentation only.

local sys = {}

---@type string the build version (the CMake project version)
sys.version = ""
---@type string the documentation URL (build-time constant UNENTROPY_DOCS_URL)
sys.docs_url = ""
---@type string "linux" or "darwin"
sys.platform = ""

---Wall-clock milliseconds since the epoch.
---@return integer
function sys.now_ms() end

---Milliseconds from an arbitrary start; for measuring durations.
---@return number
function sys.monotonic_ms() end

---An environment variable; an empty value is returned as "".
---@param name string
---@return string|nil
function sys.getenv(name) end

---The whole environment as a table.
---@return table<string, string>
function sys.environ() end

---Sets (or with nil, removes) an environment variable of this process.
---@param name string
---@param value string|nil
---@return true
function sys.setenv(name, value) end

---Sleeps for ms milliseconds.
---@param ms number
function sys.sleep(ms) end

---Whether a standard stream is a terminal.
---@param stream "stdin"|"stdout"|"stderr"
---@return boolean
function sys.isatty(stream) end

---This process's id.
---@return integer
function sys.pid() end

return sys
