-- unentropy.importer.git: commit resolution by timestamp for `import`
-- (import.md §2) with one `git log` of the trend branch instead of one git
-- call per record. `git log -1 --before=T <branch>` prints the first commit of
-- the branch's walk whose committer date is at or before T; index() keeps the
-- commits of the walk that are earlier than every commit before them (the
-- only ones that can be that first match), so a lookup is a binary search
-- over a strictly decreasing list and gives exactly git's answer.
-- Depends on unentropy.exec (git runs in the current directory or opts.cwd).
local exec = require("unentropy.exec")

local M = {}

M.SHALLOW_MESSAGE = "nearest-commit resolution requires full git history\n" ..
  "       run `git fetch --unshallow` locally, or set `fetch-depth: 0` in your CI checkout step"

local MAX_LOG_BYTES = 1 << 30

-- Builds the lookup index from `git log --format='%ct %H'` output (walk
-- order). Returns {times = {...}, shas = {...}}: times strictly decreasing.
function M.index(text)
  local times, shas, n = {}, {}, 0
  local min = math.huge
  for ct, sha in text:gmatch("(%-?%d+) (%x+)\n") do
    ct = tonumber(ct)
    if ct < min then
      n = n + 1
      times[n], shas[n] = ct, sha
      min = ct
    end
  end
  return { times = times, shas = shas }
end

-- The sha git would print for `--before=<T>`, T in epoch ms, or nil when
-- every commit is younger. Git compares whole seconds.
function M.lookup(idx, ms)
  local t = ms // 1000
  local times = idx.times
  local lo, hi = 1, #times
  if hi == 0 or times[hi] > t then return nil end
  while lo < hi do -- first i with times[i] <= t
    local mid = (lo + hi) // 2
    if times[mid] <= t then hi = mid else lo = mid + 1 end
  end
  return idx.shas[lo]
end

local function git(args, opts)
  local argv = { "git" }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local r, msg = exec.run({ argv = argv, cwd = opts.cwd, max_output = MAX_LOG_BYTES })
  if not r then return nil, "cannot run git: " .. tostring(msg) end
  return r
end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- Prepares resolution on `branch`: the shallow check, the branch check and
-- one `git log`. Returns an index, or nil, message, kind where kind is
-- "shallow" (message = the two lines of cli.md) or "error".
-- opts = {cwd = directory (default: the current one)}
function M.open(branch, opts)
  opts = opts or {}
  local r, err = git({ "rev-parse", "--is-shallow-repository" }, opts)
  if not r then return nil, err, "error" end
  if r.ok and trim(r.stdout) == "true" then return nil, M.SHALLOW_MESSAGE, "shallow" end
  local not_found = "trend branch not found in repository: " .. branch
  if branch:sub(1, 1) == "-" then return nil, not_found, "error" end -- never an option
  r, err = git({ "rev-parse", "--verify", "--quiet", branch .. "^{commit}" }, opts)
  if not r then return nil, err, "error" end
  if not r.ok then return nil, not_found, "error" end
  r, err = git({ "log", "--no-color", "--no-show-signature", "--format=%ct %H", branch, "--" }, opts)
  if not r then return nil, err, "error" end
  if not r.ok then
    local msg = trim(r.stderr)
    return nil, "git log failed: " .. (msg ~= "" and msg or "non-zero exit"), "error"
  end
  if r.stdout_truncated then return nil, "git log failed: output larger than 1 GiB", "error" end
  return M.index(r.stdout)
end

return M
