-- unentropy.config.rules: the schema of unentropy.json (config.md §3-§9) as
-- checkers that walk a decoded document in document order and collect every
-- violation as {path=, message=} plus verify's warnings. Pure apart from the
-- file-existence probe passed in ctx.is_file. Depends on config.check and
-- config.util.
local check = require("unentropy.config.check")
local util = require("unentropy.config.util")

local kind, child, fmt, jslen = util.kind, util.child, util.format_path, util.jslen
local add, warn, type_error, note_dup, walk = check.add, check.warn, check.type_error, check.note_dup, check.walk
local set_of, enum, string_max, string_nonempty = check.set_of, check.enum, check.string_max, check.string_nonempty
local boolean, number, int_range, object, file_path = check.boolean, check.number, check.int_range, check.object,
  check.file_path

local M = {}

---------------------------------------------------------------------------
-- metrics (§4)

local COMMAND_REQUIRED = "command field is required for all metrics. "
  .. "Built-in metrics are templates only and do not provide commands."

-- The template named by a metric's $ref, or nil.
local function template_of(ctx, m)
  local ref = m["$ref"]
  return type(ref) == "string" and ctx.templates[ref] or nil, ref
end

local METRIC_FIELDS = {
  ["$ref"] = function(ctx, p, v)
    if type(v) ~= "string" then return type_error(ctx, p, "string", v) end
    if v ~= "" and not ctx.templates[v] then
      add(ctx, p, "Built-in metric '" .. v .. "' not found. Available metrics: "
        .. table.concat(ctx.template_ids, ", "))
    end
  end,
  name = string_max(256, "name must be 256 characters or less"),
  type = function(ctx, p, v, m)
    if v ~= "numeric" and v ~= "label" then
      return add(ctx, p, "type must be either 'numeric' or 'label'")
    end
    local tpl, ref = template_of(ctx, m)
    if tpl then warn(ctx, p, "type is ignored because $ref '" .. ref .. "' defines it") end
  end,
  description = string_max(256, "description must be 256 characters or less"),
  command = function(ctx, p, v)
    if type(v) ~= "string" then return add(ctx, p, COMMAND_REQUIRED) end
    if v == "" then
      add(ctx, p, "command cannot be empty")
    elseif jslen(v) > 1024 then
      add(ctx, p, "command must be 1024 characters or less")
    end
  end,
  unit = enum({ "percent", "integer", "bytes", "duration", "decimal" },
    "unit must be one of: percent, integer, bytes, duration, decimal"),
  timeout = function(ctx, p, v)
    if type(v) ~= "number" then return type_error(ctx, p, "integer", v) end
    if not util.is_integer(v) or v < 1 then
      add(ctx, p, "timeout must be a positive integer (milliseconds)")
    elseif v > 300000 then
      add(ctx, p, "timeout must be 300000 ms or less")
    end
  end,
  parser = file_path("parser"),
  direction = enum({ "higher-is-better", "lower-is-better" },
    "direction must be one of: higher-is-better, lower-is-better"),
  -- Repeated samples (docs/noise.md): the command runs N times, the folded value is recorded.
  ["repeat"] = int_range(1, 50, "repeat must be an integer between 1 and 50"),
  fold = enum({ "min", "median", "mean", "max" }, "fold must be one of: min, median, mean, max"),
}

local function check_metric(ctx, p, key, m)
  if not key:match("^[a-z0-9-]+$") then
    add(ctx, p, "metric key must be lowercase with hyphens only (pattern: ^[a-z0-9-]+$)")
  end
  if jslen(key) > 64 then add(ctx, p, "metric key must be 64 characters or less") end
  if kind(m) ~= "object" then return type_error(ctx, p, "object", m) end
  local ref = m["$ref"]
  if (ref == nil or ref == "") and (m.type == nil or m.command == nil) then
    add(ctx, p, "Custom metrics (without $ref) require type and command fields.")
  end
  walk(ctx, p, m, METRIC_FIELDS)
  if ctx.metric_types[key] == "label" then
    for _, f in ipairs({ "repeat", "fold" }) do
      if m[f] ~= nil then add(ctx, child(p, f), f .. " applies only to numeric metrics") end
    end
  end
  local tpl = template_of(ctx, m)
  if tpl and m.command == nil and tpl.command == nil then
    add(ctx, child(p, "command"), string.format(
      'Metric "%s" requires a command. Template \'%s\' has no default command; add a "command" field.',
      key, ref))
  end
