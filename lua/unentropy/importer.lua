-- unentropy.importer: the pure half of `unentropy import` (import.md): checks
-- one JSONL line or decoded record (§1), derives the build fields of a record
-- whose commit is known (§2), keeps the running plan of §3 in constant memory
-- (counts, metric ids, sources, date range), and formats the warnings, the
-- dry-run and real-run summaries and the seed workflow (§6). No IO: the
-- command (lua/commands/import.lua) reads the file, resolves commits through
-- unentropy.importer.git and writes through unentropy.store.
-- Depends on unentropy.json and unentropy.time.
local json = require("unentropy.json")
local time = require("unentropy.time")

local M = {}

M.DEFAULT_SOURCE = "manual"
M.MAX_RUN_ID = 128
M.SKIP_LABELS = {
  ["unresolved-commit"] = "timestamp predates repo history",
  ["run-id-length"] = "derived run_id too long",
}

local KNOWN = {
  metric_id = true, timestamp = true, value_numeric = true, value_label = true, commit_sha = true,
  branch = true, source = true, run_id = true, run_number = true, metadata = true,
}

local null = json.null
local is_object, is_array = json.is_object, json.is_array
local utf8_len = utf8.len
local math_type, tointeger = math.type, math.tointeger
local parse_rfc3339, format_ms = time.parse_rfc3339, time.format_ms
local MIN_MS = time.days_from_civil(0, 1, 1) * 86400000
local MAX_MS = (time.days_from_civil(9999, 12, 31) + 1) * 86400000 - 1

-- The JSON type of a decoded value, named as upstream's validator names it
-- ("undefined" for a missing field).
local function json_type(v)
  local t = type(v)
  if t == "nil" then return "undefined" end
  if v == null then return "null" end
  if t == "table" then return is_array(v) and "array" or "object" end
  return t -- string, number, boolean
end
M.json_type = json_type

local function expected(field, want, v)
  return string.format("%s: expected %s, received %s", field, want, json_type(v))
end

-- Length in characters (code points; decoded strings are valid UTF-8).
local function within(s, lo, hi)
  local n = #s
  if n < lo then return false end
  if n <= hi then return true end
  return utf8_len(s) <= hi
end

-- RFC 3339 date-time with a mandatory offset: "T" (or "t") between date and
-- time, optional fraction, "Z"/"z" or ±HH:MM. Returns the stored form
-- (UTC, milliseconds) and the instant in epoch ms, or nil.
local function stored_timestamp(s)
  if not s:find("^%d%d%d%d%-%d%d%-%d%d[Tt]%d%d:%d%d:%d%d") then return nil end
  local rest = s:sub(20)
  if not (rest:find("^[Zz]$") or rest:find("^[+-]%d%d:%d%d$")
      or rest:find("^%.%d+[Zz]$") or rest:find("^%.%d+[+-]%d%d:%d%d$")) then
    return nil
  end
  local ms = parse_rfc3339(s)
  -- An offset can move the instant out of years 0000-9999.
  if ms == nil or ms < MIN_MS or ms > MAX_MS then return nil end
  return format_ms(ms), ms
end
M.stored_timestamp = stored_timestamp

-- Per-process caches of values already found valid: consecutive records of
-- one build repeat their timestamp and sha, and metric ids repeat all along.
local NONE = {} -- never equal to a decoded value
local last_ts, last_stored, last_ms, last_sha = NONE, nil, nil, NONE
local ok_ids, n_ok_ids = {}, 0

