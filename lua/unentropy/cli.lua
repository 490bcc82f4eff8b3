-- unentropy.cli: the command line. Global options, help, dispatch to the
-- bundled command scripts (lua/commands/<name>.lua), the `run` runner, and
-- the argument parser every command uses (cli.md §1).
local assets = require("unentropy.assets")
local sys = require("unentropy.sys")

local M = {}

-- Commands in help order, with a one-line summary each.
M.commands = {
  { "collect", "Record one build: run all metrics, store them, write the report" },
  { "gate", "Quality gate for a pull request: compare with the baseline, comment" },
  { "report", "Generate the HTML report (or CSV/JSON data) from a database" },
  { "preview", "Generate a report with synthetic data to try out a config" },
  { "test", "Dry run: run every metric and print a table; writes nothing" },
  { "verify", "Validate a config file" },
  { "init", "Detect the project type and write a starter unentropy.json" },
  { "import", "Import JSONL history into a database" },
  { "sources", "List the files in scope of sources" },
  { "measure", "Run one built-in collector and print its value" },
  { "changes", "Find step changes in a branch's history (change points)" },
  { "annotate", "Mark a metric's change at a commit as intended; restart its statistical window" },
  { "db", "Database tools: copy the history between SQLite and PostgreSQL" },
  { "run", "Run a Lua script with the full API" },
}

