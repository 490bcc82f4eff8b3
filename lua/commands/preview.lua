-- commands/preview.lua: `unentropy preview` (cli.md "preview"). Checks the
-- config, then writes <dir>/index.html from synthetic data (report.md §7:
-- repository "preview/repository", 0 builds, preview switch on) or, with
-- --db, from that database opened read-only. Everything goes to stdout,
-- errors included, with upstream's texts. --open hands the file to xdg-open
-- (open on macOS), detached.
local cli = require("unentropy.cli")
local config = require("unentropy.config")
local exec = require("unentropy.exec")
local fs = require("unentropy.fs")
local report = require("unentropy.report")
local store = require("unentropy.store")

local spec = {
  name = "preview",
  usage = "unentropy preview [--config/-c <path>] [--output/-o <dir>] [--db <path>] [--open|--no-open]",
  summary = "Generate a report from synthetic data (or from --db) to try out a config.",
  options = {
    { "config", short = "c", type = "string", arg = "path", default = "unentropy.json", help = "config file" },
    { "output", short = "o", type = "string", arg = "dir", default = "unentropy-preview",
      help = "output directory (created if needed)" },
    { "db", type = "string", arg = "path", help = "read this database (read-only) instead of synthetic data" },
    { "open", type = "boolean", negatable = true, default = false, help = "open the report in a browser" },
  },
}

local opts, code = cli.parse(spec, { ... })
if not opts then return code end
local out = io.stdout

out:write("Checking ", opts.config, "...\n")
local cfg, err = config.load(opts.config)
if not cfg then
  if err.kind == "not_found" then
    out:write("Error: Config file not found: ", err.path, "\n", "Run 'unentropy init' to create one.\n")
  else
    out:write("✗ Config schema invalid:\n")
    for _, v in ipairs(err.errors) do out:write("  ", config.format_violation(v), "\n") end
    out:write("\nFix the errors above and try again.\n")
  end
  return 1
end
out:write("✓ Config schema valid\n")
out:write(string.format("Generating preview report with %d metrics:\n", #cfg.metrics))
for _, m in ipairs(cfg.metrics) do out:write("  - ", m.id, " (", m.name, ")\n") end

local ds, synthetic
if opts.db and opts.db ~= "" then
  if not fs.exists(opts.db) then
    out:write("Error: Database not found: ", opts.db, "\n", "Run metric collection first, or check the path.\n")
    return 1
  end
  out:write("Reading database: ", opts.db, "\n")
  local db, derr = store.open(opts.db, { readonly = true })
  if not db then
    out:write("Error: ", (tostring(derr):gsub("^store: ", "")), "\n")
    return 1
  end
  local ok, res, rerr = pcall(report.read, db, cfg)
  db:close()
  if not ok or not res then
    out:write("Error: Report generation failed: ", tostring(ok and rerr or res), "\n")
    return 1
  end
  ds, synthetic = res, false
else
  ds, synthetic = report.empty(cfg), true
end

local ok, res, gerr = pcall(report.generate, cfg, { output = opts.output, format = "html", dataset = ds,
  synthetic = synthetic })
if not ok or not res then
  out:write("Error: Report generation failed: ", tostring(ok and gerr or res), "\n")
  return 1
end
for _, w in ipairs(res.warnings) do out:write("warning: ", w, "\n") end
local dir = opts.output:gsub("/+$", "")
out:write("✓ Preview report generated: ", dir, "/index.html\n")

if opts.open then
  local uname = exec.run({ argv = { "uname", "-s" } })
  if uname.ok and uname.stdout:match("^Darwin") then
    exec.run({ argv = { "open", res.path }, timeout = 10000 }) -- returns once LaunchServices has it
  else
    -- Detached: setsid in the background, then wait (at most ~1 s) until it
    -- has left our process group, which exec.run kills when sh exits.
    local script = 'setsid "$0" "$1" >/dev/null 2>&1 </dev/null & p=$!; me=$(ps -o pgid= -p $$); i=0; ' ..
      'while [ $i -lt 50 ] && [ "$(ps -o pgid= -p $p 2>/dev/null)" = "$me" ]; do sleep 0.02; i=$((i+1)); done'
    exec.run({ argv = { "sh", "-c", script, "xdg-open", res.path }, timeout = 5000 })
  end
  out:write("Opening in browser...\n")
end
return 0
