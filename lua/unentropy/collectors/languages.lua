-- unentropy.collectors.languages: the language rules of the `loc` collector
-- (collection.md §6), as data. `syntaxes` are comment syntaxes ported from
-- sloc 0.3.2's lib/sloc.js (its regexes, as unentropy.sloc token patterns:
-- literal text except `+`, `[...]`, `|`, `\` and a leading `(?i)`);
-- `extensions` maps each sloc extension to its syntax; `names` maps the
-- --language names to extensions. To teach `loc` a new language, add a
-- syntax and its extensions here (or, from a script, call M.add before the
-- first count). Nothing here is C.
local M = {}

M.syntaxes = {
  none = {},                                             -- sloc knows the extension, no comments
  hash = { single = "#" },
  hash_rb = { single = "#", block_start = "=begin", block_stop = "=end" },
  hash_jl = { single = "#", block_start = "#=", block_stop = "=#" },
  hash_py = { single = "#", block_start = [["""|''']], block_stop = [["""|''']] },
  hash_c = { single = "#", block_start = "/*+", block_stop = "*/" },   -- ls, nix
  coffee = { single = "#[^{]", block_start = "###", block_stop = "###" },
  slashes = { single = "//" },
  c = { single = "//", block_start = "/*+", block_stop = "*/" },
  fsharp = { single = "//", block_start = "(*", block_stop = "*)" },
  css = { block_start = "/*+", block_stop = "*/" },
  percent = { single = "%" },
  lilypond = { single = "%", block_start = "%{", block_stop = "%}" },
  dashes = { single = "--" },
  sql = { single = "--", block_start = "/*+", block_stop = "*/" },
  haskell = { single = "--", block_start = "{-", block_stop = "-}" },
  lua = { single = "--", block_start = [[--\[\[]], block_stop = "--]]" },
  quote = { single = "'" },
  monkey = { single = "'", block_start = "(?i)#rem", block_stop = "(?i)#end" },
  nim = { quirk = "nim", block_start = "##" },          -- block ends at the end of the line
  semicolon = { single = ";" },
  racket = { single = ";", block_start = [[#\|]], block_stop = [[\|#]] },
  bang = { single = "!" },
  markup = { block_start = "<!--", block_stop = "-->" },
  mustache = { block_start = "{{!", block_stop = "}}" },
  ocaml = { block_start = "(*", block_stop = "*)" },
}

-- sloc.extensions, each with sloc's single-line and block rules.
M.extensions = {
  agda = "haskell", asm = "semicolon", brs = "quote", c = "c", cc = "c", clj = "semicolon",
  cljs = "semicolon", cls = "percent", coffee = "coffee", cpp = "c", cr = "hash", cs = "c", css = "css",
  cxx = "c", dart = "c", erl = "percent", f90 = "bang", f95 = "bang", f03 = "bang", f08 = "bang",
  f18 = "bang", fs = "fsharp", fsi = "fsharp", fsx = "fsharp", go = "c", groovy = "c", gs = "c", h = "c",
  handlebars = "mustache", hbs = "mustache", hpp = "c", hr = "hash", hs = "haskell", html = "markup",
  htm = "markup", hx = "c", hxx = "c", hy = "semicolon", iced = "coffee", ily = "lilypond", ino = "c",
  jade = "slashes", java = "c", jl = "hash_jl", js = "c", jsx = "c", mjs = "c", kt = "c", kts = "c",
  latex = "percent", less = "c", ly = "lilypond", lua = "lua", ls = "hash_c", ml = "ocaml", mli = "ocaml",
  mochi = "hash", monkey = "monkey", mustache = "mustache", nix = "hash_c", nim = "nim", nut = "c",
  php = "c", php5 = "c", pl = "hash", prql = "hash", py = "hash_py", r = "hash", rb = "hash_rb",
  rkt = "racket", rpy = "hash_py", rs = "c", sass = "c", scala = "c", scss = "c", sty = "percent",
  styl = "c", svg = "markup", sql = "sql", swift = "slashes", tex = "percent", ts = "c", tsx = "c",
  vb = "quote", vue = "markup", xml = "markup", yaml = "hash", m = "c", mm = "c", bsl = "slashes",
}

-- --language names (case-sensitive) and their extensions.
M.names = {
  TypeScript = { "ts", "tsx" }, JavaScript = { "js", "jsx", "mjs" }, Python = { "py" }, Go = { "go" },
  Java = { "java" }, PHP = { "php", "php5" }, Ruby = { "rb" }, Rust = { "rs" }, C = { "c", "h" },
  ["C++"] = { "cpp", "cc", "cxx", "hpp", "hxx" }, ["C#"] = { "cs" },
  CSS = { "css", "scss", "sass", "less", "styl" }, HTML = { "html", "htm" }, SQL = { "sql" },
  Vue = { "vue" }, Kotlin = { "kt", "kts" }, Swift = { "swift" }, Scala = { "scala" }, Dart = { "dart" },
  Erlang = { "erl" }, Haskell = { "hs" }, Lua = { "lua" }, XML = { "xml" }, YAML = { "yaml" },
  ["F#"] = { "fs", "fsi", "fsx" }, Groovy = { "groovy" }, ["Objective-C"] = { "m", "mm" }, Perl = { "pl" },
  R = { "r" }, Crystal = { "cr" }, Nim = { "nim" }, Nix = { "nix" }, CoffeeScript = { "coffee", "iced" },
  Clojure = { "clj", "cljs" }, Julia = { "jl" }, Lisp = { "rkt" }, JSON = { "json" }, OCaml = { "ml", "mli" },
  ["Visual Basic"] = { "vb" }, Markdown = { "md" },
}

local compiled

-- The compiled rules (unentropy.sloc Rules), built on first use.
function M.rules()
  if not compiled then
    compiled = require("unentropy.sloc").rules({ syntaxes = M.syntaxes, extensions = M.extensions })
  end
  return compiled
end

-- Adds or replaces a language: M.add("Zig", {"zig"}, {single = "//"}) makes
-- `--language Zig` select *.zig files and count them with that syntax.
function M.add(name, exts, syntax)
  assert(type(name) == "string" and type(exts) == "table", "languages.add(name, exts, syntax)")
  if syntax then
    M.syntaxes["lang:" .. name] = syntax
    for _, e in ipairs(exts) do M.extensions[e:lower()] = "lang:" .. name end
  end
  M.names[name] = exts
  compiled = nil
end

return M
