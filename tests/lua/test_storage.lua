-- test_storage.lua: provider selection and settings (flag > UNENTROPY_S3_* >
-- config > default, location strings, artifact name and branch), the
-- configuration errors storage.open reports before any request, the local
-- provider's handle lifecycle, the artifact candidate order (expired
-- skipped, branch first, newest first, seeds after), and the
-- unentropy.provider binding (misuse raises, closed handles raise,
-- environmental failures return nil, msg, code, temp files are 0600 and
-- removed by close, <close> and collectgarbage), plus the docs/api stub.
local T = require("t")
local artifact = require("unentropy.artifact")
local fs = require("unentropy.fs")
local provider = require("unentropy.provider")
local storage = require("unentropy.storage")
local sys = require("unentropy.sys")

local VARS = { "UNENTROPY_S3_ENDPOINT", "UNENTROPY_S3_BUCKET", "UNENTROPY_S3_REGION", "UNENTROPY_S3_KEY",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "TMPDIR" }
local saved = {}
for _, v in ipairs(VARS) do saved[v] = sys.getenv(v) end
local function with_env(env, fn)
  for _, v in ipairs(VARS) do sys.setenv(v, env[v]) end
  local ok, err = pcall(fn)
  for _, v in ipairs(VARS) do sys.setenv(v, saved[v]) end
  if not ok then error(err, 0) end
end

-- A resolved config as unentropy.config builds it (storage part only).
local function cfg_with(raw_storage)
  local s3, art = raw_storage.s3 or {}, raw_storage.artifact or {}
  local region = s3.region or "us-east-1"
  return {
    base_dir = "/proj",
    raw = { storage = raw_storage },
    storage = {
      type = raw_storage.type or "sqlite-local",
      path = "/proj/" .. (raw_storage.path or "unentropy.db"),
      s3 = { endpoint = s3.endpoint or ("https://s3." .. region .. ".amazonaws.com"), bucket = s3.bucket,
        region = region, key = s3.key or "unentropy.db" },
      artifact = { name = art.name or "unentropy-metrics", branchFilter = art.branchFilter },
    },
  }
end

T.test("local settings: --db beats storage.path; default unentropy.db in the config dir", function()
  local s = storage.settings(cfg_with({}), {})
  T.eq(s, { type = "sqlite-local", path = "/proj/unentropy.db", location = "storage://sqlite-local//proj/unentropy.db" })
  T.eq(storage.settings(cfg_with({ path = "data/m.db" }), {}).path, "/proj/data/m.db")
  T.eq(storage.settings(cfg_with({ path = "data/m.db" }), { db = "x.db" }).path, "x.db")
  T.eq(storage.settings(cfg_with({ path = "data/m.db" }), { db = "" }).path, "/proj/data/m.db")
  T.eq(storage.settings(nil, {}).path, "unentropy.db")
end)

T.test("type: flag > config > sqlite-local; empty flag means unset", function()
  T.eq(storage.settings(cfg_with({ type = "sqlite-s3" }), {}).type, "sqlite-s3")
  T.eq(storage.settings(cfg_with({ type = "sqlite-s3" }), { storage_type = "sqlite-artifact" }).type, "sqlite-artifact")
  T.eq(storage.settings(cfg_with({ type = "sqlite-s3" }), { storage_type = "" }).type, "sqlite-s3")
  T.eq(storage.settings(nil, nil).type, "sqlite-local")
end)

