-- unentropy.storage.postgres: the `postgres` storage type (docs/postgres.md),
-- the PostgreSQL part of unentropy.storage. The connection string comes only
-- from UNENTROPY_PG_URL, else DATABASE_URL (never from the config, never
-- printed); storage.postgres.host/port/database/sslmode override its parts.
-- Each repository lives in its own PostgreSQL schema: storage.postgres.schema,
-- else one derived from the repository name (--repository,
-- GITHUB_REPOSITORY, CI_PROJECT_PATH, the git remote `origin`, the config
-- directory's name). The handle has the shape of unentropy.storage's:
-- {db, settings = {type = "postgres", schema, location, path}, record_build,
-- persist (nothing to upload: true), cleanup}. Depends on unentropy.pgstore.
local pgstore = require("unentropy.pgstore")
local sys = require("unentropy.sys")

local M = {}

M.ENV = { "UNENTROPY_PG_URL", "DATABASE_URL" }
M.CODE_NOT_FOUND = 5 -- pgstore's code for a schema without unentropy tables

local function blank(v) return v == nil or v == "" end

local function env(name)
  local v = sys.getenv(name)
  if blank(v) then return nil end
  return v
end

-- The connection string and the variable it came from, or nil, msg.
function M.conninfo()
  for _, name in ipairs(M.ENV) do
    local v = env(name)
    if v then return v, name end
  end
  return nil, "PostgreSQL connection string is missing: set UNENTROPY_PG_URL or DATABASE_URL"
end

-- "git@host:owner/name.git", "https://host/owner/name" -> "owner/name".
function M.repo_from_remote(url)
  if blank(url) then return nil end
  local path = url:gsub("%.git/*$", ""):gsub("/+$", "")
  path = path:match("^[%w+.-]+://[^/]+/(.+)$") or path:match("^[^/:]+@[^:]+:(.+)$") or path
  local owner, name = path:match("([^/:]+)/([^/]+)$")
  if owner then return owner .. "/" .. name end
  return path:match("([^/]+)$")
end

-- The repository name the default schema is derived from.
function M.repository(cfg, flags)
  flags = flags or {}
  if not blank(flags.repository) then return flags.repository end
  for _, var in ipairs({ "GITHUB_REPOSITORY", "CI_PROJECT_PATH" }) do
    local v = env(var)
    if v then return v end
  end
  local dir = cfg and cfg.base_dir or "."
  local context = require("unentropy.context")
  local from_git = M.repo_from_remote(context.git(dir, { "remote", "get-url", "origin" }))
  if from_git then return from_git end
  local fs = require("unentropy.fs")
  local abs = fs.realpath(dir) or dir
  return abs:gsub("/+$", ""):match("([^/]+)$") or "repository"
end

-- A short stable hash (FNV-1a, 32 bits) as 8 hex digits.
local function hash8(s)
  local h = 2166136261
  for i = 1, #s do h = ((h ~ s:byte(i)) * 16777619) & 0xffffffff end
  return string.format("%08x", h)
end

-- "Octo-Org/My.Repo" -> "octo_org__my_repo": lower case, runs of other
-- characters become "_", the owner/name slash "__"; a leading digit or
-- "pg_" gets a "u_" prefix (pg_ is reserved); at most 63 bytes (longer
-- names keep 54 bytes and a hash of the whole name).
function M.schema_name(repo)
  local parts = {}
  for part in tostring(repo or ""):lower():gsub("%.git$", ""):gmatch("[^/]+") do
    local p = part:gsub("[^a-z0-9_]+", "_"):gsub("^_+", ""):gsub("_+$", "")
    if p ~= "" then parts[#parts + 1] = p end
  end
  local s = table.concat(parts, "__")
  if s == "" then s = "unentropy" end
  if s:match("^%d") or s:match("^pg_") then s = "u_" .. s end
  if #s > 63 then s = s:sub(1, 54):gsub("_+$", "") .. "_" .. hash8(tostring(repo)) end
  return s
end

-- The resolved settings of the postgres type.
function M.settings(cfg, flags)
  local pg = cfg and cfg.storage and cfg.storage.postgres or {}
  local s = { type = "postgres" }
  s.repository = M.repository(cfg, flags)
  s.schema = not blank(pg.schema) and pg.schema or M.schema_name(s.repository)
  s.host = not blank(pg.host) and pg.host or nil
  s.port = pg.port ~= nil and pg.port ~= "" and tostring(math.tointeger(pg.port) or pg.port) or nil
  s.database = not blank(pg.database) and pg.database or nil
  s.sslmode = not blank(pg.sslmode) and pg.sslmode or nil
  s.location = "storage://postgres/" .. s.schema
  s.path = s.location
  return s
end

local function strip(msg) return ((tostring(msg or "unknown error")):gsub("^pgstore: ", "")) end

-- Opens the Db of settings s. mode "rw" | "ro". conninfo defaults to the
-- environment's. Returns db | nil, msg, code ("not_found" in "ro" mode when
-- the schema has no unentropy tables).
function M.open_db(s, mode, conninfo)
  local url, cerr = conninfo, nil
  if not url then url, cerr = M.conninfo() end
  if not url then return nil, cerr end
  local db, err, code = pgstore.open(url, { schema = s.schema, host = s.host, port = s.port,
    database = s.database, sslmode = s.sslmode, readonly = mode == "ro" })
  if db then return db end
  err = pgstore.redact(strip(err), url)
  if code == M.CODE_NOT_FOUND and mode == "ro" then
    return nil, "Database not found: " .. s.location .. " (" .. err .. ")", "not_found"
  end
  return nil, err, code
end

-- storage.open for the postgres type: a handle like the SQLite providers'.
function M.open(s, mode)
  local db, err, code = M.open_db(s, mode)
  if not db then return nil, err, code end
  for _, w in ipairs(db:warnings()) do require("unentropy.log").warn(w) end
  local h = { db = db, settings = s }
  function h.record_build(build, values)
    h.build, h.values = build, values
    local id, rerr, rcode = h.db:record_build(build, values)
    h.build_id = id
    if not id then return nil, strip(rerr), rcode end
    return id
  end
  -- Each build is committed by record_build: nothing to upload.
  function h.persist()
    local total, terr = h.db:build_count()
    if not total then return nil, strip(terr) end
    h.total_builds = total
    h.persisted = { bytes = 0, path = s.location, build_id = h.build_id, total_builds = total }
    return true
  end
  function h.cleanup()
    if h.db then h.db:close() end
  end
  return h
end

return M
