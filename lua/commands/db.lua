-- commands/db.lua: `unentropy db copy --from SRC --to DST` (docs/postgres.md)
-- copies a whole history between two stores, SQLite file <-> PostgreSQL (or
-- file to file, schema to schema). A store is
--   path/to/file.db | sqlite:PATH            a SQLite file (created as a destination)
--   pg: | pg:SCHEMA                          PostgreSQL through UNENTROPY_PG_URL or
--                                            DATABASE_URL (+ the config's storage.postgres
--                                            host/port/database/sslmode); the schema
--                                            defaults to the repository's
--   postgres://...[?schema=S] | postgresql://...   an explicit connection string
-- Builds are matched by (commit_sha, run_id): missing ones are added (keeping
-- the source's id when it is free, so a copy into an empty store has the same
-- ids), different ones are updated, equal ones are left alone. Each batch is
-- one transaction, so an interrupted copy can simply be run again; a second
-- run changes nothing. Passwords are never printed.
local cli = require("unentropy.cli")
local log = require("unentropy.log")
local pgstore = require("unentropy.pgstore")
local postgres = require("unentropy.storage.postgres")
local sys = require("unentropy.sys")
local time = require("unentropy.time")

local copy_spec = {
  name = "db copy",
  usage = "unentropy db copy --from <store> --to <store> [--config/-c <path>] [--repository <owner/name>] "
    .. "[--batch <n>] [--dry-run]",
  summary = "Copy the whole history between two stores (SQLite file <-> PostgreSQL). Idempotent.\n"
    .. "A store is a SQLite file path (or sqlite:PATH), pg: or pg:SCHEMA (connection string from\n"
    .. "UNENTROPY_PG_URL or DATABASE_URL), or a postgres:// URL (optionally ?schema=NAME).",
  options = {
    { "from", type = "string", arg = "store", required = true, help = "the store to read" },
    { "to", type = "string", arg = "store", required = true, help = "the store to write (created if needed)" },
    { "config", short = "c", type = "string", arg = "path", default = "unentropy.json",
      help = "config for storage.postgres settings and the default schema (optional)" },
    { "repository", type = "string", arg = "owner/name", help = "repository the default schema is derived from" },
    { "batch", type = "integer", arg = "n", default = 200, help = "builds per transaction" },
    { "dry-run", type = "boolean", help = "compare only: report what would be copied" },
  },
  positionals = { max = 0 },
}

local USAGE = "Usage: unentropy db copy --from <store> --to <store> [options]\n"
  .. "Run 'unentropy db copy --help' for details.\n"