T.test("s3 settings: flag > UNENTROPY_S3_* > config > default", function()
  local cfg = cfg_with({ type = "sqlite-s3", s3 = { bucket = "cfg-b", key = "cfg.db", region = "eu-west-1" } })
  with_env({}, function()
    T.eq(storage.settings(cfg, {}).s3, { endpoint = "https://s3.eu-west-1.amazonaws.com", bucket = "cfg-b",
      region = "eu-west-1", key = "cfg.db" })
    T.eq(storage.settings(cfg, {}).location, "storage://sqlite-s3/cfg-b/cfg.db")
  end)
  with_env({ UNENTROPY_S3_BUCKET = "env-b", UNENTROPY_S3_KEY = "env.db", UNENTROPY_S3_REGION = "us-west-2",
    UNENTROPY_S3_ENDPOINT = "http://127.0.0.1:9000" }, function()
    T.eq(storage.settings(cfg, {}).s3, { endpoint = "http://127.0.0.1:9000", bucket = "env-b", region = "us-west-2",
      key = "env.db" })
    local s = storage.settings(cfg, { s3_bucket = "flag-b", s3_key = "flag.db", s3_region = "ap-south-1",
      s3_endpoint = "https://minio.example" })
    T.eq(s.s3, { endpoint = "https://minio.example", bucket = "flag-b", region = "ap-south-1", key = "flag.db" })
    T.eq(s.location, "storage://sqlite-s3/flag-b/flag.db")
    -- empty flags (unset action inputs) fall through to the environment
    T.eq(storage.settings(cfg, { s3_bucket = "", s3_key = "" }).s3.bucket, "env-b")
  end)
  -- the default endpoint follows the effective region, wherever it came from
  with_env({ UNENTROPY_S3_REGION = "sa-east-1" }, function()
    T.eq(storage.settings(cfg_with({ type = "sqlite-s3" }), {}).s3,
      { endpoint = "https://s3.sa-east-1.amazonaws.com", region = "sa-east-1", key = "unentropy.db" })
  end)
end)

T.test("artifact settings: name and branch filter", function()
  local s = storage.settings(cfg_with({ type = "sqlite-artifact" }), {}, { branch = "main" })
  T.eq(s.artifact, { name = "unentropy-metrics", branch = "main" })
  T.eq(s.location, "storage://sqlite-artifact/unentropy-metrics")
  T.eq(s.output, "/proj/unentropy.db")
  s = storage.settings(cfg_with({ type = "sqlite-artifact", artifact = { name = "m", branchFilter = "release" } }),
    { db = "work.db" }, { branch = "main" })
  T.eq({ s.artifact, s.output }, { { name = "m", branch = "release" }, "work.db" })
  s = storage.settings(cfg_with({ type = "sqlite-artifact", artifact = { branchFilter = "release" } }),
    { artifact_name = "n", artifact_branch = "dev" })
  T.eq(s.artifact, { name = "n", branch = "dev" })
end)

T.test("open reports configuration errors before any request", function()
  with_env({ AWS_ACCESS_KEY_ID = "AKID", AWS_SECRET_ACCESS_KEY = "secret" }, function()
    T.eq({ storage.open(cfg_with({ type = "sqlite-s3" }), {}, "rw") },
      { nil, "S3 bucket is not configured: set storage.s3.bucket, --s3-bucket or UNENTROPY_S3_BUCKET" })
  end)
  with_env({ UNENTROPY_S3_BUCKET = "b", AWS_ACCESS_KEY_ID = "AKID" }, function()
    T.eq({ storage.open(cfg_with({ type = "sqlite-s3" }), {}, "rw") },
      { nil, "S3 credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" })
  end)
  -- postgres (docs/postgres.md): the connection string only from the environment
  local pg_url, db_url = sys.getenv("UNENTROPY_PG_URL"), sys.getenv("DATABASE_URL")
  sys.setenv("UNENTROPY_PG_URL", nil)
  sys.setenv("DATABASE_URL", nil)
  local res = { storage.open(cfg_with({ type = "postgres" }), {}, "ro") }
  sys.setenv("UNENTROPY_PG_URL", pg_url)
  sys.setenv("DATABASE_URL", db_url)
  T.eq(res, { nil, "PostgreSQL connection string is missing: set UNENTROPY_PG_URL or DATABASE_URL" })
end)