end

local function check_metrics(ctx, p, v)
  local keys = util.keys(v)
  if #keys < 1 then
    add(ctx, p, "metrics object must contain at least one metric")
  elseif #keys > 50 then
    add(ctx, p, "metrics object cannot contain more than 50 metrics")
  end
  for _, k in ipairs(keys) do
    local mp = child(p, k)
    note_dup(ctx, mp)
    check_metric(ctx, mp, k, v[k])
  end
end

---------------------------------------------------------------------------
-- storage (§5)

local STORAGE_TYPES = set_of({ "sqlite-local", "sqlite-artifact", "sqlite-s3", "postgres" })

local S3_FIELDS = {
  endpoint = function(ctx, p, v)
    if type(v) ~= "string" then return type_error(ctx, p, "string", v) end
    if not v:match("^https?://[^/?#%s]+") or v:find("[?#%s]") then
      add(ctx, p, "endpoint must be an http:// or https:// URL")
    end
  end,
  bucket = string_nonempty("bucket cannot be empty"),
  region = string_nonempty("region cannot be empty"),
  key = string_nonempty("key cannot be empty"),
}

local function s3_unknown(key)
  local k = key:lower()
  if k:find("key", 1, true) or k:find("secret", 1, true) or k:find("token", 1, true)
      or k:find("password", 1, true) then
    return "unrecognized key (credentials are read only from AWS_* environment variables)"
  end
  return "unrecognized key"
end

local ARTIFACT_FIELDS = {
  name = function(ctx, p, v)
    if type(v) ~= "string" then return type_error(ctx, p, "string", v) end
    if not v:match("^[a-zA-Z0-9_-]+$") then
      add(ctx, p, "artifact name must match ^[a-zA-Z0-9_-]+$")
    end
  end,
  branchFilter = string_nonempty("branchFilter cannot be empty"),
}

local PG_FIELDS = {
  schema = string_nonempty("schema cannot be empty"),
  host = string_nonempty("host cannot be empty"),
  port = function(ctx, p, v)
    if type(v) == "number" then
      if not util.is_integer(v) then
        type_error(ctx, p, "integer", v)
      elseif v < 1 or v > 65535 then
        add(ctx, p, "port must be between 1 and 65535")
      end
    elseif type(v) ~= "string" then
      type_error(ctx, p, "string", v)
    elseif v == "" then
      add(ctx, p, "port cannot be empty")
    end
  end,
  database = string_nonempty("database cannot be empty"),
  sslmode = string_nonempty("sslmode cannot be empty"),
}

-- The connection string (with any credentials) never comes from the config.
local function pg_unknown(key)
  local k = key:lower()
  for _, w in ipairs({ "password", "user", "url", "uri", "conn", "dsn", "secret", "token" }) do
    if k:find(w, 1, true) then
      return "unrecognized key (the connection string is read only from UNENTROPY_PG_URL or DATABASE_URL)"
    end
  end
  return "unrecognized key"
end

local STORAGE_FIELDS = {
  type = function(ctx, p, v)
    if type(v) ~= "string" or not STORAGE_TYPES[v] then
      add(ctx, p, "must be one of 'sqlite-local', 'sqlite-artifact', 'sqlite-s3', or 'postgres'")
    end
  end,
  path = string_nonempty("path cannot be empty"),
  s3 = object(S3_FIELDS, s3_unknown),
  artifact = object(ARTIFACT_FIELDS),
  postgres = object(PG_FIELDS, pg_unknown),
}

