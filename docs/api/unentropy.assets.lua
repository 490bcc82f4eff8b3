---@meta unentropy.assets
-- unentropy.assets: files embedded at build time (Lua commands and modules,
-- templates, config data, vendored JavaScript), named by their repository
-- path ("templates/comment.lua"). UNENTROPY_LUA_DIR / --lua-dir override
-- "lua/..." and UNENTROPY_TEMPLATES_DIR overrides "templates/...".
-- Implemented in C (src/lassets.c); this file is documentation only.

local assets = {}

---The content of an asset and its origin as a chunkname ("@path").
---@param name string
---@return string|nil content
---@return string origin_or_message  "@templates/x" or "assets: no such asset 'x'"
function assets.read(name) end

---Whether an asset exists (override directory or embedded).
---@param name string
---@return boolean
function assets.exists(name) end

---Compiles a Lua asset with its path as chunkname.
---@param name string
---@return function|nil chunk
---@return string? message
function assets.load(name) end

---Names of the embedded assets under a prefix, sorted.
---@param prefix? string
---@return string[]
function assets.list(prefix) end

return assets
