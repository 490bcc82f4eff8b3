-- unentropy import: canonical JSONL history into a local SQLite file
-- (import.md, cli.md "import" and "import seed-workflow"). The file is read
-- line by line and every resolved record goes straight into one open import
-- transaction (unentropy.store's streaming import), so memory does not grow
-- with the file. Commits missing from records are resolved from one
-- `git log` of the trend branch (unentropy.importer.git). Any error rolls
-- everything back; a database this run created is then removed again.
local cli = require("unentropy.cli")
local config = require("unentropy.config")
local fs = require("unentropy.fs")
local git = require("unentropy.importer.git")
local importer = require("unentropy.importer")
local log = require("unentropy.log")
local options = require("unentropy.options")
local store = require("unentropy.store")
local sys = require("unentropy.sys")

local USAGE = "unentropy import <jsonl> --output/-o <db> [--config/-c <path>] [--dry-run] [--strict] " ..
  "[--trend-branch <b>]\n       unentropy import seed-workflow [--output/-o <path>] [--force] [--config/-c <path>]"

local spec = {
  name = "import",
  usage = USAGE,
  summary = "Import metric history from canonical JSONL (one record per line) into a SQLite database.",
  options = options.build(options.config, {
    { "output", short = "o", type = "string", arg = "db",
      help = "target SQLite database, created if missing (required)" },
    { "dry-run", type = "boolean", help = "validate, resolve and summarize; never opens the database" },
    { "strict", type = "boolean", help = "exit 1 and write nothing if any record is invalid or skipped" },
    { "trend-branch", type = "string", arg = "b", default = "main",
      help = "branch for nearest-commit resolution and the default branch of records" },
  }),
  positionals = { max = 1, names = { "jsonl" } },
  epilog = "Records without commit_sha are resolved with `git log --before` on the trend branch\n" ..
    "in the current directory, which needs the full history (not a shallow clone).",
}

local seed_spec = {
  name = "import seed-workflow",
  usage = "unentropy import seed-workflow [--output/-o <path>] [--force] [--config/-c <path>]",
  summary = "Print the workflow that uploads a locally built database (seed.db) as the storage artifact.",
  options = options.build(options.config, {
    { "output", short = "o", type = "string", arg = "path",
      help = "write the workflow to this file instead of stdout" },
    { "force", type = "boolean", help = "overwrite an existing --output file" },
  }),
  positionals = { max = 0 },
}

-- Fatal texts kept from upstream (lower-case "error:" blocks).
local function error_block(lines)
  io.stderr:write(table.concat(lines, "\n"), "\n")
  if sys.getenv("GITHUB_ACTIONS") == "true" then
    io.stdout:write("::error::", (lines[1]:gsub("^error: ", "")), "\n")
  end
end

local function seed_workflow(argv)
  local opts, code = cli.parse(seed_spec, argv)
  if not opts then return code end
  local cfg, rc = config.load_or_report(opts.config)
  if not cfg then return rc end
  local stype = cfg.storage.type
  if stype ~= "sqlite-artifact" then
    error_block({ "error: 'seed-workflow' only applies to the sqlite-artifact backend",
      "       current storage.type: " .. stype,
      "       for " .. stype .. ", upload your database directly with the AWS CLI or your existing tooling" })
    return 1
  end
  local yaml = importer.seed_workflow(cfg.storage.artifact.name)
  local out = opts.output
  if out == nil or out == "" then
    io.stdout:write(yaml)
    return 0
  end
  if fs.exists(out) and not opts.force then
    log.error(out .. " already exists. Use --force to overwrite.")
    return 1
  end
  local dir = out:match("^(.*)/[^/]*$")
  if dir and dir ~= "" and not fs.is_dir(dir) then
    local ok, merr = fs.mkdir_p(dir)
    if not ok then log.error(merr); return 1 end
  end
  local ok, werr = fs.write(out, yaml)
  if not ok then log.error(werr); return 1 end
  io.stdout:write("Wrote ", out, "\n")
  return 0
end

-- "store: cannot open 'p': reason" -> "reason"; other messages lose "store: ".
local function open_reason(msg, path)
  msg = tostring(msg):gsub("^store: ", "")
  local prefix = "cannot open '" .. path .. "': "
  if msg:sub(1, #prefix) == prefix then msg = msg:sub(#prefix + 1) end
  return msg
end

local function import(argv)
  local opts, code = cli.parse(spec, argv)
  if not opts then return code end
  local jsonl, output = opts._[1], opts.output
  if jsonl == nil or jsonl == "" then log.error("JSONL path is required"); return 1 end
  if output == nil or output == "" then log.error("--output is required"); return 1 end
  if not fs.exists(jsonl) then log.error("JSONL file not found: " .. jsonl); return 1 end
  local cfg, rc = config.load_or_report(opts.config)
  if not cfg then return rc end
  if fs.is_dir(jsonl) then log.error("cannot read JSONL file " .. jsonl .. ": Is a directory"); return 1 end
  local fh, ferr = io.open(jsonl, "rb")
  if not fh then log.error("cannot read JSONL file " .. jsonl .. ": " .. tostring(ferr)); return 1 end

  -- The database (a real run only). A file created here is removed again
  -- when nothing ends up written.
  local db, imp, created
  if not opts.dry_run then
    created = not fs.exists(output)
    local derr
    db, derr = store.open(output, { journal = "delete" })
    if not db then
      fh:close()
      log.error("Failed to open database at " .. output .. ": " .. open_reason(derr, output))
      return 1
    end
    imp, derr = db:import_begin()
    if not imp then
      fh:close()
      db:close()
      if created then fs.remove(output) end
      log.error(derr)
      return 1
    end
  end
  local function discard()
    if imp then imp:rollback() end
    imp = nil
    if db then db:close() end
    db = nil
    if created then
      fs.remove(output)
      fs.remove(output .. "-journal")
    end
  end
  local function fail(msg)
    fh:close()
    discard()
    log.error(msg)
    return 1
  end

  local trend, strict = opts.trend_branch, opts.strict
  local plan = importer.new_plan()
  local index -- git lookup index, built on the first record without commit_sha
  local scratch = {} -- reused for every checked record
  local lineno = 0
  local function reject(reason)
    log.warn(importer.warning_text(jsonl, lineno, reason))
    if strict and imp then imp:rollback(); imp = nil end
  end

  -- Returns nil once the file is read, or the exit code of a failure.
  local function stream()
    while true do
      local line, rerr = fh:read("l")
      if line == nil then
        if rerr then return fail("cannot read JSONL file " .. jsonl .. ": " .. tostring(rerr)) end
        break
      end
      lineno = lineno + 1
      local rec, reason = importer.check_line(line, scratch)
      if rec == nil then
        plan:add_invalid()
        reject(reason)
      elseif rec then
        plan:add_valid()
        local sha, tier = rec.commit_sha, "source-provided"
        if sha == nil then
          if index == nil then
            local kind, gerr
            index, gerr, kind = git.open(trend)
            if index == nil then
              if kind ~= "shallow" then return fail(gerr) end
              fh:close()
              discard()
              error_block({ "error: " .. gerr, "       no records were written" })
              return 1
            end
          end
          sha, tier = git.lookup(index, rec.ms), "nearest-timestamp"
        end
        local category
        if sha == nil then
          category, reason = "unresolved-commit", importer.unresolved_reason(rec, trend)
        else
          rec, category, reason = importer.complete(rec, sha, trend)
        end
        if rec == nil or sha == nil then
          plan:add_skipped(category)
          reject(reason)
        else
          plan:add_resolved(rec, tier)
          if imp then
            local ok, werr = imp:add(rec)
            if not ok then imp = nil; return fail(werr) end
          end
        end
      end
    end
  end
  -- An unexpected Lua error must not leave a half-made output behind either.
  local ok, res = pcall(stream)
  if not ok then
    pcall(fh.close, fh)
    discard()
    error(res, 0)
  end
  if res then return res end
  fh:close()

  local inserted = 0
  if not opts.dry_run then
    if imp then
      local n, cerr = imp:commit()
      imp = nil
      if not n then return fail(cerr) end
      inserted = n
      db:close()
      db = nil
    else -- --strict found a problem: nothing is written
      discard()
    end
  end
  io.stdout:write(importer.summary(plan, { jsonl = jsonl, output = output, dry_run = opts.dry_run,
    inserted = inserted, declared = cfg.metrics_by_id }), "\n")
  return (strict and plan:failed_strict()) and 1 or 0
end

local argv = { ... }
if argv[1] == "seed-workflow" then
  return seed_workflow({ table.unpack(argv, 2) })
end
return import(argv)
