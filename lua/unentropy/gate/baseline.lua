-- unentropy.gate.baseline: where the gate's baselines come from (gate.md §3,
-- storage.md §6): the reference branch, the merge-base commit (flag or
-- UNENTROPY_MERGE_BASE, git, the GitHub compare API) and, per numeric
-- metric, the merge-base build's value else the latest value on the
-- reference branch within maxAgeDays. IO comes in as arguments (an open Db,
-- a git runner, an API lookup) so the selection rules stay testable.
local M = {}

local function set(v)
  if v == nil or v == "" then return nil end
  return v
end

-- The reference branch: flag, else config, else GITHUB_BASE_REF, else
-- CI_MERGE_REQUEST_TARGET_BRANCH_NAME, else "main". getenv(name) -> string|nil.
function M.reference_branch(flag, configured, getenv)
  return set(flag) or set(configured) or set(getenv("GITHUB_BASE_REF"))
    or set(getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")) or "main"
end

local function is_sha(s) return type(s) == "string" and s:match("^%x+$") ~= nil and #s >= 7 and #s <= 64 end

-- Finds the merge-base commit, the first source that works:
--   opts.flag (--merge-base), opts.env (UNENTROPY_MERGE_BASE),
--   opts.git(args) -> stdout|nil  with `merge-base <commit> origin/<ref>`, then `<ref>`,
--   opts.compare(ref, commit) -> sha|nil, reason  (the GitHub compare API; optional).
-- opts.commit is the build's commit, opts.ref the reference branch.
-- Returns sha, source (a short description) | nil, reason.
function M.merge_base(opts)
  local given = set(opts.flag)
  if given then return given, "--merge-base" end
  given = set(opts.env)
  if given then return given, "UNENTROPY_MERGE_BASE" end
  local commit, ref = set(opts.commit), opts.ref
  if not commit then return nil, "the build has no commit" end
  local reasons = {}
  if opts.git then
    for _, target in ipairs({ "origin/" .. ref, ref }) do
      local out = opts.git({ "merge-base", commit, target })
      if is_sha(out) then return out, "git merge-base " .. target end
    end
    reasons[#reasons + 1] = "git merge-base found no common ancestor with origin/" .. ref .. " or " .. ref
  end
  if opts.compare then
    local sha, why = opts.compare(ref, commit)
    if is_sha(sha) then return sha, "GitHub compare API" end
    if why then reasons[#reasons + 1] = why end
  end
  if #reasons == 0 then reasons[1] = "no git history and no GitHub API" end
  return nil, table.concat(reasons, "; ")
end

-- Picks the baseline of every numeric metric.
-- db: an open unentropy.store Db; metrics: the resolved cfg.metrics;
-- opts = {merge_base = sha|nil, ref = branch, max_age_days = n, now = epoch ms
-- or timestamp}. Returns {[metric id] = {value, source, commit_sha,
-- build_id}} | nil, message (a query error).
function M.select(db, metrics, opts)
  local out = {}
  for _, m in ipairs(metrics) do
    if m.type == "numeric" then
      local b, err
      if opts.merge_base then
        b, err = db:baseline(m.id, { commit = opts.merge_base })
        if err then return nil, err end
      end
      if not b then
        b, err = db:baseline(m.id, { branch = opts.ref, max_age_days = opts.max_age_days, now = opts.now })
        if err then return nil, err end
      end
      if b then
        out[m.id] = { value = b.value, source = b.source, commit_sha = b.commit_sha, build_id = b.build_id }
      end
    end
  end
  return out
end

-- The statistical window of one metric through db:window (sqlite), or
-- db:series filtered here for a Db without it (no reset cut then).
local function window_rows(db, id, opts, limit)
  if db.window then
    return db:window(id, { branch = opts.ref, limit = limit, max_age_days = opts.max_age_days, now = opts.now,
      after_reset = true })
  end
  local rows, err = db:series(id)
  if not rows then return nil, err end
  local time = require("unentropy.time")
  local cutoff = opts.now and opts.max_age_days and opts.now - opts.max_age_days * 86400000
  local out = {}
  for _, r in ipairs(rows) do
    local at = time.parse_stored and time.parse_stored(r.timestamp)
    if r.branch == opts.ref and type(r.value_numeric) == "number" and (not cutoff or not at or at >= cutoff) then
      out[#out + 1] = { build_id = r.build_id, value = r.value_numeric, commit_sha = r.commit_sha,
        run_number = r.run_number, timestamp = r.timestamp }
    end
  end
  return { table.unpack(out, math.max(1, #out - limit + 1)) }
end

local function same_commit(a, b)
  if type(a) ~= "string" or type(b) ~= "string" or #a < 7 or #b < 7 then return false end
  local n = math.min(#a, #b)
  return a:sub(1, n):lower() == b:sub(1, n):lower()
end

-- The statistical windows (docs/noise.md) of every numeric metric with a
-- `statistical` threshold: the last max(window) numeric values on the
-- reference branch within maxAgeDays, pull requests excluded, after the
-- latest build of a commit annotated with --reset; plus the annotations
-- worth showing in the comment (the reset one, those on the window's
-- commits and on the pull request's commit).
-- opts = {ref, max_age_days, now = epoch ms, commit = the build's sha}.
-- Returns {[id] = {values, builds, ref, reset, annotations}} | nil, message.
function M.histories(db, metrics, thresholds, opts)
  local json = require("unentropy.json")
  local windows = {}
  for _, t in ipairs(thresholds or {}) do
    if t.mode == "statistical" and type(t.metric) == "string" then
      windows[t.metric] = math.max(windows[t.metric] or 0, math.tointeger(t.window) or 30)
    end
  end
  local out = {}
  for _, m in ipairs(metrics) do
    local limit = m.type == "numeric" and windows[m.id]
    if limit then
      local rows, err = window_rows(db, m.id, opts, limit)
      if not rows then return nil, err end
      local h = { values = {}, builds = rows, ref = opts.ref, annotations = json.array() }
      for i, r in ipairs(rows) do h.values[i] = r.value end
      local anns = {}
      if db.annotations then
        anns, err = db:annotations(m.id)
        if not anns then return nil, err end
      end
      -- The reset that applies: the one whose commit was built last.
      local reset_at
      for _, a in ipairs(anns) do
        if a.reset then
          local b = db:baseline(m.id, { commit = a.commit_sha })
          if b and (not reset_at or b.timestamp > reset_at) then h.reset, reset_at = a, b.timestamp end
        end
      end
      for _, a in ipairs(anns) do
        local shown = a == h.reset or same_commit(a.commit_sha, opts.commit)
        for _, r in ipairs(rows) do shown = shown or same_commit(a.commit_sha, r.commit_sha) end
        if shown then
          h.annotations[#h.annotations + 1] = json.object({ { "commit", a.commit_sha }, { "note", a.note },
            { "reset", a.reset }, { "pullRequest", same_commit(a.commit_sha, opts.commit) or nil } })
        end
      end
      if #h.annotations == 0 then h.annotations = nil end
      out[m.id] = h
    end
  end
  return out
end

-- Distinct builds that gave a baseline.
function M.builds_considered(baselines)
  local seen, n = {}, 0
  for _, b in pairs(baselines) do
    if not seen[b.build_id] then seen[b.build_id] = true; n = n + 1 end
  end
  return n
end

return M