-- Checks a decoded record (import.md §1). Returns a table
--   {metric_id, timestamp (stored form YYYY-MM-DDTHH:MM:SS.sssZ),
--    given_timestamp (as written), ms (the instant, epoch ms),
--    value_numeric | value_label, commit_sha?, branch?, source?, run_id?,
--    run_number?}
-- which, once completed, is a record for unentropy.store's Import:add
-- (`out` when given: its fields are overwritten, so a caller can reuse one
-- table) or nil, reason. The first problem wins: not an object, an unknown
-- key (the first in document order), then each field in table order (its
-- type, then its rule), then "exactly one of value_numeric or value_label".
function M.check(obj, out)
  if not is_object(obj) then return nil, "record must be a JSON object" end
  for k in next, obj do
    if not KNOWN[k] then
      for _, key in ipairs(json.keys(obj)) do
        if not KNOWN[key] then return nil, string.format('unrecognized key "%s"', key) end
      end
    end
  end
  local id = obj.metric_id
  if not ok_ids[id] then
    if type(id) ~= "string" then return nil, expected("metric_id", "string", id) end
    if not id:find("^[a-z0-9-]+$") then return nil, "metric_id must match ^[a-z0-9-]+$" end
    if #id > 64 then return nil, "metric_id must be 1-64 characters" end
    if n_ok_ids >= 4096 then ok_ids, n_ok_ids = {}, 0 end
    ok_ids[id], n_ok_ids = true, n_ok_ids + 1
  end

  local ts = obj.timestamp
  local stored, ms = last_stored, last_ms
  if ts ~= last_ts then
    if type(ts) ~= "string" then return nil, expected("timestamp", "string", ts) end
    stored, ms = stored_timestamp(ts)
    if not stored then return nil, "timestamp must be an RFC 3339 date-time with offset" end
    last_ts, last_stored, last_ms = ts, stored, ms
  end

  local num = obj.value_numeric
  if num ~= nil and type(num) ~= "number" then return nil, expected("value_numeric", "number", num) end
  local label = obj.value_label
  if label ~= nil then
    if type(label) ~= "string" then return nil, expected("value_label", "string", label) end
    if not within(label, 0, 256) then return nil, "value_label must be 256 characters or less" end
  end

  local sha = obj.commit_sha
  if sha ~= nil and sha ~= last_sha then
    if type(sha) ~= "string" then return nil, expected("commit_sha", "string", sha) end
    if #sha ~= 40 or sha:find("[^0-9a-f]") then return nil, "commit_sha must be 40-char lowercase hex" end
    last_sha = sha
  end
  local branch, source, run_id = obj.branch, obj.source, obj.run_id
  if branch ~= nil then
    if type(branch) ~= "string" then return nil, expected("branch", "string", branch) end
    if not within(branch, 1, 255) then return nil, "branch must be 1-255 characters" end
  end
  if source ~= nil then
    if type(source) ~= "string" then return nil, expected("source", "string", source) end
    if not within(source, 1, 64) then return nil, "source must be 1-64 characters" end
  end
  if run_id ~= nil then
    if type(run_id) ~= "string" then return nil, expected("run_id", "string", run_id) end
    if not within(run_id, 1, 64) then return nil, "run_id must be 1-64 characters" end
  end

  local rn = obj.run_number
  if rn ~= nil then
    if type(rn) ~= "number" then return nil, expected("run_number", "number", rn) end
    local i = math_type(rn) == "integer" and rn or tointeger(rn)
    if i == nil or i < 0 then return nil, "run_number must be a non-negative integer" end
    rn = i
  end
  local meta = obj.metadata
  if meta ~= nil and not is_object(meta) then return nil, "metadata must be an object" end

  if (num == nil) == (label == nil) then
    return nil, "exactly one of value_numeric or value_label must be set"
  end
  out = out or {}
  out.metric_id, out.timestamp, out.given_timestamp, out.ms = id, stored, ts, ms
  out.value_numeric, out.value_label, out.commit_sha = num, label, sha
  out.branch, out.source, out.run_id, out.run_number = branch, source, run_id, rn
  return out
end

-- Decodes and checks one physical line (without its "\n"; a trailing "\r" is
-- ignored). Returns record | false for a blank line | nil, reason. `out` as
-- for check.
function M.check_line(line, out)
  if line:find("^%s*$") then return false end
  local obj, err = json.decode(line)
  if obj == nil then return nil, "invalid JSON: " .. tostring(err) end
  return M.check(obj, out)
end

local last_run_sha, last_run_source, last_run_id

-- Completes a checked record whose commit is `sha` (import.md §2): sets
-- commit_sha, branch (default: the trend branch), source (default "manual"),
-- run_id (default "import:<source>:<first 12 hex of the sha>") and
-- run_number (default 0). Returns rec, or nil, category, reason when the
-- derived run_id is too long.
function M.complete(rec, sha, trend_branch)
  rec.commit_sha = sha
  rec.branch = rec.branch or trend_branch
  rec.source = rec.source or M.DEFAULT_SOURCE
  rec.run_number = rec.run_number or 0
  if rec.run_id == nil then
    local run_id = last_run_id
    if sha ~= last_run_sha or rec.source ~= last_run_source then
      run_id = "import:" .. rec.source .. ":" .. sha:sub(1, 12)
      last_run_sha, last_run_source, last_run_id = sha, rec.source, run_id
    end
    if #run_id > M.MAX_RUN_ID then
      return nil, "run-id-length",
        string.format("derived run_id exceeds %d characters; provide an explicit run_id", M.MAX_RUN_ID)
    end
    rec.run_id = run_id
  end
  return rec
end

-- The unresolved-commit skip reason.
function M.unresolved_reason(rec, branch)
  return string.format("no commit could be resolved for timestamp %s on branch %s", rec.given_timestamp, branch)
end

---------------------------------------------------------------------------
-- The plan (import.md §3), accumulated record by record.

local Plan = {}
Plan.__index = Plan

function M.new_plan()
  return setmetatable({
    total = 0, valid = 0, invalid = 0,
    tiers = { ["source-provided"] = 0, ["nearest-timestamp"] = 0, skipped = 0 },
    skip_order = {}, skip_counts = {},
    metric_set = {}, source_order = {}, source_counts = {},
    first = nil, last = nil, first_ms = nil, last_ms = nil, -- stored timestamps and their instants
  }, Plan)
