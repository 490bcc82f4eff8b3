-- test_config.lua: unentropy.config (config.md). Table-driven: every
-- constraint and message as exact "<json.path>: <message>" lines in order,
-- then resolution, defaults, sources normalization, load() on real files and
-- verify's compile check.
local T = require("t")
local config = require("unentropy.config")
local json = require("unentropy.json")

local BASE = "/base"
-- Files that "exist" for the table cases (the real probe is tested by load()).
local FILES = { ["/base/ok.lua"] = true, ["/base/tpl/comment.lua"] = true }
local DIRS = { ["/base/src"] = true, ["/base/src/gen"] = true, ["/base"] = true }

local function validate(text)
  local doc, dups = json.decode(text, { duplicates = true })
  assert(doc ~= nil, "test JSON does not parse: " .. tostring(dups))
  return config.validate(doc, {
    base_dir = BASE, path = BASE .. "/unentropy.json", duplicates = dups,
    is_file = function(p) return FILES[p] == true end,
    is_dir = function(p) return DIRS[p] == true end,
  })
end

local function lines(list)
  local out = {}
  for i, v in ipairs(list or {}) do out[i] = config.format_violation(v) end
  return out
end

-- Errors and warnings of a config text as "path: message" lines.
local function check(text)
  local cfg, a, b = validate(text)
  if cfg then return {}, lines(a) end
  return lines(a), lines(b)
end

-- A valid metric entry to embed.
local M = '{"type": "numeric", "command": "echo 1"}'
local function with_metrics(rest)
  return '{"metrics": {"a": ' .. M .. ', "lbl": {"type": "label", "command": "echo x"}}, ' .. rest .. '}'
end

local many = {}
for i = 1, 51 do many[i] = '"m' .. i .. '": ' .. M end
local many_sources = {}
for i = 1, 51 do many_sources[i] = '"s' .. i .. '"' end
local long = function(n) return string.rep("x", n) end

local TEMPLATE_IDS = "coverage, function-coverage, loc, size, build-time, test-time, dependencies-count"

