-- unentropy.comment: the quality gate's PR comment (gate.md §8). Loads the
-- comment template (qualityGate.commentTemplate, else the embedded
-- templates/comment.lua), gives it the results and the helpers, prepends the
-- marker and enforces maxCommentCharacters: other-metric rows go first, then
-- evaluated rows and violation bullets from the end, then the middle is cut
-- at line boundaries, keeping the marker, the heading and the footer, and
-- closing any <details> or code fence left open.
-- Templates get a copy of the results, so they cannot change the results file.
-- Depends on unentropy.assets, .format, .json, .markdown, .sys.
local assets = require("unentropy.assets")
local format = require("unentropy.format")
local json = require("unentropy.json")
local markdown = require("unentropy.markdown")
local sys = require("unentropy.sys")

local M = {}

M.MARKER = "<!-- unentropy-quality-gate -->"
M.DEFAULT_TEMPLATE = "templates/comment.lua"
M.TRUNCATED = "_...comment truncated to fit the length limit_"

-- Length in code points (bytes when s is not valid UTF-8).
function M.length(s) return utf8.len(s) or #s end

-- Escapes a user-controlled name or message for Markdown text and table
-- cells (gate.md §8): backticks are removed, `|` becomes `\|`, `<`, `>`
-- and `&` become entities (no raw HTML), and `\ [ ] * _ ~` are
-- backslash-escaped so that a name never turns into a link, an image or an
-- emphasis. Line breaks become spaces. Code spans use markdown.code.
function M.escape(s)
  s = tostring(s or ""):gsub("`", ""):gsub("[\r\n]+", " ")
  s = s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")
  return (s:gsub("([\\|%[%]*_~])", "\\%1"))
end

-- h.delta: "N/A" when missing, "-" when exactly 0, else the signed value.
function M.delta(v, unit)
  if type(v) ~= "number" then return "N/A" end
  if v == 0 then return "-" end
  return format.delta(v, unit)
end

local ICONS = { pass = "✅", fail = "❌", unknown = "⚠️" }
function M.icon(status) return ICONS[status] or ICONS.unknown end

-- Loads a template file (or the default asset when path is nil). Returns the
-- template function | nil, message. Runs the file's top-level code.
function M.load_template(path)
  local chunk, err
  if path then
    chunk, err = loadfile(path, "t")
  else
    chunk, err = assets.load(M.DEFAULT_TEMPLATE)
  end
  if not chunk then return nil, tostring(err) end
  local ok, fn = pcall(chunk)
  if not ok then return nil, tostring(fn) end
  if type(fn) ~= "function" then return nil, "template must return a function" end
  return fn
end

-- The helper table handed to templates. opts = {failures, limits, default}.
function M.helpers(opts)
  local h = {
    format = format.value,
    delta = M.delta,
    escape = M.escape,
    code = markdown.code,
    icon = M.icon,
    failures = opts.failures or {},
    limits = opts.limits,
    marker = opts.marker or M.MARKER,
    docs_url = sys.docs_url,
    version = sys.version,
    -- statistical(threshold, statistics, direction, unit): the Threshold
    -- cell of a statistical check (docs/noise.md).
    statistical = require("unentropy.gate.statistical").requirement,
  }
  function h.default(results) return opts.default(results, h) end
  return h
end