---------------------------------------------------------------------------
-- qualityGate (§6)

local THRESHOLD_MODE = "mode must be one of: no-regression, min, max, delta-max-drop, statistical"
-- The statistical mode's own fields (docs/noise.md), with their defaults.
M.STATISTICAL_TESTS = { "t", "z", "percentage", "iqr" }
M.STATISTICAL_DEFAULTS = { test = "t", window = 30, minSamples = 8,
  boundary = { t = 0.99, z = 0.99, percentage = 5, iqr = 2 } }
local STATISTICAL_FIELDS = { "test", "boundary", "window", "minSamples" }

local THRESHOLD_FIELDS = {
  metric = function(ctx, p, v)
    if type(v) ~= "string" then return type_error(ctx, p, "string", v) end
    if v == "" then return add(ctx, p, "metric field is required") end
    local t = ctx.metric_types[v]
    if t == nil then
      add(ctx, p, string.format('Threshold references non-existent metric "%s". Available metrics: %s',
        v, table.concat(ctx.metric_keys, ", ")))
    elseif t == "label" then
      warn(ctx, p, string.format('threshold on label metric "%s" is ignored', v))
    end
  end,
  mode = enum({ "no-regression", "min", "max", "delta-max-drop", "statistical" }, THRESHOLD_MODE),
  target = number,
  tolerance = function(ctx, p, v)
    if type(v) ~= "number" then return type_error(ctx, p, "number", v) end
    if v < 0 then add(ctx, p, "tolerance must be non-negative") end
  end,
  maxDropPercent = function(ctx, p, v)
    if type(v) ~= "number" then return type_error(ctx, p, "number", v) end
    if not (v > 0) then add(ctx, p, "maxDropPercent must be positive") end
  end,
  severity = enum({ "warning", "blocker" }, "severity must be one of: warning, blocker"),
  test = enum(M.STATISTICAL_TESTS, "test must be one of: " .. table.concat(M.STATISTICAL_TESTS, ", ")),
  boundary = function(ctx, p, v, t)
    if type(v) ~= "number" then return type_error(ctx, p, "number", v) end
    local test = t.test or M.STATISTICAL_DEFAULTS.test
    if test == "t" or test == "z" then
      if not (v > 0 and v < 1) then
        add(ctx, p, "boundary must be between 0 and 1 (a confidence such as 0.99) when test is '" .. test .. "'")
      end
    elseif not (v > 0) then
      add(ctx, p, "boundary must be positive")
    end
  end,
  window = int_range(2, 1000, "window must be an integer between 2 and 1000"),
  minSamples = int_range(2, 1000, "minSamples must be an integer between 2 and 1000"),
}

local function check_threshold(ctx, p, t)
  if kind(t) ~= "object" then return type_error(ctx, p, "object", t) end
  walk(ctx, p, t, THRESHOLD_FIELDS)
  if t.metric == nil then add(ctx, child(p, "metric"), "metric field is required") end
  if t.mode == nil then add(ctx, child(p, "mode"), THRESHOLD_MODE) end
  if (t.mode == "min" or t.mode == "max") and t.target == nil then
    add(ctx, child(p, "target"), "target is required when mode is 'min' or 'max'")
  end
  if t.mode == "delta-max-drop" and t.maxDropPercent == nil then
    add(ctx, child(p, "maxDropPercent"), "maxDropPercent is required when mode is 'delta-max-drop'")
  end
  if t.mode == "statistical" then
    local window = util.is_integer(t.window) and t.window or M.STATISTICAL_DEFAULTS.window
    if util.is_integer(t.minSamples) and t.minSamples <= 1000 and t.minSamples > window then
      add(ctx, child(p, "minSamples"), "minSamples cannot be greater than window (" .. window .. ")")
    end
  elseif t.mode ~= nil then
    for _, f in ipairs(STATISTICAL_FIELDS) do
      if t[f] ~= nil then add(ctx, child(p, f), f .. " applies only when mode is 'statistical'") end
    end
  end
end

