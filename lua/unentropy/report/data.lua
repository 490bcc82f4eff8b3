-- unentropy.report.data: reading the report's dataset from the database
-- (report.md §1). One read transaction runs the Timeline and Values queries
-- (storage.md §6); the values are aligned with the timeline BY BUILD ID:
-- series[id][i] belongs to timeline[i] and is json.null where missing.
-- Only the config's metrics are kept. Depends on unentropy.json,
-- unentropy.time and unentropy.report.stats.
local json = require("unentropy.json")
local stats = require("unentropy.report.stats")
local time = require("unentropy.time")

local M = {}
local null = json.null

-- The dataset shape shared by read() and empty():
--   n          number of builds in the timeline
--   timeline   ISO timestamps ("YYYY-MM-DDTHH:MM:SS.sssZ"), ascending
--   ms         the same as epoch milliseconds
--   builds     the Timeline rows {id, commit_sha, branch, run_id,
--              run_number, event_name, timestamp}
--   metrics    the config metrics, in key order
--   series     id -> array of n values: numbers (numeric metrics) or
--              strings (label metrics), json.null where missing
--   annotations  `unentropy annotate` rows {metric_id, commit_sha, note,
--              reset, ...} (docs/noise.md); {} without the table
local function new_dataset(cfg, builds)
  local n = #builds
  local ds = { n = n, timeline = {}, ms = {}, builds = builds, metrics = cfg.metrics, series = {},
    annotations = {} }
  for i, b in ipairs(builds) do
    local ms = time.parse_stored(b.timestamp)
    ds.ms[i] = ms or 0
    ds.timeline[i] = ms and time.format_ms(ms) or b.timestamp
  end
  for _, m in ipairs(cfg.metrics) do
    local s = {}
    for i = 1, n do s[i] = null end
    ds.series[m.id] = s
  end
  return ds
end

-- A dataset with no builds (synthetic previews).
function M.empty(cfg) return new_dataset(cfg, {}) end

-- Reads the dataset from an open Db in one read transaction. Returns the
-- dataset or nil, msg.
function M.read(db, cfg)
  local builds, values = db:read_transaction(function(d)
    local tl, err = d:timeline()
    if not tl then return nil, err end
    local v, verr = d:all_values()
    if not v then return nil, verr end
    return tl, v
  end)
  if not builds then return nil, values end
  local ds = new_dataset(cfg, builds)
  if db.annotations then ds.annotations = db:annotations() or {} end
  local index = {}
  for i, b in ipairs(builds) do index[b.id] = i end
  local label = {}
  for _, m in ipairs(cfg.metrics) do label[m.id] = m.type == "label" end
  local series, bid, mid = ds.series, values.build_id, values.metric_id
  local num, lab = values.value_numeric, values.value_label
  for j = 1, values.n do
    local s = series[mid[j]]
    local i = s and index[bid[j]]
    if i then
      if label[mid[j]] then
        local v = lab[j]
        if v ~= nil then s[i] = v end
      else
        local v = num[j]
        -- Whole numbers as integers: the same JSON, written much faster.
        if stats.finite(v) then s[i] = math.tointeger(v) or v end
      end
    end
  end
  return ds
end

-- Occurrences of each label of a label series, sorted by label (byte
-- order). Returns labels, counts (plain arrays).
function M.label_counts(values, n)
  local counts, labels = {}, {}
  for i = 1, n do
    local v = values[i]
    if type(v) == "string" then
      if not counts[v] then labels[#labels + 1] = v; counts[v] = 0 end
      counts[v] = counts[v] + 1
    end
  end
  table.sort(labels)
  local c = {}
  for i, l in ipairs(labels) do c[i] = counts[l] end
  return labels, c
end

-- The report layout (report.md §1) from cfg.report.sections, or nil for the
-- flat layout. Unknown keys are dropped, then empty charts. Each chart:
-- {type = "single"|"multi", metricId?, metricIds?, title, chartType, keys}.
function M.layout(cfg)
  local sections = cfg.report and cfg.report.sections
  if not sections then return nil end
  local out = {}
  for _, sec in ipairs(sections) do
    local charts = {}
    for _, ch in ipairs(sec.charts or {}) do
      local wanted = ch.metrics
      if type(wanted) == "string" then wanted = { wanted } end
      local keys = {}
      for _, k in ipairs(wanted or {}) do
        if cfg.metrics_by_id[k] then keys[#keys + 1] = k end
      end
      if #keys > 0 then
        local names = {}
        for i, k in ipairs(keys) do names[i] = cfg.metrics_by_id[k].name end
        charts[#charts + 1] = {
          type = #keys > 1 and "multi" or "single",
          metricId = #keys == 1 and keys[1] or nil,
          metricIds = #keys > 1 and keys or nil,
          title = ch.title or table.concat(names, ", "),
          chartType = cfg.metrics_by_id[keys[1]].type == "label" and "bar" or "line",
          keys = keys,
        }
      end
    end
    out[#out + 1] = { name = sec.name or "", description = sec.description, charts = charts }
  end
  return out
end

-- The layout as the data contract writes it (§3).
function M.layout_json(layout)
  if not layout then return null end
  local secs = json.array()
  for _, s in ipairs(layout) do
    local charts = json.array()
    for _, c in ipairs(s.charts) do
      local o = json.object({ { "type", c.type } })
      if c.metricId then o.metricId = c.metricId end
      if c.metricIds then o.metricIds = json.array(c.metricIds) end
      o.title = c.title
      o.chartType = c.chartType
      charts[#charts + 1] = o
    end
    local so = json.object({ { "name", s.name } })
    if s.description then so.description = s.description end
    so.charts = charts
    secs[#secs + 1] = so
  end
  return json.object({ { "sections", secs } })
end

return M
