-- unentropy.config: loading and validating unentropy.json (config.md).
-- validate() is pure (data in, data out; the file probes can be injected);
-- load() does the IO: read, strip BOM, decode, validate, resolve. The schema
-- lives in config/rules.lua (built on config/check.lua), resolution in
-- config/resolve.lua, the built-in $ref templates in
-- config/metric-templates.json (embedded).
-- Depends on unentropy.json, unentropy.fs, unentropy.assets, unentropy.log.
--
-- The resolved config (cfg):
--   cfg.path, cfg.base_dir   absolute config file path and its directory
--   cfg.raw                  the decoded document (ordered json objects)
--   cfg.metrics              ordered array, in the file's key order, of
--     {id, name, type, description?, command, unit?, timeout (ms, integer),
--      parser? (absolute path), direction, ref? (template id)}
--   cfg.metrics_by_id        id -> the same tables
--   cfg.storage = {type, path (absolute), postgres? (raw object),
--     s3 = {endpoint, bucket?, region, key}, artifact = {name, branchFilter?}}
--     Defaults are applied; the endpoint default derives from the config's
--     region. Layering flags/environment on top (flag > env > config >
--     default) needs what the user wrote: cfg.raw.storage.
--   cfg.qualityGate = {mode, enablePullRequestComment, maxCommentMetrics,
--     maxCommentCharacters, commentTemplate? (absolute), baseline =
--     {referenceBranch? (nil: the gate picks GITHUB_BASE_REF... main),
--     maxAgeDays}, thresholds}  -- thresholds: the raw ordered objects, with
--     no defaults filled in (tolerance 0.5 and severity blocker at evaluation)
--   cfg.report = {sections? (raw array), theme (name or {dark?, light?}),
--     mode, template? (absolute)}
--   cfg.sources              normalized patterns (§8), or nil
local assets = require("unentropy.assets")
local fs = require("unentropy.fs")
local json = require("unentropy.json")
local log = require("unentropy.log")
local resolve = require("unentropy.config.resolve")
local rules = require("unentropy.config.rules")
local util = require("unentropy.config.util")

local M = {}

M.DEFAULT_PATH = "unentropy.json"
M.THEMES = rules.THEMES
M.THEME_VARS = rules.THEME_VARS
M.format_path = util.format_path

local templates, template_ids

-- The built-in metric templates: id -> {type, unit, command?, direction,
-- description}, and the ids in their table order. Raises if the embedded
-- table is missing or broken (a build error, not a user mistake).
function M.templates()
  if not templates then
    local text = assert(assets.read("config/metric-templates.json"))
    local t, msg = json.decode(text)
    assert(t, msg)
    templates, template_ids = t, json.keys(t)
  end
  return templates, template_ids
end

-- Validates and resolves a decoded document.
-- opts: base_dir (absolute; default the current directory), path (the
-- config's absolute path, kept as cfg.path), duplicates (the decoder's
-- duplicate list), is_file(p)/is_dir(p) (default unentropy.fs).
-- Returns cfg, warnings | nil, errors, warnings, where errors and warnings
-- are arrays of {path = "qualityGate.thresholds[0].mode", message = "..."}
-- in document order. Never raises on user mistakes.
function M.validate(doc, opts)
  opts = opts or {}
  local tpl, ids = M.templates()
  local base = opts.base_dir or fs.cwd()
  local errors, warnings = rules.check(doc, {
    templates = tpl, template_ids = ids, base_dir = base,
    is_file = opts.is_file or fs.is_file, duplicates = opts.duplicates,
  })
  if #errors > 0 then return nil, errors, warnings end
  local cfg = resolve.resolve(doc, {
    templates = tpl, base_dir = base, path = opts.path, is_dir = opts.is_dir or fs.is_dir,
  })
  return cfg, warnings
end

-- "<json.path>: <message>"
function M.format_violation(v)
  return v.path .. ": " .. v.message
end

-- Loads a config file (path relative to the current directory; default
-- unentropy.json). Returns cfg, warnings, or nil, err where err is
--   {kind = "not_found", path =}                   the file does not exist
--   {kind = "invalid", path =, errors =, warnings =}
-- err.path is the path as given. Invalid JSON is the single violation
-- `(root): Invalid JSON: <reason> at line <l>, column <c>`; an existing file
-- that cannot be read (a directory, no permission) is the single violation
-- `(root): <fs message>`.
function M.load(path)
  path = path or M.DEFAULT_PATH
  local abs = util.join(fs.cwd(), path)
  local text, msg = fs.read(abs)
  if not text then
    if not fs.exists(abs) then return nil, { kind = "not_found", path = path } end
    return nil, { kind = "invalid", path = path, warnings = {},
      errors = { { path = "(root)", message = tostring(msg) } } }
  end
  if text:sub(1, 3) == "\239\187\191" then text = text:sub(4) end
  local doc, dups = json.decode(text, { duplicates = true })
  if doc == nil then
    return nil, { kind = "invalid", path = path, warnings = {},
      errors = { { path = "(root)", message = "Invalid JSON: " .. tostring(dups) } } }
  end
  local cfg, a, b = M.validate(doc, { base_dir = util.dirname(abs), path = abs, duplicates = dups })
  if not cfg then return nil, { kind = "invalid", path = path, errors = a, warnings = b } end
  return cfg, a
end

-- Prints a load error as the shared blocks of cli.md §2 on stderr.
function M.report_error(err)
  if err.kind == "not_found" then
    log.error("Config file not found: " .. err.path)
    io.stderr:write("Run 'unentropy init' to create one.\n")
  else
    log.error("Config invalid: " .. err.path)
    for _, v in ipairs(err.errors) do io.stderr:write("  ", M.format_violation(v), "\n") end
  end
end

-- load() for commands: returns cfg, warnings, or nil, 1 (the exit code)
-- after printing the cli.md §2 block.
function M.load_or_report(path)
  local cfg, res = M.load(path)
  if cfg then return cfg, res end
  M.report_error(res)
  return nil, 1
end

-- Compiles and runs one Lua file that must return a function; returns nil
-- or the violation message.
local function check_chunk(file, what)
  local chunk, lerr = loadfile(file, "t")
  if not chunk then return lerr end
  local ok, res = pcall(chunk)
  if not ok then return tostring(res) end
  if type(res) ~= "function" then return what .. " must return a function" end
  return nil
end

-- verify's extra check (config.md §9): every parser, report.template and
-- qualityGate.commentTemplate compiles and returns a function. Runs the
-- files' top-level code. Returns an array of violations (document order).
function M.check_files(cfg)
  local errors = {}
  local function check(segs, file, what)
    local msg = check_chunk(file, what)
    if msg then errors[#errors + 1] = { path = util.format_path(segs), message = msg } end
  end
  for _, key in ipairs(util.keys(cfg.raw)) do
    if key == "metrics" then
      for _, m in ipairs(cfg.metrics) do
        if m.parser then check({ "metrics", m.id, "parser" }, m.parser, "parser") end
      end
    elseif key == "qualityGate" and cfg.qualityGate.commentTemplate then
      check({ "qualityGate", "commentTemplate" }, cfg.qualityGate.commentTemplate, "template")
    elseif key == "report" and cfg.report.template then
      check({ "report", "template" }, cfg.report.template, "template")
    end
  end
  return errors
end

return M
