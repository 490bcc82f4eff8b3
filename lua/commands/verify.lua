-- commands/verify.lua: `unentropy verify [config]` (cli.md "verify").
-- Validates a config file with unentropy.config, then compiles every parser
-- and template it names. Valid: one line on stdout, warnings on stderr;
-- invalid: the violations on stderr, exit 1.
local cli = require("unentropy.cli")
local config = require("unentropy.config")
local log = require("unentropy.log")

local spec = {
  name = "verify",
  usage = "unentropy verify [config]",
  summary = "Validate a config file (default unentropy.json): the schema, metric templates,\n"
    .. "and that every parser and template compiles and returns a function.",
  positionals = { max = 1, names = { "config" } },
}

local opts, rc = cli.parse(spec, { ... })
if not opts then return rc end
local path = opts._[1] or config.DEFAULT_PATH

local function invalid(lines)
  io.stderr:write("✗ Configuration file ", path, " is invalid:\n")
  for _, line in ipairs(lines) do io.stderr:write("  ", line, "\n") end
  return 1
end

local cfg, res = config.load(path)
if not cfg then
  if res.kind == "not_found" then return invalid({ "Config file not found: " .. path }) end
  local lines = {}
  for i, v in ipairs(res.errors) do lines[i] = config.format_violation(v) end
  return invalid(lines)
end

local errors = config.check_files(cfg)
if #errors > 0 then
  local lines = {}
  for i, v in ipairs(errors) do lines[i] = config.format_violation(v) end
  return invalid(lines)
end

for _, w in ipairs(res) do log.warn(config.format_violation(w)) end
io.stdout:write("✓ Configuration file ", path, " is valid\n")
return 0