end

function Plan:add_invalid()
  self.total = self.total + 1
  self.invalid = self.invalid + 1
end

function Plan:add_valid()
  self.total = self.total + 1
  self.valid = self.valid + 1
end

function Plan:add_skipped(category)
  self.tiers.skipped = self.tiers.skipped + 1
  if not self.skip_counts[category] then
    self.skip_order[#self.skip_order + 1] = category
    self.skip_counts[category] = 0
  end
  self.skip_counts[category] = self.skip_counts[category] + 1
end

-- A completed record with its tier ("source-provided" | "nearest-timestamp").
function Plan:add_resolved(rec, tier)
  self.tiers[tier] = self.tiers[tier] + 1
  self.metric_set[rec.metric_id] = true
  local src = rec.source
  local n = self.source_counts[src]
  if not n then
    self.source_order[#self.source_order + 1] = src
    n = 0
  end
  self.source_counts[src] = n + 1
  local ms = rec.ms
  if self.first == nil or ms < self.first_ms then self.first, self.first_ms = rec.timestamp, ms end
  if self.last == nil or ms > self.last_ms then self.last, self.last_ms = rec.timestamp, ms end
end

function Plan:skipped() return self.tiers.skipped end
function Plan:failed_strict() return self.invalid > 0 or self.tiers.skipped > 0 end

function Plan:metric_ids()
  local ids = {}
  for id in pairs(self.metric_set) do ids[#ids + 1] = id end
  table.sort(ids)
  return ids
end

---------------------------------------------------------------------------
-- Output

-- "warning: <jsonl>:<line> — <reason> (record skipped)" without "warning: ".
function M.warning_text(jsonl, line, reason)
  return string.format("%s:%d — %s (record skipped)", jsonl, line, reason)
end

local function sources_text(plan)
  local parts = {}
  for _, s in ipairs(plan.source_order) do
    parts[#parts + 1] = string.format("%s (%d)", s, plan.source_counts[s])
  end
  return table.concat(parts, ", ")
end

local function metrics_text(plan, declared)
  local parts = {}
  for _, id in ipairs(plan:metric_ids()) do
    parts[#parts + 1] = declared[id] and id or (id .. " (undeclared)")
  end
  return table.concat(parts, ", ")
end

-- The summary of import.md §3 (no trailing newline).
-- opts = {jsonl, output, dry_run, inserted, declared = {id = true}}
function M.summary(plan, opts)
  local declared = opts.declared or {}
  local dry = opts.dry_run
  local t = plan.tiers
  local lines = {}
  local function add(fmt, ...) lines[#lines + 1] = string.format(fmt, ...) end
  if dry then
    add("dry-run summary for %s:", opts.jsonl)
    add("  records:       %d (%d valid, %d invalid)", plan.total, plan.valid, plan.invalid)
  else
    add("imported %d records from %s into %s", opts.inserted or 0, opts.jsonl, opts.output)
  end
  if #plan.source_order > 0 then add(dry and "  sources:       %s" or "  sources: %s", sources_text(plan)) end
  if next(plan.metric_set) then add(dry and "  metric ids:    %s" or "  metrics: %s", metrics_text(plan, declared)) end
  if plan.first then add(dry and "  date range:    %s → %s" or "  date range: %s → %s", plan.first, plan.last) end
  if dry then
    add("  commit resolution:")
    add("    source-provided        %d", t["source-provided"])
    add("    nearest-timestamp      %d", t["nearest-timestamp"])
    add("    skipped                %d", t.skipped)
    for _, c in ipairs(plan.skip_order) do add("      %s: %d", M.SKIP_LABELS[c], plan.skip_counts[c]) end
    add("no database writes performed (--dry-run).")
  elseif t["source-provided"] + t["nearest-timestamp"] + t.skipped > 0 then
    add("  commits resolved: %d from source SHA, %d by nearest timestamp", t["source-provided"],
      t["nearest-timestamp"])
    if t.skipped > 0 then
      add("  commits skipped: %d", t.skipped)
      for _, c in ipairs(plan.skip_order) do add("    %s: %d", M.SKIP_LABELS[c], plan.skip_counts[c]) end
    end
  end
  return table.concat(lines, "\n")
end

-- The seed workflow of import.md §6, byte-exact, ending in a newline.
function M.seed_workflow(artifact_name)
  return table.concat({
    "name: unentropy seed",
    "on:",
    "  push:",
    '    branches: ["unentropy-import-*"]',
    "",
    "permissions:",
    "  contents: read",
    "",
    "jobs:",
    "  upload-seed:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - uses: actions/upload-artifact@v4",
    "        with:",
    "          name: " .. artifact_name,
    "          path: seed.db",
    "          if-no-files-found: error",
    "          retention-days: 90",
    "",
  }, "\n")
end

return M
