-- commands/report.lua: `unentropy report` (cli.md "report"). Opens the
-- storage read-only (remote storage is downloaded, never uploaded), builds
-- the report view and writes <dir>/index.html, or with --format csv|json the
-- data export <dir>/data.csv|json (report.md §10). All the work is in
-- unentropy.report; this script parses options and prints the results.
local cli = require("unentropy.cli")
local config = require("unentropy.config")
local log = require("unentropy.log")
local options = require("unentropy.options")
local report = require("unentropy.report")

local spec = {
  name = "report",
  usage = "unentropy report [config/storage options] [--output/-o <dir>] [--format html|csv|json] " ..
    "[--repository <owner/name>]",
  summary = "Generate the HTML trend report (or the CSV/JSON data) from the database.",
  options = options.build(options.config, options.storage, {
    { "output", short = "o", type = "string", arg = "dir", default = "unentropy-report",
      help = "output directory (created if needed)" },
    { "format", type = "string", arg = "fmt", choices = { "html", "csv", "json" }, default = "html",
      help = "what to write: index.html, data.csv or data.json" },
    { "repository", type = "string", arg = "owner/name",
      help = "repository shown in the report (else GITHUB_REPOSITORY, CI_PROJECT_PATH, the config directory)" },
  }),
}

local opts, code = cli.parse(spec, { ... })
if not opts then return code end

local cfg, rc = config.load_or_report(opts.config)
if not cfg then return rc end

local res, err, ecode = report.generate(cfg, opts)
if not res then
  if ecode == "not_found" then
    log.error(err)
    io.stderr:write("Run metric collection first, or check the path.\n")
  elseif ecode ~= nil then
    log.error(err)
  else
    log.error("Report generation failed: " .. tostring(err))
  end
  return 1
end
for _, w in ipairs(res.warnings) do log.warn(w) end

local out = opts.output:gsub("/+$", "")
if out == "" then out = "/" end
if opts.format == "html" then
  io.stdout:write(string.format("✓ Report generated: %s/index.html (%d builds, %d metrics)\n", out, res.builds,
    res.metrics))
else
  io.stdout:write(string.format("✓ Data exported: %s/data.%s\n", out, opts.format))
end
return 0
