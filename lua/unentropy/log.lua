-- unentropy.log: messages on stderr with levels. Errors are "Error: <text>",
-- warnings "warning: <text>" (cli.md §1); under GitHub Actions warnings and
-- errors are also annotated on stdout (::warning:: / ::error::). Colour only
-- when stderr is a terminal and NO_COLOR is unset; debug lines only with
-- UNENTROPY_DEBUG=1. Secrets must be redacted by callers before logging; as
-- a last line of defence, known secret variables' values are masked.
local sys = require("unentropy.sys")

local M = {}

local SECRET_VARS = { "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "GITHUB_TOKEN",
  "UNENTROPY_PG_URL", "DATABASE_URL" }

local function redact(text)
  for _, name in ipairs(SECRET_VARS) do
    local v = sys.getenv(name)
    if v and #v >= 4 then
      local plain = v:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
      text = text:gsub(plain, "***")
    end
  end
  return text
end
M.redact = redact

local function colour_enabled()
  local nc = sys.getenv("NO_COLOR")
  return sys.isatty("stderr") and (nc == nil or nc == "")
end

local COLOURS = { error = "\27[31m", warning = "\27[33m", debug = "\27[2m" }

local function emit(level, prefix, text)
  text = redact(tostring(text))
  local colour = colour_enabled() and COLOURS[level]
  if colour then
    io.stderr:write(colour, prefix, "\27[0m", text, "\n")
  else
    io.stderr:write(prefix, text, "\n")
  end
  if sys.getenv("GITHUB_ACTIONS") == "true" and (level == "error" or level == "warning") then
    -- Annotation data must not contain raw newlines (workflow command syntax).
    local data = text:gsub("%%", "%%25"):gsub("\r", "%%0D"):gsub("\n", "%%0A")
    io.stdout:write("::", level, "::", data, "\n")
  end
end

function M.error(text) emit("error", "Error: ", text) end
function M.warn(text) emit("warning", "warning: ", text) end
function M.info(text) emit("info", "", text) end

function M.debug_enabled() return sys.getenv("UNENTROPY_DEBUG") == "1" end

function M.debug(text)
  if M.debug_enabled() then emit("debug", "debug: ", text) end
end

return M
