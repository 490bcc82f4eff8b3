-- templates/report.lua: the stock report page (report.md §2). A report
-- template is a Lua file returning function(view, h) -> string (config.md §9,
-- report.md §9); this one renders templates/report.html, which includes
-- templates/report-card.html once per card, through unentropy.template
-- (h.render). Copy it next to your unentropy.json and point report.template
-- at the copy to start a custom page; h.default(view) returns this page.
return function(view, h)
  return h.render("templates/report.html", { view = view, h = h })
end
