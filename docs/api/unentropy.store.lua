---@meta unentropy.store
-- unentropy.store: the SQLite storage layer (storage.md). A C module: this
-- file only documents it for LuaLS. Misuse (wrong argument types, unknown
-- option keys, a closed Db, a write inside read_transaction) raises;
-- environmental failures (missing file, not a database, SQLITE_BUSY after
-- the retries, read-only file) return `nil, msg, code` where code is the
-- SQLite result code (5 busy, 8 read-only, 11 corrupt, 14 cannot open,
-- 26 not a database).

local store = {}

---@class unentropy.store.OpenOptions
---SQLITE_OPEN_READONLY; never migrates; the file must have a schema_version table
---@field readonly? boolean
---create a missing file (default: true unless readonly; not allowed with readonly)
---@field create? boolean
---"wal" for local files (default); "delete" for a provider's working copy or an import output
---@field journal? "wal"|"delete"
---@field busy_timeout? integer  busy timeout in ms (default 5000; tests use less)

---Opens (and for read-write opens, migrates) a database. A file that is not
---a SQLite database is reported and left untouched.
---@param path string  file path, or ":memory:"
---@param opts? unentropy.store.OpenOptions
---@return unentropy.store.Db|nil db
---@return string? msg  e.g. "store: 'x.db' is not a SQLite database"
---@return integer? code
function store.open(path, opts) end

---@class unentropy.store.Db
local Db = {}

---@class unentropy.store.Metric
---@field id string         `^[a-z0-9-]+$`
---@field type "numeric"|"label"
---@field unit? string      nil keeps the stored unit
---@field description? string  nil keeps the stored description

---@class unentropy.store.Value
---@field metric unentropy.store.Metric  other fields (name, command, ...) are ignored
---@field value_numeric? number  for numeric metrics; infinities allowed, NaN raises
---@field value_label? string    for label metrics

---@class unentropy.store.Build
---@field commit_sha string
---@field branch string
---@field run_id string
---@field run_number integer  >= 0
---@field event_name? string
---@field timestamp string  exactly "YYYY-MM-DDTHH:MM:SS.sssZ"

---Records a build and its values in one IMMEDIATE transaction (busy retries
---after 100, 200, 400 ms). The same commit_sha + run_id again replaces that
---build's fields and values and keeps its id. A build with no values is
---still recorded (it counts in build_count, not in reports).
---@param build unentropy.store.Build
---@param values unentropy.store.Value[]
---@return integer|nil build_id
---@return string? msg  "database is locked (gave up after 4 attempts)", ...
---@return integer? code
function Db:record_build(build, values) end

---@class unentropy.store.ImportRecord
---@field commit_sha string
---@field branch string
---@field run_id string
---@field run_number? integer  default 0
---@field timestamp string  "YYYY-MM-DDTHH:MM:SS.sssZ"
---@field metric_id string
---@field value_numeric? number
---@field value_label? string

---Writes import records (import.md §4) in one transaction: builds with
---event_name "import" (the first record of a commit_sha + run_id wins),
---definitions without unit or description, values replaced on conflict.
---@param records unentropy.store.ImportRecord[]
---@return integer|nil count  #records
---@return string? msg
---@return integer? code
function Db:import(records) end

---Starts a streaming import: the writes of Db:import, fed one record (or one
---batch) at a time inside one IMMEDIATE transaction that stays open until
---commit, so memory does not grow with the input. BEGIN IMMEDIATE gets the
---busy retries of record_build (100, 200, 400 ms). Prepared statements are
---reused for every record. While the import is open, other writes and
---read_transaction raise "a transaction is already open"; queries see the
---rows added so far. An Import that is neither committed nor rolled back is
---rolled back by __close (`local imp <close> = db:import_begin()`), by __gc,
---and by db:close().
---@return unentropy.store.Import|nil imp
---@return string? msg  "database is locked (gave up after 4 attempts)", ...
---@return integer? code
function Db:import_begin() end

