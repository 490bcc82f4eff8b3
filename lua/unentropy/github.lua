-- unentropy.github: GitHub Actions integration (github-action.md §5):
-- step outputs in GITHUB_OUTPUT, Markdown appended to GITHUB_STEP_SUMMARY.
-- Without those variables everything here is silently skipped.
local fs = require("unentropy.fs")
local sys = require("unentropy.sys")

local M = {}

local function random_hex(n)
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(n // 2) or tostring(sys.now_ms() .. sys.pid())
  if f then f:close() end
  return (bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end)):sub(1, n)
end

-- Encodes one output line (or heredoc block for multi-line values).
function M.output_line(name, v)
  v = tostring(v == nil and "" or v)
  if not v:find("[\r\n]") then return name .. "=" .. v .. "\n" end
  local delim
  repeat delim = "ghadelimiter_" .. random_hex(32) until not v:find(delim, 1, true)
  return name .. "<<" .. delim .. "\n" .. v .. "\n" .. delim .. "\n"
end

-- Appends outputs, given as an array of {name, value} pairs (order kept).
function M.set_outputs(pairs_list)
  local path = sys.getenv("GITHUB_OUTPUT")
  if path == nil or path == "" then return true end
  local parts = {}
  for _, p in ipairs(pairs_list) do parts[#parts + 1] = M.output_line(p[1], p[2]) end
  return fs.append(path, table.concat(parts))
end

-- Appends Markdown to the job summary.
function M.append_summary(md)
  local path = sys.getenv("GITHUB_STEP_SUMMARY")
  if path == nil or path == "" then return true end
  if md:sub(-1) ~= "\n" then md = md .. "\n" end
  return fs.append(path, md)
end

return M
