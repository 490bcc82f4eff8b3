-- unentropy.config.resolve: turns a document that passed config.rules into
-- the resolved config (config.md §1 step 5): metrics resolved against their
-- $ref templates (§4), defaults applied (§5-§7), file paths made absolute,
-- `sources` normalized (§8). Pure apart from the directory probe opts.is_dir.
local json = require("unentropy.json")
local util = require("unentropy.config.util")

local M = {}

local function int(v, default)
  if v == nil then return default end
  return util.to_integer(v)
end

local function abs(base, p)
  if p == nil then return nil end
  return util.join(base, p)
end

-- One metric per config.md §4 "Resolution".
local function resolve_metric(id, m, templates, base)
  local ref = m["$ref"]
  if ref == "" then ref = nil end
  local tpl = ref and templates[ref] or {}
  return {
    id = id,
    name = m.name or ref or id,
    type = ref and tpl.type or m.type,
    description = m.description or tpl.description,
    command = m.command or tpl.command,
    unit = m.unit or tpl.unit,
    timeout = int(m.timeout, 60000),
    parser = abs(base, m.parser),
    direction = m.direction or tpl.direction or "higher-is-better",
    ref = ref,
    -- Repeated samples (docs/noise.md): runs of the command, and how they fold.
    runs = int(m["repeat"], 1),
    fold = m.fold or "median",
  }
end

-- §8: a pattern without glob characters that names an existing directory
-- (relative to base) gets "/**"; a leading "!" is kept.
function M.normalize_sources(patterns, base, is_dir)
  local out = {}
  for i, pat in ipairs(patterns) do
    local neg = pat:sub(1, 1) == "!"
    local body = neg and pat:sub(2) or pat
    if body ~= "" and not body:find("[%*%?%[%]{}]") and is_dir(util.join(base, body)) then
      pat = (neg and "!" or "") .. (body:gsub("/+$", "")) .. "/**"
    end
    out[i] = pat
  end
  return out
end

-- Builds the resolved config. opts: templates, base_dir, path, is_dir.
function M.resolve(doc, opts)
  local base = opts.base_dir
  local cfg = { path = opts.path, base_dir = base, raw = doc, metrics = {}, metrics_by_id = {} }

  for _, id in ipairs(util.keys(doc.metrics)) do
    local m = resolve_metric(id, doc.metrics[id], opts.templates, base)
    cfg.metrics[#cfg.metrics + 1] = m
    cfg.metrics_by_id[id] = m
  end

  local s = doc.storage or {}
  local s3, art = s.s3 or {}, s.artifact or {}
  local region = s3.region or "us-east-1"
  cfg.storage = {
    type = s.type or "sqlite-local",
    path = abs(base, s.path or "unentropy.db"),
    s3 = {
      endpoint = s3.endpoint or ("https://s3." .. region .. ".amazonaws.com"),
      bucket = s3.bucket,
      region = region,
      key = s3.key or "unentropy.db",
    },
    artifact = { name = art.name or "unentropy-metrics", branchFilter = art.branchFilter },
    postgres = s.postgres,
  }

  local q = doc.qualityGate or {}
  local b = q.baseline or {}
  local comment = q.enablePullRequestComment
  if comment == nil then comment = true end
  cfg.qualityGate = {
    mode = q.mode or "soft",
    enablePullRequestComment = comment,
    maxCommentMetrics = int(q.maxCommentMetrics, 30),
    maxCommentCharacters = int(q.maxCommentCharacters, 8000),
    commentTemplate = abs(base, q.commentTemplate),
    baseline = { referenceBranch = b.referenceBranch, maxAgeDays = int(b.maxAgeDays, 90) },
    thresholds = q.thresholds or json.array(),
  }

  local r = doc.report or {}
  cfg.report = {
    sections = r.sections,
    theme = r.theme or "lattice",
    mode = r.mode or "auto",
    template = abs(base, r.template),
  }

  if doc.sources ~= nil then
    cfg.sources = M.normalize_sources(doc.sources, base, opts.is_dir)
  end
  return cfg
end

return M
