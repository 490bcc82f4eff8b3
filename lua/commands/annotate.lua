-- unentropy annotate: record that a metric's step change at a commit was
-- intended (docs/noise.md). --reset also restarts the statistical window
-- of the quality gate after that commit's build; --delete removes the
-- annotation. Stored in the additive `metric_annotations` table (schema
-- 2.1.0, created on first use), then persisted like collect. A short SHA is
-- expanded from the recorded builds, else with git.
local cli = require("unentropy.cli")
local config = require("unentropy.config")
local context = require("unentropy.context")
local log = require("unentropy.log")
local options = require("unentropy.options")
local storage = require("unentropy.storage")
local sys = require("unentropy.sys")
local time = require("unentropy.time")

local spec = {
  name = "annotate",
  usage = "unentropy annotate --metric <id> --commit <sha> (--note <text> [--reset] | --delete) " ..
    "[config/storage options]",
  summary = "Annotate a metric's change at a commit as intended; --reset restarts the statistical window.",
  options = options.build(options.config, options.storage, {
    { "metric", type = "string", arg = "id", help = "metric key" },
    { "commit", type = "string", arg = "sha", help = "commit of the change (a unique prefix works)" },
    { "note", type = "string", arg = "text", help = "why the change is intended" },
    { "reset", type = "boolean", help = "start the statistical window after this commit's build" },
    { "delete", type = "boolean", help = "remove the annotation of this metric and commit" },
  }),
  positionals = { max = 0 },
}

local opts, code = cli.parse(spec, { ... })
if not opts then return code end
local function usage(msg)
  log.error(msg)
  io.stderr:write("Run 'unentropy annotate --help' for usage.\n")
  return 1
end
if not opts.metric or opts.metric == "" then return usage("--metric is required") end
if not opts.commit or not opts.commit:match("^%x+$") or #opts.commit < 4 or #opts.commit > 64 then
  return usage("--commit must be a commit SHA (4-64 hex digits)")
end
if opts.delete then
  if opts.note or opts.reset then return usage("--delete takes no --note or --reset") end
elseif not opts.note or opts.note == "" then
  return usage("--note is required")
elseif #opts.note > 1024 then
  return usage("--note must be 1024 characters or less")
end

local cfg, rc = config.load_or_report(opts.config)
if not cfg then return rc end
local m = cfg.metrics_by_id[opts.metric]
if not m then return usage("unknown metric '" .. opts.metric .. "' (not in " .. cfg.path .. ")") end

local handle, err = storage.open(cfg, opts, "rw")
if not handle then
  log.error(err)
  return 1
end
if not handle.db.annotate then
  handle.cleanup()
  log.error("annotations are not supported by storage type " .. tostring(handle.settings.type))
  return 1
end

-- The full SHA: a unique match among the recorded builds, else git.
local wanted = opts.commit:lower()
local sha, matches = nil, {}
for _, b in ipairs(handle.db:timeline({ include_pull_requests = true })) do
  local c = (b.commit_sha or ""):lower()
  if c:sub(1, #wanted) == wanted and not matches[c] then
    matches[c] = true
    if sha then sha = false else sha = c end
  end
end
if sha == false then
  handle.cleanup()
  return usage("commit '" .. opts.commit .. "' is ambiguous among the recorded builds")
end
if not sha then
  local full = context.git(cfg.base_dir, { "rev-parse", "--verify", "--quiet", opts.commit .. "^{commit}" })
  sha = full and full:match("^%x+$") and full:lower() or nil
end
if not sha then
  if #wanted < 7 then
    handle.cleanup()
    return usage("commit '" .. opts.commit .. "' is not a recorded build or a git commit; give at least 7 digits")
  end
  sha = wanted
end

local out = io.stdout
local created_at = time.format_ms(sys.now_ms())
-- Writes the annotation (or removes it); returns true | nil, msg.
local function apply()
  if opts.delete then
    local removed, derr = handle.db:remove_annotation(m.id, sha)
    if removed == nil then return nil, derr end
    return true, removed
  end
  local id, aerr = handle.db:annotate({ metric_id = m.id, commit_sha = sha, note = opts.note,
    reset = opts.reset == true, created_at = created_at })
  if not id then return nil, aerr end
  return true
end
-- Whether the database holds the wanted state (a remote persist that met a
-- conflicting upload continues from the newer copy, without this change).
local function applied()
  for _, a in ipairs(handle.db:annotations(m.id) or {}) do
    if a.commit_sha == sha then return not opts.delete and a.note == opts.note end
  end
  return opts.delete == true
end

local ok, res = apply()
if not ok then
  handle.cleanup()
  log.error(res)
  return 1
end
if opts.delete then
  out:write(res and string.format("Removed the annotation of %s at %s\n", m.id, sha:sub(1, 7))
    or string.format("No annotation of %s at %s\n", m.id, sha:sub(1, 7)))
else
  out:write(string.format("Annotated %s at %s%s: %s\n", m.id, sha:sub(1, 7),
    opts.reset and " (statistical window restarts after this build)" or "", opts.note))
end
local perr
for _ = 1, 3 do
  ok, perr = handle.persist()
  -- Local and artifact persists close the database: nothing concurrent to check.
  local checked, present = pcall(applied)
  if not ok or not checked or present then break end
  ok, perr = apply()
  if not ok then break end
  ok, perr = false, "the annotation was overwritten by concurrent uploads"
end
handle.cleanup()
if not ok then
  log.error(perr)
  return 1
end
return 0
