-- tests/lua/test_template.lua: unentropy.template — escaping by default,
-- explicit raw output, code blocks, standalone tag lines, partials and
-- their scope, error messages with template line numbers, compile-once.
local T = require("t")
local template = require("unentropy.template")

local function render(src, vars) return template.compile(src, "t.html")(vars or {}) end

T.test("{{ }} escapes & < > \" ' and {{{ }}} is raw", function()
  local payload = [[</script><script>alert(1)</script> & "x" 'y']]
  T.eq(render("<p>{{ s }}</p>", { s = payload }),
    "<p>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;</p>")
  T.eq(render("{{{ s }}}", { s = "<b>ok</b>" }), "<b>ok</b>")
  T.eq(render('<a title="{{ s }}">', { s = '"><img src=x onerror=alert(1)>' }),
    '<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">')
end)

T.test("values: nil is empty, numbers in shortest form, booleans as text", function()
  T.eq(render("[{{ t.a }}][{{ b }}][{{ c }}][{{ d }}][{{ e }}]", { t = {}, b = 3, c = 0.1, d = 2.0, e = true }),
    "[][3][0.1][2][true]")
  T.raises(function() render("{{ t }}", { t = {} }) end, "cannot output a table")
  local obj = setmetatable({}, { __tostring = function() return "<obj>" end })
  T.eq(render("{{ o }}", { o = obj }), "&lt;obj&gt;")
end)

T.test("code blocks, loops and expressions", function()
  local src = "{% for i, x in ipairs(xs) do %}{{ i }}={{ x }};{% end %}{% if #xs > 2 then %}many{% else %}few{% end %}"
  T.eq(render(src, { xs = { "a", "<", "c" } }), "1=a;2=&lt;;3=c;many")
  T.eq(render("{{ string.upper(s) .. '!' }}", { s = "hi" }), "HI!")
  T.eq(render("{% local n = 0 %}{% for _ = 1, 3 do n = n + 1 end %}{{ n }}"), "3")
end)

T.test("a line holding only a {% %} or {# #} tag leaves no trace", function()
  local src = "<ul>\n  {% for _, x in ipairs(xs) do %}\n  <li>{{ x }}</li>\n  {% end %}\n</ul>\n{# a note\n   over lines #}\nend"
  T.eq(render(src, { xs = { "a", "b" } }), "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\nend")
  -- Not standalone: text around the tag stays.
  T.eq(render("a {% if true then %}b{% end %} c\n"), "a b c\n")
  T.eq(render("x{# c #}y"), "xy")
end)

T.test("undefined names raise with the template line", function()
  local err = T.raises(function() render("line1\nline2 {{ missing }}\n") end, "undefined variable 'missing'")
  T.contains(err, "t.html:2:")
  err = T.raises(function() render("a\nb\n{% local x = nil + 1 %}") end, "t.html:3:")
  T.contains(err, "arithmetic")
end)

T.test("syntax errors name the template and line", function()
  local err = T.raises(function() template.compile("ok\n{% if then %}\n", "bad.html") end, "template: bad.html:2:")
  T.ok(err)
  T.raises(function() template.compile("x\n{{ unclosed", "u.html") end, "template: u.html:2: unclosed '{{'")
  T.raises(function() template.compile("{% for %}", "v.html") end, "template: v.html:1:")
end)

T.test("line numbers survive standalone lines and multi-line text", function()
  local src = "a\n{% if true then %}\nb\n{% end %}\n{# note #}\nc {{ nope }}\n"
  T.raises(function() template.compile(src, "n.html")({}) end, "n.html:6:")
end)

T.test("safe globals are there, the host's are not", function()
  T.eq(render("{{ math.floor(2.7) }} {{ table.concat({1, 2}, '-') }} {{ tostring(nil) }}"), "2 1-2 nil")
  T.raises(function() render("{{ io.write('x') }}") end, "undefined variable 'io'")
  T.raises(function() render("{{ os.exit() }}") end, "undefined variable 'os'")
end)

T.test("partials: include(name, vars) sees its vars, then the parent's", function()
  local dir = T.tmpdir()
  local f = assert(io.open(dir .. "/part.html", "w"))
  f:write("[{{ item }}|{{ title }}]")
  f:close()
  local sys = require("unentropy.sys")
  local old = sys.getenv("UNENTROPY_TEMPLATES_DIR")
  sys.setenv("UNENTROPY_TEMPLATES_DIR", dir)
  local ok, out = pcall(render, "{% for _, x in ipairs(xs) do %}{{{ include('templates/part.html', { item = x }) }}}{% end %}",
    { xs = { "<a>", "b" }, title = "T&" })
  sys.setenv("UNENTROPY_TEMPLATES_DIR", old or "")
  T.ok(ok, tostring(out))
  T.eq(out, "[&lt;a&gt;|T&amp;][b|T&amp;]")
end)

T.test("load compiles once and caches; a missing template raises", function()
  local a = template.load("templates/report-card.html")
  local b = template.load("templates/report-card.html")
  T.ok(a == b, "same compiled function")
  T.raises(function() template.load("templates/does-not-exist.html") end, "template: ")
end)

T.test("the compiled function can be reused with other vars", function()
  local fn = template.compile("{{ x }}", "r.html")
  T.eq(fn({ x = 1 }), "1")
  T.eq(fn({ x = "<" }), "&lt;")
  T.raises(function() fn("nope") end, "vars must be a table")
end)