local function split_lines(s)
  local lines = {}
  for line in (s .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  return lines
end

-- Closing lines for <details> and ``` fences left open in lines[1..n].
local function closers(lines, n)
  local open, fence = 0, false
  for i = 1, n do
    local l = lines[i]
    if l:match("^%s*```") then fence = not fence end
    if not fence then
      for _ in l:gmatch("<details[%s>]") do open = open + 1 end
      for _ in l:gmatch("</details>") do open = open - 1 end
    end
  end
  local out = {}
  if fence then out[#out + 1] = "```" end
  for _ = 1, math.max(open, 0) do out[#out + 1] = "</details>" end
  return out
end

-- Step 4 of the cap: keeps the head (through the first heading line) and the
-- footer (from the last `---` line), and as many whole middle lines as fit.
-- The result is at most `max` code points unless the head alone is longer.
function M.cut_middle(text, max)
  if M.length(text) <= max then return text end
  local lines = split_lines(text)
  local head_end = 1
  for i, l in ipairs(lines) do
    if l:match("^#") then head_end = i; break end
  end
  local tail_start = #lines + 1
  for i = #lines, head_end + 1, -1 do
    if lines[i] == "---" then tail_start = i; break end
  end
  local head = table.concat(lines, "\n", 1, head_end)
  local tail = table.concat(lines, "\n", tail_start, #lines)
  local middle = {}
  for i = head_end + 1, tail_start - 1 do middle[#middle + 1] = lines[i] end

  local function assemble(n, with_tail)
    local parts = { head }
    for i = 1, n do parts[#parts + 1] = middle[i] end
    for _, c in ipairs(closers(middle, n)) do parts[#parts + 1] = c end
    parts[#parts + 1] = ""
    parts[#parts + 1] = M.TRUNCATED
    if with_tail and tail ~= "" then
      parts[#parts + 1] = ""
      parts[#parts + 1] = tail
    end
    return table.concat(parts, "\n")
  end

  for _, with_tail in ipairs({ true, false }) do
    for n = #middle, 0, -1 do
      local s = assemble(n, with_tail)
      if M.length(s) <= max then return s end
    end
  end
  return head
end

local function count_evaluated(results)
  local rows, bullets = 0, 0
  for _, m in ipairs(results.qualityGate.metrics) do
    if #m.checks > 0 then rows = rows + 1 end
    for _, c in ipairs(m.checks) do
      if c.status == "fail" then bullets = bullets + 1 end
    end
  end
  return rows, bullets
end

local function with_marker(body, marker)
  if body:find(marker, 1, true) then return body end
  return marker .. "\n\n" .. body
end

-- Renders the comment. opts = {marker, max_rows, max_chars, template = path
-- or nil, failures = {{metric, reason}}}. Returns the full comment (marker
-- included), and a warning message when the custom template failed and the
-- default body was used instead.
function M.render(results, opts)
  local marker = opts.marker or M.MARKER
  local default = assert(M.load_template(nil))
  local template, warning = default, nil
  if opts.template then
    local fn, err = M.load_template(opts.template)
    if fn then
      template = fn
    else
      warning = "comment template failed: " .. err .. "; using the default comment"
    end
  end
  local rows, bullets = count_evaluated(results)
  local limits = { rows = math.min(opts.max_rows or 30, rows), other_rows = true, violations = bullets }
  local h = M.helpers({ failures = opts.failures, limits = limits, default = default, marker = marker })

  local view = json.decode(json.encode(results))
  local function run()
    local ok, body = pcall(template, view, h)
    if ok and type(body) ~= "string" then ok, body = false, "template returned " .. type(body) end
    if not ok then
      warning = "comment template failed: " .. tostring(body) .. "; using the default comment"
      template = default
      body = default(view, h)
    end
    return with_marker(body, marker)
  end

  local max = opts.max_chars or 8000
  local text = run()
  local function long() return M.length(text) > max end
  if long() then limits.other_rows = false; text = run() end
  while long() and limits.rows > 0 do limits.rows = limits.rows - 1; text = run() end
  while long() and limits.violations > 0 do limits.violations = limits.violations - 1; text = run() end
  text = M.cut_middle(text, max)
  -- A custom template may have put the marker where the cut removed it.
  if not text:find(marker, 1, true) then text = marker .. "\n\n" .. text end
  return text, warning
end

-- The comment without its marker line, for the job summary.
function M.strip_marker(text, marker)
  marker = marker or M.MARKER
  local s, e = text:find(marker, 1, true)
  if not s then return text end
  local before, rest = text:sub(1, s - 1), text:sub(e + 1):gsub("^[ \t]*\n+", "")
  if rest == "" then before = before:gsub("%s+$", "") end
  return before .. rest
end

return M
