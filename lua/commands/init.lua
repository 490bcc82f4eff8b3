-- commands/init.lua: `unentropy init` (cli.md "init"). Detects the project
-- type in the current directory, writes a starter unentropy.json (atomic),
-- and prints the next steps and example workflows. The texts and the config
-- come from unentropy.project_init; this script does the IO.
local cli = require("unentropy.cli")
local fs = require("unentropy.fs")
local pinit = require("unentropy.project_init")
local sys = require("unentropy.sys")

local spec = {
  name = "init",
  usage = "unentropy init [--type/-t javascript|php|go|python] [--storage/-s artifact|s3|local] "
    .. "[--force/-f] [--dry-run]",
  summary = "Detect the project type and write a starter unentropy.json, then print the\n"
    .. "next steps and example GitHub Actions workflows.",
  options = {
    { "type", short = "t", type = "string", arg = "type",
      help = "force the project type: javascript, php, go, python" },
    { "storage", short = "s", type = "string", arg = "type", default = "artifact",
      help = "storage backend: artifact, s3, local" },
    { "force", short = "f", type = "boolean", default = false, help = "overwrite an existing unentropy.json" },
    { "dry-run", type = "boolean", default = false, help = "print the config instead of writing it" },
  },
  positionals = { max = 0 },
}

local opts, rc = cli.parse(spec, { ... })
if not opts then return rc end

local function fail(...)
  for _, line in ipairs({ ... }) do io.stderr:write(line, "\n") end
  return 1
end

local CONFIG = "unentropy.json"

if fs.exists(CONFIG) and not opts.force and not opts.dry_run then
  return fail("Error: unentropy.json already exists. Use --force to overwrite.")
end

local ptype, found
if opts.type ~= nil and opts.type ~= "" then
  if not pinit.is_type(opts.type) then
    return fail('Error: Invalid project type "' .. opts.type .. '".',
      "Valid types: " .. table.concat(pinit.TYPES, ", "))
  end
  ptype = opts.type
end
if not pinit.is_storage(opts.storage) then
  return fail('Error: Invalid storage type "' .. opts.storage .. '".',
    "Valid types: " .. table.concat(pinit.STORAGE_TYPES, ", "))
end
if not ptype then
  ptype, found = pinit.detect(fs.exists)
  if not ptype then
    return fail("Error: Could not detect project type.",
      "Use --type to specify: javascript, php, go, or python")
  end
  io.stdout:write("Detected project type: ", ptype, " (found: ", table.concat(found, ", "), ")\n\n")
else
  io.stdout:write("Using forced project type: ", ptype, "\n\n")
end

local text = pinit.config_text(ptype, opts.storage)
if opts.dry_run then
  io.stdout:write("Would create unentropy.json:\n\n", text, "\n")
else
  local ok, msg = fs.write(CONFIG, text)
  if not ok then
    return fail("✗ Failed to initialize configuration:", "  " .. tostring(msg))
  end
  io.stdout:write("✓ Created unentropy.json with ", pinit.metric_count(ptype), " metrics:\n",
    table.concat(pinit.metric_lines(ptype), "\n"), "\n\n")
end

io.stdout:write(pinit.guide(ptype, opts.storage, sys.docs_url, fs.is_file("requirements.txt")))
return 0
