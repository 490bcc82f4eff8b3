-- unentropy.context: the build context (collection.md §1). Detects GitHub
-- Actions, GitLab CI or a local git checkout, then applies overrides: a flag
-- beats its UNENTROPY_* variable, and both beat detection. Empty values count
-- as unset. Returns {commit_sha, branch, run_id, run_number, event_name,
-- timestamp, ci = "github"|"gitlab"|"local"} or nil, message.
local sys = require("unentropy.sys")
local time = require("unentropy.time")

local M = {}

local function env(name)
  local v = sys.getenv(name)
  if v == nil or v == "" then return nil end
  return v
end

local function blank_to_nil(v)
  if v == nil or v == "" then return nil end
  return v
end

-- Runs git in dir; returns trimmed stdout or nil.
function M.git(dir, args)
  local exec = require("unentropy.exec")
  local argv = { "git" }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local r = exec.run({ argv = argv, cwd = dir, timeout = 30000 })
  if not r or not r.ok then return nil end
  local out = r.stdout:gsub("%s+$", "")
  return out
end

local GITLAB_EVENTS = {
  push = "push", merge_request_event = "pull_request", external_pull_request_event = "pull_request",
  schedule = "schedule", web = "workflow_dispatch", api = "workflow_dispatch",
}

local function detect_github()
  local event = env("GITHUB_EVENT_NAME")
  local branch
  if event == "pull_request" or event == "pull_request_target" then
    branch = env("GITHUB_HEAD_REF")
  end
  if not branch then
    local ref = env("GITHUB_REF")
    if ref then branch = ref:gsub("^refs/heads/", "", 1):gsub("^refs/tags/", "", 1) end
  end
  return {
    ci = "github",
    commit_sha = { env("GITHUB_SHA"), "GITHUB_SHA" },
    branch = { branch, event and (event:match("^pull_request") and "GITHUB_HEAD_REF" or "GITHUB_REF") or "GITHUB_REF" },
    run_id = { env("GITHUB_RUN_ID"), "GITHUB_RUN_ID" },
    run_number = { env("GITHUB_RUN_NUMBER"), "GITHUB_RUN_NUMBER" },
    event_name = event,
  }
end

local function detect_gitlab()
  local source = env("CI_PIPELINE_SOURCE")
  return {
    ci = "gitlab",
    commit_sha = { env("CI_COMMIT_SHA"), "CI_COMMIT_SHA" },
    branch = { env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") or env("CI_COMMIT_REF_NAME"), "CI_COMMIT_REF_NAME" },
    run_id = { env("CI_PIPELINE_ID"), "CI_PIPELINE_ID" },
    run_number = { env("CI_PIPELINE_IID"), "CI_PIPELINE_IID" },
    event_name = source and (GITLAB_EVENTS[source] or source),
  }
end

-- opts = {flags = {commit, branch, run_id, run_number, event, timestamp},
--         dir = git directory, mode = "collect"|"test"|"gate",
--         next_run_number = function() -> integer (local builds)}
function M.resolve(opts)
  local flags = opts.flags or {}
  local detected
  if sys.getenv("GITHUB_ACTIONS") == "true" then detected = detect_github()
  elseif sys.getenv("GITLAB_CI") == "true" then detected = detect_gitlab()
  else detected = { ci = "local" } end

  local function pick(flag, flag_name, var)
    local f = blank_to_nil(flags[flag])
    if f ~= nil then return f, "--" .. flag_name end
    local v = env(var)
    if v then return v, var end
    return nil
  end

  local ctx = { ci = detected.ci }
  local commit = pick("commit", "commit", "UNENTROPY_COMMIT_SHA")
  local branch = pick("branch", "branch", "UNENTROPY_BRANCH")
  local run_id = pick("run_id", "run-id", "UNENTROPY_RUN_ID")
  local run_number, rn_name = pick("run_number", "run-number", "UNENTROPY_RUN_NUMBER")
  local event = pick("event", "event", "UNENTROPY_EVENT_NAME")
  local stamp = pick("timestamp", "timestamp", "UNENTROPY_TIMESTAMP")

  if detected.ci ~= "local" then
    for _, field in ipairs({ "commit_sha", "branch", "run_id", "run_number" }) do
      local override = ({ commit_sha = commit, branch = branch, run_id = run_id, run_number = run_number })[field]
      if override == nil and detected[field][1] == nil and not (opts.mode == "test") then
        return nil, "Required environment variable " .. detected[field][2] .. " is missing"
      end
    end
    commit = commit or detected.commit_sha[1]
    branch = branch or detected.branch[1]
    run_id = run_id or detected.run_id[1]
    if run_number == nil and detected.run_number[1] then
      run_number, rn_name = detected.run_number[1], detected.run_number[2]
    end
    if event == nil then event = detected.event_name end
  else
    local dir = opts.dir or "."
    if commit == nil then
      commit = M.git(dir, { "rev-parse", "HEAD" })
      if commit == nil and opts.mode ~= "test" then
        return nil, "cannot determine commit: not in CI and " .. dir ..
          " is not a git repository; use --commit or UNENTROPY_COMMIT_SHA"
      end
    end
    if branch == nil then branch = M.git(dir, { "rev-parse", "--abbrev-ref", "HEAD" }) end
    run_id = run_id or ("local-" .. sys.now_ms())
    if event == nil then event = "local" end
  end

  if run_number ~= nil then
    local n = tostring(run_number)
    if not n:match("^%d+$") or math.tointeger(tonumber(n)) == nil then
      return nil, string.format("%s must be a valid integer, got: %s", rn_name or "run number", n)
    end
    run_number = math.tointeger(tonumber(n))
  elseif opts.mode == "test" then
    run_number = 0
  elseif opts.next_run_number then
    run_number = opts.next_run_number()
  else
    run_number = 1
  end

  if opts.mode == "test" then
    commit, branch = commit or "", branch or ""
  else
    if branch == nil or #branch < 1 or #branch > 255 then
      return nil, "branch must be 1-255 characters" .. (branch and (", got " .. #branch) or "")
    end
    if #run_id < 1 or #run_id > 64 then return nil, "run id must be 1-64 characters, got " .. #run_id end
  end
  if event ~= nil and #event > 32 then return nil, "event name must be at most 32 characters" end

  local ts
  if stamp then
    ts = time.normalize(stamp)
    if not ts then return nil, string.format('invalid timestamp "%s": expected RFC 3339 with offset', stamp) end
  else
    ts = time.format_ms(sys.now_ms())
  end

  ctx.commit_sha, ctx.branch, ctx.run_id = commit, branch, run_id
  ctx.run_number, ctx.event_name, ctx.timestamp = run_number, event, ts
  return ctx
end

-- The UNENTROPY_* variables a metric command gets (collection.md §2).
function M.metric_env(ctx, metric)
  return {
    UNENTROPY_COMMIT_SHA = ctx.commit_sha or "",
    UNENTROPY_BRANCH = ctx.branch or "",
    UNENTROPY_RUN_ID = ctx.run_id or "",
    UNENTROPY_RUN_NUMBER = tostring(ctx.run_number or ""),
    UNENTROPY_METRIC_KEY = metric.id,
    UNENTROPY_METRIC_TYPE = metric.type,
  }
end

return M