-- "postgres://u@h/db?schema=s&sslmode=x" -> "postgres://u@h/db?sslmode=x", "s"
local function split_schema(url)
  local base, query = url:match("^([^?]*)%?(.*)$")
  if not base then return url, nil end
  local keep, schema = {}, nil
  for pair in query:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=(.*)$")
    if k == "schema" then
      schema = v:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
    else
      keep[#keep + 1] = pair
    end
  end
  return #keep > 0 and (base .. "?" .. table.concat(keep, "&")) or base, schema
end

-- Parses a store argument. Returns {kind = "sqlite", path} or {kind = "pg",
-- url, settings}, or nil, msg.
local function parse_store(arg, cfg, flags)
  if arg:match("^postgres://") or arg:match("^postgresql://") then
    local url, schema = split_schema(arg)
    local s = postgres.settings(nil, flags)
    if schema and schema ~= "" then s.schema = schema end
    s.host, s.port, s.database, s.sslmode = nil, nil, nil, nil
    s.location = "storage://postgres/" .. s.schema
    return { kind = "pg", url = url, settings = s }
  end
  if arg == "pg" or arg:match("^pg:") then
    local url, err = postgres.conninfo()
    if not url then return nil, err end
    local s = postgres.settings(cfg, flags)
    local schema = arg:sub(4)
    if schema ~= "" then s.schema = schema end
    s.location = "storage://postgres/" .. s.schema
    return { kind = "pg", url = url, settings = s }
  end
  local path = arg:match("^sqlite:(.*)$") or arg
  if path == "" then return nil, "empty SQLite path" end
  return { kind = "sqlite", path = path }
end

local function strip(msg) return ((tostring(msg or "unknown error")):gsub("^pgstore: ", ""):gsub("^store: ", "")) end

-- A destination that does not exist yet, for --dry-run.
local EMPTY = {
  dump_builds = function() return {} end,
  dump_values = function() return { n = 0, build_id = {}, metric_id = {}, value_numeric = {}, value_label = {} } end,
  close = function() end,
}

-- Opens a parsed store. Returns handle, label | nil, msg[, "not_found"].
local function open_store(st, mode)
  if st.kind == "sqlite" then
    local fs = require("unentropy.fs")
    if mode == "ro" and not fs.exists(st.path) then return nil, "Database not found: " .. st.path, "not_found" end
    local h, err = pgstore.sqlite(st.path, { readonly = mode == "ro" })
    if not h then return nil, strip(err) end
    return h, st.path
  end
  local db, err, code = postgres.open_db(st.settings, mode, st.url)
  if not db then return nil, pgstore.redact(strip(err), st.url), code end
  return db, db:path()
end

local function key(b) return b.commit_sha .. "\0" .. b.run_id end

-- Values of a dump_values result grouped by build id: id -> {metric -> value}.
local function group(v)
  local by = {}
  for i = 1, v.n do
    local id = v.build_id[i]
    local t = by[id]
    if not t then
      t = { order = {} }
      by[id] = t
    end
    local m = v.metric_id[i]
    local val = v.value_numeric[i]
    if val == nil then val = v.value_label[i] end
    t[m] = val
    t.order[#t.order + 1] = m
  end
  return by
end

local function same_values(a, b)
  a, b = a or { order = {} }, b or { order = {} }
  if #a.order ~= #b.order then return false end
  for _, m in ipairs(a.order) do
    local x, y = a[m], b[m]
    if type(x) ~= type(y) or x ~= y then return false end
  end
  return true
end

local function same_time(a, b)
  if a == b then return true end
  local x, y = time.parse_stored(a), time.parse_stored(b)
  return x ~= nil and x == y
end

local function same_build(s, d)
  return s.branch == d.branch and s.run_number == d.run_number and s.event_name == d.event_name
    and same_time(s.timestamp, d.timestamp)
end

local function progress(done, total, tty)
  if tty then io.stderr:write(string.format("\r  copying builds: %d/%d", done, total)) end
end

-- The copy itself. Returns a summary table or nil, msg.
local function run_copy(src, dst, dst_is_pg, opts)
  local defs, derr = src:metric_definitions()
  if not defs then return nil, strip(derr) end
  if not opts.dry_run and #defs > 0 then
    local ok, err = dst:restore_definitions(defs)
    if not ok then return nil, strip(err) end
  end
  local sb, serr = src:dump_builds()
  if not sb then return nil, strip(serr) end
  local db, berr = dst:dump_builds()
  if not db then return nil, strip(berr) end
  local by_key, taken = {}, {}
  for _, b in ipairs(db) do
    by_key[key(b)] = b
    taken[b.id] = true
  end
  local sum = { builds = #sb, added = 0, updated = 0, unchanged = 0, skipped = 0, values = 0,
    definitions = #defs }
  local tty = sys.isatty("stderr")
  for first = 1, #sb, opts.batch do
    local chunk, src_ids, dst_ids = {}, {}, {}
    for i = first, math.min(first + opts.batch - 1, #sb) do
      chunk[#chunk + 1] = sb[i]
      src_ids[#src_ids + 1] = sb[i].id
      local d = by_key[key(sb[i])]
      if d then dst_ids[#dst_ids + 1] = d.id end
    end
    local sv, verr = src:dump_values(src_ids)
    if not sv then return nil, strip(verr) end
    local dv, dverr = dst:dump_values(dst_ids)
    if not dv then return nil, strip(dverr) end
    local svals, dvals = group(sv), group(dv)
    local writes = {}
    for _, b in ipairs(chunk) do
      local d = by_key[key(b)]
      local vals = svals[b.id] or { order = {} }
      local ts = b.timestamp
      local ms = time.parse_stored(ts)
      if dst_is_pg and not ms then
        sum.skipped = sum.skipped + 1
        log.warn(string.format("build %d (%s, run %s) skipped: timestamp '%s' cannot be parsed",
          b.id, b.commit_sha, b.run_id, tostring(ts)))
      elseif d and same_build(b, d) and same_values(vals, dvals[d.id]) then
        sum.unchanged = sum.unchanged + 1
      else
        if dst_is_pg and ts ~= time.format_ms(ms) then ts = time.format_ms(ms) end
        local w = { commit_sha = b.commit_sha, branch = b.branch, run_id = b.run_id, run_number = b.run_number,
          event_name = b.event_name, timestamp = ts, values = {} }
        if not d and not taken[b.id] then w.id = b.id end
        if not d then taken[b.id] = true end
        for _, m in ipairs(vals.order) do
          local v = vals[m]
          w.values[#w.values + 1] = type(v) == "string" and { metric_id = m, value_label = v }
            or { metric_id = m, value_numeric = v }
        end
        sum.values = sum.values + #w.values
        if d then sum.updated = sum.updated + 1 else sum.added = sum.added + 1 end
        writes[#writes + 1] = w
      end
    end
    if #writes > 0 and not opts.dry_run then
      local ok, werr = dst:restore_builds(writes)
      if not ok then
        if tty then io.stderr:write("\n") end
        return nil, strip(werr)
      end
    end
    progress(math.min(first + opts.batch - 1, #sb), #sb, tty)
  end
  if tty and #sb > 0 then io.stderr:write("\n") end
  return sum
end

local function copy(argv)
  local opts, code = cli.parse(copy_spec, argv)
  if not opts then return code end
  if opts.batch < 1 then
    log.error("--batch must be at least 1")
    return 1
  end
  local cfg
  local fs = require("unentropy.fs")
  if fs.exists(opts.config) then
    local config = require("unentropy.config")
    local c, rc = config.load_or_report(opts.config)
    if not c then return rc end
    cfg = c
  end
  local src_st, serr = parse_store(opts.from, cfg, opts)
  if not src_st then log.error("--from: " .. serr); return 1 end
  local dst_st, derr = parse_store(opts.to, cfg, opts)
  if not dst_st then log.error("--to: " .. derr); return 1 end
  if src_st.kind == "sqlite" and dst_st.kind == "sqlite" and
      (fs.realpath(src_st.path) or src_st.path) == (fs.realpath(dst_st.path) or dst_st.path) then
    log.error("--from and --to are the same SQLite file")
    return 1
  end
  local started = sys.monotonic_ms()
  local src, slabel = open_store(src_st, "ro")
  if not src then log.error("cannot open the source: " .. slabel); return 1 end
  local dst, dlabel, dcode = open_store(dst_st, opts.dry_run and "ro" or "rw")
  if not dst and opts.dry_run and dcode == "not_found" then
    dst, dlabel = EMPTY, (dst_st.path or dst_st.settings.location) .. " (does not exist yet)"
  end
  if not dst then
    src:close()
    log.error("cannot open the destination: " .. dlabel)
    return 1
  end
  if src_st.kind == "pg" and dst_st.kind == "pg" and slabel == dlabel then
    src:close()
    dst:close()
    log.error("--from and --to are the same PostgreSQL schema")
    return 1
  end
  local ok, sum, err = pcall(run_copy, src, dst, dst_st.kind == "pg", opts)
  src:close()
  dst:close()
  if not ok or not sum then
    log.error("copy failed: " .. pgstore.redact(tostring(ok and err or sum), dst_st.url or src_st.url))
    io.stderr:write("Nothing is half-written: every batch is one transaction. Run the same command again to "
      .. "continue.\n")
    return 1
  end
  local verb = opts.dry_run and "Would copy" or "Copied"
  io.stdout:write(string.format("%s %s -> %s\n", opts.dry_run and "Compared" or "Copied", slabel, dlabel))
  io.stdout:write(string.format("%s %d builds: %d added, %d updated, %d unchanged%s; %d values, %d metric "
    .. "definitions (%.1fs)\n", verb, sum.builds, sum.added, sum.updated, sum.unchanged,
    sum.skipped > 0 and string.format(", %d skipped", sum.skipped) or "", sum.values, sum.definitions,
    (sys.monotonic_ms() - started) / 1000))
  return 0
end

local SUBCOMMANDS = { copy = copy }

local argv = { ... }
local sub = argv[1]
if sub == nil or sub == "--help" or sub == "-h" then
  io.stdout:write("Usage: unentropy db <subcommand> [options]\n\nSubcommands:\n"
    .. "  copy   Copy the whole history between two stores (SQLite file <-> PostgreSQL)\n\n"
    .. "Run 'unentropy db copy --help' for its options.\n")
  return sub == nil and 1 or 0
end
local fn = SUBCOMMANDS[sub]
if not fn then
  log.error("unknown db subcommand '" .. tostring(sub) .. "'")
  io.stderr:write(USAGE)
  return 1
end
return fn({ table.unpack(argv, 2) })
