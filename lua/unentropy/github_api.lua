-- unentropy.github_api: the GitHub REST calls of the quality gate (gate.md
-- §3, §8): the PR number from the Actions event payload, the PR comment
-- (list every page, update the oldest comment holding the marker or create
-- one) and the merge-base from the compare API. Requests go through
-- unentropy.http (retries, backoff, rate limits) with the headers of
-- storage.md §7.4. The token only ever travels in the Authorization header:
-- messages name the method and path, never the token or a query string.
local json = require("unentropy.json")
local sys = require("unentropy.sys")

local M = {}

M.DEFAULT_API_URL = "https://api.github.com"
M.PAGE_SIZE = 100

local function set(v)
  if v == nil or v == "" then return nil end
  return v
end

-- The PR number of a pull_request / pull_request_target event, from the
-- payload at GITHUB_EVENT_PATH. getenv(name), read(path) -> text|nil, msg.
-- Returns number | nil, reason.
function M.event_pr_number(getenv, read)
  local event = set(getenv("GITHUB_EVENT_NAME"))
  if event ~= "pull_request" and event ~= "pull_request_target" then
    return nil, "not a pull request" .. (event and (" (event " .. event .. ")") or "")
  end
  local path = set(getenv("GITHUB_EVENT_PATH"))
  if not path then return nil, "GITHUB_EVENT_PATH is not set" end
  local text, err = read(path)
  if not text then return nil, "cannot read the event payload: " .. tostring(err) end
  local doc = json.decode(text)
  local pr = type(doc) == "table" and type(doc.pull_request) == "table" and doc.pull_request.number
  pr = math.tointeger(pr)
  if not pr then return nil, "the event payload has no pull_request.number" end
  return pr
end

-- A client. opts = {token, repository = "owner/repo", api_url?, http =
-- the unentropy.http module}. Returns client | nil, message. Retries follow
-- unentropy.http's defaults (UNENTROPY_HTTP_RETRIES, else 3).
function M.client(opts)
  local owner, repo = tostring(opts.repository or ""):match("^([^/%s]+)/([^/%s]+)$")
  if not owner then
    return nil, "Invalid repository format: expected 'owner/repo', got: " .. tostring(opts.repository)
  end
  return {
    http = opts.http,
    base = (set(opts.api_url) or M.DEFAULT_API_URL):gsub("/+$", ""),
    repo_path = "/repos/" .. owner .. "/" .. repo,
    headers = {
      ["Authorization"] = "Bearer " .. opts.token,
      ["Accept"] = "application/vnd.github+json",
      ["X-GitHub-Api-Version"] = "2022-11-28",
    },
  }
end

-- One API call. path is relative to the repository ("/issues/1/comments")
-- and may carry a query. Returns decoded body, response | nil, message,
-- status (nil for a network failure).
function M.call(c, method, path, body)
  local headers = {}
  for k, v in pairs(c.headers) do headers[k] = v end
  local payload
  if body ~= nil then
    payload = json.encode(body)
    headers["Content-Type"] = "application/json"
  end
  local shown = method .. " " .. c.repo_path .. path:gsub("%?.*$", "")
  -- A malformed GITHUB_API_URL makes unentropy.http raise: report it like a failure.
  local ok, res, err = pcall(c.http.request, { method = method, url = c.base .. c.repo_path .. path,
    headers = headers, body = payload, user_agent = "unentropy/" .. sys.version })
  if not ok then res, err = nil, res end
  if not res then return nil, string.format("GitHub API %s failed: %s", shown, tostring(err)) end
  local doc = res.body and res.body ~= "" and json.decode(res.body) or nil
  if res.status < 200 or res.status > 299 then
    local detail = type(doc) == "table" and type(doc.message) == "string" and (": " .. doc.message) or ""
    return nil, string.format("GitHub API %s returned HTTP %d%s", shown, res.status, detail), res.status
  end
  if doc == nil then doc = {} end -- a 2xx without a (JSON) body
  return doc, res
end

-- Every comment of issue/PR `pr`, page after page until one has fewer than
-- 100. Returns array | nil, message, status.
function M.list_comments(c, pr)
  local all, page = {}, 1
  while true do
    local doc, res, status = M.call(c, "GET", string.format("/issues/%d/comments?per_page=%d&page=%d", pr,
      M.PAGE_SIZE, page))
    if not doc then return nil, res, status end
    if type(doc) ~= "table" then return nil, "GitHub API returned an unexpected comment list" end
    for _, cm in ipairs(doc) do all[#all + 1] = cm end
    if #doc < M.PAGE_SIZE then return all end
    page = page + 1
  end
end

-- Creates or updates the marked comment of PR `pr`. Returns
-- {action = "created"|"updated", id, url} | nil, message, status.
function M.upsert_comment(c, pr, marker, body)
  local comments, err, status = M.list_comments(c, pr)
  if not comments then return nil, err, status end
  local found
  for _, cm in ipairs(comments) do
    if type(cm.body) == "string" and cm.body:find(marker, 1, true) then
      if not found or (tonumber(cm.id) or 0) < (tonumber(found.id) or 0) then found = cm end
    end
  end
  local doc, res, st
  if found then
    doc, res, st = M.call(c, "PATCH", string.format("/issues/comments/%s", math.tointeger(found.id) or found.id),
      { body = body })
  else
    doc, res, st = M.call(c, "POST", string.format("/issues/%d/comments", pr), { body = body })
  end
  if not doc then return nil, res, st end
  return { action = found and "updated" or "created", id = doc.id, url = doc.html_url }
end

-- The merge-base of `ref` and `commit` from the compare API. Returns sha |
-- nil, reason.
function M.compare_merge_base(c, ref, commit)
  local enc = c.http.url_encode
  local doc, err = M.call(c, "GET", "/compare/" .. enc(ref) .. "..." .. enc(commit))
  if not doc then return nil, err end
  local mb = type(doc) == "table" and type(doc.merge_base_commit) == "table" and doc.merge_base_commit.sha
  if type(mb) ~= "string" then return nil, "the compare API returned no merge_base_commit" end
  return mb
end

return M
