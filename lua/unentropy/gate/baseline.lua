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

-- Distinct builds that gave a baseline.
function M.builds_considered(baselines)
  local seen, n = {}, 0
  for _, b in pairs(baselines) do
    if not seen[b.build_id] then seen[b.build_id] = true; n = n + 1 end
  end
  return n
end

return M
