-- unentropy test: dry run of every metric (cli.md "test"). Opens no
-- storage, writes nothing; everything goes to stdout. Exit 0 when every
-- metric succeeded, 2 when any failed, 1 on config errors.
local cli = require("unentropy.cli")
local collect = require("unentropy.collect")
local config = require("unentropy.config")
local context = require("unentropy.context")
local format = require("unentropy.format")
local options = require("unentropy.options")

local spec = {
  name = "test",
  usage = "unentropy test [--config/-c <path>] [--timeout <ms>] [--verbose/-v] [build context options]",
  summary = "Run every metric once, exactly as collect does, and print a table. Nothing is written.",
  options = options.build(options.config, {
    { "timeout", type = "integer", arg = "ms", help = "override every metric's timeout" },
    { "verbose", short = "v", type = "boolean", help = "show each metric's command" },
  }, options.context),
}

local opts, code = cli.parse(spec, { ... })
if not opts then return code end

local out = io.stdout
out:write("Checking ", opts.config, "...\n")
local cfg, problem = config.load(opts.config)
if not cfg then
  if problem.kind == "not_found" then
    out:write("Error: Config file not found: ", opts.config, "\nRun 'unentropy init' to create one.\n")
  else
    out:write("✗ Config schema invalid:\n")
    for _, e in ipairs(problem.errors) do out:write("  ", e.path, ": ", e.message, "\n") end
    out:write("\nFix the errors above and try again.\n")
  end
  return 1
end
out:write("\n✓ Config schema valid\n\nCollecting metrics:\n\n")

local ctx, cerr = context.resolve({ flags = options.context_flags(opts), dir = cfg.base_dir, mode = "test" })
if not ctx then
  out:write("Error: ", cerr, "\n")
  return 1
end

local function label(m)
  return m.unit and (m.name .. " (" .. m.unit .. ")") or m.name
end
local width = 11
for _, m in ipairs(cfg.metrics) do width = math.max(width, utf8.len(label(m)) or #label(m)) end

local failed = 0
collect.run_all(cfg, ctx, {
  timeout = opts.timeout,
  on_result = function(res)
    local m = res.metric
    local l = label(m)
    local padded = l .. string.rep(" ", width - (utf8.len(l) or #l))
    if res.ok then
      local shown = type(res.value) == "string" and res.value or format.value(res.value, m.unit)
      local runs = collect.describe(res) -- "5 runs, spread 3.1%" (repeat)
      out:write(string.format("  ✓ %s\t%s  %s%.1fs\n", padded, shown, runs and ("(" .. runs .. ")  ") or "",
        res.duration_ms / 1000))
      if opts.verbose then out:write("     Command: ", m.command, "\n") end
    else
      failed = failed + 1
      out:write(string.format("  ✗ %s\tError: %s\n", padded, res.reason))
    end
    out:flush()
  end,
})

local n = #cfg.metrics
out:write("\n")
if failed == 0 then
  out:write(string.format("All %d metrics collected successfully.\n", n))
  return 0
end
out:write(string.format("%d of %d %s failed\n", failed, n, failed == 1 and "metric" or "metrics"))
return 2