-- { name, config text, expected error lines (in order) }
local CASES = {
  -- §1 root and metrics object
  { "root array", '[1]', { "(root): expected object, received array" } },
  { "root null", 'null', { "(root): expected object, received null" } },
  { "root string", '"x"', { "(root): expected object, received string" } },
  { "metrics missing", '{"bogus": 1}', { "metrics: Configuration must contain a 'metrics' object" } },
  { "metrics array stops checking", '{"metrics": [], "bogus": 1}',
    { "metrics: Configuration must contain a 'metrics' object" } },
  { "metrics null", '{"metrics": null}', { "metrics: Configuration must contain a 'metrics' object" } },
  -- §3 root keys
  { "unknown root key", '{"metrics": {"a": ' .. M .. '}, "bogus": 1}', { "bogus: unrecognized key" } },
  { "quoted root key", '{"metrics": {"a": ' .. M .. '}, "Bad Key": 1}', { '["Bad Key"]: unrecognized key' } },
  { "$schema type", '{"$schema": 5, "metrics": {"a": ' .. M .. '}}', { "$schema: expected string, received number" } },
  { "$schema ok", '{"$schema": "./config/unentropy.schema.json", "metrics": {"a": ' .. M .. '}}', {} },
  -- §4 metrics
  { "no metrics", '{"metrics": {}}', { "metrics: metrics object must contain at least one metric" } },
  { "51 metrics", '{"metrics": {' .. table.concat(many, ", ") .. '}}',
    { "metrics: metrics object cannot contain more than 50 metrics" } },
  { "key pattern", '{"metrics": {"Bad_Key": ' .. M .. '}}',
    { "metrics.Bad_Key: metric key must be lowercase with hyphens only (pattern: ^[a-z0-9-]+$)" } },
  { "key length", '{"metrics": {"' .. string.rep("a", 65) .. '": ' .. M .. '}}',
    { "metrics." .. string.rep("a", 65) .. ": metric key must be 64 characters or less" } },
  { "key 64 ok", '{"metrics": {"' .. string.rep("a", 64) .. '": ' .. M .. '}}', {} },
  { "one path, table order", '{"metrics": {"' .. string.rep("A", 65) .. '": {}}}', {
    "metrics." .. string.rep("A", 65) .. ": metric key must be lowercase with hyphens only (pattern: ^[a-z0-9-]+$)",
    "metrics." .. string.rep("A", 65) .. ": metric key must be 64 characters or less",
    "metrics." .. string.rep("A", 65) .. ": Custom metrics (without $ref) require type and command fields.",
  } },
  { "quoted metric key", '{"metrics": {"a.b \\"c\\"": ' .. M .. '}}',
    { 'metrics["a.b \\"c\\""]: metric key must be lowercase with hyphens only (pattern: ^[a-z0-9-]+$)' } },
  { "entry not object", '{"metrics": {"a": "loc"}}', { "metrics.a: expected object, received string" } },
  { "custom without type", '{"metrics": {"a": {"command": "x"}}}',
    { "metrics.a: Custom metrics (without $ref) require type and command fields." } },
  { "custom without command", '{"metrics": {"a": {"type": "numeric"}}}',
    { "metrics.a: Custom metrics (without $ref) require type and command fields." } },
  { "empty $ref is no $ref", '{"metrics": {"a": {"$ref": "", "type": "numeric"}}}',
    { "metrics.a: Custom metrics (without $ref) require type and command fields." } },
  { "empty $ref with fields", '{"metrics": {"a": {"$ref": "", "type": "numeric", "command": "x"}}}', {} },
  { "$ref type", '{"metrics": {"a": {"$ref": 5, "command": "x"}}}', { "metrics.a.$ref: expected string, received number" } },
  { "$ref unknown", '{"metrics": {"a": {"$ref": "Coverage", "command": "x"}}}',
    { "metrics.a.$ref: Built-in metric 'Coverage' not found. Available metrics: " .. TEMPLATE_IDS } },
  { "$ref without default command", '{"metrics": {"cov": {"$ref": "coverage"}}}',
    { "metrics.cov.command: Metric \"cov\" requires a command. Template 'coverage' has no default command; add a \"command\" field." } },
  { "$ref with default command", '{"metrics": {"l": {"$ref": "loc"}, "s": {"$ref": "size"}}}', {} },
  { "name length", '{"metrics": {"a": {"$ref": "loc", "name": "' .. long(257) .. '"}}}',
    { "metrics.a.name: name must be 256 characters or less" } },
  { "name 256 multibyte ok", '{"metrics": {"a": {"$ref": "loc", "name": "' .. string.rep("é", 256) .. '"}}}', {} },
  { "name type", '{"metrics": {"a": {"$ref": "loc", "name": 5}}}', { "metrics.a.name: expected string, received number" } },
  { "type enum", '{"metrics": {"a": {"type": "number", "command": "x"}}}',
    { "metrics.a.type: type must be either 'numeric' or 'label'" } },
  { "type non-string", '{"metrics": {"a": {"type": true, "command": "x"}}}',
    { "metrics.a.type: type must be either 'numeric' or 'label'" } },
  { "description length", '{"metrics": {"a": {"$ref": "loc", "description": "' .. long(257) .. '"}}}',
    { "metrics.a.description: description must be 256 characters or less" } },
  { "command empty", '{"metrics": {"a": {"type": "numeric", "command": ""}}}', { "metrics.a.command: command cannot be empty" } },
  { "command length", '{"metrics": {"a": {"type": "numeric", "command": "' .. long(1025) .. '"}}}',
    { "metrics.a.command: command must be 1024 characters or less" } },
  { "command 1024 ok", '{"metrics": {"a": {"type": "numeric", "command": "' .. long(1024) .. '"}}}', {} },
  { "command non-string", '{"metrics": {"a": {"$ref": "coverage", "command": 5}}}',
    { "metrics.a.command: command field is required for all metrics. Built-in metrics are templates only and do not provide commands." } },
  { "command null", '{"metrics": {"a": {"type": "label", "command": null}}}',
    { "metrics.a.command: command field is required for all metrics. Built-in metrics are templates only and do not provide commands." } },
  { "unit enum", '{"metrics": {"a": {"$ref": "loc", "unit": "lines"}}}',
    { "metrics.a.unit: unit must be one of: percent, integer, bytes, duration, decimal" } },
  { "label with unit accepted", '{"metrics": {"a": {"type": "label", "command": "x", "unit": "bytes"}}}', {} },
  { "timeout zero", '{"metrics": {"a": {"$ref": "loc", "timeout": 0}}}',
    { "metrics.a.timeout: timeout must be a positive integer (milliseconds)" } },
  { "timeout fraction", '{"metrics": {"a": {"$ref": "loc", "timeout": 1.5}}}',
    { "metrics.a.timeout: timeout must be a positive integer (milliseconds)" } },
  { "timeout max", '{"metrics": {"a": {"$ref": "loc", "timeout": 300001}}}',
    { "metrics.a.timeout: timeout must be 300000 ms or less" } },
  { "timeout type", '{"metrics": {"a": {"$ref": "loc", "timeout": "60s"}}}',
    { "metrics.a.timeout: expected integer, received string" } },
  { "timeout integral float ok", '{"metrics": {"a": {"$ref": "loc", "timeout": 300000.0}}}', {} },
  { "parser empty", '{"metrics": {"a": {"$ref": "loc", "parser": ""}}}', { "metrics.a.parser: parser cannot be empty" } },
  { "parser missing file", '{"metrics": {"a": {"$ref": "loc", "parser": "./tools/../p.lua"}}}',
    { "metrics.a.parser: file not found: /base/p.lua" } },
  { "parser absolute missing", '{"metrics": {"a": {"$ref": "loc", "parser": "/elsewhere/p.lua"}}}',
    { "metrics.a.parser: file not found: /elsewhere/p.lua" } },
  { "parser ok", '{"metrics": {"a": {"$ref": "loc", "parser": "ok.lua"}}}', {} },
  { "parser type", '{"metrics": {"a": {"$ref": "loc", "parser": ["ok.lua"]}}}',
    { "metrics.a.parser: expected string, received array" } },
  { "direction enum", '{"metrics": {"a": {"$ref": "loc", "direction": "up"}}}',
    { "metrics.a.direction: direction must be one of: higher-is-better, lower-is-better" } },
  { "metric unknown key", '{"metrics": {"a": {"$ref": "loc", "cmd": "x"}}}', { "metrics.a.cmd: unrecognized key" } },
  -- §5 storage
  { "storage type", '{"metrics": {"a": ' .. M .. '}, "storage": []}', { "storage: expected object, received array" } },
  { "storage type enum", with_metrics('"storage": {"type": "sqlite"}'),
    { "storage.type: must be one of 'sqlite-local', 'sqlite-artifact', 'sqlite-s3', or 'postgres'" } },
  { "storage type number", with_metrics('"storage": {"type": 1}'),
    { "storage.type: must be one of 'sqlite-local', 'sqlite-artifact', 'sqlite-s3', or 'postgres'" } },
  { "storage postgres", with_metrics('"storage": {"type": "postgres"}'), {} },
  { "postgres all fields ok", with_metrics('"storage": {"type": "postgres", "postgres": {"schema": "Team_Repo", '
    .. '"host": "db.example", "port": "5432", "database": "metrics", "sslmode": "verify-full"}}'), {} },
  { "postgres port range", with_metrics('"storage": {"type": "postgres", "postgres": {"port": 70000}}'),
    { "storage.postgres.port: port must be between 1 and 65535" } },
  { "postgres port type", with_metrics('"storage": {"postgres": {"port": true}}'),
    { "storage.postgres.port: expected string, received boolean" } },
  { "postgres credentials", with_metrics('"storage": {"postgres": {"password": "p", "connectionString": "x", "ssl": 1}}'), {
    "storage.postgres.password: unrecognized key (the connection string is read only from UNENTROPY_PG_URL or DATABASE_URL)",
    "storage.postgres.connectionString: unrecognized key (the connection string is read only from UNENTROPY_PG_URL or DATABASE_URL)",
    "storage.postgres.ssl: unrecognized key" } },
  { "storage path empty", with_metrics('"storage": {"path": ""}'), { "storage.path: path cannot be empty" } },
  { "storage path type", with_metrics('"storage": {"path": false}'), { "storage.path: expected string, received boolean" } },
  { "s3 endpoint scheme", with_metrics('"storage": {"s3": {"endpoint": "ftp://x"}}'),
    { "storage.s3.endpoint: endpoint must be an http:// or https:// URL" } },
  { "s3 endpoint query", with_metrics('"storage": {"s3": {"endpoint": "https://x.example?a=1"}}'),
    { "storage.s3.endpoint: endpoint must be an http:// or https:// URL" } },
  { "s3 endpoint ok", with_metrics('"storage": {"s3": {"endpoint": "http://127.0.0.1:9000/base"}}'), {} },
  { "s3 empties", with_metrics('"storage": {"type": "sqlite-s3", "s3": {"bucket": "", "region": "", "key": ""}}'), {
    "storage.s3.bucket: bucket cannot be empty", "storage.s3.region: region cannot be empty",
    "storage.s3.key: key cannot be empty" } },
  { "s3 credentials", with_metrics('"storage": {"s3": {"accessKeyId": "A", "Secret": "s", "sessionToken": "t", "PASSWORD": "p", "acl": "x"}}'), {
    "storage.s3.accessKeyId: unrecognized key (credentials are read only from AWS_* environment variables)",
    "storage.s3.Secret: unrecognized key (credentials are read only from AWS_* environment variables)",
    "storage.s3.sessionToken: unrecognized key (credentials are read only from AWS_* environment variables)",
    "storage.s3.PASSWORD: unrecognized key (credentials are read only from AWS_* environment variables)",
    "storage.s3.acl: unrecognized key" } },
  { "s3 not object", with_metrics('"storage": {"s3": "bucket"}'), { "storage.s3: expected object, received string" } },
  { "artifact name", with_metrics('"storage": {"artifact": {"name": "my metrics"}}'),
    { "storage.artifact.name: artifact name must match ^[a-zA-Z0-9_-]+$" } },
  { "artifact branchFilter", with_metrics('"storage": {"artifact": {"name": "ok_Name-1", "branchFilter": "", "x": 1}}'),
    { "storage.artifact.branchFilter: branchFilter cannot be empty", "storage.artifact.x: unrecognized key" } },
  { "postgres settings", with_metrics('"storage": {"postgres": {"schema": "", "host": "", "port": "", "database": "", "sslmode": ""}}'), {
    "storage.postgres.schema: schema cannot be empty", "storage.postgres.host: host cannot be empty",
    "storage.postgres.port: port cannot be empty", "storage.postgres.database: database cannot be empty",
    "storage.postgres.sslmode: sslmode cannot be empty" } },
  { "postgres port integer ok", with_metrics('"storage": {"postgres": {"port": 5432}}'), {} },
  { "storage unknown key", with_metrics('"storage": {"url": "x"}'), { "storage.url: unrecognized key" } },
  -- §6 qualityGate
  { "gate type", with_metrics('"qualityGate": true'), { "qualityGate: expected object, received boolean" } },
  { "gate mode", with_metrics('"qualityGate": {"mode": "strict"}'), { "qualityGate.mode: mode must be one of: off, soft, hard" } },
  { "gate comment flag", with_metrics('"qualityGate": {"enablePullRequestComment": "yes"}'),
    { "qualityGate.enablePullRequestComment: expected boolean, received string" } },
  { "gate maxCommentMetrics", with_metrics('"qualityGate": {"maxCommentMetrics": 0}'),
    { "qualityGate.maxCommentMetrics: maxCommentMetrics must be between 1 and 100" } },
  { "gate maxCommentMetrics high", with_metrics('"qualityGate": {"maxCommentMetrics": 101}'),
    { "qualityGate.maxCommentMetrics: maxCommentMetrics must be between 1 and 100" } },
  { "gate maxCommentMetrics fraction", with_metrics('"qualityGate": {"maxCommentMetrics": 1.5}'),
    { "qualityGate.maxCommentMetrics: expected integer, received number" } },
  { "gate maxCommentCharacters", with_metrics('"qualityGate": {"maxCommentCharacters": 20001}'),
    { "qualityGate.maxCommentCharacters: maxCommentCharacters must be between 1 and 20000" } },
  { "gate commentTemplate missing", with_metrics('"qualityGate": {"commentTemplate": "tpl/none.lua"}'),
    { "qualityGate.commentTemplate: file not found: /base/tpl/none.lua" } },
  { "gate commentTemplate ok", with_metrics('"qualityGate": {"commentTemplate": "tpl/comment.lua"}'), {} },
  { "baseline", with_metrics('"qualityGate": {"baseline": {"referenceBranch": "", "maxAgeDays": 0, "x": 1}}'), {
    "qualityGate.baseline.referenceBranch: referenceBranch cannot be empty",
    "qualityGate.baseline.maxAgeDays: maxAgeDays must be a positive integer",
    "qualityGate.baseline.x: unrecognized key" } },
  { "baseline maxAgeDays fraction", with_metrics('"qualityGate": {"baseline": {"maxAgeDays": 2.5}}'),
    { "qualityGate.baseline.maxAgeDays: maxAgeDays must be a positive integer" } },
  { "thresholds type", with_metrics('"qualityGate": {"thresholds": {}}'),
    { "qualityGate.thresholds: expected array, received object" } },
  { "threshold type", with_metrics('"qualityGate": {"thresholds": ["a"]}'),
    { "qualityGate.thresholds[0]: expected object, received string" } },
  { "threshold metric empty", with_metrics('"qualityGate": {"thresholds": [{"metric": "", "mode": "no-regression"}]}'),
    { "qualityGate.thresholds[0].metric: metric field is required" } },
  { "threshold metric missing", with_metrics('"qualityGate": {"thresholds": [{"mode": "no-regression"}]}'),
    { "qualityGate.thresholds[0].metric: metric field is required" } },
  { "threshold metric unknown", with_metrics('"qualityGate": {"thresholds": [{"metric": "b", "mode": "no-regression"}]}'),
    { 'qualityGate.thresholds[0].metric: Threshold references non-existent metric "b". Available metrics: a, lbl' } },
  { "threshold mode", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "max-drop"}]}'),
    { "qualityGate.thresholds[0].mode: mode must be one of: no-regression, min, max, delta-max-drop, statistical" } },
  { "threshold missing fields last", with_metrics('"qualityGate": {"thresholds": [{"x": 1}]}'), {
    "qualityGate.thresholds[0].x: unrecognized key",
    "qualityGate.thresholds[0].metric: metric field is required",
    "qualityGate.thresholds[0].mode: mode must be one of: no-regression, min, max, delta-max-drop, statistical" } },
  { "threshold target missing", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "max"}]}'),
    { "qualityGate.thresholds[0].target: target is required when mode is 'min' or 'max'" } },
  { "threshold target type", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "min", "target": "80"}]}'),
    { "qualityGate.thresholds[0].target: expected number, received string" } },
  { "threshold tolerance", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "no-regression", "tolerance": -0.1}]}'),
    { "qualityGate.thresholds[0].tolerance: tolerance must be non-negative" } },
  { "threshold maxDropPercent", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "delta-max-drop", "maxDropPercent": 0}]}'),
    { "qualityGate.thresholds[0].maxDropPercent: maxDropPercent must be positive" } },
  { "threshold maxDropPercent missing", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "delta-max-drop"}]}'),
    { "qualityGate.thresholds[0].maxDropPercent: maxDropPercent is required when mode is 'delta-max-drop'" } },
  { "threshold severity", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "no-regression", "severity": "error"}]}'),
    { "qualityGate.thresholds[0].severity: severity must be one of: warning, blocker" } },
  { "thresholds several per metric ok", with_metrics('"qualityGate": {"mode": "hard", "thresholds": [{"metric": "a", "mode": "min", "target": 80.5}, {"metric": "a", "mode": "no-regression", "tolerance": 0}]}'), {} },
  { "gate unknown key", with_metrics('"qualityGate": {"comment": true}'), { "qualityGate.comment: unrecognized key" } },
  -- statistical thresholds (docs/noise.md)
  { "statistical ok", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "statistical"}, {"metric": "a", "mode": "statistical", "test": "iqr", "boundary": 3, "window": 50, "minSamples": 50, "severity": "warning"}, {"metric": "a", "mode": "statistical", "test": "percentage", "boundary": 150}, {"metric": "a", "mode": "statistical", "test": "z", "boundary": 0.999}]}'), {} },
  { "statistical test enum", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "statistical", "test": "student"}]}'),
    { "qualityGate.thresholds[0].test: test must be one of: t, z, percentage, iqr" } },
  { "statistical boundary confidence", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "statistical", "boundary": 99}, {"metric": "a", "mode": "statistical", "test": "z", "boundary": 0}, {"metric": "a", "mode": "statistical", "test": "t", "boundary": 1}]}'), {
    "qualityGate.thresholds[0].boundary: boundary must be between 0 and 1 (a confidence such as 0.99) when test is 't'",
    "qualityGate.thresholds[1].boundary: boundary must be between 0 and 1 (a confidence such as 0.99) when test is 'z'",
    "qualityGate.thresholds[2].boundary: boundary must be between 0 and 1 (a confidence such as 0.99) when test is 't'" } },
  { "statistical boundary positive", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "statistical", "test": "percentage", "boundary": 0}, {"metric": "a", "mode": "statistical", "test": "iqr", "boundary": -1}, {"metric": "a", "mode": "statistical", "boundary": "0.99"}]}'), {
    "qualityGate.thresholds[0].boundary: boundary must be positive",
    "qualityGate.thresholds[1].boundary: boundary must be positive",
    "qualityGate.thresholds[2].boundary: expected number, received string" } },
  { "statistical window and minSamples", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "statistical", "window": 1, "minSamples": 1001}, {"metric": "a", "mode": "statistical", "window": 10.5, "minSamples": "8"}, {"metric": "a", "mode": "statistical", "window": 1001}]}'), {
    "qualityGate.thresholds[0].window: window must be an integer between 2 and 1000",
    "qualityGate.thresholds[0].minSamples: minSamples must be an integer between 2 and 1000",
    "qualityGate.thresholds[1].window: expected integer, received number",
    "qualityGate.thresholds[1].minSamples: expected integer, received string",
    "qualityGate.thresholds[2].window: window must be an integer between 2 and 1000" } },
  { "statistical minSamples above window", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "statistical", "window": 10, "minSamples": 12}, {"metric": "a", "mode": "statistical", "minSamples": 31}, {"metric": "a", "mode": "statistical", "window": 10, "minSamples": 10.0}]}'), {
    "qualityGate.thresholds[0].minSamples: minSamples cannot be greater than window (10)",
    "qualityGate.thresholds[1].minSamples: minSamples cannot be greater than window (30)" } },
  { "statistical fields need the mode", with_metrics('"qualityGate": {"thresholds": [{"metric": "a", "mode": "no-regression", "test": "t", "boundary": 0.9, "window": 5, "minSamples": 3}]}'), {
    "qualityGate.thresholds[0].test: test applies only when mode is 'statistical'",
    "qualityGate.thresholds[0].boundary: boundary applies only when mode is 'statistical'",
    "qualityGate.thresholds[0].window: window applies only when mode is 'statistical'",
    "qualityGate.thresholds[0].minSamples: minSamples applies only when mode is 'statistical'" } },
  -- repeated samples
  { "repeat and fold ok", '{"metrics": {"a": {"type": "numeric", "command": "x", "repeat": 50, "fold": "min"}, "b": {"$ref": "loc", "repeat": 1.0, "fold": "mean"}}}', {} },
  { "repeat range", '{"metrics": {"a": {"type": "numeric", "command": "x", "repeat": 0}, "b": {"type": "numeric", "command": "x", "repeat": 51}, "c": {"type": "numeric", "command": "x", "repeat": 2.5}, "d": {"type": "numeric", "command": "x", "repeat": "5"}}}', {
    "metrics.a.repeat: repeat must be an integer between 1 and 50",
    "metrics.b.repeat: repeat must be an integer between 1 and 50",
    "metrics.c.repeat: expected integer, received number",
    "metrics.d.repeat: expected integer, received string" } },
  { "fold enum", '{"metrics": {"a": {"type": "numeric", "command": "x", "fold": "average"}}}',
    { "metrics.a.fold: fold must be one of: min, median, mean, max" } },
  { "repeat on label metric", '{"metrics": {"a": {"type": "label", "command": "x", "repeat": 3, "fold": "max"}}}', {
    "metrics.a.repeat: repeat applies only to numeric metrics",
    "metrics.a.fold: fold applies only to numeric metrics" } },
  -- §7 report
  { "report type", with_metrics('"report": "lattice"'), { "report: expected object, received string" } },
  { "sections empty", with_metrics('"report": {"sections": []}'), { "report.sections: report.sections cannot be empty" } },
  { "sections type", with_metrics('"report": {"sections": {}}'), { "report.sections: expected array, received object" } },
  { "section type", with_metrics('"report": {"sections": [null]}'), { "report.sections[0]: expected object, received null" } },
  { "section name", with_metrics('"report": {"sections": [{"name": "' .. long(257) .. '", "charts": [{"metrics": "a"}]}]}'),
    { "report.sections[0].name: name must be 256 characters or less" } },
  { "section name empty ok", with_metrics('"report": {"sections": [{"name": "", "charts": [{"metrics": "a"}]}]}'), {} },
  { "section name missing", with_metrics('"report": {"sections": [{"charts": [{"metrics": "a"}]}]}'),
    { "report.sections[0].name: name field is required" } },
  { "section description", with_metrics('"report": {"sections": [{"name": "n", "description": "' .. long(513) .. '", "charts": [{"metrics": "a"}]}]}'),
    { "report.sections[0].description: description must be 512 characters or less" } },
  { "section charts empty", with_metrics('"report": {"sections": [{"name": "n", "charts": []}]}'),
    { "report.sections[0].charts: Each section must contain at least one chart" } },
  { "section charts missing", with_metrics('"report": {"sections": [{"name": "n"}]}'),
    { "report.sections[0].charts: Each section must contain at least one chart" } },
  { "chart metrics forms", with_metrics('"report": {"sections": [{"name": "n", "charts": [{"metrics": ""}, {"metrics": []}, {"metrics": ["a", ""]}, {"metrics": 5}, {"title": "t"}]}]}'), {
    "report.sections[0].charts[0].metrics: metrics must be a metric key or a non-empty list of metric keys",
    "report.sections[0].charts[1].metrics: metrics must be a metric key or a non-empty list of metric keys",
    "report.sections[0].charts[2].metrics: metrics must be a metric key or a non-empty list of metric keys",
    "report.sections[0].charts[3].metrics: metrics must be a metric key or a non-empty list of metric keys",
    "report.sections[0].charts[4].metrics: metrics must be a metric key or a non-empty list of metric keys" } },
  { "chart title", with_metrics('"report": {"sections": [{"name": "n", "charts": [{"metrics": "a", "title": "' .. long(257) .. '", "type": "bar"}]}]}'), {
    "report.sections[0].charts[0].title: title must be 256 characters or less",
    "report.sections[0].charts[0].type: unrecognized key" } },
  { "section unknown key", with_metrics('"report": {"sections": [{"name": "n", "charts": [{"metrics": "a"}], "id": 1}]}'),
    { "report.sections[0].id: unrecognized key" } },
  { "theme name", with_metrics('"report": {"theme": "neon"}'),
    { "report.theme: theme must be one of: lattice, flux, halftone, specimen" } },
  { "theme type", with_metrics('"report": {"theme": 3}'),
    { "report.theme: theme must be one of: lattice, flux, halftone, specimen" } },
  { "theme names ok", with_metrics('"report": {"theme": "specimen", "mode": "dark"}'), {} },
  { "theme palette", with_metrics('"report": {"theme": {"dark": {"--bg": "#1c2230", "--accent": "#12345", "--nope": "#000000"}, "light": "x", "dim": {}}}'), {
    "report.theme.dark.--accent: theme values must be 7-character hex (e.g. #1c2230)",
    "report.theme.dark.--nope: unrecognized key",
    "report.theme.light: expected object, received string",
    "report.theme.dim: unrecognized key" } },
  { "theme palette value type", with_metrics('"report": {"theme": {"light": {"--text": 123456}}}'),
    { "report.theme.light.--text: theme values must be 7-character hex (e.g. #1c2230)" } },
  { "report mode", with_metrics('"report": {"mode": "system"}'), { "report.mode: mode must be one of: auto, light, dark" } },
  { "report template", with_metrics('"report": {"template": "report.lua"}'), { "report.template: file not found: /base/report.lua" } },
  { "report template empty", with_metrics('"report": {"template": ""}'), { "report.template: template cannot be empty" } },
  { "report unknown key", with_metrics('"report": {"title": "x"}'), { "report.title: unrecognized key" } },
  -- §8 sources
  { "sources type", with_metrics('"sources": "src"'), { "sources: expected array, received string" } },
  { "sources empty", with_metrics('"sources": []'), { "sources: sources must contain at least one pattern" } },
  { "sources 51", with_metrics('"sources": [' .. table.concat(many_sources, ", ") .. ']'),
    { "sources: sources cannot contain more than 50 patterns" } },
  { "sources elements", with_metrics('"sources": ["src", "", 5]'),
    { "sources[1]: sources pattern cannot be empty", "sources[2]: expected string, received number" } },
  -- §2 document order
  { "document order across sections", '{"report": {"mode": "x"}, "metrics": {"b": {"type": "x", "command": ""}, "a": {"$ref": "nope"}}, "storage": {"type": "x"}}', {
    "report.mode: mode must be one of: auto, light, dark",
    "metrics.b.type: type must be either 'numeric' or 'label'",
    "metrics.b.command: command cannot be empty",
    "metrics.a.$ref: Built-in metric 'nope' not found. Available metrics: " .. TEMPLATE_IDS,
    "storage.type: must be one of 'sqlite-local', 'sqlite-artifact', 'sqlite-s3', or 'postgres'" } },
  { "thresholds before metrics", '{"qualityGate": {"thresholds": [{"metric": "zz", "mode": "min", "target": 1}]}, "metrics": {"a": ' .. M .. '}}',
    { 'qualityGate.thresholds[0].metric: Threshold references non-existent metric "zz". Available metrics: a' } },
}

