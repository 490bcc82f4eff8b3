-- unentropy gate: the quality gate for a pull request (gate.md §1): load the
-- config, resolve the settings, collect every metric of the working tree
-- (nothing is recorded), pick baselines from the storage opened read-only,
-- evaluate the thresholds, post the PR comment, write the JSON results, the
-- GitHub outputs and the job summary, and exit 1 only for a hard failure.
local baseline = require("unentropy.gate.baseline")
local cli = require("unentropy.cli")
local collect = require("unentropy.collect")
local comment = require("unentropy.comment")
local config = require("unentropy.config")
local context = require("unentropy.context")
local evaluate = require("unentropy.gate.evaluate")
local fs = require("unentropy.fs")
local gate = require("unentropy.gate")
local github = require("unentropy.github")
local github_api = require("unentropy.github_api")
local json = require("unentropy.json")
local log = require("unentropy.log")
local options = require("unentropy.options")
local storage = require("unentropy.storage")
local sys = require("unentropy.sys")
local time = require("unentropy.time")

local spec = {
  name = "gate",
  usage = "unentropy gate [config/context/storage options] [--mode off|soft|hard] [--reference-branch <b>] " ..
    "[--merge-base <sha>] [--comment|--no-comment] [--comment-marker <text>] [--max-comment-metrics <n>] " ..
    "[--pr-number <n>] [--output-file/-o <path>] [--verbose/-v]",
  summary = "Quality gate for a pull request: collect, compare with the baseline, post the PR comment, " ..
    "write JSON results.",
  options = options.build(options.config, options.context, options.storage, {
    { "mode", type = "string", arg = "off|soft|hard", help = "gate mode (else qualityGate.mode, else soft)" },
    { "reference-branch", type = "string", arg = "branch",
      help = "baseline branch (else config, GITHUB_BASE_REF, CI_MERGE_REQUEST_TARGET_BRANCH_NAME, main)" },
    { "merge-base", type = "string", arg = "sha", help = "merge-base commit (else UNENTROPY_MERGE_BASE, git)" },
    { "comment", type = "boolean", negatable = true,
      help = "post the PR comment (else qualityGate.enablePullRequestComment, else true)" },
    { "comment-marker", type = "string", arg = "text", help = "marker of the PR comment (default: " ..
      comment.MARKER .. ")" },
    { "max-comment-metrics", type = "string", arg = "n", help = "evaluated rows in the comment (1-100; else " ..
      "qualityGate.maxCommentMetrics, else 30)" },
    { "pr-number", type = "string", arg = "n", help = "pull request number (else the GitHub event payload)" },
    { "output-file", short = "o", type = "string", arg = "path",
      help = "results file (default: " .. gate.DEFAULT_RESULTS .. ")" },
    { "verbose", short = "v", type = "boolean", help = "show commands and storage details" },
  }),
  positionals = { max = 0 },
}

local started = sys.monotonic_ms()
local opts, code = cli.parse(spec, { ... })
if not opts then return code end

local cfg, rc = config.load_or_report(opts.config)
if not cfg then return rc end

local s, serr = gate.settings(cfg, opts, sys.getenv, fs.cwd())
if not s then
  log.error(serr)
  io.stderr:write("Run 'unentropy gate --help' for usage.\n")
  return 1
end

local out = io.stdout

local function elapsed() return math.floor(sys.monotonic_ms() - started) end

-- Writes the results file (parents created) and returns its text, or nil
-- after logging the error.
local function write_results(results)
  local text = json.encode(results, { pretty = true })
  local dir = s.output_file:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then
    local ok, err = fs.mkdir_p(dir)
    if not ok then log.error(err); return nil end
  end
  local ok, err = fs.write(s.output_file, text .. "\n")
  if not ok then log.error(err); return nil end
  return text
end

if s.mode == "off" then
  local results = gate.off_results(time.format_ms(sys.now_ms()), elapsed(), sys.version)
  local text = write_results(results)
  if not text then return 1 end
  github.set_outputs(gate.outputs(results, s.output_file, text, 0))
  github.append_summary("## 🛡️ Quality Gate: off\n")
  out:write("Quality gate is off; nothing evaluated.\n")
  return 0
end

out:write(string.format("Quality gate: mode %s, reference %s\n", s.mode, s.ref))

local ctx, cerr = context.resolve({ flags = options.context_flags(opts), dir = cfg.base_dir, mode = "gate" })
if not ctx then
  log.error(cerr)
  return 1
end

-- 1. Collect, exactly as collect does, recording nothing.
local shown = collect.shown
local collected = collect.run_all(cfg, ctx, {
  on_result = collect.progress_lines(out, opts.verbose),
})

-- 2. The GitHub context: PR number and an API client when possible.
local token, repository = sys.getenv("GITHUB_TOKEN"), sys.getenv("GITHUB_REPOSITORY")
local pr, pr_reason = s.pr_number, nil
if not pr then pr, pr_reason = github_api.event_pr_number(sys.getenv, fs.read) end
local have_http, http = pcall(require, "unentropy.http")
local client, client_reason
if not have_http then
  client_reason = "HTTP support is not available in this build"
elseif token == nil or token == "" then
  client_reason = "GITHUB_TOKEN is not set"
elseif repository == nil or repository == "" then
  client_reason = "GITHUB_REPOSITORY is not set"
else
  client, client_reason = github_api.client({ token = token, repository = repository,
    api_url = sys.getenv("GITHUB_API_URL"), http = http })
