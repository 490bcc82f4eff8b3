-- unentropy.report.view: turns a dataset (unentropy.report.data) into the
-- view a report template renders (report.md §9): the embedded data table of
-- §3, per-metric statistics with their formatted texts, the cards of the
-- flat or sectioned layout (real and preview variants), the theme and the
-- footer texts. Pure: "now", the repository and the version come in opts.
-- Numeric metrics get their change points on the reference branch and their
-- annotations (docs/noise.md): marks on the chart, a list on the card.
-- Depends on unentropy.json, unentropy.format, unentropy.time,
-- unentropy.preview, unentropy.changes and unentropy.report.{data,stats,theme}.
local changes = require("unentropy.changes")
local data = require("unentropy.report.data")
local statistical = require("unentropy.gate.statistical")
local format = require("unentropy.format")
local json = require("unentropy.json")
local preview = require("unentropy.preview")
local stats = require("unentropy.report.stats")
local theme = require("unentropy.report.theme")
local time = require("unentropy.time")

local M = {}
local null = json.null
local DAY = 86400000
local MONTHS = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }

-- "MMM d, yyyy" of epoch ms (UTC).
function M.date_text(ms)
  local y, m, d = time.civil_from_days(ms // DAY)
  return string.format("%s %d, %d", MONTHS[m], d, y)
end

-- "MMM d, yyyy, HH:mm UTC" of epoch ms.
function M.datetime_text(ms)
  local rem = ms % DAY
  return string.format("%s, %02d:%02d UTC", M.date_text(ms), rem // 3600000, rem // 60000 % 60)
end

local function day(ms) return time.format_ms(ms):sub(1, 10) end

-- A DOM id part: every character outside [A-Za-z0-9-] becomes "-".
function M.dom_id(s) return (s:gsub("[^A-Za-z0-9%-]", "-")) end

local ARROWS = { up = "↑", down = "↓", stable = "→" }

-- The trend text ("↑12.3%", "→0.0%", "new", "—") and its class: "good" or
-- "bad" by the metric's direction, "neutral" for stable, new and none.
function M.trend(s, direction)
  local dir = s.trendDirection
  if dir == nil then return "—", "neutral" end
  if dir == "new" then return "new", "neutral" end
  local text = ARROWS[dir] .. format.trend_percent(s.trendPercent or 0)
  if dir == "stable" then return text, "neutral" end
  local good = (dir == "up") == (direction ~= "lower-is-better")
  return text, good and "good" or "bad"
end

local function formatted(s, m)
  local f = { latest = "—", min = "—", max = "—", average = "—" }
  if s.count and s.count > 0 or s.latest ~= nil then
    f.latest = format.value(s.latest, m.unit)
    f.min = format.value(s.min, m.unit)
    f.max = format.value(s.max, m.unit)
    f.average = format.value(s.average, m.unit)
  end
  f.trend, f.trendClass = M.trend(s, m.direction)
  return f
end

local function split_repo(repo)
  local owner, name = repo:match("^([^/]*)/(.*)$")
  if owner then return owner, name end
  return nil, repo
end

local function prefix_match(a, b)
  local n = math.min(#a, #b)
  return n >= 7 and a:sub(1, n):lower() == b:sub(1, n):lower()
end

-- Change points on `branch` and annotations of one numeric metric
-- (docs/noise.md). Returns the §3 arrays changePoints {index (0-based
-- timeline index), kind, before, after, changePercent, sha, run, note?} and
-- annotations {index, sha, note, reset}, and the card's list
-- {text, class}; nil, nil, nil when there is nothing to mark.
local function marks(m, values, ds, branch, anns, positions)
  local found = changes.for_dataset(ds.builds, values, branch, { max_changes = 20 }, positions)
  local list, cps, marked = {}, json.array(), json.array()
  local noted = {}
  for _, c in ipairs(found) do
    local b = c.build
    local regression = changes.is_regression(c, m.direction)
    local note
    for _, a in ipairs(anns) do
      if prefix_match(a.commit_sha, b.commit_sha or "") then note = a; noted[a] = true end
    end
    cps[#cps + 1] = json.object({ { "index", c.position - 1 }, { "kind", regression and "regression" or "improvement" },
      { "before", c.before }, { "after", c.after }, { "changePercent", c.change_percent },
      { "sha", (b.commit_sha or ""):sub(1, 7) }, { "run", b.run_number }, { "note", note and note.note } })
    local pct = c.change_percent and string.format(" (%s%.1f%%)", c.change_percent >= 0 and "+" or "",
      c.change_percent) or ""
    list[#list + 1] = { class = regression and "bad" or "good", text = string.format("%s %s %s → %s%s at %s (build #%s)%s",
      regression and "▲" or "▼", regression and "regression" or "improvement", statistical.value(c.before, m.unit),
      statistical.value(c.after, m.unit), pct, (b.commit_sha or ""):sub(1, 7), tostring(b.run_number),
      note and (" — " .. note.note .. (note.reset and " (window reset)" or "")) or "") }
  end
  for _, a in ipairs(anns) do
    local at
    for i = ds.n, 1, -1 do
      if ds.builds[i].branch == branch and prefix_match(a.commit_sha, ds.builds[i].commit_sha or "") then at = i; break end
    end
    if at then
      marked[#marked + 1] = json.object({ { "index", at - 1 }, { "sha", a.commit_sha:sub(1, 7) }, { "note", a.note },
        { "reset", a.reset } })
      if not noted[a] then
        list[#list + 1] = { class = "neutral", text = string.format("📝 %s (build #%s): %s%s", a.commit_sha:sub(1, 7),
          tostring(ds.builds[at].run_number), a.note, a.reset and " (window reset)" or "") }
      end
    end
  end
  if #list == 0 then return nil end
  return #cps > 0 and cps or nil, #marked > 0 and marked or nil, list
