-- unentropy.collectors: the registry behind `@collect NAME ARGS` and
-- `unentropy measure NAME ARGS` (collection.md §6). Built-in collectors live
-- in lua/unentropy/collectors/<name>.lua and are loaded on first use; users
-- can register their own with collectors.register(name, fn) from a script.
-- A collector is fn(args, env) -> value | nil, message where args is the
-- split argument list and env = {base_dir, sources (normalized patterns or
-- nil), config (resolved config or nil)}.
local M = {}

M.builtin = { "loc", "size", "coverage-lcov", "coverage-cobertura", "coverage-clover", "coverage-jacoco",
  "coverage-go" }

local registered = {}

function M.register(name, fn)
  assert(type(name) == "string" and type(fn) == "function", "collectors.register(name, fn)")
  registered[name] = fn
end

local function available() return table.concat(M.builtin, ", ") end

-- Finds a collector: registered first, then the built-in module.
function M.get(name)
  if registered[name] then return registered[name] end
  for _, b in ipairs(M.builtin) do
    if b == name then
      local ok, mod = pcall(require, "unentropy.collectors." .. name)
      if ok and type(mod) == "table" and mod.run then
        registered[name] = mod.run
        return mod.run
      end
      -- Pass the real reason on: a broken collector must not look missing.
      return nil, "Collector '" .. name .. "' failed to load: " .. tostring(ok and "module has no run function" or mod)
    end
  end
  return nil, "Unknown collector: " .. name .. ". Available collectors: " .. available()
end

-- Splits an inline argument string: spaces and tabs separate, '…' and "…"
-- group (quotes removed); no escapes, no $VAR or ~ expansion.
function M.split_args(s)
  local args, cur, quote, has = {}, {}, nil, false
  for ch in s:gmatch(".") do
    if quote then
      if ch == quote then quote = nil else cur[#cur + 1] = ch end
    elseif ch == "'" or ch == '"' then
      quote, has = ch, true
    elseif ch == " " or ch == "\t" then
      if has or #cur > 0 then args[#args + 1] = table.concat(cur); cur, has = {}, false end
    else
      cur[#cur + 1] = ch
      has = true
    end
  end
  if has or #cur > 0 then args[#args + 1] = table.concat(cur) end
  return args
end

-- Runs `name args...` (args already split). Returns value | nil, message.
function M.run(args, env)
  local name = args[1]
  if name == nil or name == "" then
    return nil, "No collector specified. Available collectors: " .. available()
  end
  local fn, err = M.get(name)
  if not fn then return nil, err end
  local rest = table.move(args, 2, #args, 1, {})
  local ok, v, verr = pcall(fn, rest, env)
  if not ok then return nil, tostring(v) end
  if v == nil then return nil, verr or ("collector " .. name .. " returned no value") end
  return v
end

-- If a command is an inline collector call, returns its argument list.
function M.inline(command)
  local trimmed = command:gsub("^%s+", ""):gsub("%s+$", "")
  local rest = trimmed:match("^@collect[ \t]+(.+)$")
  if rest then return M.split_args(rest) end
  return nil
end

return M
