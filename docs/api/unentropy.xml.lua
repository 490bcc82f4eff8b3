---@meta unentropy.xml
-- unentropy.xml: streaming XML element events over libexpat (no DOM, memory
-- independent of the file size). Only elements matching a rule's path reach
-- Lua, with just the attributes asked for. DOCTYPEs and external entities
-- are never fetched; entity declarations are refused (a syntax error).
-- Implemented in C (src/xml.c, src/lxml.c); documentation only.

local xml = {}

---@class xml.Rule
---@field path string      element path from the root: names, "*" (one element), "**" (any depth)
---@field attrs? string[]  attributes passed to start, in order; "name:int" parses like parseInt (nil for NaN)
---@field start? fun(...)  called at the element's start with the attribute values (nil when absent)
---@field stop? fun()      called at the element's end

---Scans the file with up to 16 rules. A callback error stops the scan and
---is raised again once the parser is freed.
---@param path string
---@param rules xml.Rule[]
---@return true|nil ok
---@return string? message  "xml: cannot parse 'p': line L, column C: <reason>" or "xml: cannot read 'p': <reason>"
---@return ("syntax"|integer)? code
---@return integer? line
---@return integer? column
function xml.scan(path, rules) end

return xml