T.test("sqlite-local handle: record, persist (closes), missing file read-only", function()
  local dir = T.tmpdir()
  local cfg = cfg_with({})
  cfg.base_dir, cfg.storage.path = dir, dir .. "/unentropy.db"
  T.eq({ storage.open(cfg, {}, "ro") }, { nil, "Database not found: " .. dir .. "/unentropy.db", "not_found" })
  T.ok(not fs.exists(dir .. "/unentropy.db"), "ro creates nothing")
  local h = T.ok(storage.open(cfg, {}, "rw"))
  T.eq(h.settings.location, "storage://sqlite-local/" .. dir .. "/unentropy.db")
  local id = T.ok(h.record_build({ commit_sha = "abc", branch = "main", run_id = "r1", run_number = 1,
    timestamp = "2025-01-01T00:00:00.000Z" }, { { metric = { id = "loc", type = "numeric" }, value_numeric = 5 } }))
  T.eq(id, 1)
  T.eq(h.persist(), true)
  T.eq(h.persisted.total_builds, 1)
  T.eq(h.persisted.bytes, fs.stat(dir .. "/unentropy.db").size)
  T.raises(function() h.db:build_count() end, "attempt to use a closed Db")
  h.cleanup()
  h.cleanup()
  local ro = T.ok(storage.open(cfg, {}, "ro"))
  T.eq(ro.db:build_count(), 1)
  ro.cleanup()
  T.eq({ storage.open(cfg, { db = dir .. "/no/such/dir/x.db" }, "rw") },
    { nil, "Cannot open database " .. dir .. "/no/such/dir/x.db: No such file or directory" })
end)

