---@meta unentropy.sloc
-- unentropy.sloc: sloc 0.3.2-compatible line classification and the file
-- loop of the loc collector. The comment syntaxes are data (Lua rules, see
-- lua/unentropy/collectors/languages.lua); token patterns are literal text
-- except `+` (one or more of the previous atom), `[abc]`/`[a-z]`/`[^abc]`,
-- `|` between alternatives, `\` escapes and a leading `(?i)`.
-- Implemented in C (src/sloc.c, src/sloc_file.c, src/lsloc.c); this file is
-- documentation only.

local sloc = {}

---@class sloc.Syntax
---@field single? string       single-line comment start
---@field block_start? string  block comment start
---@field block_stop? string   block comment stop (nil: end of line)
---@field quirk? "nim"         sloc's nim single-line regex, which no pattern can express

---@class sloc.Rules
local Rules = {}

---Compiles comment syntaxes and the extension map (extension without dot,
---any case -> syntax name). Raises on bad patterns, unknown keys or names.
---@param spec {syntaxes: table<string, sloc.Syntax>, extensions: table<string, string>}
---@return sloc.Rules
function sloc.rules(spec) end

---sloc's counts for text with the syntax of ext, or {source = non-empty
---lines} when ext is not in the rules.
---@param text string
---@param ext string
---@return {total: integer, source: integer, comment: integer, single: integer, block: integer, mixed: integer, empty: integer, block_empty: integer, error: boolean}
function Rules:count(text, ext) end

---@param ext string
---@return boolean
function Rules:has(ext) end

---Reads and counts files (relative to base) in one C loop. A file that
---cannot be read counts 0 and is listed in info.errors.
---@param base string
---@param paths string[]
---@param rules sloc.Rules
---@param opts? {only?: table<string, boolean>, nonempty?: boolean, skip_binary?: boolean, per_file?: boolean}
---@return integer total
---@return {files: integer, binary: integer, counts?: (integer|false)[], errors: {index: integer, path: string, message: string, code: integer}[]} info
function sloc.count_files(base, paths, rules, opts) end

---Lines (split on LF) with content other than JavaScript whitespace.
---@param text string
---@return integer
function sloc.nonempty(text) end

---node's path.extname without the dot, ASCII-lowercased ("" when none).
---@param path string
---@return string
function sloc.extname(path) end

return sloc
