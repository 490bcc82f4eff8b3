---@meta unentropy.json
-- unentropy.json: order-preserving JSON decoder/encoder (src/json.c, src/json_write.c,
-- src/ljson.c, src/ljson_decode.c, src/ljson_encode.c). LuaLS stub: never executed.
-- tests/lua/test_json.lua checks that every field below exists and nothing else.
--
-- Decoded objects are tables with metatable `json.object_mt` whose key order is
-- the document's: `pairs(obj)` (via __pairs), `json.keys(obj)` and `json.encode`
-- follow it. Assigning a new key (`obj.x = 1`) appends it; setting a key to nil
-- removes it; assigning it again later appends it at the end (as in JavaScript).
-- `rawset` bypasses the recorded order (the key is then not encoded).
-- Arrays have metatable `json.array_mt`, so `{}` and `[]` stay distinct.

---@class json.DuplicateKey
---@field path (string|integer)[] path of the object holding the duplicate: keys, and 0-based array indexes
---@field key string the repeated key
---@field line integer 1-based line of the repeated key
---@field column integer 1-based column (UTF-8 characters) of its opening quote

---@class json.DecodeOptions
---@field duplicates? boolean also return the list of duplicate keys (default false)

---@class json.EncodeOptions
---@field pretty? boolean JSON.stringify(v, null, 2) layout: 2-space indent, `"k": v`, `[]`/`{}` for empties, no trailing newline

local json = {}

--- The JSON null sentinel: a light userdata (the NULL pointer, the same value as
--- `cjson.null`). `tostring(json.null)` is "null".
---@type lightuserdata
json.null = nil

--- Shared metatable of ordered objects (has __pairs, __newindex, __name "json.object").
---@type table
json.object_mt = {}

--- Shared metatable of arrays (__name "json.array").
---@type table
json.array_mt = {}

--- Decodes a JSON text (RFC 8259, strict; a leading UTF-8 BOM is skipped).
--- Integers without fraction/exponent that fit int64 become Lua integers (so
--- 9007199254740993 is exact); other numbers floats (`80.0` stays a float, `1e400`
--- is math.huge). Strings are UTF-8 (escapes and surrogate pairs decoded; a lone
--- surrogate, a raw control character or invalid UTF-8 is an error). A repeated
--- key keeps its first position and last value. Nesting is limited to 1000 levels.
--- Malformed input never raises: it returns nil, "<reason> at line <l>, column <c>",
--- l, c (column in UTF-8 characters), e.g. "Unexpected token } in JSON at line 1,
--- column 4". Reasons: Unexpected token X in JSON, Unexpected character U+XXXX in
--- JSON, Unexpected end of JSON input, Unexpected number in JSON, Unexpected string in
--- JSON, Unexpected non-whitespace character after JSON, Unterminated string in JSON,
--- Bad control character in string literal in JSON, Bad escaped character in JSON,
--- Bad Unicode escape in JSON, Lone surrogate in string in JSON, Invalid UTF-8 in
--- JSON, No number after minus sign in JSON, Unterminated fractional number in JSON,
--- Exponent part is missing a number in JSON, Nesting deeper than 1000 levels in JSON.
--- Raises only for misuse: a non-string `s`, a non-table options value, an unknown
--- option key.
---@param s string
---@param opts? json.DecodeOptions
---@return any|nil value decoded value (nil on error)
---@return string|json.DuplicateKey[]|nil msg_or_dups error message, or with `duplicates = true` the duplicate list
---@return integer|nil line
---@return integer|nil column
function json.decode(s, opts) end

--- Encodes a value. nil and json.null give `null`; integers are exact; floats use
--- the shortest round-trip form as JavaScript writes it (0.1, 1.5, 100 for 100.0,
--- 0 for -0.0, 1e+21, 1e-7); NaN and infinities give `null`. Tables: object_mt ->
--- object in recorded key order; array_mt -> array of 1..#t; other tables: an empty
--- one -> `[]`, a proper sequence 1..n -> array, anything else -> object with keys
--- sorted by byte order (integer keys written as strings). Strings are escaped like
--- JSON.stringify (\" \\ \b \f \n \r \t, other controls \u00xx), other UTF-8 kept.
--- Raises "json: <reason> at <path>" for functions, threads, userdata other than
--- json.null, cycles, nesting over 1000, keys that are neither strings nor integers,
--- an integer and a string key with the same text, invalid UTF-8, unknown options.
---@param value any
---@param opts? json.EncodeOptions
---@return string
function json.encode(value, opts) end

--- A new ordered object (metatable json.object_mt), optionally filled from an array
--- of {key, value} pairs in that order (a repeated key keeps its first position and
--- last value; a pair with a nil value is skipped). Raises for non-string keys.
---@param pairs? { [1]: string, [2]: any }[]
---@return table
function json.object(pairs) end

--- Marks `t` as a JSON array (sets json.array_mt and returns it), or returns a new
--- empty array.
---@param t? table
---@return table
function json.array(t) end

--- True if v is a table with metatable json.object_mt.
---@param v any
---@return boolean
function json.is_object(v) end

--- True if v is a table with metatable json.array_mt.
---@param v any
---@return boolean
function json.is_array(v) end

--- The keys of a table as a new array: document/insertion order for ordered objects,
--- otherwise sorted by the byte order of their string forms. Raises for non-tables.
---@param t table
---@return (string|integer)[]
function json.keys(t) end

return json
