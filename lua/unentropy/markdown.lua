-- unentropy.markdown: escaping user-controlled text (metric names, labels,
-- branch names) for GitHub-flavoured Markdown, in table cells and code spans.
local M = {}

-- Plain text: HTML-significant characters become entities, Markdown
-- punctuation is backslash-escaped, newlines become spaces.
function M.text(s)
  s = tostring(s or ""):gsub("[\r\n]+", " ")
  s = s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")
  s = s:gsub("([\\`*_{}%[%]()#+!|~])", "\\%1")
  return s
end

-- A code span that cannot be broken out of: the fence is longer than any
-- run of backticks inside; pipes are escaped so tables stay intact.
function M.code(s)
  s = tostring(s or ""):gsub("[\r\n]+", " ")
  local longest = 0
  for run in s:gmatch("`+") do if #run > longest then longest = #run end end
  local fence = string.rep("`", longest + 1)
  local pad = (s:sub(1, 1) == "`" or s:sub(-1) == "`") and " " or ""
  s = s:gsub("|", "\\|")
  return fence .. pad .. s .. pad .. fence
end

return M
