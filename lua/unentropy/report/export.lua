-- unentropy.report.export: the data export (report.md §10) written by
-- `report --format csv|json` and offered by the page's export menu. Built
-- from the embedded data table (§3) only, the same way templates/report.js
-- builds it in the browser, so both give identical bytes: real data only,
-- timeline order then config metric order, numbers as JavaScript prints
-- them (JSON form). Depends on unentropy.json.
local json = require("unentropy.json")

local M = {}
local null = json.null

-- id -> values of every series of the data table.
local function series_of(d)
  local out = {}
  for _, c in ipairs(d.lineCharts) do out[c.id] = c.values end
  for _, c in ipairs(d.barCharts) do out[c.id] = c.values end
  return out
end

-- RFC 4180 field: quoted when it holds a comma, a quote or a line break.
local function field(s)
  if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function value_text(v)
  if type(v) == "number" then return json.encode(v) end
  return tostring(v)
end

-- CSV: header then one row per value; "\n" line ends, final one included.
function M.csv(d)
  local series = series_of(d)
  local out = { "timestamp,commit_sha,run_number,branch,metric_id,value" }
  for i, ts in ipairs(d.timeline) do
    local meta = d.metadata[i]
    local prefix = table.concat({ field(ts), field(meta.commit), json.encode(meta.run), field(meta.branch) }, ",")
    for _, m in ipairs(d.metrics) do
      local values = series[m.id]
      local v = values and values[i]
      if v ~= nil and v ~= null then
        out[#out + 1] = prefix .. "," .. field(m.id) .. "," .. field(value_text(v))
      end
    end
  end
  return table.concat(out, "\n") .. "\n"
end

-- JSON: {repository, generatedAt, metrics, builds}, 2-space indented
-- (JSON.stringify(v, null, 2)) plus a final newline.
function M.json(d)
  local series = series_of(d)
  local builds = json.array()
  for i, ts in ipairs(d.timeline) do
    local meta = d.metadata[i]
    local values = json.object()
    for _, m in ipairs(d.metrics) do
      local s = series[m.id]
      local v = s and s[i]
      if v ~= nil and v ~= null then values[m.id] = v end
    end
    builds[#builds + 1] = json.object({ { "id", meta.id }, { "timestamp", ts }, { "commit_sha", meta.commit },
      { "run_number", meta.run }, { "branch", meta.branch }, { "values", values } })
  end
  local metrics = json.array()
  for _, m in ipairs(d.metrics) do
    metrics[#metrics + 1] = json.object({ { "id", m.id }, { "name", m.name }, { "type", m.type },
      { "unit", m.unit }, { "direction", m.direction } })
  end
  local doc = json.object({ { "repository", d.repository }, { "generatedAt", d.generatedAt },
    { "metrics", metrics }, { "builds", builds } })
  return json.encode(doc, { pretty = true }) .. "\n"
end

return M