local QG_FIELDS = {
  mode = enum({ "off", "soft", "hard" }, "mode must be one of: off, soft, hard"),
  enablePullRequestComment = boolean,
  maxCommentMetrics = int_range(1, 100, "maxCommentMetrics must be between 1 and 100"),
  maxCommentCharacters = int_range(1, 20000, "maxCommentCharacters must be between 1 and 20000"),
  commentTemplate = file_path("commentTemplate"),
  baseline = object({
    referenceBranch = string_nonempty("referenceBranch cannot be empty"),
    maxAgeDays = function(ctx, p, v)
      if type(v) ~= "number" then return type_error(ctx, p, "integer", v) end
      if not util.is_integer(v) or v < 1 then add(ctx, p, "maxAgeDays must be a positive integer") end
    end,
  }),
  thresholds = function(ctx, p, v)
    if kind(v) ~= "array" then return type_error(ctx, p, "array", v) end
    for i, t in ipairs(v) do check_threshold(ctx, child(p, i - 1), t) end
  end,
}

---------------------------------------------------------------------------
-- report (§7)

M.THEME_VARS = { "--bg", "--surface", "--surface-card", "--border", "--border-soft", "--text",
  "--text-dim", "--text-muted", "--accent", "--up", "--down", "--warn" }
M.THEMES = { "lattice", "flux", "halftone", "specimen" }
local THEME_MSG = "theme must be one of: " .. table.concat(M.THEMES, ", ")
local THEME_NAMES = set_of(M.THEMES)

local PALETTE_FIELDS = {}
for _, name in ipairs(M.THEME_VARS) do
  PALETTE_FIELDS[name] = function(ctx, p, v)
    if type(v) ~= "string" or not v:match("^#%x%x%x%x%x%x$") then
      add(ctx, p, "theme values must be 7-character hex (e.g. #1c2230)")
    end
  end
end
local THEME_FIELDS = { dark = object(PALETTE_FIELDS), light = object(PALETTE_FIELDS) }

local CHART_METRICS = "metrics must be a metric key or a non-empty list of metric keys"

local function chart_metrics(ctx, p, v)
  if type(v) == "string" then
    if v == "" then return add(ctx, p, CHART_METRICS) end
    if ctx.metric_types[v] == nil then warn(ctx, p, 'unknown metric "' .. v .. '" (ignored)') end
    return
  end
  if kind(v) ~= "array" or #v == 0 then return add(ctx, p, CHART_METRICS) end
  for _, k in ipairs(v) do
    if type(k) ~= "string" or k == "" then return add(ctx, p, CHART_METRICS) end
  end
  for i, k in ipairs(v) do
    if ctx.metric_types[k] == nil then warn(ctx, child(p, i - 1), 'unknown metric "' .. k .. '" (ignored)') end
  end
end

local CHART_FIELDS = {
  metrics = chart_metrics,
  title = string_max(256, "title must be 256 characters or less"),
}

local function check_charts(ctx, p, v)
  if kind(v) ~= "array" then return type_error(ctx, p, "array", v) end
  if #v == 0 then add(ctx, p, "Each section must contain at least one chart") end
  for i, c in ipairs(v) do
    local cp = child(p, i - 1)
    if kind(c) ~= "object" then
      type_error(ctx, cp, "object", c)
    else
      walk(ctx, cp, c, CHART_FIELDS)
      if c.metrics == nil then add(ctx, child(cp, "metrics"), CHART_METRICS) end
    end
  end
end

local SECTION_FIELDS = {
  name = string_max(256, "name must be 256 characters or less"),
  description = string_max(512, "description must be 512 characters or less"),
  charts = check_charts,
}

