-- test_http.lua: unentropy.http against the fake GitHub API of
-- tests/tools/github-api.js (started here through io.popen in "w" mode: when
-- the handle closes, the server's stdin ends and it exits). Covers JSON round
-- trips, Link pagination, retries (5xx, Retry-After, rate limits, dropped
-- connections), results for 4xx, network failures, cross-host redirects
-- without Authorization, atomic downloads, misuse, and a debug log that
-- never shows tokens or query strings.
local T = require("t")
local http = require("unentropy.http")
local json = require("unentropy.json")
local fs = require("unentropy.fs")
local sys = require("unentropy.sys")
local exec = require("unentropy.exec")

local SRC = os.getenv("SRC") or "."
local TOKEN = "ghs_SuperSecretToken123"

local function have_node()
  local r = exec.run({ argv = { "node", "--version" } })
  return r ~= nil and r.ok
end

-- Starts the fake server; returns its base URL and the popen handle.
local server_handle, BASE
local function start_server()
  local dir = T.tmpdir()
  local out = dir .. "/server.out"
  server_handle = assert(io.popen("exec node '" .. SRC .. "/tests/tools/github-api.js' --port 0 > '"
    .. out .. "' 2>&1", "w"))
  local deadline = sys.monotonic_ms() + 10000
  while sys.monotonic_ms() < deadline do
    local f = io.open(out)
    local line = f and f:read("l")
    if f then f:close() end
    if line and line:match("^listening on ") then
      BASE = line:match("^listening on (http://127%.0%.0%.1:%d+)$")
      return T.ok(BASE, "server line: " .. line)
    end
    sys.sleep(20)
  end
  error("fake GitHub API did not start: " .. tostring(fs.read(out)))
end

local function control(method, path, body)
  local r = T.ok(http.request({ method = method, url = BASE .. path, retries = 0,
    headers = { ["Content-Type"] = "application/json" },
    body = body and json.encode(body) or nil }))
  T.eq(r.status, 200, "control " .. path .. ": " .. r.body)
  return json.decode(r.body)
end

local function api(method, path, body, opts)
  opts = opts or {}
  local req = { method = method, url = BASE .. path, base_delay_ms = 1,
    headers = { Authorization = "Bearer " .. (opts.token or TOKEN),
      Accept = "application/vnd.github+json", ["X-GitHub-Api-Version"] = "2022-11-28" } }
  if body then
    req.body = json.encode(body)
    req.headers["Content-Type"] = "application/json"
  end
  for k, v in pairs(opts) do if k ~= "token" then req[k] = v end end
  return http.request(req)
end

if not have_node() then
  T.test("http (skipped: node is not installed)", function() end)
  return
end
start_server()

T.test("POST, GET, PATCH round trip with JSON bodies", function()
  control("POST", "/_control/reset")
  local r = T.ok(api("POST", "/repos/o/r/issues/7/comments", { body = "<!-- m -->\nhello" }))
  T.eq(r.status, 201)
  T.eq(r.attempts, 1)
  T.eq(r.headers["content-type"], "application/json; charset=utf-8")
  local c = json.decode(r.body)
  T.eq(c.body, "<!-- m -->\nhello")
  T.eq(c.user.login, "github-actions[bot]")
  T.contains(c.html_url, "#issuecomment-" .. c.id)
  r = T.ok(api("PATCH", "/repos/o/r/issues/comments/" .. c.id, { body = "updated ✅" }))
  T.eq(r.status, 200)
  T.eq(json.decode(r.body).body, "updated ✅")
  r = T.ok(api("GET", "/repos/o/r/issues/7/comments"))
  T.eq(r.status, 200)
  local list = json.decode(r.body)
  T.eq(#list, 1)
  T.eq(list[1].body, "updated ✅")
  T.eq(r.url, BASE .. "/repos/o/r/issues/7/comments")
  local st = control("GET", "/_control/state")
  T.eq(st.comments["o/r#7"][1].body, "updated ✅")
  T.eq(st.requests[1].authorization_present, true)
end)

T.test("User-Agent defaults to unentropy/<version>", function()
  control("POST", "/_control/reset")
  T.ok(api("GET", "/repos/o/r/issues/1/comments"))
  T.ok(api("GET", "/repos/o/r/issues/1/comments", nil, { user_agent = "custom/1" }))
  local st = control("GET", "/_control/state")
  T.eq(st.requests[1].user_agent, "unentropy/" .. sys.version)
  T.eq(st.requests[2].user_agent, "custom/1")
end)

T.test("fake server: tokens, read-only tokens and artifact listing", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/tokens", { ["read-write"] = { "good" }, ["read-only"] = { "reader" } })
  T.eq(T.ok(api("GET", "/repos/o/r/issues/1/comments", nil, { token = "bad" })).status, 401)
  T.eq(T.ok(api("GET", "/repos/o/r/issues/1/comments", nil, { token = "reader" })).status, 200)
  T.eq(T.ok(api("POST", "/repos/o/r/issues/1/comments", { body = "x" }, { token = "reader" })).status, 403)
  T.eq(T.ok(api("POST", "/repos/o/r/issues/1/comments", { body = "x" }, { token = "good" })).status, 201)
  control("POST", "/_control/reset")
  local a = control("POST", "/_control/artifacts", { name = "m", head_branch = "main", created_at = "2024-02-01T00:00:00Z" }).id
  local b = control("POST", "/_control/artifacts", { name = "m", head_branch = "feat", created_at = "2024-03-01T00:00:00Z", expired = true }).id
  local c = control("POST", "/_control/artifacts", { name = "m", head_branch = "main", created_at = "2024-01-01T00:00:00Z" }).id
  control("POST", "/_control/artifacts", { name = "other", created_at = "2024-04-01T00:00:00Z" })
  local r = T.ok(api("GET", "/repos/o/r/actions/artifacts?name=m&per_page=2&page=1"))
  T.eq(r.status, 200)
  local doc = json.decode(r.body)
  T.eq(doc.total_count, 3)
  T.eq({ doc.artifacts[1].id, doc.artifacts[2].id }, { b, a })
  T.eq(doc.artifacts[1].expired, true)
  T.eq(doc.artifacts[1].workflow_run.head_branch, "feat")
  T.contains(r.headers.link, 'rel="next"')
  doc = json.decode(T.ok(api("GET", "/repos/o/r/actions/artifacts?name=m&per_page=2&page=2")).body)
  T.eq(#doc.artifacts, 1)
  T.eq(doc.artifacts[1].id, c)
  T.eq(T.ok(api("GET", "/repos/o/r/actions/artifacts/" .. b .. "/zip")).status, 410)
end)

T.test("body_file streams the request body", function()
  control("POST", "/_control/reset")
  local path = T.tmpdir() .. "/body.json"
  T.ok(fs.write(path, json.encode({ body = string.rep("x", 200000) })))
  local r = T.ok(api("POST", "/repos/o/r/issues/1/comments", nil,
    { body_file = path, headers = { Authorization = "Bearer " .. TOKEN, ["Content-Type"] = "application/json" } }))
  T.eq(r.status, 201)
  T.eq(#json.decode(r.body).body, 200000)
  local res, msg, code = api("POST", "/repos/o/r/issues/1/comments", nil, { body_file = path .. ".missing" })
  T.eq(res, nil)
  T.eq(msg, "http: cannot open '" .. path .. ".missing': No such file or directory")
  T.eq(code, 2)
end)

T.test("pagination follows the Link header", function()
  control("POST", "/_control/reset")
  for i = 1, 5 do control("POST", "/_control/comments", { repo = "o/r", issue = 3, body = "c" .. i }) end
  local url, bodies, pages = BASE .. "/repos/o/r/issues/3/comments?per_page=2&page=1", {}, 0
  while url do
    local r = T.ok(http.request({ url = url, headers = { Authorization = "Bearer " .. TOKEN } }))
    T.eq(r.status, 200)
    pages = pages + 1
    for _, c in ipairs(json.decode(r.body)) do bodies[#bodies + 1] = c.body end
    if pages == 1 then T.contains(r.headers.link, 'page=3>; rel="last"') end
    url = r.headers.link and r.headers.link:match('<([^>]+)>; rel="next"')
  end
  T.eq(pages, 3)
  T.eq(bodies, { "c1", "c2", "c3", "c4", "c5" })
end)

T.test("a 502 succeeds on retry", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { method = "POST", path = "/repos/o/r/issues/*", status = 502 })
  local r = T.ok(api("POST", "/repos/o/r/issues/2/comments", { body = "x" }))
  T.eq(r.status, 201)
  T.eq(r.attempts, 2)
  local st = control("GET", "/_control/state")
  T.eq(#st.requests, 2)
  T.eq(st.requests[1].status, 502)
end)

T.test("a dropped connection is retried", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { path = "/repos/o/r/issues/2/comments", action = "close" })
  local r = T.ok(api("GET", "/repos/o/r/issues/2/comments"))
  T.eq(r.status, 200)
  T.eq(r.attempts, 2)
end)

T.test("retries are exhausted, then the last status is the result", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { path = "/repos/o/r/issues/2/comments", status = 500, count = 10 })
  local r = T.ok(api("GET", "/repos/o/r/issues/2/comments", nil, { retries = 2 }))
  T.eq(r.status, 500)
  T.eq(r.attempts, 3)
  T.eq(json.decode(r.body).message, "injected failure")
  r = T.ok(api("GET", "/repos/o/r/issues/2/comments", nil, { retries = 0 }))
  T.eq(r.attempts, 1)
end)

T.test("Retry-After is honoured", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { path = "/repos/o/r/issues/2/comments", status = 503,
    headers = { ["retry-after"] = "1" } })
  local t0 = sys.monotonic_ms()
  local r = T.ok(api("GET", "/repos/o/r/issues/2/comments"))
  local elapsed = sys.monotonic_ms() - t0
  T.eq(r.status, 200)
  T.eq(r.attempts, 2)
  T.ok(elapsed >= 950, "waited " .. elapsed .. " ms")
  T.ok(elapsed < 5000, "waited " .. elapsed .. " ms")
end)

T.test("a 403 rate limit is retried, a plain 403 is not", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { path = "/repos/o/r/issues/2/comments", status = 403,
    headers = { ["x-ratelimit-remaining"] = "0" }, body = { message = "API rate limit exceeded" } })
  local r = T.ok(api("GET", "/repos/o/r/issues/2/comments"))
  T.eq(r.status, 200)
  T.eq(r.attempts, 2)
  r = T.ok(api("POST", "/repos/o/r/issues/2/comments", { body = "x" }, { token = "ro-token" }))
  T.eq(r.status, 403)
  T.eq(r.attempts, 1)
  T.eq(json.decode(r.body).message, "Resource not accessible by integration")
  local st = control("GET", "/_control/state")
  T.eq(#st.requests, 3)
end)

T.test("429 is retried; 401 and 404 are results", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { path = "/repos/o/r/issues/2/comments", status = 429 })
  T.eq(T.ok(api("GET", "/repos/o/r/issues/2/comments")).attempts, 2)
  local r = T.ok(http.request({ url = BASE .. "/repos/o/r/issues/2/comments", base_delay_ms = 1 }))
  T.eq(r.status, 401)
  T.eq(r.attempts, 1)
  r = T.ok(api("PATCH", "/repos/o/r/issues/comments/999999", { body = "x" }))
  T.eq(r.status, 404)
  T.eq(r.attempts, 1)
  T.eq(json.decode(r.body).message, "Not Found")
end)

T.test("connection refused gives nil, msg, code after the retries", function()
  local t0 = sys.monotonic_ms()
  local r, msg, code = http.request({ url = "http://127.0.0.1:1/repos/x/y?access_token=" .. TOKEN,
    retries = 2, base_delay_ms = 1, headers = { Authorization = "Bearer " .. TOKEN } })
  T.eq(r, nil)
  T.contains(msg, "http: GET 127.0.0.1:1/repos/x/y: ")
  T.contains(msg, "(after 3 attempts)")
  T.ok(not msg:find(TOKEN, 1, true) and not msg:find("access_token", 1, true), msg)
  T.eq(code, 7) -- CURLE_COULDNT_CONNECT
  T.ok(sys.monotonic_ms() - t0 < 5000)
end)

T.test("redirects to another host drop Authorization", function()
  control("POST", "/_control/reset")
  local zip = "PK\5\6" .. string.rep("\0", 18)
  local id = control("POST", "/_control/artifacts", { name = "m", zip_base64 = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" }).id
  local path = "/repos/o/r/actions/artifacts/" .. id .. "/zip"
  local r = T.ok(api("GET", path))
  T.eq(r.status, 302)
  T.contains(r.headers.location, "/download/")
  r = T.ok(api("GET", path, nil, { follow_redirects = true }))
  T.eq(r.status, 200)
  T.eq(r.body, zip)
  T.eq(r.attempts, 1)
  T.contains(r.url, "http://127.0.0.2:")
  local st = control("GET", "/_control/state")
  T.eq(st.download_auth_seen, false)
  T.eq(st.requests[2].authorization_present, true)
  T.eq(st.requests[3].host, "download")
  T.eq(st.requests[3].authorization_present, false)
end)

T.test("redirect methods: 303 turns POST into GET, 307 keeps it and its body", function()
  control("POST", "/_control/reset")
  local target = BASE .. "/repos/o/r/issues/4/comments"
  control("POST", "/_control/fail", { method = "POST", path = "/go", status = 303, headers = { location = target } })
  local r = T.ok(api("POST", "/go", { body = "via 303" }, { follow_redirects = true }))
  T.eq(r.status, 200) -- the GET of the list
  T.eq(json.decode(r.body), {})
  control("POST", "/_control/fail", { method = "POST", path = "/go", status = 307, headers = { location = "/repos/o/r/issues/4/comments" } })
  r = T.ok(api("POST", "/go", { body = "via 307" }, { follow_redirects = true }))
  T.eq(r.status, 201)
  T.eq(json.decode(r.body).body, "via 307")
  T.eq(r.url, target)
  local st = control("GET", "/_control/state")
  T.eq(#st.requests, 4)
  T.eq(st.requests[2].method, "GET")
  T.eq(st.requests[4].method, "POST")
  T.eq(st.requests[4].authorization_present, true) -- same origin: kept
  -- a redirect loop ends with an error
  control("POST", "/_control/fail", { path = "/loop", status = 302, count = 20, headers = { location = "/loop?x=1" } })
  local res, msg, code = api("GET", "/loop", nil, { follow_redirects = true })
  T.eq(res, nil)
  T.eq(msg, "http: GET " .. BASE:match("//(.*)") .. "/loop: more than 10 redirects")
  T.eq(code, 47) -- CURLE_TOO_MANY_REDIRECTS
end)

T.test("output_file is written atomically, and only for a 2xx", function()
  control("POST", "/_control/reset")
  local dir = T.tmpdir()
  local out = dir .. "/a.zip"
  local id = control("POST", "/_control/artifacts", { name = "m", zip_base64 = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" }).id
  local r = T.ok(api("GET", "/repos/o/r/actions/artifacts/" .. id .. "/zip", nil,
    { follow_redirects = true, output_file = out }))
  T.eq(r.status, 200)
  T.eq(r.body, nil)
  T.eq(fs.read(out), "PK\5\6" .. string.rep("\0", 18))
  T.eq(fs.list(dir), { "a.zip" })
  -- a larger file streams through, an empty 2xx body gives an empty file
  local big = dir .. "/big.src"
  local chunk = {}
  for i = 1, 4096 do chunk[i] = string.format("%07d\n", i) end
  local blob = string.rep(table.concat(chunk), 100)
  T.ok(fs.write(big, blob))
  local bid = control("POST", "/_control/artifacts", { name = "big", zip_path = big }).id
  r = T.ok(api("GET", "/repos/o/r/actions/artifacts/" .. bid .. "/zip", nil,
    { follow_redirects = true, output_file = dir .. "/big.zip" }))
  T.eq(r.status, 200)
  T.ok(fs.read(dir .. "/big.zip") == blob, "big download differs")
  T.ok(fs.remove(dir .. "/big.zip"))
  T.ok(fs.remove(big))
  local eid = control("POST", "/_control/artifacts", { name = "empty" }).id
  r = T.ok(api("GET", "/repos/o/r/actions/artifacts/" .. eid .. "/zip", nil,
    { follow_redirects = true, output_file = dir .. "/empty.zip" }))
  T.eq(r.status, 200)
  T.eq(fs.read(dir .. "/empty.zip"), "")
  T.ok(fs.remove(dir .. "/empty.zip"))
  -- a 404 returns the error body and leaves no file
  local out2 = dir .. "/b.zip"
  r = T.ok(api("GET", "/repos/o/r/actions/artifacts/424242/zip", nil,
    { follow_redirects = true, output_file = out2 }))
  T.eq(r.status, 404)
  T.eq(json.decode(r.body).message, "Not Found")
  T.eq(fs.exists(out2), false)
  -- a short body (retries exhausted) keeps the old file and leaves no temp
  control("POST", "/_control/fail", { path = "/download/*", status = 200, action = "truncate", count = 2 })
  local res, msg, code = api("GET", "/repos/o/r/actions/artifacts/" .. id .. "/zip", nil,
    { follow_redirects = true, output_file = out, retries = 1 })
  T.eq(res, nil)
  T.contains(msg, "http: GET 127.0.0.2:")
  T.contains(msg, "(after 2 attempts)")
  T.ok(not msg:find("sig=", 1, true), msg)
  T.eq(code, 18) -- CURLE_PARTIAL_FILE
  T.eq(fs.read(out), "PK\5\6" .. string.rep("\0", 18))
  T.eq(fs.list(dir), { "a.zip" })
  -- an unwritable destination is a local error
  res, msg, code = api("GET", "/repos/o/r/actions/artifacts/" .. id .. "/zip", nil,
    { follow_redirects = true, output_file = dir .. "/missing/c.zip" })
  T.eq(res, nil)
  T.eq(msg, "http: cannot write '" .. dir .. "/missing/c.zip': No such file or directory")
  T.eq(code, 2)
end)

T.test("UNENTROPY_DEBUG logs each request without tokens or queries", function()
  control("POST", "/_control/reset")
  local id = control("POST", "/_control/artifacts", { name = "m", zip_base64 = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" }).id
  control("POST", "/_control/fail", { path = "/repos/o/r/actions/artifacts", status = 502 })
  local script = T.tmpdir() .. "/req.lua"
  T.ok(fs.write(script, string.format([[
local http = require("unentropy.http")
local h = { Authorization = "Bearer %s" }
local r = assert(http.request({ url = "%s/repos/o/r/actions/artifacts?name=m&token=%s", headers = h, base_delay_ms = 1 }))
assert(r.status == 200 and r.attempts == 2, r.status .. " " .. r.attempts .. " " .. r.body)
r = assert(http.request({ url = "%s/repos/o/r/actions/artifacts/%d/zip", headers = h, follow_redirects = true }))
assert(r.status == 200)
return 0
]], TOKEN, BASE, TOKEN, BASE, id)))
  local res = T.unentropy({ "run", script }, { env = { UNENTROPY_DEBUG = "1" } })
  T.eq(res.status, 0, res.stderr)
  local host = BASE:match("^http://(.*)$")
  T.contains(res.stderr, "debug: http GET " .. host .. " /repos/o/r/actions/artifacts -> 502 (retry 1 in ")
  T.contains(res.stderr, "debug: http GET " .. host .. " /repos/o/r/actions/artifacts -> 200\n")
  T.contains(res.stderr, "debug: http GET " .. host .. " /repos/o/r/actions/artifacts/" .. id .. "/zip -> 302\n")
  T.contains(res.stderr, "/download/" .. id .. ".zip -> 200\n")
  local _, lines = res.stderr:gsub("debug: http ", "")
  T.eq(lines, 4)
  for _, secret in ipairs({ TOKEN, "SuperSecret", "sig=", "?", "Bearer" }) do
    T.ok(not res.stderr:find(secret, 1, true), "stderr shows " .. secret .. ": " .. res.stderr)
  end
  T.ok(not res.stdout:find(TOKEN, 1, true))
  -- without the variable: silent
  control("POST", "/_control/fail", { path = "/repos/o/r/actions/artifacts", status = 502 })
  res = T.unentropy({ "run", script }, { env = { UNENTROPY_DEBUG = false } })
  T.eq(res.status, 0, res.stderr)
  T.eq(res.stderr, "")
end)

T.test("UNENTROPY_HTTP_RETRIES sets the default retries", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { path = "/repos/o/r/issues/2/comments", status = 500, count = 10 })
  local script = T.tmpdir() .. "/req.lua"
  T.ok(fs.write(script, string.format([[
local r = assert(require("unentropy.http").request({ url = "%s/repos/o/r/issues/2/comments", base_delay_ms = 1,
  headers = { Authorization = "Bearer t" } }))
io.write(r.status, " ", r.attempts)
return 0
]], BASE)))
  local res = T.unentropy({ "run", script }, { env = { UNENTROPY_HTTP_RETRIES = "1" } })
  T.eq(res.stdout, "500 2")
  res = T.unentropy({ "run", script }, { env = { UNENTROPY_HTTP_RETRIES = false } })
  T.eq(res.stdout, "500 4")
end)

T.test("misuse raises", function()
  T.raises(function() http.request("x") end, "table expected")
  T.raises(function() http.request({}) end, "option 'url' is required")
  T.raises(function() http.request({ url = BASE, bogus = 1 }) end, "unknown option 'bogus'")
  T.raises(function() http.request({ url = "ftp://example.com/x" }) end, "option 'url' must be an absolute")
  T.raises(function() http.request({ url = "/relative" }) end, "option 'url' must be an absolute")
  T.raises(function() http.request({ url = BASE, method = "GE T" }) end, "option 'method'")
  T.raises(function() http.request({ url = BASE, headers = { X = "a\r\nB: c" } }) end, "line break")
  T.raises(function() http.request({ url = BASE, headers = { ["Bad Name"] = "v" } }) end, "invalid name")
  T.raises(function() http.request({ url = BASE, headers = { X = {} } }) end, "must be a string")
  T.raises(function() http.request({ url = BASE, headers = "x" }) end, "option 'headers' must be a table")
  T.raises(function() http.request({ url = BASE, retries = 11 }) end, "option 'retries'")
  T.raises(function() http.request({ url = BASE, retries = 1.5 }) end, "option 'retries'")
  T.raises(function() http.request({ url = BASE, base_delay_ms = -1 }) end, "option 'base_delay_ms'")
  T.raises(function() http.request({ url = BASE, timeout = 0 }) end, "option 'timeout'")
  T.raises(function() http.request({ url = BASE, follow_redirects = 1 }) end, "option 'follow_redirects'")
  T.raises(function() http.request({ url = BASE, body = "a", body_file = "b" }) end, "exclude each other")
  T.raises(function() http.request({ url = BASE, output_file = 3 }) end, "option 'output_file' must be a string")
  T.raises(function() http.url_encode({}) end, "string expected")
end)

T.test("timeout aborts a silent attempt, which is retried", function()
  control("POST", "/_control/reset")
  control("POST", "/_control/fail", { path = "/repos/o/r/issues/2/comments", action = "hang", count = 2 })
  local t0 = sys.monotonic_ms()
  local r, msg, code = api("GET", "/repos/o/r/issues/2/comments", nil, { timeout = 200, retries = 0 })
  T.eq(r, nil)
  T.contains(msg, "(after 1 attempt)")
  T.eq(code, 28) -- CURLE_OPERATION_TIMEDOUT
  r = T.ok(api("GET", "/repos/o/r/issues/2/comments", nil, { timeout = 200, retries = 1 }))
  T.eq(r.status, 200)
  T.eq(r.attempts, 2)
  T.ok(sys.monotonic_ms() - t0 < 3000)
end)

T.test("url_encode keeps only RFC 3986 unreserved characters", function()
  T.eq(http.url_encode("AZaz09-._~"), "AZaz09-._~")
  T.eq(http.url_encode("a b/c?d=e&f+g%"), "a%20b%2Fc%3Fd%3De%26f%2Bg%25")
  T.eq(http.url_encode("é\0"), "%C3%A9%00")
  T.eq(http.url_encode(""), "")
  T.eq(http.url_encode(12), "12")
end)

T.test("docs/api stub lists exactly the module's functions", function()
  local f = T.ok(io.open(SRC .. "/docs/api/unentropy.http.lua"))
  local documented, actual = {}, {}
  for name in f:read("a"):gmatch("\nfunction http%.([%w_]+)%(") do documented[name] = true end
  f:close()
  for name in pairs(http) do actual[name] = true end
  T.eq(documented, actual)
end)

T.test("the fake server stops when its stdin closes", function()
  T.ok(server_handle:close())
  server_handle = nil
  local r, _, code = http.request({ url = BASE .. "/_control/state", retries = 0 })
  T.eq(r, nil)
  T.eq(code, 7)
end)
