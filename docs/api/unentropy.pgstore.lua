---@meta unentropy.pgstore
-- unentropy.pgstore: PostgreSQL storage (docs/postgres.md). A C module over
-- libpq: this file only documents it for LuaLS. pgstore.open returns a Db
-- with the methods and return shapes of unentropy.store's Db (see
-- docs/api/unentropy.store.lua), so collect, gate, report and scripts use
-- either unchanged; the differences are listed here. Misuse raises;
-- environmental failures return `nil, msg, code` with code:
--   1 SQL error, 3 cannot connect / connection lost, 4 credentials refused,
--   5 no unentropy data in the schema (read-only open), 6 serialization
--   failures or deadlocks outlasted the retries, 7 write on a read-only Db.
-- Messages never contain the password.

local pgstore = {}

---@class unentropy.pgstore.OpenOptions
---@field schema string  the repository's PostgreSQL schema (quoted; at most 63 bytes)
---@field host? string  overrides the connection string's
---@field port? string|integer
---@field database? string
---@field sslmode? string
---@field readonly? boolean  never migrate; the schema must exist (code 5 otherwise)
---@field connect_timeout? integer  seconds (default 10)
---@field retry_attempts? integer  transaction attempts (default 6)
---@field retry_pause_ms? integer  first pause between attempts, doubling (default 100)

---Connects and, for read-write opens, creates the schema and migrates it
---under an advisory lock (safe when many jobs connect at once). Connecting
---is retried while the server is (re)starting.
---@param conninfo string  a postgres:// URL or "key=value" string (secret)
---@param opts unentropy.pgstore.OpenOptions
---@return unentropy.pgstore.Db|nil db
---@return string? msg  e.g. "pgstore: cannot connect to PostgreSQL at postgresql://u@h:5432/db (schema s): ..."
---@return integer? code
function pgstore.open(conninfo, opts) end

---Opens a SQLite file as an end of `db copy` (read-write opens create and
---migrate it through unentropy.store's schema).
---@param path string
---@param opts? {readonly?: boolean}
---@return unentropy.pgstore.SqliteFile|nil
---@return string? msg
---@return integer? code  5 for a missing file opened read-only
function pgstore.sqlite(path, opts) end

---Masks the password of `conninfo` (raw and percent-decoded), PGPASSWORD and
---any "scheme://user:password@" in text with "***".
---@param text string
---@param conninfo? string
---@return string
function pgstore.redact(text, conninfo) end

---The Db: every method of unentropy.store.Db — record_build, import,
---import_begin (Import: add, add_batch, commit, rollback, count), timeline,
---all_values, series, baseline, metric_definitions, build_count,
---max_run_number, next_run_number, read_transaction (REPEATABLE READ, READ
---ONLY), integrity_check, snapshot, warnings, schema_version, path, close,
---__close, __gc, __tostring — plus schema() and the copy verbs below.
---Differences: integrity_check() is always true (the server keeps its own
---invariants); snapshot() returns nil, msg (use `unentropy db copy`);
---path() is the redacted location "postgresql://user@host:port/db (schema s)";
---a streaming import syncs its pipeline every 256 records, so a database
---error may surface at a later add or at commit; ids drawn by a transaction
---that failed or was retried are not reused (gaps).
---@class unentropy.pgstore.Db : unentropy.store.Db
local Db = {}

---The schema name.
---@return string
function Db:schema() end

---@class unentropy.pgstore.CopyBuild
---@field id? integer  the id to give a new build when it is free
---@field commit_sha string
---@field branch string
---@field run_id string
---@field run_number integer
---@field event_name? string
---@field timestamp string  (PostgreSQL: any form it parses)
---@field values? {metric_id: string, value_numeric?: number, value_label?: string}[]

---Every build (any event, with or without values) in id order, timestamps as stored.
---@return unentropy.store.TimelineBuild[]|nil
---@return string? msg
---@return integer? code
function Db:dump_builds() end

---The values of the given builds, as columns like all_values, ordered by build id then insertion.
---@param ids integer[]
---@return unentropy.store.Values|nil
---@return string? msg
---@return integer? code
function Db:dump_values(ids) end

---Upserts definitions in order (unit and description: the given ones where not nil).
---@param defs unentropy.store.MetricDefinition[]
---@return true|nil
---@return string? msg
---@return integer? code
function Db:restore_definitions(defs) end

---Writes builds in one transaction: an existing (commit_sha, run_id) gets
---the given fields and values and keeps its id; a new one gets `id` when
---that id is free. PostgreSQL holds SHARE ROW EXCLUSIVE on build_contexts
---meanwhile and moves the id sequence past the highest id.
---@param builds unentropy.pgstore.CopyBuild[]
---@return integer|nil count
---@return string? msg
---@return integer? code
function Db:restore_builds(builds) end

---A SQLite file as an end of `db copy`: metric_definitions, build_count,
---path, close (also __gc, __close) and the four copy verbs of Db.
---@class unentropy.pgstore.SqliteFile
local SqliteFile = {}

return pgstore
