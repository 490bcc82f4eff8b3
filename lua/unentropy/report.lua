-- unentropy.report: the HTML trend report and the data export (report.md).
-- The public API used by the report, preview and collect commands and by
-- user scripts run with `unentropy run` (docs/report.md):
--   report.load(cfg, flags)         dataset from the storage, opened read-only
--   report.read(db, cfg)            dataset from an open Db
--   report.empty(cfg)               dataset without builds (synthetic preview)
--   report.view(cfg, ds, opts)      the view a template renders (§9)
--   report.render(view, opts)       html, warnings | nil, msg
--   report.export(view, "csv"|"json")  the §10 export text
--   report.write(dir, name, text)   writes <dir>/<name>; absolute path
--   report.generate(cfg, opts)      the whole `report` pipeline
--   report.generate_for_collect(cfg, opts, settings)
-- Parts: report/data.lua (reading, alignment, layout), report/stats.lua,
-- report/view.lua, report/theme.lua, report/render.lua, report/export.lua,
-- and unentropy.preview (synthetic data).
local data = require("unentropy.report.data")
local export = require("unentropy.report.export")
local fs = require("unentropy.fs")
local render = require("unentropy.report.render")
local storage = require("unentropy.storage")
local sys = require("unentropy.sys")
local view = require("unentropy.report.view")

local M = {}

M.read = data.read
M.empty = data.empty

-- "Now" in epoch ms: SOURCE_DATE_EPOCH (seconds) if set, else the clock.
function M.now_ms()
  local sde = sys.getenv("SOURCE_DATE_EPOCH")
  local secs = sde and sde:match("^%s*(%d+)%s*$")
  if secs then return math.tointeger(tonumber(secs)) * 1000 end
  return math.floor(sys.now_ms())
end

local function basename(path)
  path = (path or ""):gsub("/+$", "")
  return path:match("([^/]+)$") or path
end

-- The repository shown in the report (report.md §1): the flag, else
-- GITHUB_REPOSITORY, else CI_PROJECT_PATH, else the config directory's name.
function M.repository(cfg, flag)
  if flag and flag ~= "" then return flag end
  for _, var in ipairs({ "GITHUB_REPOSITORY", "CI_PROJECT_PATH" }) do
    local v = sys.getenv(var)
    if v and v ~= "" then return v end
  end
  local name = basename(cfg and cfg.base_dir or fs.cwd())
  if name == "" then name = "repository" end
  return name
end

-- Loads the dataset through the configured storage, opened read-only
-- (remote storage is downloaded, never uploaded). flags: parsed storage
-- options (db, storage_type, ...). Returns ds | nil, msg, code; code
-- "not_found" for a missing local database.
function M.load(cfg, flags)
  local handle, err, code = storage.open(cfg, flags or {}, "ro")
  if not handle then return nil, err, code end
  local ok, ds, rerr = pcall(data.read, handle.db, cfg)
  handle.cleanup()
  if not ok then return nil, tostring(ds) end
  if not ds then return nil, rerr end
  return ds
end

-- The view of a dataset. opts: repository (default M.repository(cfg)),
-- now_ms (default M.now_ms()), synthetic (a preview without a database:
-- repository "preview/repository"), branch (of the change points; default
-- the reference branch).
function M.view(cfg, ds, opts)
  opts = opts or {}
  local repo = opts.repository
  if not repo then repo = opts.synthetic and "preview/repository" or M.repository(cfg) end
  local qg = cfg.qualityGate and cfg.qualityGate.baseline or {}
  return view.build(cfg, ds, {
    repository = repo, version = sys.version, docs_url = sys.docs_url,
    now_ms = opts.now_ms or M.now_ms(), synthetic = opts.synthetic,
    -- Change points are marked on the reference branch (docs/noise.md).
    branch = opts.branch or require("unentropy.gate.baseline").reference_branch(nil, qg.referenceBranch, sys.getenv),
  })
end

-- Renders a view with the stock template or opts.template (a file).
M.render = render.render

-- The export text of a view: kind "csv" or "json".
function M.export(v, kind)
  if kind == "csv" then return export.csv(v.data) end
  if kind == "json" then return export.json(v.data) end
  error("report.export: kind must be 'csv' or 'json'", 2)
end

-- Writes text to <dir>/<name>, creating dir. Returns the absolute path or
-- nil, msg.
function M.write(dir, name, text)
  local ok, err = fs.mkdir_p(dir)
  if not ok then return nil, err end
  local path = dir .. "/" .. name
  ok, err = fs.write(path, text)
  if not ok then return nil, err end
  return fs.realpath(path) or path
end

-- The whole pipeline behind `report`: load, view, render or export, write.
-- opts: the command's parsed options (output, format, repository, storage
-- flags) plus optional dataset (skip loading) and synthetic. Returns
-- {path, builds, metrics, warnings} | nil, msg, code, where code is
-- "not_found" (missing local database), another storage code or "storage"
-- for storage errors, and nil for generation errors (template, write).
function M.generate(cfg, opts)
  local ds, err, code = opts.dataset, nil, nil
  if not ds then
    ds, err, code = M.load(cfg, opts)
    if not ds then return nil, err, code or "storage" end
  end
  local v = M.view(cfg, ds, { repository = opts.repository ~= "" and opts.repository or nil,
    synthetic = opts.synthetic })
  local fmt = opts.format or "html"
  local text, name, warnings = nil, nil, {}
  if fmt == "html" then
    text, warnings = M.render(v, { template = cfg.report and cfg.report.template })
    if not text then return nil, warnings end
    name = "index.html"
  else
    text, name = M.export(v, fmt), "data." .. fmt
  end
  local path, werr = M.write(opts.output, name, text)
  if not path then return nil, werr end
  return { path = path, builds = ds.n, metrics = #cfg.metrics, warnings = warnings }
end

-- Called by `collect` after persisting (cli.md collect step 7). opts:
-- collect's parsed options (report_dir, repository, storage flags);
-- settings: the storage settings {type, path, location}. A local database is
-- read from settings.path; remote storage is opened read-only again.
-- Returns the absolute path of index.html | nil, msg.
function M.generate_for_collect(cfg, opts, settings)
  local flags = {}
  for k, v in pairs(opts) do flags[k] = v end
  if settings and settings.type == "sqlite-local" and settings.path then flags.db = settings.path end
  local ok, res, err = pcall(M.generate, cfg, setmetatable({ output = opts.report_dir or "unentropy-report",
    format = "html", repository = opts.repository }, { __index = flags }))
  if not ok then return nil, tostring(res) end
  if not res then return nil, err end
  local log = require("unentropy.log")
  for _, w in ipairs(res.warnings) do log.warn(w) end
  return res.path
end

return M