for _, c in ipairs(CASES) do
  T.test("violations: " .. c[1], function()
    local errors = check(c[2])
    T.eq(errors, c[3])
  end)
end

-- { name, config text, expected warning lines } (all configs valid)
local WARNINGS = {
  { "ignored type", '{"metrics": {"cov": {"$ref": "coverage", "type": "label", "command": "x"}}}',
    { "metrics.cov.type: type is ignored because $ref 'coverage' defines it" } },
  { "unknown chart metrics", with_metrics('"report": {"sections": [{"name": "n", "charts": [{"metrics": "zz"}, {"metrics": ["a", "yy"]}]}]}'), {
    'report.sections[0].charts[0].metrics: unknown metric "zz" (ignored)',
    'report.sections[0].charts[1].metrics[1]: unknown metric "yy" (ignored)' } },
  { "threshold on label metric", with_metrics('"qualityGate": {"thresholds": [{"metric": "lbl", "mode": "no-regression"}]}'),
    { 'qualityGate.thresholds[0].metric: threshold on label metric "lbl" is ignored' } },
  { "duplicate keys", '{"metrics": {"a": {"type": "numeric", "command": "x", "command": "y"}, "a": ' .. M .. '}, "sources": ["src"], "sources": ["lib"]}', {
    "metrics.a: duplicate key", "metrics.a.command: duplicate key", "sources: duplicate key" } },
  { "duplicate inside arrays", with_metrics('"report": {"sections": [{"name": "n", "name": "m", "charts": [{"metrics": "a"}]}]}'),
    { "report.sections[0].name: duplicate key" } },
}