local function usage_text()
  local lines = {
    "Usage: unentropy [--lua-dir DIR] <command> [options] [args]",
    "       unentropy --version | --help",
    "",
    "Track code metrics over time in CI: collect values, keep their history in",
    "SQLite, draw trend reports and gate pull requests.",
    "",
    "Commands:",
  }
  for _, c in ipairs(M.commands) do
    lines[#lines + 1] = string.format("  %-9s %s", c[1], c[2])
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Global options:"
  lines[#lines + 1] = "  --lua-dir DIR  load Lua modules and commands from DIR before the embedded ones"
  lines[#lines + 1] = "  --version      print the version"
  lines[#lines + 1] = "  --help, -h     print this help"
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Run 'unentropy <command> --help' for a command's options."
  lines[#lines + 1] = "Documentation: " .. sys.docs_url
  return table.concat(lines, "\n") .. "\n"
end

local function err(msg) io.stderr:write("Error: ", msg, "\n") end

---------------------------------------------------------------------------
-- Argument parsing

local function opt_key(name) return (name:gsub("-", "_")) end

-- Renders a command's help from its spec.
function M.help(spec)
  local out = { "Usage: " .. spec.usage, "" }
  if spec.summary then out[#out + 1] = spec.summary; out[#out + 1] = "" end
  if spec.options and #spec.options > 0 then
    out[#out + 1] = "Options:"
    local rows, width = {}, 0
    for _, o in ipairs(spec.options) do
      local flag = "--" .. o[1]
      if o.short then flag = flag .. ", -" .. o.short end
      if o.type == "boolean" and o.negatable then flag = flag .. " / --no-" .. o[1] end
      if o.type ~= "boolean" then flag = flag .. " <" .. (o.arg or o.type) .. ">" end
      if o.type == "array" then flag = flag .. "..." end
      local text = o.help or ""
      if o.choices then text = text .. " (choices: " .. table.concat(o.choices, ", ") .. ")" end
      if o.default ~= nil then text = text .. " (default: " .. tostring(o.default) .. ")" end
      rows[#rows + 1] = { flag, text }
      if #flag > width then width = #flag end
    end
    for _, r in ipairs(rows) do
      out[#out + 1] = string.format("  %-" .. width .. "s  %s", r[1], r[2])
    end
    out[#out + 1] = string.format("  %-" .. width .. "s  %s", "--help, -h", "print this help")
  end
  if spec.epilog then out[#out + 1] = ""; out[#out + 1] = spec.epilog end
  return table.concat(out, "\n") .. "\n"
end

local function convert(o, raw)
  if o.type == "number" or o.type == "integer" then
    local n = tonumber(raw)
    if n == nil or n ~= n or (o.type == "integer" and math.type(n) ~= "integer") then
      return nil, string.format('Invalid value for --%s: "%s" (expected a number)', o[1], raw)
    end
    return n
  end
  if o.choices then
    for _, c in ipairs(o.choices) do if c == raw then return raw end end
    return nil, string.format('Invalid value for --%s: "%s" (choices: %s)', o[1], raw,
      table.concat(o.choices, ", "))
  end
  return raw
end

-- Parses argv (array of strings) by spec without printing anything.
-- Returns opts (option values keyed with hyphens as underscores,
-- positionals in opts._), or nil, message (the text after "Error: "), or
-- nil, nil, "help" when --help/-h was given. Collectors use it directly;
-- commands use M.parse, which prints.
-- spec = {name=, usage=, summary=, options = {{"long", short=, type=
-- "string"|"number"|"integer"|"boolean"|"array", choices=, default=,
-- negatable=, required=, help=}}, positionals = {min=, max=, names={}}}
function M.parse_args(spec, argv)
  local by_long, by_short = {}, {}
  local opts = { _ = {} }
  for _, o in ipairs(spec.options or {}) do
    by_long[o[1]] = o
    if o.short then by_short[o.short] = o end
    if o.default ~= nil then opts[opt_key(o[1])] = o.default end
  end
  local i, n = 1, #argv
  local only_positionals = false
  while i <= n do
    local a = argv[i]
    if only_positionals or a == "-" or a:sub(1, 1) ~= "-" then
      opts._[#opts._ + 1] = a
    elseif a == "--" then
      only_positionals = true
    elseif a == "--help" or a == "-h" then
      return nil, nil, "help"
    else
      local name, inline
      local o
      if a:sub(1, 2) == "--" then
        name, inline = a:match("^%-%-([^=]+)=(.*)$")
        if not name then name = a:sub(3) end
        o = by_long[name]
        if not o and not inline and name:sub(1, 3) == "no-" then
          local neg = by_long[name:sub(4)]
          if neg and neg.type == "boolean" then
            opts[opt_key(neg[1])] = false
            goto continue
          end
        end
      else
        name = a:sub(2)
        if #name > 1 and by_short[name:sub(1, 1)] and by_short[name:sub(1, 1)].type ~= "boolean" then
          inline = name:sub(2)
          name = name:sub(1, 1)
        end
        o = by_short[name]
      end
      if not o then return nil, "Unknown argument: " .. a end
      local key = opt_key(o[1])
      if o.type == "boolean" then
        if inline ~= nil then return nil, "Unknown argument: " .. a end
        opts[key] = true
      elseif o.type == "array" then
        local list = opts[key]
        if type(list) ~= "table" or list == o.default then list = {}; opts[key] = list end
        if inline ~= nil then list[#list + 1] = inline end
        while i < n and argv[i + 1]:sub(1, 1) ~= "-" do
          i = i + 1
          list[#list + 1] = argv[i]
        end
        if #list == 0 then return nil, "Missing required argument: " .. o[1] end
      else
        local raw = inline
        if raw == nil then
          if i >= n then return nil, "Missing required argument: " .. o[1] end
          i = i + 1
          raw = argv[i]
        end
        -- An empty value means "not set": composite actions pass unset
        -- inputs as '' (cli.md "gate").
        if raw ~= "" then
          local v, cerr = convert(o, raw)
          if v == nil then return nil, cerr end
          opts[key] = v
        end
      end
    end
    ::continue::
    i = i + 1
  end
  local pos = spec.positionals or { max = 0 }
  if pos.max and #opts._ > pos.max then
    return nil, "Unknown argument: " .. opts._[pos.max + 1]
  end
  if pos.min and #opts._ < pos.min then
    local names = pos.names or {}
    return nil, "Missing required argument: " .. (names[#opts._ + 1] or "argument")
  end
  for _, o in ipairs(spec.options or {}) do
    if o.required and opts[opt_key(o[1])] == nil then
      return nil, "Missing required argument: " .. o[1]
    end
  end
  return opts
end

-- Parses argv for a command. Returns opts, or nil, exit code after printing
-- the help (0) or a usage error with the help hint (1).
function M.parse(spec, argv)
  local opts, msg, kind = M.parse_args(spec, argv)
  if opts then return opts end
  if kind == "help" then
    io.stdout:write(M.help(spec))
    return nil, 0
  end
  err(msg)
  io.stderr:write("Run 'unentropy ", spec.name, " --help' for usage.\n")
  return nil, 1
end

---------------------------------------------------------------------------
-- Running scripts

local function traceback_handler(e)
  local msg = type(e) == "string" and e or tostring(e)
  return { message = msg, traceback = debug.traceback("", 2) }
end

-- Runs a compiled chunk with args like lua5.4 does (global `arg`, `...`).
-- Returns the exit status per cli.md `run`.
local function run_chunk(chunk, script, args)
  local argt = { [0] = script }
  for i, a in ipairs(args) do argt[i] = a end
  rawset(_G, "arg", argt)
  local ok, res = xpcall(chunk, traceback_handler, table.unpack(args))
  io.stdout:flush()
  if not ok then
    err(res.message)
    if sys.getenv("UNENTROPY_DEBUG") == "1" then io.stderr:write(res.traceback, "\n") end
    return 1
  end
  if res == nil or res == true then return 0 end
  if res == false then return 1 end
  if math.type(res) == "integer" then return res end
  return 0
end

-- Runs the bundled command `name` with args.
function M.run_command(name, args)
  local chunk, lerr = assets.load("lua/commands/" .. name .. ".lua")
  if not chunk then
    if lerr and not lerr:find("no such asset", 1, true) then
      err(lerr)
      return 1
    end
    return nil
  end
  return run_chunk(chunk, name, args)
end

local function dirname(path)
  local d = path:match("^(.*)/[^/]*$")
  if d == nil then return "." end
  if d == "" then return "/" end
  return d
end

-- `unentropy run FILE.lua|name [args]`
local run_spec = {
  name = "run",
  usage = "unentropy run <FILE.lua|name> [args...]",
  summary = "Run a Lua script with the full unentropy API. An existing path runs that\n" ..
    "file (modules beside it can be required); otherwise a bare name such as\n" ..
    "collect.lua runs the bundled script of that name.",
}

function M.run_script(args)
  local file = args[1]
  if file == nil then
    err("Missing required argument: FILE")
    io.stderr:write("Run 'unentropy run --help' for usage.\n")
    return 1
  end
  if file == "--help" or file == "-h" then
    io.stdout:write(M.help(run_spec))
    return 0
  end
  local rest = table.move(args, 2, #args, 1, {})
  local f = io.open(file, "r")
  if f then
    f:close()
    local chunk, lerr = loadfile(file, "t")
    if not chunk then
      err(lerr)
      return 1
    end
    -- Modules beside the script can be required; never the working dir.
    local dir = dirname(file)
    package.path = dir .. "/?.lua;" .. dir .. "/?/init.lua"
    return run_chunk(chunk, file, rest)
  end
  local name = file:gsub("%.lua$", "")
  if name:match("^[%w_-]+$") then
    local rc = M.run_command(name, rest)
    if rc then return rc end
  end
  err("script not found: " .. file)
  return 1
end

---------------------------------------------------------------------------

function M.main(argv)
  local cmd = argv[1]
  if cmd == nil then
    io.stderr:write(usage_text())
    return 1
  end
  if cmd == "--version" or cmd == "-V" then
    io.stdout:write(sys.version, "\n")
    return 0
  end
  if cmd == "--help" or cmd == "-h" or cmd == "help" then
    io.stdout:write(usage_text())
    return 0
  end
  local args = table.move(argv, 2, #argv, 1, {})
  if cmd == "run" then return M.run_script(args) end
  if cmd:sub(1, 1) ~= "-" and cmd:match("^[%w_-]+$") then
    local rc = M.run_command(cmd, args)
    if rc then return rc end
  end
  if cmd:sub(1, 1) == "-" then
    err("Unknown argument: " .. cmd)
  else
    err("Unknown command: " .. cmd)
  end
  io.stderr:write("Run 'unentropy --help' for usage.\n")
  return 1
end

return M
