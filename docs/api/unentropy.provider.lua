---@meta unentropy.provider
-- unentropy.provider: the storage providers of storage.md §7 (C: src/provider*.c,
-- src/s3*.c, src/unzip.c, binding src/lprovider.c); this file only documents
-- them for LuaLS. The policy (settings, validation of downloads, the conflict
-- loop, artifact selection) is in lua/unentropy/storage.lua and artifact.lua.
-- Misuse (wrong types, unknown option keys, a closed Provider) raises;
-- environmental failures return `nil, msg, code` with code = the HTTP status
-- (0 without one). S3 credentials are read by the C side from
-- AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN and never
-- reach Lua or any message.

local provider = {}

---@class unentropy.provider.S3Options
---@field endpoint string  http(s) URL; virtual-host style when its host starts with "<bucket>."
---@field bucket? string   required (nil or "" gives the "S3 bucket is not configured" message)
---@field region string
---@field key string
---@field retries? integer 0..10 (default UNENTROPY_HTTP_RETRIES, else 3)
---@field base_delay_ms? integer first retry delay (default 500)
---@field debug? boolean one "debug: S3 GET host /path -> status" line per request on stderr

---Creates a provider. "sqlite-local" takes {path}; "sqlite-s3" takes
---S3Options; "sqlite-artifact" takes {name, output} (output = the working
---file persist writes). Remote providers create their private working copy
---"$TMPDIR/unentropy-XXXXXX.db" (mode 0600) at once.
---@param type "sqlite-local"|"sqlite-s3"|"sqlite-artifact"
---@param opts table
---@return unentropy.provider.Provider|nil
---@return string? msg  e.g. "S3 credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
---@return integer? code
function provider.new(type, opts) end

---The ".db" entries of a zip (any depth; at most 16 names listed).
---@param zip string
---@return string[]|nil names
---@return integer|string count_or_msg  the number of .db entries, or "unzip: cannot open 'x': ..."
---@return integer? code
function provider.zip_db_entries(zip) end

---@class unentropy.provider.Provider
local Provider = {}

---@class unentropy.provider.Info
---@field found? boolean  fetch only: false on a first run (the working copy is empty)
---@field bytes integer
---@field etag? string
---@field status integer  last HTTP status (S3), else 0
---@field attempts integer

---Fills the working copy: S3 GET (404 = first run; the ETag is kept for
---If-Match), artifact: extract the single .db of the zip `source` (nil = first
---run), local: nothing. The database must be closed meanwhile.
---@param source? string
---@return unentropy.provider.Info|nil
---@return string? msg  the messages of storage.md §7.3 / §7.4
---@return integer? code
function Provider:fetch(source) end

---Stores a snapshot file: S3 PUT with If-Match (If-None-Match: * after a
---first run); artifact: moved to the working file (0644); local: nothing.
---A lost conditional write returns nil, "conflict", 412|409.
---@param snapshot string
---@return unentropy.provider.Info|nil
---@return string? msg
---@return integer? code
function Provider:persist(snapshot) end

---@return string
function Provider:type() end

---The working copy (remote) or the local file.
---@return string
function Provider:path() end

---Where the snapshot should be written ("<working copy>.snapshot"); nil for sqlite-local.
---@return string|nil
function Provider:snapshot_path() end

---Keep the snapshot when the temp files are removed (after a failed upload).
---@return true
function Provider:keep_snapshot() end

---Removes the temp files (working copy, -journal, -wal, -shm, snapshot); the
---Provider stays usable. Idempotent.
---@return true
function Provider:cleanup() end

---cleanup + release. Idempotent; also __gc and __close.
---@return true
function Provider:close() end

return provider
