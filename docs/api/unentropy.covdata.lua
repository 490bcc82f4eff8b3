---@meta unentropy.covdata
-- unentropy.covdata: the coverage accumulator the coverage collectors
-- share. Entries are kept per file name and kind ("line", "branch",
-- "function", "extra") and merge like coverage does across records and
-- reports: marks (integer keys such as line numbers, found/hit ORed, 2 bits
-- each), keyed entries ((total, covered) maxima per key) and plain sums.
-- Implemented in C (src/covdata.c, src/lcovdata.c); documentation only.

local covdata = {}

---@alias covdata.Kind "line"|"branch"|"function"|"extra"

---@class covdata.Cov
local Cov = {}

---A new empty accumulator (closed by :close(), __gc or <close>).
---@return covdata.Cov
function covdata.new() end

---Marks integer key n (0 .. 2^32-1) of (file, kind) found, and hit when hit.
---@param file string
---@param kind covdata.Kind
---@param n integer
---@param hit boolean
function Cov:mark(file, kind, n, hit) end

---Adds or max-merges the entry (file, kind, key).
---@param file string
---@param kind covdata.Kind
---@param key string
---@param total number
---@param covered number
function Cov:entry(file, kind, key, total, covered) end

---Adds to the plain sums of (file, kind).
---@param file string
---@param kind covdata.Kind
---@param total number
---@param covered number
function Cov:add(file, kind, total, covered) end

---Merges another accumulator into this one.
---@param other covdata.Cov
function Cov:merge(other) end

---File names in first-seen order.
---@return string[]
function Cov:files() end

---Per-file totals of one kind, aligned with :files().
---@param kind covdata.Kind
---@return number[] total
---@return number[] covered
function Cov:totals(kind) end

---Approximate bytes held.
---@return integer
function Cov:bytes() end

function Cov:close() end

return covdata
