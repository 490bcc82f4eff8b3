-- unentropy.storage: choosing and opening the storage provider
-- (storage.md §7). Settings follow flag > UNENTROPY_* variable > config >
-- default. Only sqlite-local is available until remote storage lands; the
-- other types fail with a clear message instead of falling back.
local fs = require("unentropy.fs")
local store = require("unentropy.store")

local M = {}

local function join(dir, path)
  if path:sub(1, 1) == "/" then return path end
  if dir == nil or dir == "" or dir == "." then return path end
  return dir .. "/" .. path
end

-- Resolves the effective settings. flags = parsed CLI options (storage_type,
-- db, ...). Returns {type, path, location}.
function M.settings(cfg, flags)
  flags = flags or {}
  local st = cfg and cfg.storage or {}
  local stype = (flags.storage_type ~= nil and flags.storage_type ~= "") and flags.storage_type
    or st.type or "sqlite-local"
  local path
  if flags.db and flags.db ~= "" then
    path = flags.db
  else
    path = join(cfg and cfg.base_dir, st.path or "unentropy.db")
  end
  local s = { type = stype, path = path }
  if stype == "sqlite-local" then s.location = "storage://sqlite-local/" .. path end
  return s
end

-- Opens the storage. mode = "rw" | "ro". Returns a handle {db, settings,
-- persist = fn, cleanup = fn} or nil, message.
function M.open(cfg, flags, mode)
  local s = M.settings(cfg, flags)
  if s.type ~= "sqlite-local" then
    return nil, string.format("storage type '%s' is not available in this build yet (only sqlite-local)", s.type)
  end
  if mode == "ro" and not fs.exists(s.path) then
    return nil, "Database not found: " .. s.path, "not_found"
  end
  local db, err = store.open(s.path, { readonly = mode == "ro" })
  if not db then
    return nil, string.format("Cannot open database %s: %s", s.path, (err or "unknown error"):gsub("^store: ", ""))
  end
  local h = { db = db, settings = s }
  function h.persist()
    -- A local database is persisted by closing it (checkpoint + close).
    h.db:close()
    return true
  end
  function h.cleanup() if h.db then h.db:close() end end
  return h
end

return M
