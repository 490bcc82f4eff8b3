-- unentropy.artifact: finding and downloading the database artifact of the
-- sqlite-artifact provider (storage.md §7.4) through the GitHub REST API
-- (unentropy.http: retries, redirects without Authorization to another
-- host). Policy only: listing with pagination, skipping expired artifacts,
-- preferring the branch filter, the seed fallback and its log line; the zip
-- is extracted in C (unentropy.provider).
local http = require("unentropy.http")
local json = require("unentropy.json")
local log = require("unentropy.log")
local sys = require("unentropy.sys")
local time = require("unentropy.time")

local M = {}

M.PER_PAGE = 100
M.MAX_PAGES = 1000

local function env(name)
  local v = sys.getenv(name)
  if v == nil or v == "" then return nil end
  return v
end

-- The API settings from the environment: {token, repo, base} or nil, msg.
function M.api_settings()
  local token = env("GITHUB_TOKEN")
  if not token then return nil, "GITHUB_TOKEN is required for sqlite-artifact storage" end
  local repo = env("GITHUB_REPOSITORY") or ""
  if not repo:match("^[^/%s]+/[^/%s]+$") then
    return nil, "Invalid repository format: expected 'owner/repo', got: " .. repo
  end
  local base = (env("GITHUB_API_URL") or "https://api.github.com"):gsub("/+$", "")
  return { token = token, repo = repo, base = base }
end

function M.headers(api)
  return {
    Authorization = "Bearer " .. api.token,
    Accept = "application/vnd.github+json",
    ["X-GitHub-Api-Version"] = "2022-11-28",
    ["User-Agent"] = "unentropy/" .. sys.version,
  }
end

local function api_message(res)
  local ok, doc = pcall(json.decode, res.body or "")
  if ok and type(doc) == "table" and type(doc.message) == "string" then return ": " .. doc.message end
  return ""
end

-- Every artifact named `name`, page after page until a page has fewer than
-- PER_PAGE entries. Returns the list or nil, msg.
function M.list(api, name)
  local all = {}
  for page = 1, M.MAX_PAGES do
    local url = string.format("%s/repos/%s/actions/artifacts?name=%s&per_page=%d&page=%d", api.base, api.repo,
      http.url_encode(name), M.PER_PAGE, page)
    local res, err = http.request({ url = url, headers = M.headers(api) })
    if not res then return nil, "GitHub API artifact listing failed: " .. err end
    if res.status == 401 or res.status == 403 then
      return nil, string.format("GitHub API denied artifact listing (HTTP %d): the token needs 'actions: read'",
        res.status)
    end
    if res.status ~= 200 then
      return nil, string.format("GitHub API artifact listing failed: HTTP %d%s", res.status, api_message(res))
    end
    local ok, doc = pcall(json.decode, res.body or "")
    if not ok or type(doc) ~= "table" or type(doc.artifacts) ~= "table" then
      return nil, "GitHub API artifact listing failed: unexpected response (no 'artifacts' array)"
    end
    for _, a in ipairs(doc.artifacts) do all[#all + 1] = a end
    if #doc.artifacts < M.PER_PAGE then return all end
  end
  return all
end

local function head_branch(a)
  return type(a.workflow_run) == "table" and a.workflow_run.head_branch or nil
end

local function run_id(a)
  return type(a.workflow_run) == "table" and a.workflow_run.id or "?"
end

-- The candidates in the order they are tried: the unexpired artifacts named
-- `name` on `branch`, newest first (created_at, then id), then the others
-- (seeds). Pure: data in, data out. Each entry is {artifact, seed = bool}.
function M.candidates(list, name, branch)
  local live = {}
  for _, a in ipairs(list) do
    if a.expired ~= true and (a.name == nil or a.name == name) then live[#live + 1] = a end
  end
  local function created(a) return type(a.created_at) == "string" and time.parse_rfc3339(a.created_at) or 0 end
  table.sort(live, function(x, y)
    local cx, cy = created(x), created(y)
    if cx ~= cy then return cx > cy end
    return (tonumber(x.id) or 0) > (tonumber(y.id) or 0)
  end)
  local out = {}
  for _, a in ipairs(live) do
    if branch ~= nil and head_branch(a) == branch then out[#out + 1] = { artifact = a, seed = false } end
  end
  for _, a in ipairs(live) do
    if branch == nil or head_branch(a) ~= branch then out[#out + 1] = { artifact = a, seed = true } end
  end
  return out
end

-- Downloads an artifact's zip to dest. Returns true, or nil, msg, status
-- (404 and 410 mean "gone, try the next one").
function M.download(api, a, dest)
  local url = string.format("%s/repos/%s/actions/artifacts/%s/zip", api.base, api.repo, tostring(a.id))
  local res, err, code = http.request({ url = url, headers = M.headers(api), follow_redirects = true,
    output_file = dest })
  if not res then return nil, "GitHub artifact download failed: " .. err, code end
  if res.status == 200 then return true end
  if res.status == 401 or res.status == 403 then
    return nil, string.format("GitHub API denied artifact download (HTTP %d): the token needs 'actions: read'",
      res.status), res.status
  end
  return nil, string.format("GitHub artifact download failed: HTTP %d%s", res.status, api_message(res)), res.status
end

-- Finds the artifact and downloads its zip to zip_path. Returns
-- {artifact = a, zip = zip_path, seed = bool} when one was downloaded, {} for
-- a first run (none at all), or nil, msg.
function M.fetch_zip(api, name, branch, zip_path)
  local list, err = M.list(api, name)
  if not list then return nil, err end
  for _, c in ipairs(M.candidates(list, name, branch)) do
    local a = c.artifact
    if c.seed then
      log.info(string.format("No '%s' artifact on '%s'; using seed from '%s' (run %s).", name, tostring(branch),
        tostring(head_branch(a)), tostring(run_id(a))))
    end
    local ok, derr, status = M.download(api, a, zip_path)
    if ok then return { artifact = a, zip = zip_path, seed = c.seed } end
    os.remove(zip_path)
    if status ~= 404 and status ~= 410 then return nil, derr end
    log.debug(string.format("artifact %s is gone (HTTP %d); trying the next one", tostring(a.id), status))
  end
  log.info(string.format("No '%s' artifact found; starting a new database.", name))
  return {}
end

return M
