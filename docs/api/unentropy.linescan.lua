---@meta unentropy.linescan
-- unentropy.linescan: streaming scanners for line-oriented coverage formats
-- into a unentropy.covdata accumulator, in bounded memory (a 1 MiB buffer
-- per thread) whatever the input size. Implemented in C (src/linescan.c,
-- src/llinescan.c); documentation only.

local linescan = {}

---One rule: `{prefix, op, kind=, key=, count=, skip_int=, covered=}`.
---prefix is compared case-insensitively with the text before the first ":"
---of a trimmed line (the whole line when it has no ":"); fields are the
---comma-separated parts after it, 1-based, negative from the end.
---  "record"  starts a record (the value is the file name)
---  "end"     commits it; a record's data counts only once committed
---  "mark"    key = one integer field, count field: covdata mark, hit when count > 0
---  "entry"   key = fields key[1]..key[2] (skip_int: drop a leading integer
---            field when more follow), count field (0: none): entry (1, count > 0)
---  "summary" the value is the record's total (or covered) for kind; used
---            only when the record has no mark/entry line of that kind
---@alias linescan.Rule table

---Scans an LCOV-style file; files >= 16 MiB are split at record ends over
---up to opts.threads threads.
---@param path string
---@param rules linescan.Rule[]
---@param cov covdata.Cov
---@param opts? {threads?: integer}
---@return {lines: integer, records: integer, dropped: integer, malformed: integer}|nil stats
---@return string? message  "linescan: cannot read 'p': <reason>"
---@return integer? errno
function linescan.records(path, rules, cov, opts) end

---Scans a Go coverprofile: each block is the entry (file, kind,
---"l1.c1,l2.c2") with total numStmts and covered numStmts when count > 0.
---@param path string
---@param cov covdata.Cov
---@param kind covdata.Kind
---@return {lines: integer}|nil stats
---@return string? message
---@return ("mode"|"line"|integer)? code  "mode": no valid first line; "line": invalid block line
---@return integer? line  the 1-based line number for code "line"
function linescan.coverprofile(path, cov, kind) end

return linescan