T.test("artifact candidates: expired skipped, branch first, newest first, then seeds", function()
  local list = {
    { id = 1, name = "m", created_at = "2024-01-01T00:00:00Z", workflow_run = { head_branch = "main" } },
    { id = 2, name = "m", created_at = "2024-03-01T00:00:00Z", workflow_run = { head_branch = "main" },
      expired = true },
    { id = 3, name = "m", created_at = "2024-02-01T00:00:00Z", workflow_run = { head_branch = "feature" } },
    { id = 4, name = "m", created_at = "2024-01-15T00:00:00Z", workflow_run = { head_branch = "main" } },
    { id = 6, name = "m", created_at = "2024-01-15T00:00:00Z", workflow_run = { head_branch = "main" } },
    { id = 5, name = "other", created_at = "2025-01-01T00:00:00Z", workflow_run = { head_branch = "main" } },
  }
  local function ids(c)
    local out = {}
    for _, e in ipairs(c) do out[#out + 1] = e.artifact.id .. (e.seed and "s" or "") end
    return out
  end
  T.eq(ids(artifact.candidates(list, "m", "main")), { "6", "4", "1", "3s" })
  T.eq(ids(artifact.candidates(list, "m", "dev")), { "3s", "6s", "4s", "1s" })
  T.eq(ids(artifact.candidates({}, "m", "main")), {})
end)

T.test("artifact API settings from the environment", function()
  local keep = { sys.getenv("GITHUB_TOKEN"), sys.getenv("GITHUB_REPOSITORY"), sys.getenv("GITHUB_API_URL") }
  sys.setenv("GITHUB_TOKEN", nil)
  T.eq({ artifact.api_settings() }, { nil, "GITHUB_TOKEN is required for sqlite-artifact storage" })
  sys.setenv("GITHUB_TOKEN", "t")
  sys.setenv("GITHUB_REPOSITORY", "just-a-name")
  T.eq({ artifact.api_settings() }, { nil, "Invalid repository format: expected 'owner/repo', got: just-a-name" })
  sys.setenv("GITHUB_REPOSITORY", "o/r")
  sys.setenv("GITHUB_API_URL", "http://127.0.0.1:1/api/")
  T.eq(artifact.api_settings(), { token = "t", repo = "o/r", base = "http://127.0.0.1:1/api" })
  sys.setenv("GITHUB_API_URL", nil)
  T.eq(artifact.api_settings().base, "https://api.github.com")
  T.eq(artifact.headers({ token = "t" })["X-GitHub-Api-Version"], "2022-11-28")
  sys.setenv("GITHUB_TOKEN", keep[1])
  sys.setenv("GITHUB_REPOSITORY", keep[2])
  sys.setenv("GITHUB_API_URL", keep[3])
end)

T.test("provider binding: misuse raises", function()
  T.raises(function() provider.new("sqlite-nope", {}) end, "invalid option 'sqlite-nope'")
  T.raises(function() provider.new("sqlite-local") end, "table expected")
  T.raises(function() provider.new("sqlite-local", { path = "x", bogus = 1 }) end, "unknown option 'bogus'")
  T.raises(function() provider.new("sqlite-local", {}) end, "option 'path' is required")
  T.raises(function() provider.new("sqlite-s3", { endpoint = "http://h", region = "r", key = 5 }) end,
    "option 'key' must be a string")
  T.raises(function() provider.new("sqlite-s3", { endpoint = "http://h", region = "r", key = "k", retries = 11 }) end,
    "retries must be 0..10")
  T.raises(function() provider.zip_db_entries() end, "string expected")
end)

T.test("provider binding: environmental failures return nil, msg, code", function()
  with_env({ AWS_ACCESS_KEY_ID = "AKID" }, function()
    T.eq({ provider.new("sqlite-s3", { endpoint = "http://h", bucket = "b", region = "r", key = "k" }) },
      { nil, "S3 credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", 0 })
  end)
  with_env({ AWS_ACCESS_KEY_ID = "AKID", AWS_SECRET_ACCESS_KEY = "s" }, function()
    T.eq({ provider.new("sqlite-s3", { endpoint = "ftp://h", bucket = "b", region = "r", key = "k" }) },
      { nil, "endpoint must be an http:// or https:// URL", 0 })
    -- nothing listens on port 1: a network error after one retry
    local p <close> = T.ok(provider.new("sqlite-s3", { endpoint = "http://127.0.0.1:1", bucket = "b",
      region = "us-east-1", key = "k", retries = 1, base_delay_ms = 1 }))
    local info, msg, code = p:fetch()
    T.eq({ info, code }, { nil, 0 })
    T.contains(msg, "S3 download failed after 2 attempts: ")
  end)
  local dir = T.tmpdir()
  local names, msg = provider.zip_db_entries(dir .. "/missing.zip")
  T.eq(names, nil)
  T.contains(msg, "unzip: cannot open '" .. dir .. "/missing.zip'")
end)

T.test("provider binding: private temp copy, closed handles, <close> and gc", function()
  local dir = T.tmpdir()
  with_env({ AWS_ACCESS_KEY_ID = "AKID", AWS_SECRET_ACCESS_KEY = "s", TMPDIR = dir }, function()
    local p = T.ok(provider.new("sqlite-s3", { endpoint = "http://127.0.0.1:1", bucket = "b", region = "r",
      key = "k" }))
    local path = p:path()
    T.eq(path:sub(1, #dir + 11), dir .. "/unentropy-")
    T.eq(path:sub(-3), ".db")
    T.eq(fs.stat(path).mode, 384) -- 0600
    T.eq(p:snapshot_path(), path .. ".snapshot")
    T.eq(p:type(), "sqlite-s3")
    T.contains(tostring(p), "Provider (sqlite-s3, ")
    T.eq(p:close(), true)
    T.eq(p:close(), true)
    T.ok(not fs.exists(path), "close removes the working copy")
    T.raises(function() p:path() end, "attempt to use a closed Provider")
    T.eq(tostring(p), "Provider (closed)")
    do
      local q <close> = T.ok(provider.new("sqlite-artifact", { name = "n", output = dir .. "/out.db" }))
      path = q:path()
      T.ok(fs.exists(path))
    end
    T.ok(not fs.exists(path), "<close> removes the working copy")
    path = provider.new("sqlite-artifact", { name = "n", output = dir .. "/out.db" }):path()
    collectgarbage()
    collectgarbage()
    T.ok(not fs.exists(path), "gc removes the working copy")
    local l = T.ok(provider.new("sqlite-local", { path = dir .. "/local.db" }))
    T.eq({ l:path(), l:snapshot_path(), l:fetch().found }, { dir .. "/local.db", nil, true })
    l:close()
  end)
end)

T.test("docs/api stub lists exactly the module's functions and methods", function()
  local f = assert(io.open((os.getenv("SRC") or ".") .. "/docs/api/unentropy.provider.lua"))
  local text = f:read("a")
  f:close()
  local documented, actual = { funcs = {}, methods = {} }, { funcs = {}, methods = {} }
  for name in text:gmatch("\nfunction provider%.([%w_]+)%(") do documented.funcs[name] = true end
  for name in text:gmatch("\nfunction Provider:([%w_]+)%(") do documented.methods[name] = true end
  for name in pairs(provider) do actual.funcs[name] = true end
  local p <close> = provider.new("sqlite-local", { path = "x.db" })
  for name in pairs(getmetatable(p).__index) do actual.methods[name] = true end
  T.eq(documented, actual)
end)