local REPORT_FIELDS = {
  sections = function(ctx, p, v)
    if kind(v) ~= "array" then return type_error(ctx, p, "array", v) end
    if #v == 0 then add(ctx, p, "report.sections cannot be empty") end
    for i, s in ipairs(v) do
      local sp = child(p, i - 1)
      if kind(s) ~= "object" then
        type_error(ctx, sp, "object", s)
      else
        walk(ctx, sp, s, SECTION_FIELDS)
        if s.name == nil then add(ctx, child(sp, "name"), "name field is required") end
        if s.charts == nil then
          add(ctx, child(sp, "charts"), "Each section must contain at least one chart")
        end
      end
    end
  end,
  theme = function(ctx, p, v)
    if type(v) == "string" and THEME_NAMES[v] then return end
    if kind(v) == "object" then return walk(ctx, p, v, THEME_FIELDS) end
    add(ctx, p, THEME_MSG)
  end,
  mode = enum({ "auto", "light", "dark" }, "mode must be one of: auto, light, dark"),
  template = file_path("template"),
}

---------------------------------------------------------------------------
-- root (§3, §8)

local function check_sources(ctx, p, v)
  if kind(v) ~= "array" then return type_error(ctx, p, "array", v) end
  if #v == 0 then
    add(ctx, p, "sources must contain at least one pattern")
  elseif #v > 50 then
    add(ctx, p, "sources cannot contain more than 50 patterns")
  end
  for i, s in ipairs(v) do
    local sp = child(p, i - 1)
    if type(s) ~= "string" then
      type_error(ctx, sp, "string", s)
    elseif s == "" then
      add(ctx, sp, "sources pattern cannot be empty")
    end
  end
end

local ROOT_FIELDS = {
  metrics = check_metrics,
  storage = object(STORAGE_FIELDS),
  qualityGate = object(QG_FIELDS),
  report = object(REPORT_FIELDS),
  sources = check_sources,
  ["$schema"] = function(ctx, p, v)
    if type(v) ~= "string" then type_error(ctx, p, "string", v) end
  end,
}

-- The resolved type of each metric key (nil when undeterminable), used by
-- the cross-checks wherever `metrics` sits in the file.
local function metric_types(ctx, metrics)
  for _, k in ipairs(util.keys(metrics)) do
    ctx.metric_keys[#ctx.metric_keys + 1] = k
    local m = metrics[k]
    local t = false
    if kind(m) == "object" then
      local tpl = template_of(ctx, m)
      if tpl then
        t = tpl.type
      elseif m.type == "numeric" or m.type == "label" then
        t = m.type
      end
    end
    ctx.metric_types[k] = t
  end
end

-- Checks a decoded document. opts: templates (id -> template object, in
-- order), template_ids (array), base_dir (absolute), is_file(path) -> bool,
-- duplicates (the decoder's list, optional). Returns errors, warnings: arrays
-- of {path=, message=} in document order. Never raises on user mistakes.
function M.check(doc, opts)
  local ctx = {
    errors = {}, warnings = {}, dups = {}, metric_keys = {}, metric_types = {},
    templates = opts.templates, template_ids = opts.template_ids,
    base_dir = opts.base_dir, is_file = opts.is_file,
  }
  local dup_list = {}
  for _, d in ipairs(opts.duplicates or {}) do
    local segs = table.move(d.path, 1, #d.path, 1, {})
    segs[#segs + 1] = d.key
    local key = fmt(segs)
    if not ctx.dups[key] then dup_list[#dup_list + 1] = key end
    ctx.dups[key] = true
  end
  if kind(doc) ~= "object" then
    type_error(ctx, {}, "object", doc)
    return ctx.errors, ctx.warnings
  end
  if kind(doc.metrics) ~= "object" then
    add(ctx, { "metrics" }, "Configuration must contain a 'metrics' object")
    return ctx.errors, ctx.warnings
  end
  metric_types(ctx, doc.metrics)
  walk(ctx, {}, doc, ROOT_FIELDS)
  -- Duplicates inside values the walk never visited (e.g. unrecognized keys).
  for _, key in ipairs(dup_list) do
    if ctx.dups[key] then
      ctx.warnings[#ctx.warnings + 1] = { path = key, message = "duplicate key" }
    end
  end
  return ctx.errors, ctx.warnings
end

return M
