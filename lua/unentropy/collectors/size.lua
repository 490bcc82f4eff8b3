-- unentropy.collectors.size: `@collect size [paths...]` (collection.md §6):
-- the st_size of regular files (directories walked via lstat), symlinks and
-- directory entries 0, each (device, inode) counted once per invocation.
-- With no paths, the regular files matching `sources`. Uses unentropy.fs.
local fs = require("unentropy.fs")
local util = require("unentropy.collectors.util")

local M = {}

local SPEC = { options = {} }

-- "fs: cannot walk '/x/y': Permission denied" -> "Cannot read /x/y: Permission denied"
local function cannot(display, msg)
  local p, reason = tostring(msg):match("^fs: cannot %a+ '(.*)': (.*)$")
  if p then return "Cannot read " .. p .. ": " .. reason end
  return "Cannot read " .. display .. ": " .. tostring(msg)
end

function M.run(args, env)
  env = env or {}
  local opts, err = util.parse(SPEC, args)
  if not opts then return nil, err end
  local base = env.base_dir or "."
  local seen, total = {}, 0

  -- Adds one path (display name for messages) with its lstat result.
  local function add_file(display, full, st)
    if not st then
      local s, e = fs.lstat(full)
      if not s then return nil, cannot(display, e) end
      st = s
    end
    if st.type ~= "file" then return true end
    local id = st.dev .. ":" .. st.ino
    if not seen[id] then
      seen[id] = true
      total = total + st.size
    end
    return true
  end

  local function add_dir(display, full)
    local files, e = fs.walk(full, { strict = true })
    if not files then return nil, cannot(display, e) end
    for _, rel in ipairs(files) do
      local ok, ferr = add_file(display .. "/" .. rel, full .. "/" .. rel)
      if not ok then return nil, ferr end
    end
    return true
  end

  local function add(display, full)
    local st, e, code = fs.lstat(full)
    if not st then
      if code == 2 or code == 20 then return nil, "Path not found: " .. display end -- ENOENT, ENOTDIR
      return nil, cannot(display, e)
    end
    if st.type == "directory" then return add_dir(display, full) end
    return add_file(display, full, st)
  end

  local paths = opts._
  if #paths == 0 then
    if not env.sources or #env.sources == 0 then
      return nil, "At least one path is required when sources is not configured"
    end
    local files, e = fs.glob(base, env.sources, { strict = true })
    if not files then return nil, cannot(base, e) end
    for _, rel in ipairs(files) do
      local ok, ferr = add_file(rel, util.join(base, rel))
      if not ok then return nil, ferr end
    end
    return total
  end

  for _, p in ipairs(paths) do
    if fs.has_glob(p) then
      local matches, types = fs.glob(base, { p }, { dirs = true, types = true, strict = true })
      if not matches then return nil, cannot(p, types) end
      if #matches == 0 then return nil, "No files matched glob pattern: " .. p end
      for i, rel in ipairs(matches) do
        local full = util.join(base, rel)
        local ok, ferr
        if types[i] == "directory" then ok, ferr = add_dir(rel, full) else ok, ferr = add_file(rel, full) end
        if not ok then return nil, ferr end
      end
    else
      local ok, ferr = add(p, util.join(base, p))
      if not ok then return nil, ferr end
    end
  end
  return total
end

return M
