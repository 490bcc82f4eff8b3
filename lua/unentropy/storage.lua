-- unentropy.storage: choosing, opening and persisting the storage provider
-- (storage.md §7-8). Settings follow flag > UNENTROPY_S3_* variable > config
-- > default. The providers are C (unentropy.provider: temp working copy, S3
-- transfers, unzip); the policy is here: validating downloads, the
-- conditional-upload loop that re-applies this run's build after a
-- conflicting write (at most 5 rounds), and the artifact selection (through
-- unentropy.artifact).
--
-- storage.open(cfg, flags, "rw"|"ro"[, {branch = b}]) returns a handle
--   {db, settings = {type, path, location, s3?, artifact?, output?},
--    record_build(build, values) -> id | nil, msg   (remembered for persist)
--    persist([build, values]) -> true | nil, msg
--    cleanup()                                       (always; idempotent)
--    persisted = {bytes, path, build_id, total_builds} after persist,
--    artifact = {name, path} after an artifact persist,
--    kept = path of the snapshot kept after a failed upload}
-- or nil, msg[, code] (code "not_found": no database yet in "ro" mode).
-- settings.path is the file holding the database handle.db works on (the
-- local file, or the private temp copy of a remote provider). The postgres
-- type lives in unentropy.storage.postgres (a server: handle.db is an
-- unentropy.pgstore Db, persist has nothing to upload, settings.path is the
-- location storage://postgres/<schema>).
local fs = require("unentropy.fs")
local log = require("unentropy.log")
local provider = require("unentropy.provider")
local store = require("unentropy.store")
local sys = require("unentropy.sys")

local M = {}

M.MAX_ROUNDS = 5

local function blank(v) return v == nil or v == "" end

local function env(name)
  local v = sys.getenv(name)
  if blank(v) then return nil end
  return v
end

local function join(dir, path)
  if path:sub(1, 1) == "/" then return path end
  if dir == nil or dir == "" or dir == "." then return path end
  return dir .. "/" .. path
end

-- First non-blank value.
local function pick(...)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if not blank(v) then return v end
  end
  return nil
end

-- The branch of the build being recorded (artifact branch filter default).
local function build_branch(cfg, flags)
  local context = require("unentropy.context")
  local options = require("unentropy.options")
  local ctx = context.resolve({ flags = options.context_flags(flags), dir = cfg and cfg.base_dir,
    mode = "test" })
  return ctx and not blank(ctx.branch) and ctx.branch or nil
end

-- Resolves the effective settings. flags = parsed CLI options (storage_type,
-- db, s3_endpoint, ...); opts.branch = the artifact branch filter default
-- (gate passes its reference branch; otherwise the build's branch).
function M.settings(cfg, flags, opts)
  flags, opts = flags or {}, opts or {}
  local st = cfg and cfg.storage or {}
  local raw = cfg and cfg.raw and cfg.raw.storage or {}
  local stype = pick(flags.storage_type, st.type) or "sqlite-local"
  if stype == "postgres" then return require("unentropy.storage.postgres").settings(cfg, flags) end
  local path
  if not blank(flags.db) then
    path = flags.db
  else
    path = join(cfg and cfg.base_dir, st.path or "unentropy.db")
  end
  local s = { type = stype, path = path }
  if stype == "sqlite-local" then
    s.location = "storage://sqlite-local/" .. path
  elseif stype == "sqlite-s3" then
    local rs3 = raw.s3 or {}
    local region = pick(flags.s3_region, env("UNENTROPY_S3_REGION"), rs3.region) or "us-east-1"
    s.s3 = {
      endpoint = pick(flags.s3_endpoint, env("UNENTROPY_S3_ENDPOINT"), rs3.endpoint)
        or ("https://s3." .. region .. ".amazonaws.com"),
      bucket = pick(flags.s3_bucket, env("UNENTROPY_S3_BUCKET"), rs3.bucket),
      region = region,
      key = pick(flags.s3_key, env("UNENTROPY_S3_KEY"), rs3.key) or "unentropy.db",
    }
    s.location = string.format("storage://sqlite-s3/%s/%s", s.s3.bucket or "", s.s3.key)
  elseif stype == "sqlite-artifact" then
    local art = st.artifact or {}
    s.artifact = {
      name = pick(flags.artifact_name, art.name) or "unentropy-metrics",
      branch = pick(flags.artifact_branch, art.branchFilter, opts.branch),
    }
    s.output = path
    s.location = "storage://sqlite-artifact/" .. s.artifact.name
  end
  return s
end

local function strip(msg) return ((msg or "unknown error"):gsub("^store: ", "")) end

-- Opens a downloaded working copy and checks it (PRAGMA quick_check).
-- what = "s3://b/k" or "artifact 'n' (id 1)" for the message.
local function open_download(path, mode, what)
  local function invalid(detail)
    return nil, string.format("downloaded database %s is not a valid SQLite database: %s", what, detail)
  end
  local f = io.open(path, "rb")
  local head = f and f:read(16) or ""
  if f then f:close() end
  if head ~= "SQLite format 3\0" then return invalid("not an SQLite file (bad header)") end
  local db, err = store.open(path, mode == "ro" and { readonly = true } or { journal = "delete" })
  if not db then return invalid(strip(err):gsub("'" .. path:gsub("%p", "%%%0") .. "' ", "")) end
  local ok, detail = db:integrity_check({ quick = true })
  if not ok then
    db:close()
    return invalid(detail or "quick_check failed")
  end
  return db
end

local function open_fresh(path, mode)
  if mode == "ro" then return store.open(path, { readonly = true }) end
  return store.open(path, { journal = "delete" })
end

-- The common handle. p = provider userdata.
local function new_handle(s, p, db)
  local h = { db = db, settings = s, provider = p }
  function h.record_build(build, values)
    h.build, h.values = build, values
    local id, err, code = h.db:record_build(build, values)
    h.build_id = id
    return id, err, code
  end
  function h.cleanup()
    if h.db then h.db:close() end
    if h.provider then h.provider:close() end
  end
  return h
end

-- Integrity check + snapshot into the provider's snapshot path; closes db.
local function snapshot(h)
  local ok, detail = h.db:integrity_check()
  if ok == nil then return nil, "database failed integrity check: " .. strip(detail) end
  if not ok then return nil, "database failed integrity check: " .. (detail or "") end
  h.total_builds = h.db:build_count()
  local snap = h.provider:snapshot_path()
  local sok, serr = h.db:snapshot(snap, { replace = true })
  if not sok then return nil, "cannot write the database snapshot: " .. strip(serr) end
  h.db:close()
  return snap
end

-- Pause before re-downloading after a lost conditional write: full jitter
-- over (16 x the time the last round's window took) x 2^(round - 1), at
-- least 250 ms x 2^(round - 1), capped at 30 s. Concurrent writers then
-- spread out instead of colliding again (8 simultaneous runs settle well
-- within the 5 rounds).
local seeded = false
local function conflict_pause(window_ms, round)
  if not seeded then
    math.randomseed(math.floor(sys.now_ms()) ~ (sys.pid() << 20))
    seeded = true
  end
  local span = math.max(250, 16 * window_ms) * 2 ^ (round - 1)
  sys.sleep(math.floor(math.random() * math.min(span, 30000)))
end

-- S3 persist: conditional PUT; on 412/409 download again, re-apply this
-- run's build and retry, at most MAX_ROUNDS rounds (storage.md §7.3).
local function persist_s3(h)
  local s3, p = h.settings.s3, h.provider
  local where = string.format("s3://%s/%s", s3.bucket, s3.key)
  local fetch_ms = h.fetch_ms or 0
  local snap
  -- After the first snapshot, any failure keeps it: it holds this build.
  local function fail(msg)
    if snap then
      p:keep_snapshot()
      h.kept = snap
    end
    return nil, msg
  end
  for round = 1, M.MAX_ROUNDS do
    local t0 = sys.monotonic_ms()
    local serr
    snap, serr = snapshot(h)
    if not snap then return nil, serr end
    local info, msg, code = p:persist(snap)
    if info then
      log.info(string.format("Uploaded %d bytes to %s", info.bytes, where))
      h.persisted = { bytes = info.bytes, path = p:path(), build_id = h.build_id, total_builds = h.total_builds }
      M.remember(h)
      return true
    end
    if msg ~= "conflict" then return fail(msg) end
    if round == M.MAX_ROUNDS then break end
    log.info(string.format("%s changed since it was downloaded (HTTP %d); downloading it again to re-apply "
      .. "this build (round %d of %d)", where, code, round + 1, M.MAX_ROUNDS))
    conflict_pause(fetch_ms + sys.monotonic_ms() - t0, round)
    local t1 = sys.monotonic_ms()
    local finfo, ferr = p:fetch()
    if not finfo then return fail(ferr) end
    local db, derr
    if finfo.found then
      db, derr = open_download(p:path(), "rw", where)
    else
      db, derr = open_fresh(p:path(), "rw")
    end
    if not db then return fail(derr) end
    h.db = db
    if h.build then
      local id, rerr = db:record_build(h.build, h.values or {})
      if not id then return fail("failed to re-apply the build: " .. strip(rerr)) end
      h.build_id = id
    end
    fetch_ms = sys.monotonic_ms() - t1
  end
  return nil, string.format("S3 upload kept conflicting after %d attempts; build not saved", M.MAX_ROUNDS)
end

local function persist_artifact(h)
  local snap, serr = snapshot(h)
  if not snap then return nil, serr end
  local info, msg = h.provider:persist(snap)
  if not info then return nil, msg end
  local abs = fs.realpath(h.settings.output) or h.settings.output
  h.persisted = { bytes = info.bytes, path = abs, build_id = h.build_id, total_builds = h.total_builds }
  h.artifact = { name = h.settings.artifact.name, path = abs }
  M.remember(h)
  return true
end

local function persist_local(h)
  h.total_builds = h.db:build_count()
  h.db:close()
  local st = fs.stat(h.settings.path)
  h.persisted = { bytes = st and st.size or 0, path = h.settings.path, build_id = h.build_id,
    total_builds = h.total_builds }
  return true
end

-- The state this process persisted last (remote providers): a later
-- read-only open of the same storage in this process (the report `collect`
-- writes after persisting) reads that file instead of downloading again.
-- For artifacts this is required: the new artifact is only uploaded by the
-- next workflow step.
local last_persisted
local attach_persist

function M.remember(h)
  last_persisted = { location = h.settings.location, path = h.persisted.path }
end

local function open_persisted(s)
  local lp = last_persisted
  if not lp or lp.location ~= s.location or not fs.exists(lp.path) then return nil end
  local db = store.open(lp.path, { readonly = true })
  if not db then return nil end
  log.debug("reading the database this run persisted: " .. lp.path)
  local s2 = {}
  for k, v in pairs(s) do s2[k] = v end
  s2.path = lp.path
  return attach_persist(new_handle(s2, nil, db))
end

function attach_persist(h)
  function h.persist(build, values)
    if build ~= nil then h.build, h.values = build, values end
    local t = h.settings.type
    if t == "sqlite-s3" then return persist_s3(h) end
    if t == "sqlite-artifact" then return persist_artifact(h) end
    return persist_local(h)
  end
  return h
end

local function open_local(s, mode)
  if mode == "ro" and not fs.exists(s.path) then
    return nil, "Database not found: " .. s.path, "not_found"
  end
  local db, err = store.open(s.path, { readonly = mode == "ro" })
  if not db then
    local reason = strip(err)
    local _, e = reason:find("cannot open '" .. s.path .. "': ", 1, true)
    if e then reason = reason:sub(e + 1) end
    return nil, string.format("Cannot open database %s: %s", s.path, reason)
  end
  return attach_persist(new_handle(s, nil, db))
end

local function open_s3(s, mode)
  local s3 = s.s3
  if blank(s3.bucket) then
    return nil, "S3 bucket is not configured: set storage.s3.bucket, --s3-bucket or UNENTROPY_S3_BUCKET"
  end
  if not env("AWS_ACCESS_KEY_ID") or not env("AWS_SECRET_ACCESS_KEY") then
    return nil, "S3 credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
  end
  local p, perr = provider.new("sqlite-s3", { endpoint = s3.endpoint, bucket = s3.bucket, region = s3.region,
    key = s3.key, debug = log.debug_enabled() })
  if not p then return nil, perr end
  local where = string.format("s3://%s/%s", s3.bucket, s3.key)
  local t0 = sys.monotonic_ms()
  local info, ferr, code = p:fetch()
  if not info then
    p:close()
    return nil, ferr, code
  end
  log.debug(info.found and string.format("Downloaded %d bytes from %s", info.bytes, where)
    or (where .. " does not exist yet: starting a new database"))
  if not info.found and mode == "ro" then
    p:close()
    return nil, "Database not found: " .. where, "not_found"
  end
  local db, derr
  if info.found then db, derr = open_download(p:path(), mode, where) else db, derr = open_fresh(p:path(), mode) end
  if not db then
    p:close()
    return nil, derr
  end
  local s2 = {}
  for k, v in pairs(s) do s2[k] = v end
  s2.path = p:path()
  local h = attach_persist(new_handle(s2, p, db))
  h.downloaded = info
  h.fetch_ms = sys.monotonic_ms() - t0
  return h
end

local function open_artifact(s, mode, cfg, flags)
  local artifact = require("unentropy.artifact")
  local api, aerr = artifact.api_settings()
  if not api then return nil, aerr end
  local a = s.artifact
  if blank(a.branch) then a.branch = build_branch(cfg, flags) end
  local p, perr = provider.new("sqlite-artifact", { name = a.name, output = s.output })
  if not p then return nil, perr end
  local found, ferr = artifact.fetch_zip(api, a.name, a.branch, p:snapshot_path() .. ".zip")
  if not found then
    p:close()
    return nil, ferr
  end
  local db, derr
  if found.zip then
    local zip = found.zip
    local names, count = provider.zip_db_entries(zip)
    if names and count ~= 1 then
      os.remove(zip)
      p:close()
      return nil, string.format("Artifact '%s' (id %s) must contain exactly one .db file, found %d",
        a.name, tostring(found.artifact.id), count)
    end
    local info, xerr = p:fetch(zip)
    os.remove(zip)
    if not info then
      p:close()
      return nil, xerr
    end
    db, derr = open_download(p:path(), mode,
      string.format("artifact '%s' (id %s)", a.name, tostring(found.artifact.id)))
  elseif mode == "ro" then
    p:close()
    return nil, string.format("Database not found: no '%s' artifact", a.name), "not_found"
  else
    db, derr = open_fresh(p:path(), mode)
  end
  if not db then
    p:close()
    return nil, derr
  end
  local s2 = {}
  for k, v in pairs(s) do s2[k] = v end
  s2.path = p:path()
  local h = attach_persist(new_handle(s2, p, db))
  h.source_artifact = found.artifact
  return h
end

-- Opens the storage. mode = "rw" | "ro"; opts.branch = the artifact branch
-- filter default (see M.settings). Returns a handle (see the top of this
-- file) or nil, message[, code].
function M.open(cfg, flags, mode, opts)
  local s = M.settings(cfg, flags, opts)
  if s.type == "sqlite-local" then return open_local(s, mode) end
  if s.type == "postgres" then return require("unentropy.storage.postgres").open(s, mode) end
  if mode == "ro" then
    local h = open_persisted(s)
    if h then return h end
  end
  if s.type == "sqlite-s3" then return open_s3(s, mode) end
  if s.type == "sqlite-artifact" then return open_artifact(s, mode, cfg, flags or {}) end
  return nil, string.format("unknown storage type '%s'", tostring(s.type))
end

return M