for _, c in ipairs(WARNINGS) do
  T.test("warnings: " .. c[1], function()
    local errors, warnings = check(c[2])
    T.eq(errors, {})
    T.eq(warnings, c[3])
  end)
end

T.test("duplicate key keeps the last value", function()
  local cfg = validate('{"metrics": {"a": {"type": "numeric", "command": "x", "command": "y"}}}')
  T.eq(cfg.metrics[1].command, "y")
end)

T.test("warnings come with errors too", function()
  local cfg, errors, warnings = validate('{"metrics": {"a": {"$ref": "loc", "type": "numeric", "unit": "x"}}}')
  T.eq(cfg, nil)
  T.eq(lines(errors), { "metrics.a.unit: unit must be one of: percent, integer, bytes, duration, decimal" })
  T.eq(lines(warnings), { "metrics.a.type: type is ignored because $ref 'loc' defines it" })
end)

---------------------------------------------------------------------------
-- Resolution and defaults

T.test("resolution: templates, overrides, order", function()
  local cfg = validate([[{"metrics": {
    "z-last": {"type": "label", "command": "git rev-parse HEAD"},
    "cov": {"$ref": "coverage", "name": "Coverage", "command": "@collect coverage-lcov lcov.info", "type": "label"},
    "size": {"$ref": "size", "unit": "integer", "direction": "higher-is-better", "description": "D", "timeout": 80.0},
    "p": {"type": "numeric", "command": "./b.sh", "parser": "ok.lua", "$ref": ""}
  }}]])
  T.eq(#cfg.metrics, 4)
  T.eq(cfg.metrics[1], { id = "z-last", name = "z-last", type = "label", command = "git rev-parse HEAD",
    timeout = 60000, direction = "higher-is-better", runs = 1, fold = "median" })
  T.eq(cfg.metrics[2], { id = "cov", name = "Coverage", type = "numeric", unit = "percent",
    description = "Overall test coverage percentage", command = "@collect coverage-lcov lcov.info",
    timeout = 60000, direction = "higher-is-better", ref = "coverage", runs = 1, fold = "median" })
  T.eq(cfg.metrics[3], { id = "size", name = "size", type = "numeric", unit = "integer", description = "D",
    command = "@collect size dist", timeout = 80, direction = "higher-is-better", ref = "size", runs = 1, fold = "median" })
  T.eq(math.type(cfg.metrics[3].timeout), "integer")
  T.eq(cfg.metrics[4], { id = "p", name = "p", type = "numeric", command = "./b.sh", timeout = 60000,
    parser = "/base/ok.lua", direction = "higher-is-better", runs = 1, fold = "median" })
  T.ok(cfg.metrics_by_id.cov == cfg.metrics[2])
  T.eq(cfg.path, "/base/unentropy.json")
  T.eq(cfg.base_dir, "/base")
  T.eq(cfg.raw.metrics["z-last"].type, "label")
end)

T.test("resolution: repeat and fold", function()
  local cfg = validate('{"metrics": {"b": {"type": "numeric", "command": "x", "repeat": 5.0}, "c": {"$ref": "build-time", "command": "x", "repeat": 3, "fold": "min"}}}')
  T.eq({ cfg.metrics[1].runs, cfg.metrics[1].fold }, { 5, "median" })
  T.eq(math.type(cfg.metrics[1].runs), "integer")
  T.eq({ cfg.metrics[2].runs, cfg.metrics[2].fold }, { 3, "min" })
end)

T.test("resolution: loc template defaults", function()
  local cfg = validate('{"metrics": {"lines": {"$ref": "loc"}}}')
  T.eq(cfg.metrics[1], { id = "lines", name = "loc", type = "numeric", unit = "integer",
    description = "Total lines of code", command = "@collect loc .", timeout = 60000,
    direction = "lower-is-better", ref = "loc", runs = 1, fold = "median" })
end)

T.test("defaults: storage, qualityGate, report, no sources", function()
  local cfg = validate('{"metrics": {"a": ' .. M .. '}}')
  T.eq(cfg.storage, { type = "sqlite-local", path = "/base/unentropy.db",
    s3 = { endpoint = "https://s3.us-east-1.amazonaws.com", region = "us-east-1", key = "unentropy.db" },
    artifact = { name = "unentropy-metrics" } })
  T.eq(cfg.qualityGate, { mode = "soft", enablePullRequestComment = true, maxCommentMetrics = 30,
    maxCommentCharacters = 8000, baseline = { maxAgeDays = 90 }, thresholds = {} })
  T.eq(cfg.report, { theme = "lattice", mode = "auto" })
  T.eq(cfg.sources, nil)
end)

T.test("defaults: user values kept", function()
  local cfg = validate(with_metrics([=["storage": {"type": "sqlite-s3", "path": "db/m.db",
      "s3": {"bucket": "b", "region": "eu-west-3", "key": "r/u.db"}, "artifact": {"name": "m", "branchFilter": "dev"}},
    "qualityGate": {"mode": "hard", "enablePullRequestComment": false, "maxCommentMetrics": 5,
      "maxCommentCharacters": 100.0, "commentTemplate": "tpl/comment.lua",
      "baseline": {"referenceBranch": "develop", "maxAgeDays": 7},
      "thresholds": [{"severity": "warning", "metric": "a", "mode": "min", "target": 1}]},
    "report": {"theme": {"dark": {"--bg": "#000000"}}, "mode": "light", "sections": [{"name": "n", "charts": [{"metrics": "a"}]}]}]=]))
  T.eq(cfg.storage, { type = "sqlite-s3", path = "/base/db/m.db",
    s3 = { endpoint = "https://s3.eu-west-3.amazonaws.com", bucket = "b", region = "eu-west-3", key = "r/u.db" },
    artifact = { name = "m", branchFilter = "dev" } })
  T.eq(cfg.qualityGate.mode, "hard")
  T.eq(cfg.qualityGate.enablePullRequestComment, false)
  T.eq(cfg.qualityGate.maxCommentMetrics, 5)
  T.eq(math.type(cfg.qualityGate.maxCommentCharacters), "integer")
  T.eq(cfg.qualityGate.commentTemplate, "/base/tpl/comment.lua")
  T.eq(cfg.qualityGate.baseline, { referenceBranch = "develop", maxAgeDays = 7 })
  -- Thresholds stay the user's ordered objects.
  T.eq(json.keys(cfg.qualityGate.thresholds[1]), { "severity", "metric", "mode", "target" })
  T.eq(cfg.report.mode, "light")
  T.eq(cfg.report.theme.dark["--bg"], "#000000")
  T.eq(cfg.report.sections[1].charts[1].metrics, "a")
end)

T.test("sources normalization", function()
  local cfg = validate(with_metrics([=["sources": ["src", "!src/gen", "src/", "lib", "src/*.c", "!src/{a,b}",
    "./src", "/base/src", "!", "."]]=]))
  T.eq(cfg.sources, { "src/**", "!src/gen/**", "src/**", "lib", "src/*.c", "!src/{a,b}",
    "./src/**", "/base/src/**", "!", "./**" })
end)

---------------------------------------------------------------------------
-- load() on real files

local function write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

T.test("load: not found", function()
  local dir = T.tmpdir()
  local cfg, err = config.load(dir .. "/missing.json")
  T.eq(cfg, nil)
  T.eq(err, { kind = "not_found", path = dir .. "/missing.json" })
end)

T.test("load: a directory is one violation", function()
  local dir = T.tmpdir()
  local cfg, err = config.load(dir)
  T.eq(cfg, nil)
  T.eq(err.kind, "invalid")
  T.eq(#err.errors, 1)
  T.eq(err.errors[1].path, "(root)")
  T.contains(err.errors[1].message, dir)
end)

T.test("load: invalid JSON is the only violation", function()
  local dir = T.tmpdir()
  write(dir .. "/u.json", '{\n  "metrics": {,\n}')
  local cfg, err = config.load(dir .. "/u.json")
  T.eq(cfg, nil)
  T.eq(err.kind, "invalid")
  T.eq(#err.errors, 1)
  T.eq(err.errors[1].path, "(root)")
  T.ok(err.errors[1].message:match("^Invalid JSON: .+ at line 2, column %d+$"), err.errors[1].message)
end)

T.test("load: BOM, base dir, files and directories", function()
  local dir = T.tmpdir()
  os.execute("mkdir -p '" .. dir .. "/cfg/src/gen' '" .. dir .. "/cfg/tools'")
  write(dir .. "/cfg/tools/p.lua", "return function(s) return tonumber(s) end\n")
  write(dir .. "/cfg/u.json", "\239\187\191" .. [[{
    "sources": ["src", "!src/gen", "tools/p.lua", "missing"],
    "metrics": {"b": {"type": "numeric", "command": "echo 1", "parser": "tools/p.lua"}}
  }]])
  local cfg, warnings = config.load(dir .. "/cfg/u.json")
  T.ok(cfg, "expected a config")
  T.eq(warnings, {})
  T.eq(cfg.path, dir .. "/cfg/u.json")
  T.eq(cfg.base_dir, dir .. "/cfg")
  T.eq(cfg.metrics[1].parser, dir .. "/cfg/tools/p.lua")
  T.eq(cfg.sources, { "src/**", "!src/gen/**", "tools/p.lua", "missing" })
  T.eq(cfg.storage.path, dir .. "/cfg/unentropy.db")
  T.eq(config.check_files(cfg), {})
end)

T.test("load: missing referenced file uses the real probe", function()
  local dir = T.tmpdir()
  write(dir .. "/u.json", '{"metrics": {"a": {"$ref": "loc", "parser": "nope.lua"}}, "report": {"template": "."}}')
  local cfg, err = config.load(dir .. "/u.json")
  T.eq(cfg, nil)
  T.eq(lines(err.errors), { "metrics.a.parser: file not found: " .. dir .. "/nope.lua",
    "report.template: file not found: " .. dir })
end)

T.test("check_files: parsers and templates must return functions", function()
  local dir = T.tmpdir()
  write(dir .. "/table.lua", "return {}\n")
  write(dir .. "/syntax.lua", "return function(\n")
  write(dir .. "/raise.lua", "error('boom')\n")
  write(dir .. "/fn.lua", "return function() end\n")
  write(dir .. "/u.json", [[{"report": {"template": "table.lua"},
    "metrics": {"a": {"$ref": "loc", "parser": "syntax.lua"}, "b": {"$ref": "loc", "parser": "fn.lua"},
      "c": {"$ref": "loc", "parser": "table.lua"}},
    "qualityGate": {"commentTemplate": "raise.lua"}}]])
  local cfg = assert(config.load(dir .. "/u.json"))
  local errs = config.check_files(cfg)
  T.eq(#errs, 4)
  T.eq(errs[1], { path = "report.template", message = "template must return a function" })
  T.eq(errs[2].path, "metrics.a.parser")
  T.contains(errs[2].message, dir .. "/syntax.lua:")
  T.eq(errs[3], { path = "metrics.c.parser", message = "parser must return a function" })
  T.eq(errs[4].path, "qualityGate.commentTemplate")
  T.contains(errs[4].message, "boom")
end)

T.test("format_path quoting", function()
  T.eq(config.format_path({}), "(root)")
  T.eq(config.format_path({ "qualityGate", "thresholds", 0, "mode" }), "qualityGate.thresholds[0].mode")
  T.eq(config.format_path({ "metrics", "Bad Key" }), 'metrics["Bad Key"]')
  T.eq(config.format_path({ "report", "theme", "dark", "--bg" }), "report.theme.dark.--bg")
  T.eq(config.format_path({ "a\nb", "", "$ref" }), '["a\\nb"][""].$ref')
end)

T.test("templates table", function()
  local tpl, ids = config.templates()
  T.eq(ids, { "coverage", "function-coverage", "loc", "size", "build-time", "test-time", "dependencies-count" })
  T.eq(tpl.size.command, "@collect size dist")
  T.eq(tpl.coverage.command, nil)
end)

T.test("the editor schema mirrors the validator's lists", function()
  local text = assert(require("unentropy.assets").read("config/unentropy.schema.json"))
  local schema = assert(json.decode(text))
  local defs = schema.definitions
  local _, ids = config.templates()
  T.eq(defs.metric.properties["$ref"].anyOf[1].enum, ids)
  T.eq(json.keys(defs.palette.properties), config.THEME_VARS)
  T.eq(schema.properties.report.properties.theme.anyOf[1].enum, config.THEMES)
  T.eq(json.keys(schema.properties), { "$schema", "metrics", "storage", "qualityGate", "report", "sources" })
  -- Templates without a default command require one, as in the validator.
  local need = {}
  for _, id in ipairs(ids) do
    if config.templates()[id].command == nil then need[#need + 1] = id end
  end
  T.eq(defs.metric["if"].properties["$ref"].enum, need)
end)