---@class unentropy.store.Import
local Import = {}

---Adds one record (the shape of Db:import's records). A malformed record
---raises and leaves the import open; a database error rolls the whole import
---back and ends it (later calls other than rollback raise "attempt to use a
---finished Import").
---@param record unentropy.store.ImportRecord
---@return true|nil
---@return string? msg
---@return integer? code
function Import:add(record) end

---Adds an array of records in order, as repeated add calls in one C call.
---Records before a malformed one stay added; a database error rolls the
---whole import back.
---@param records unentropy.store.ImportRecord[]
---@return integer|nil count  #records
---@return string? msg
---@return integer? code
function Import:add_batch(records) end

---Commits (COMMIT is retried after 100, 200, 400 ms while the database is
---busy). On failure everything is rolled back. The import ends either way.
---@return integer|nil count  records added since import_begin
---@return string? msg
---@return integer? code
function Import:commit() end

---Rolls back and ends the import. Idempotent; never raises for a finished
---Import or a closed Db. Also run by __gc and __close.
---@return true
function Import:rollback() end

---Records added so far (0 once the import has ended).
---@return integer
function Import:count() end

---@class unentropy.store.QueryOptions
---keep pull_request / pull_request_target builds (default false)
---@field include_pull_requests? boolean

---@class unentropy.store.TimelineBuild
---@field id integer
---@field commit_sha string
---@field branch string
---@field run_id string
---@field run_number integer
---@field event_name? string
---@field timestamp string  as stored

---Builds that have at least one value, ordered by julianday(timestamp), id.
---Pull-request builds and unparseable timestamps are left out.
---@param opts? unentropy.store.QueryOptions
---@return unentropy.store.TimelineBuild[]|nil
---@return string? msg
---@return integer? code
function Db:timeline(opts) end

---@class unentropy.store.Values
---@field n integer  number of values
---@field build_id integer[]
---@field metric_id string[]
---@field value_numeric (number|nil)[]  nil where the value is a label
---@field value_label (string|nil)[]    nil where the value is numeric

---Every value of the timeline builds in one query, as columns of length n,
---ordered by build id then insertion. Align with the timeline by build id.
---@param opts? unentropy.store.QueryOptions
---@return unentropy.store.Values|nil
---@return string? msg
---@return integer? code
function Db:all_values(opts) end

---@class unentropy.store.SeriesRow
---@field build_id integer
---@field value_numeric? number
---@field value_label? string
---@field commit_sha string
---@field branch string
---@field run_number integer
---@field timestamp string

---Values of one metric joined to their builds, in timeline order.
---@param metric_id string
---@param opts? unentropy.store.QueryOptions
---@return unentropy.store.SeriesRow[]|nil
---@return string? msg
---@return integer? code
function Db:series(metric_id, opts) end

---@class unentropy.store.BaselineOptions
---merge-base mode: the latest build of this sha (case-insensitive), no age limit
---@field commit? string
---@field branch? string  latest mode: the reference branch (required without commit)
---@field max_age_days? number  latest mode: exactly N x 24 h before now (required without commit)
---latest mode: a timestamp SQLite can parse, or epoch ms (default: the clock)
---@field now? string|integer

---@class unentropy.store.Baseline
---@field value number
---@field build_id integer
---@field commit_sha string
---@field branch string
---@field run_number integer
---@field timestamp string
---@field source "merge-base"|"latest"

---The baseline value of a numeric metric (storage.md §6). Pull-request
---builds never count. Returns nil (one value) when there is none.
---@param metric_id string
---@param opts unentropy.store.BaselineOptions
---@return unentropy.store.Baseline|nil
---@return string? msg
---@return integer? code
function Db:baseline(metric_id, opts) end

---@class unentropy.store.MetricDefinition
---@field id string
---@field type "numeric"|"label"
---@field unit? string
---@field description? string

---Metric definitions in insertion order.
---@return unentropy.store.MetricDefinition[]|nil
---@return string? msg
---@return integer? code
function Db:metric_definitions() end

---`SELECT count(*) FROM build_contexts`: every build, any event, with or without values.
---@return integer|nil
---@return string? msg
---@return integer? code
function Db:build_count() end

---The highest run_number (0 for an empty database).
---@return integer|nil
---@return string? msg
---@return integer? code
function Db:max_run_number() end

---The next local run number: max_run_number() + 1.
---@return integer|nil
---@return string? msg
---@return integer? code
function Db:next_run_number() end

---Runs fn(db) inside one read transaction, so that its queries (timeline,
---all_values, ...) see one snapshot. Returns fn's results; errors in fn
---propagate. Writes inside raise.
---@param fn fun(db: unentropy.store.Db): ...
---@return ...
function Db:read_transaction(fn) end

---PRAGMA integrity_check (quick_check with {quick = true}).
---@param opts? {quick?: boolean}
---@return boolean|nil ok
---@return string? detail_or_msg  the first line of the report when not ok
---@return integer? code
function Db:integrity_check(opts) end

---Writes a single-file copy (VACUUM INTO, journal mode DELETE) through a
---temporary file renamed into place. An existing file is an error unless
---{replace = true}.
---@param path string
---@param opts? {replace?: boolean}
---@return true|nil
---@return string? msg
---@return integer? code
function Db:snapshot(path, opts) end

---Warnings from the open, e.g. "database schema version 9.0.0 is not known
---to this unentropy (latest known: 2.0.0)".
---@return string[]
function Db:warnings() end

---The highest schema_version row ("2.0.0"; "" for a read-only file without rows).
---@return string
function Db:schema_version() end

---The path given to open.
---@return string
function Db:path() end

---@class unentropy.store.WindowOptions
---@field branch string  the reference branch
---@field limit integer  the last N builds (>= 1)
---@field max_age_days? number  only builds this recent (needs `now`; <= 0 or nil: no limit)
---@field now? number  epoch milliseconds the age is measured from
---@field after_reset? boolean  only builds after the latest build of a commit annotated with reset

---@class unentropy.store.WindowRow
---@field build_id integer
---@field value number
---@field commit_sha string
---@field branch string
---@field run_number integer
---@field timestamp string

---The statistical window (docs/noise.md): the newest `limit` numeric values
---of a metric on a branch, pull-request builds excluded, oldest first.
---@param metric_id string
---@param opts unentropy.store.WindowOptions
---@return unentropy.store.WindowRow[]|nil rows
---@return string? msg
---@return integer? code
function Db:window(metric_id, opts) end

---@class unentropy.store.Annotation
---@field id? integer  (returned rows only)
---@field metric_id string
---@field commit_sha string
---@field note string
---@field reset? boolean  the statistical window restarts after this commit's build
---@field created_at string  YYYY-MM-DDTHH:MM:SS.sssZ

---Adds or replaces (same metric and commit) an annotation. The first one
---creates the additive table `metric_annotations` (schema version 2.1.0).
---@param annotation unentropy.store.Annotation
---@return integer|nil id
---@return string? msg  e.g. the database is open read-only (code 8)
---@return integer? code
function Db:annotate(annotation) end

---Removes the annotation of (metric, commit).
---@param metric_id string
---@param commit_sha string
---@return boolean|nil removed
---@return string? msg
---@return integer? code
function Db:remove_annotation(metric_id, commit_sha) end

---Annotations of one metric (nil: all), ordered by created_at; {} when the
---database has no annotations table (2.0.0).
---@param metric_id? string
---@return unentropy.store.Annotation[]|nil list
---@return string? msg
---@return integer? code
function Db:annotations(metric_id) end

---Checkpoints a local WAL database and closes it. Idempotent; also run by
---__gc and __close (`local db <close> = store.open(p)`). Any other method on
---a closed Db raises "attempt to use a closed Db".
---@return true
function Db:close() end

return store
