-- unentropy collect: record one build (cli.md "collect", storage.md §8):
-- load the config, open the storage, resolve the build context, run every
-- metric, record the build in one transaction, persist, then write the report
-- and the GitHub outputs and job summary.
local cli = require("unentropy.cli")
local collect = require("unentropy.collect")
local collectors = require("unentropy.collectors")
local config = require("unentropy.config")
local context = require("unentropy.context")
local github = require("unentropy.github")
local log = require("unentropy.log")
local markdown = require("unentropy.markdown")
local options = require("unentropy.options")
local storage = require("unentropy.storage")
local sys = require("unentropy.sys")

local spec = {
  name = "collect",
  usage = "unentropy collect [config/context/storage options] [--report-dir <dir>] [--no-report] " ..
    "[--repository <owner/name>] [--verbose/-v]",
  summary = "Record one build: run all metrics, store them in one transaction, persist, write the report.",
  options = options.build(options.config, options.context, options.storage, {
    { "report-dir", type = "string", arg = "dir", default = "unentropy-report", help = "report directory" },
    { "report", type = "boolean", negatable = true, default = true, help = "write the HTML report" },
    { "repository", type = "string", arg = "owner/name", help = "repository shown in the report" },
    { "verbose", short = "v", type = "boolean", help = "show commands and storage details" },
  }),
  positionals = { max = 1 },
}

local started = sys.monotonic_ms()
local opts, code = cli.parse(spec, { ... })
if not opts then return code end
if opts._[1] then
  local name = opts._[1]
  for _, b in ipairs(collectors.builtin) do
    if b == name then
      log.error("'unentropy collect " .. name .. "' is now 'unentropy measure " .. name .. "'")
      return 1
    end
  end
  log.error("Unknown argument: " .. name)
  io.stderr:write("Run 'unentropy collect --help' for usage.\n")
  return 1
end

local cfg, rc = config.load_or_report(opts.config)
if not cfg then return rc end

local handle, serr = storage.open(cfg, opts, "rw")
if not handle then
  log.error(serr)
  return 1
end

local ctx, cerr = context.resolve({
  flags = options.context_flags(opts), dir = cfg.base_dir, mode = "collect",
  next_run_number = function() return handle.db:max_run_number() + 1 end,
})
if not ctx then
  handle.cleanup()
  log.error(cerr)
  return 1
end

-- A metric's type is fixed once created (storage.md §5).
local skip = {}
for _, def in ipairs(handle.db:metric_definitions()) do
  local m = cfg.metrics_by_id[def.id]
  if m and m.type ~= def.type then
    skip[m.id] = string.format("type mismatch: database has %s, config says %s", def.type, m.type)
  end
end

local out = io.stdout
local n = #cfg.metrics
out:write(string.format("Collecting %d metrics for %s @ %s (run %s #%d, event %s)\n", n, ctx.branch,
  (ctx.commit_sha or ""):sub(1, 7), ctx.run_id, ctx.run_number, ctx.event_name or "none"))

local shown = collect.shown

local results = collect.run_all(cfg, ctx, {
  skip = skip,
  on_result = collect.progress_lines(out, opts.verbose),
})

local values, failed = {}, {}
for _, res in ipairs(results) do
  local m = res.metric
  if res.ok then
    values[#values + 1] = {
      metric = { id = m.id, name = m.name, type = m.type, unit = m.unit, description = m.description },
      value_numeric = type(res.value) == "number" and res.value or nil,
      value_label = type(res.value) == "string" and res.value or nil,
    }
  else
    failed[#failed + 1] = res
  end
end

local build = { commit_sha = ctx.commit_sha, branch = ctx.branch, run_id = ctx.run_id,
  run_number = ctx.run_number, event_name = ctx.event_name, timestamp = ctx.timestamp }
-- handle.record_build remembers the build and values: a remote persist
-- re-applies them after a conflicting write (storage.md §7.3).
local build_id, rerr = handle.record_build(build, values)
if not build_id then
  handle.cleanup()
  log.error("failed to record build: " .. tostring(rerr))
  return 1
end
local total_builds = handle.db:build_count()
out:write(string.format("Recorded build %d: %d of %d metrics (%s)\n", build_id, #values, n,
  handle.settings.location))

local ok, perr = handle.persist()
if not ok then
  log.error(perr)
  if handle.kept then io.stderr:write("The database with this build was kept at ", handle.kept, "\n") end
  handle.cleanup()
  return 1
end
local persisted = handle.persisted or {}
build_id = persisted.build_id or build_id
total_builds = persisted.total_builds or total_builds
if opts.verbose then
  out:write(string.format("     Storage: %s at %s (%d bytes)\n", handle.settings.type, handle.settings.location,
    persisted.bytes or 0))
end
local artifact = handle.artifact
if artifact and sys.getenv("GITHUB_ACTIONS") ~= "true" then
  out:write(string.format("Database written to %s; upload it as artifact '%s' to keep this build.\n",
    artifact.path, artifact.name))
end

-- Report: generated from the persisted database once the report lands.
local report_path = ""
if opts.report then
  local has_report = require("unentropy.assets").exists("lua/unentropy/report.lua")
  if has_report then
    local report = require("unentropy.report")
    local path, err = report.generate_for_collect(cfg, opts, handle.settings)
    if path then
      out:write("✓ Report generated: ", opts.report_dir, "/index.html\n")
      report_path = path
    else
      log.warn("report generation failed: " .. tostring(err))
    end
  end
end

-- GitHub outputs and job summary; the remote working copy goes last.
handle.cleanup()
github.set_outputs({
  { "success", "true" },
  { "storage-type", handle.settings.type },
  { "database-location", handle.settings.location },
  { "database-size", persisted.bytes or 0 },
  { "metrics-collected", #values },
  { "metrics-failed", #failed },
  { "total-builds", total_builds },
  { "build-id", build_id },
  { "duration", math.floor(sys.monotonic_ms() - started) },
  { "report-path", report_path },
  { "artifact-upload-required", artifact and "true" or "false" },
  { "artifact-name", artifact and artifact.name or "" },
  { "artifact-path", artifact and artifact.path or "" },
})
local md = { "## 📊 Unentropy metrics", "",
  string.format("Build %s on %s (run #%d): %d of %d metrics collected.", markdown.code((ctx.commit_sha or ""):sub(1, 7)),
    markdown.code(ctx.branch), ctx.run_number, #values, n), "",
  "| Metric | Value |", "|--------|-------|" }
for _, res in ipairs(results) do
  if res.ok then
    md[#md + 1] = string.format("| %s (%s) | %s |", markdown.text(res.metric.name), markdown.code(res.metric.id),
      markdown.text(shown(res)))
  end
end
if #failed > 0 then
  local parts = {}
  for _, res in ipairs(failed) do
    parts[#parts + 1] = string.format("%s (%s)", markdown.code(res.metric.id), markdown.text(res.reason))
  end
  md[#md + 1] = ""
  md[#md + 1] = "**Failed:** " .. table.concat(parts, ", ")
end
github.append_summary(table.concat(md, "\n") .. "\n")
return 0
