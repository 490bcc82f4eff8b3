-- test_gate_baseline.lua: baseline selection of the quality gate (gate.md
-- §3) against a real database and a real git repository: merge-base
-- preferred per metric, latest-on-branch within maxAgeDays as the fallback,
-- pull-request builds never counted, the merge-base sources in order.
local T = require("t")
local baseline = require("unentropy.gate.baseline")
local context = require("unentropy.context")
local exec = require("unentropy.exec")
local store = require("unentropy.store")
local time = require("unentropy.time")

local NOW = time.parse_rfc3339("2025-03-10T00:00:00Z")
local DAY = 24 * 3600 * 1000
local function ago(days) return time.format_ms(NOW - days * DAY) end

local COV = { id = "coverage", type = "numeric" }
local SIZE = { id = "size", type = "numeric" }
local LOC = { id = "loc", type = "numeric" }
local METRICS = { COV, SIZE, LOC, { id = "phase", type = "label" } }

local function open_db()
  local db = T.ok(store.open(T.tmpdir() .. "/u.db"))
  local function rec(sha, run, branch, event, days, values)
    local vals = {}
    for m, v in pairs(values) do vals[#vals + 1] = { metric = m, value_numeric = v } end
    T.ok(db:record_build({ commit_sha = sha, branch = branch, run_id = run, run_number = 1, event_name = event,
      timestamp = ago(days) }, vals))
  end
  rec("aaaa111", "1", "main", "push", 10, { [COV] = 80, [SIZE] = 100 })
  rec("bbbb222", "2", "main", "push", 2, { [COV] = 82, [LOC] = 500 })
  rec("cccc333", "3", "feature", "pull_request", 1, { [COV] = 50, [SIZE] = 1, [LOC] = 1 })
  rec("aaaa111", "4", "feature", "pull_request", 1, { [COV] = 1 }) -- a PR build of the merge-base commit
  rec("dddd444", "5", "main", "schedule", 0.5, { [SIZE] = 120 })
  rec("eeee555", "6", "release", "push", 0.1, { [COV] = 99 })
  return db
end

T.test("select: merge-base per metric, latest on the branch for the rest", function()
  local db <close> = open_db()
  local b = T.ok(baseline.select(db, METRICS, { merge_base = "AAAA111", ref = "main", max_age_days = 90, now = NOW }))
  T.eq(b.coverage.value, 80)
  T.eq(b.coverage.source, "merge-base")
  T.eq(b.coverage.commit_sha, "aaaa111")
  T.eq(b.size.value, 100)
  T.eq(b.size.source, "merge-base")
  T.eq(b.loc.value, 500) -- not in the merge-base build
  T.eq(b.loc.source, "latest")
  T.eq(b.loc.commit_sha, "bbbb222")
  T.eq(b.phase, nil)
  T.eq(baseline.builds_considered(b), 2)
end)

T.test("select: latest within maxAgeDays, schedule builds count, PR builds never", function()
  local db <close> = open_db()
  local b = T.ok(baseline.select(db, METRICS, { ref = "main", max_age_days = 90, now = NOW }))
  T.eq({ b.coverage.value, b.size.value, b.loc.value }, { 82, 120, 500 })
  T.eq(b.size.source, "latest")
  T.eq(baseline.builds_considered(b), 2)
  b = T.ok(baseline.select(db, METRICS, { ref = "main", max_age_days = 1, now = NOW }))
  T.eq({ b.coverage, b.size and b.size.value, b.loc }, { nil, 120, nil })
  b = T.ok(baseline.select(db, METRICS, { ref = "feature", max_age_days = 90, now = NOW }))
  T.eq(next(b), nil)
  -- an unknown merge-base falls back to the latest values
  b = T.ok(baseline.select(db, METRICS, { merge_base = "ffff999", ref = "release", max_age_days = 90, now = NOW }))
  T.eq({ b.coverage.value, b.coverage.source, b.size }, { 99, "latest", nil })
  -- a PR build of the merge-base commit is not a merge-base baseline
  b = T.ok(baseline.select(db, { COV }, { merge_base = "aaaa111", ref = "nothing", max_age_days = 90, now = NOW }))
  T.eq(b.coverage.value, 80)
end)

T.test("reference_branch order", function()
  local function env(t) return function(n) return t[n] end end
  T.eq(baseline.reference_branch(nil, nil, env({})), "main")
  T.eq(baseline.reference_branch("", "", env({ CI_MERGE_REQUEST_TARGET_BRANCH_NAME = "gl" })), "gl")
  T.eq(baseline.reference_branch(nil, "cfg", env({ GITHUB_BASE_REF = "gh" })), "cfg")
  T.eq(baseline.reference_branch("f", "cfg", env({ GITHUB_BASE_REF = "gh" })), "f")
end)

local function git(dir, ...)
  local r = exec.run({ argv = { "git", "-C", dir, ... } })
  T.ok(r.ok, "git " .. table.concat({ ... }, " ") .. ": " .. r.stderr)
  return (r.stdout:gsub("%s+$", ""))
end

T.test("merge_base: flag, then env, then git (origin/<ref>, then <ref>), then the API, else a reason", function()
  local dir = T.tmpdir()
  git(dir, "init", "-q", "-b", "main")
  git(dir, "config", "user.email", "t@example.com")
  git(dir, "config", "user.name", "t")
  git(dir, "commit", "-q", "--allow-empty", "-m", "one")
  local base = git(dir, "rev-parse", "HEAD")
  git(dir, "checkout", "-q", "-b", "feature")
  git(dir, "commit", "-q", "--allow-empty", "-m", "two")
  local head = git(dir, "rev-parse", "HEAD")
  git(dir, "checkout", "-q", "main")
  git(dir, "commit", "-q", "--allow-empty", "-m", "three")
  local function run_git(args) return context.git(dir, args) end

  T.eq({ baseline.merge_base({ flag = "abc1234", env = "def5678", commit = head, ref = "main", git = run_git }) },
    { "abc1234", "--merge-base" })
  T.eq({ baseline.merge_base({ flag = "", env = "def5678", commit = head, ref = "main", git = run_git }) },
    { "def5678", "UNENTROPY_MERGE_BASE" })
  T.eq({ baseline.merge_base({ commit = head, ref = "main", git = run_git }) }, { base, "git merge-base main" })
  git(dir, "update-ref", "refs/remotes/origin/main", head) -- origin/main wins over main
  T.eq({ baseline.merge_base({ commit = head, ref = "main", git = run_git }) }, { head, "git merge-base origin/main" })

  local asked
  local sha, src = baseline.merge_base({ commit = head, ref = "nope", git = run_git,
    compare = function(ref, commit) asked = { ref, commit }; return "0123456789abcdef" end })
  T.eq({ sha, src, asked }, { "0123456789abcdef", "GitHub compare API", { "nope", head } })
  local none, why = baseline.merge_base({ commit = head, ref = "nope", git = run_git,
    compare = function() return nil, "GitHub API GET /repos/o/r/compare returned HTTP 404" end })
  T.eq(none, nil)
  T.eq(why, "git merge-base found no common ancestor with origin/nope or nope; "
    .. "GitHub API GET /repos/o/r/compare returned HTTP 404")
  T.eq({ baseline.merge_base({ commit = head, ref = "main" }) }, { nil, "no git history and no GitHub API" })
  T.eq({ baseline.merge_base({ commit = "", ref = "main", git = run_git }) }, { nil, "the build has no commit" })
end)