end

-- Builds the §3 data table and the per-metric view entries.
local function build_data(cfg, ds, opts, now_ms)
  local n = ds.n
  local meta = {}
  for i, b in ipairs(ds.builds) do
    local sha = b.commit_sha or ""
    meta[i] = { id = b.id, sha = sha:sub(1, 7), commit = sha, run = b.run_number, branch = b.branch or "" }
  end
  local line, bar, metrics, exported = json.array(), json.array(), {}, json.array()
  local real = { line = {}, bar = {}, builds = n }
  local branch = opts.branch or "main"
  local positions = not opts.synthetic and n > 0 and changes.branch_positions(ds.builds, branch) or nil
  for _, m in ipairs(cfg.metrics) do
    local values = ds.series[m.id]
    local unit = m.unit or null
    local entry = { id = m.id, name = m.name, description = m.description, type = m.type, unit = m.unit,
      direction = m.direction or "higher-is-better", domId = M.dom_id(m.id) }
    if m.type == "label" then
      local labels, counts = data.label_counts(values, n)
      labels, counts = json.array(labels), json.array(counts)
      real.bar[m.id] = { labels = labels, counts = counts }
      bar[#bar + 1] = json.object({ { "id", m.id }, { "name", m.name }, { "unit", unit },
        { "labels", labels }, { "counts", counts }, { "values", json.array(values) } })
      entry.labels, entry.counts = labels, counts
      entry.stats = { count = #labels > 0 and 1 or 0 }
      entry.hasData = #labels > 0
    else
      real.line[m.id] = values
      local cps, anns, list
      if not opts.synthetic and n > 0 then
        local mine = {}
        for _, a in ipairs(ds.annotations or {}) do
          if a.metric_id == m.id then mine[#mine + 1] = a end
        end
        cps, anns, list = marks(entry, values, ds, branch, mine, positions)
      end
      entry.changes = list
      line[#line + 1] = json.object({ { "id", m.id }, { "name", m.name }, { "unit", unit },
        { "direction", entry.direction }, { "values", json.array(values) }, { "changePoints", cps },
        { "annotations", anns } })
      entry.stats = stats.compute(values, n)
      entry.formatted = formatted(entry.stats, entry)
      entry.hasData = entry.stats.count > 0
    end
    exported[#exported + 1] = json.object({ { "id", m.id }, { "name", m.name }, { "type", m.type },
      { "unit", unit }, { "direction", entry.direction } })
    metrics[#metrics + 1] = entry
  end

  local show = n < 10
  local pv = show and preview.data(cfg.metrics, not opts.synthetic and real or nil, now_ms) or {
    previewTimeline = json.array(), previewLineCharts = json.array(),
    previewBarCharts = json.array(), previewStats = json.object(),
  }
  for _, e in ipairs(metrics) do
    local ps = pv.previewStats[e.id]
    if ps then
      local s = { latest = ps.latest, min = ps.min, max = ps.max, average = ps.average, count = 1,
        trendDirection = ps.trendDirection ~= null and ps.trendDirection or nil,
        trendPercent = ps.trendPercent ~= null and ps.trendPercent or nil }
      e.preview = { stats = s, formatted = formatted(s, e) }
    end
  end

  local range = null
  if n > 0 then
    range = json.object({ { "min", day(ds.ms[1]) }, { "max", day(ds.ms[n]) } })
  end
  local th = theme.resolve(cfg.report and cfg.report.theme, cfg.report and cfg.report.mode)
  local layout = data.layout(cfg)
  local d = json.object({
    { "version", opts.version }, { "repository", opts.repository },
    { "generatedAt", time.format_ms(now_ms) }, { "mode", th.mode },
    { "timeline", json.array(ds.timeline) }, { "metadata", json.array(meta) },
    { "lineCharts", line }, { "barCharts", bar }, { "showToggle", show },
    { "previewTimeline", pv.previewTimeline }, { "previewLineCharts", pv.previewLineCharts },
    { "previewBarCharts", pv.previewBarCharts }, { "previewStats", pv.previewStats },
    { "availableDateRange", range }, { "layout", data.layout_json(layout) },
    { "metrics", exported },
  })
  return d, metrics, th, layout
end

-- Cards ----------------------------------------------------------------------

local function card_for(kind, keys, title, description, by_id, used, variant, group)
  local suffix = variant == "preview" and "-preview" or ""
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = M.dom_id(k) end
  local base = "chart-" .. table.concat(parts, "-") .. suffix
  local id, k = base, 1
  while used[id] do k = k + 1; id = base .. "-" .. k end
  used[id] = true
  local series = {}
  for i, key in ipairs(keys) do series[i] = key .. suffix end
  local c = { view = variant, kind = kind, title = title, description = description, canvasId = id,
    series = table.concat(series, " "), group = variant == "preview" and "preview" or group }
  local first = by_id[keys[1]]
  local pick = function(e) return variant == "preview" and e.preview or e end
  if kind == "bar" then
    c.ariaLabel = "Bar chart showing " .. first.name .. " distribution"
    c.empty = variant == "real" and not first.hasData
  elseif kind == "line" then
    c.ariaLabel = "Line chart showing " .. first.name .. " over time"
    local p = pick(first)
    c.stats = p and p.formatted
    c.empty = variant == "real" and not first.hasData
    if variant == "real" and first.changes then
      c.changes = first.changes
      local n, a = 0, 0
      for _, ch in ipairs(first.changes) do
        if ch.class == "neutral" then a = a + 1 else n = n + 1 end
      end
      local parts = {}
      if n > 0 then parts[#parts + 1] = n .. (n == 1 and " change point" or " change points") end
      if a > 0 then parts[#parts + 1] = a .. (a == 1 and " annotation" or " annotations") end
      c.changesTitle = table.concat(parts, ", ")
    end
  else
    c.ariaLabel = "Line chart showing " .. title .. " over time"
    c.mini = {}
    local any = false
    for _, key in ipairs(keys) do
      local e = by_id[key]
      local p = pick(e)
      local f = p and p.formatted
      c.mini[#c.mini + 1] = { name = e.name, latest = f and f.latest or "—", trend = f and f.trend or "—",
        trendClass = f and f.trendClass or "neutral" }
      if e.hasData and e.type ~= "label" then any = true end
    end
    c.empty = variant == "real" and not any
  end
  return c
end

local function groups_for(cfg, metrics, layout, show)
  local by_id = {}
  for _, e in ipairs(metrics) do by_id[e.id] = e end
  local used = {}
  local function pair(kind, keys, title, description, group)
    local out = { real = card_for(kind, keys, title, description, by_id, used, "real", group) }
    if show then out.preview = card_for(kind, keys, title, description, by_id, used, "preview", group) end
    return out
  end
  if not layout then
    local cards = {}
    for _, e in ipairs(metrics) do
      cards[#cards + 1] = pair(e.type == "label" and "bar" or "line", { e.id }, e.name, e.description, "page")
    end
    return { { id = "page", cards = cards } }
  end
  local groups = {}
  for i, s in ipairs(layout) do
    local gid = "section-" .. i
    local cards = {}
    for _, ch in ipairs(s.charts) do
      local keys, kind = ch.keys, "line"
      if ch.chartType == "bar" then
        kind, keys = "bar", { keys[1] }
      elseif #keys > 1 then
        kind = "multi"
      end
      local first = by_id[keys[1]]
      cards[#cards + 1] = pair(kind, keys, ch.title, kind ~= "multi" and first.description or nil, gid)
    end
    groups[#groups + 1] = { id = gid, name = s.name, description = s.description, cards = cards }
  end
  return groups
end

-- Builds the view. ds: a dataset; opts: {repository, version, now_ms,
-- synthetic (true for a preview without a database), docs_url, branch (the
-- reference branch of the change points; default "main")}.
function M.build(cfg, ds, opts)
  local now_ms = opts.now_ms
  local d, metrics, th, layout = build_data(cfg, ds, opts, now_ms)
  local n = ds.n
  local owner, name = split_repo(opts.repository)
  local v = {
    data = d,
    repository = opts.repository, owner = owner, name = name,
    exportName = (name:gsub("[^%w%._%-]", "-")) .. "-metrics",
    version = opts.version, docsUrl = opts.docs_url or "",
    generatedAt = d.generatedAt, generatedText = M.datetime_text(now_ms),
    buildCount = n, showToggle = d.showToggle, synthetic = opts.synthetic or false,
    metrics = metrics, layout = layout, theme = th,
    dateRange = n > 0 and { first = ds.timeline[1], last = ds.timeline[n],
      firstText = M.date_text(ds.ms[1]), lastText = M.date_text(ds.ms[n]) } or nil,
    dataset = ds,
  }
  v.metrics_by_id = {}
  for _, e in ipairs(metrics) do v.metrics_by_id[e.id] = e end
  v.groups = groups_for(cfg, metrics, layout, d.showToggle)
  return v
end

return M
