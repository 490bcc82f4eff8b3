-- unentropy measure <collector> [args...]: run one built-in collector and
-- print its value in shortest round-trip form (cli.md "measure").
local collectors = require("unentropy.collectors")
local format = require("unentropy.format")
local log = require("unentropy.log")

local args = { ... }
if args[1] == "--help" or args[1] == "-h" then
  io.stdout:write(table.concat({
    "Usage: unentropy measure <collector> [collector args...] [--config/-c <path>]",
    "",
    "Run one built-in collector with the @collect syntax and print its value.",
    "Collectors: " .. table.concat(collectors.builtin, ", "),
    "",
    "Options:",
    "  --config, -c <path>  run as the inline form inside this config (base directory, sources)",
    "  --help, -h           print this help",
  }, "\n"), "\n")
  return 0
end

-- --config is ours; everything else belongs to the collector.
local config_path
local rest = {}
local i = 1
while i <= #args do
  local a = args[i]
  if a == "--config" or a == "-c" then
    config_path = args[i + 1]
    if config_path == nil then
      log.error("Missing required argument: config")
      return 1
    end
    i = i + 2
  elseif a:match("^%-%-config=") then
    config_path = a:sub(10)
    i = i + 1
  else
    rest[#rest + 1] = a
    i = i + 1
  end
end

local env = { base_dir = ".", sources = nil }
if config_path then
  local cfg, rc = require("unentropy.config").load_or_report(config_path)
  if not cfg then return rc end
  env = { base_dir = cfg.base_dir, sources = cfg.sources, config = cfg }
end

local v, err = collectors.run(rest, env)
if v == nil then
  log.error(err)
  return 1
end
io.stdout:write(type(v) == "number" and format.number(v) or tostring(v), "\n")
return 0
