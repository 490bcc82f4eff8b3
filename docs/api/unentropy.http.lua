---@meta unentropy.http
-- unentropy.http: HTTP requests over libcurl with the retry policy of
-- storage.md §7.5, used for the GitHub API (PR comments, artifacts).
-- Implemented in C (src/http.c, src/http_policy.c, binding src/lhttp.c);
-- this file is documentation only.

local http = {}

---@class unentropy.http.RequestOpts
---@field url string absolute http:// or https:// URL (required)
---@field method? string HTTP method (default "GET")
---@field headers? table<string, string|number> request headers, name -> value (no line breaks)
---@field body? string request body sent from memory (no Content-Type is added: set it)
---@field body_file? string path of a file streamed as the body (Content-Length from its size); excludes `body`
---@field output_file? string a 2xx body is streamed to a temp file beside this path (mode 0600) and renamed onto it only after a complete transfer; other statuses leave the file untouched and return their body in `body`
---@field follow_redirects? boolean follow 301/302/303/307/308 (default false); Authorization and Cookie are not sent once a redirect leaves the original scheme://host:port
---@field retries? integer 0..10 retries after the first attempt (default: UNENTROPY_HTTP_RETRIES, else 3)
---@field base_delay_ms? number first retry delay (default 500); retry n waits base * 2^(n-1) ± 20 %, or Retry-After (seconds or HTTP date), both capped at 30 s
---@field timeout? number maximum duration of each attempt in milliseconds (default none; the 10 s connect timeout and the 1 KiB/s-for-30 s abort always apply)
---@field user_agent? string User-Agent (default "unentropy/<version>")

---@class unentropy.http.Response
---@field status integer HTTP status of the final response (any status: a 404 or 500 is a result)
---@field headers table<string, string> response headers by lower-case name (the last one wins)
---@field body? string response body; absent when it went to `output_file`
---@field url string URL of the final request (after redirects; may hold a query string: do not log it)
---@field attempts integer 1 + the number of retries used (redirect hops do not count)

--- Performs one HTTP request. Retried: network errors and timeouts, 5xx,
--- 429, and GitHub rate limits (403 with `retry-after` or
--- `x-ratelimit-remaining: 0`). The final response is returned whatever its
--- status. Returns `nil, "http: GET host/path: reason (after N attempts)",
--- curl_code` when no response arrived (DNS, refused, timeout, TLS, short
--- body, too many redirects; a failed certificate check is not retried),
--- and `nil, "http: cannot open 'path': reason",
--- errno` when `body_file` or `output_file` fails. Messages never contain
--- query strings or header values. With UNENTROPY_DEBUG=1 each attempt logs
--- `debug: http GET host /path -> 200` on stderr (no query, no headers).
--- Raises on misuse (unknown option, wrong type, invalid URL or header).
---@param opts unentropy.http.RequestOpts
---@return unentropy.http.Response|nil response
---@return string? message
---@return integer? code
function http.request(opts) end

--- Percent-encodes every byte of `s` except the RFC 3986 unreserved
--- characters `A-Z a-z 0-9 - . _ ~` (uppercase hex). Raises if `s` is not a
--- string or number.
---@param s string
---@return string
function http.url_encode(s) end

return http