end

-- 3. Baselines from the storage, opened read-only.
local eval_error
local baselines, merge_base = {}, nil
-- The artifact branch filter defaults to the reference branch (after
-- --artifact-branch and storage.artifact.branchFilter).
local handle, herr, hcode = storage.open(cfg, opts, "ro", { branch = s.ref })
if not handle then
  if hcode == "not_found" then
    log.info(tostring(herr) .. ": no baselines yet.")
  else
    log.warn("baseline unavailable: " .. tostring(herr))
    eval_error = "baseline unavailable: " .. tostring(herr)
  end
elseif opts.verbose then
  out:write(string.format("     Storage: %s at %s\n", handle.settings.type, handle.settings.path))
end

local mb_source
merge_base, mb_source = baseline.merge_base({
  flag = s.merge_base_flag, env = s.merge_base_env, commit = ctx.commit_sha, ref = s.ref,
  git = function(args) return context.git(cfg.base_dir, args) end,
  compare = client and pr and function(ref, commit) return github_api.compare_merge_base(client, ref, commit) end,
})
if merge_base then
  log.info(string.format("merge-base: %s (%s)", merge_base, mb_source))
else
  log.info(string.format("merge-base: not available (%s)", mb_source))
end

local histories = {}
if handle then
  local now = time.parse_rfc3339(ctx.timestamp) or sys.now_ms()
  local ok, picked, berr = pcall(baseline.select, handle.db, cfg.metrics, { merge_base = merge_base,
    ref = s.ref, max_age_days = s.max_age_days, now = now })
  -- Statistical thresholds: the reference branch's recent builds (docs/noise.md).
  local hok, hist, hmsg = pcall(baseline.histories, handle.db, cfg.metrics, cfg.qualityGate.thresholds,
    { ref = s.ref, max_age_days = s.max_age_days, now = now, commit = ctx.commit_sha })
  if hok and hist then
    histories = hist
  else
    log.warn("statistical history unavailable: " .. tostring(hok and hmsg or hist))
    eval_error = "statistical history unavailable: " .. tostring(hok and hmsg or hist)
  end
  handle.cleanup()
  if not ok then picked, berr = nil, picked end
  if picked then
    baselines = picked
  else
    log.warn("baseline unavailable: " .. tostring(berr))
    eval_error = "baseline unavailable: " .. tostring(berr)
  end
end

-- 4. Evaluate.
local ok_eval, evaluation = pcall(function()
  return evaluate.evaluate(gate.samples(cfg, collected, baselines, histories), cfg.qualityGate.thresholds)
end)
if not ok_eval then
  log.warn("quality gate evaluation failed: " .. tostring(evaluation))
  eval_error = "evaluation failed: " .. tostring(evaluation)
  evaluation = nil
end
local function results_with(url)
  return gate.results({
    timestamp = time.format_ms(sys.now_ms()), duration_ms = elapsed(), version = sys.version,
    collection = gate.collection(collected), comment_url = url, error = eval_error, mode = s.mode,
    evaluation = evaluation, ref = s.ref, max_age_days = s.max_age_days, merge_base = merge_base,
  })
end
local results = results_with(nil)
for _, line in ipairs(gate.console_lines(results.qualityGate)) do out:write(line, "\n") end

-- 5. The comment body (also the job summary).
local failures = {}
for _, r in ipairs(collected) do
  if not r.ok then failures[#failures + 1] = { metric = r.metric.id, name = r.metric.name, reason = r.reason } end
end
local ok_render, body, twarn = pcall(comment.render, results, { marker = s.marker, max_rows = s.max_rows,
  max_chars = s.max_chars, template = s.template, failures = failures })
if not ok_render then
  log.warn("PR comment rendering failed: " .. tostring(body))
  body = nil
elseif twarn then
  log.warn(twarn)
end

-- 6. Post it.
local comment_line, comment_url
if not body then
  comment_line = "skipped (rendering failed)"
elseif not s.comment then
  comment_line = "skipped (disabled)"
elseif ctx.ci == "gitlab" and not s.pr_number then
  comment_line = "skipped (GitLab merge requests get no comment)"
elseif not pr then
  comment_line = "skipped (" .. pr_reason .. ")"
elseif not client then
  comment_line = "skipped (" .. client_reason .. ")"
else
  local res, perr, status = github_api.upsert_comment(client, pr, s.marker, body)
  if res then
    comment_url = res.url
    comment_line = res.action .. " " .. tostring(res.url)
  else
    if status == 403 or status == 401 then
      perr = perr .. " (the token cannot write comments, as on pull requests from forks; " ..
        "the result is in the job summary)"
    end
    log.warn("Failed to post PR comment: " .. perr)
    comment_line = "skipped (posting failed" .. (status and (": HTTP " .. status) or "") .. ")"
  end
end

-- 7. Results, outputs, job summary.
results = results_with(comment_url)
local text = write_results(results)
if not text then return 1 end
github.set_outputs(gate.outputs(results, s.output_file, text, baseline.builds_considered(baselines)))
if body then github.append_summary(comment.strip_marker(body, s.marker)) end
out:write("Results: ", s.output_file, "\n")
out:write("PR comment: ", comment_line, "\n")

-- 8. Exit.
local exit = gate.exit_code(s.mode, results.qualityGate.status)
if exit ~= 0 then io.stderr:write(gate.hard_failure(evaluation), "\n") end
return exit
