-- templates/comment.lua: the default PR comment of the quality gate
-- (gate.md §8). A comment template is a Lua file returning
-- function(results, h) -> markdown string, without the marker (unentropy
-- prepends it). `results` is the results object of gate.md §9; `h` holds the
-- helpers (format, delta, escape, code, icon, default, statistical) and the data that is
-- not in the results file (failures, limits, docs_url). docs/gate.md
-- documents the API; copy this file to start a custom template.

local HEADINGS = { pass = "**PASS** ✅", fail = "**FAIL** ❌", unknown = "**UNKNOWN** ⚠️" }

return function(results, h)
  local qg = results.qualityGate
  local info = qg.baselineInfo
  local ref = info.referenceBranch
  local metrics = qg.metrics
  local out = {}
  local function add(s) out[#out + 1] = s end

  -- "Name (`key`)", or "`key`" when the name is the key.
  local function label(m, bold)
    if m.name == m.metric then return h.code(m.metric) end
    local name = h.escape(m.name)
    if bold then name = "**" .. name .. "**" end
    return name .. " (" .. h.code(m.metric) .. ")"
  end

  -- The PR value; a repeated metric adds its runs and spread (docs/noise.md).
  local function pr_cell(m)
    local text = h.format(m.pullRequestValue, m.unit)
    local r = m["repeat"]
    if r and r.runs then
      text = text .. string.format(" _(%d runs%s)_", r.runs,
        type(r.spread) == "number" and string.format(", spread %.1f%%", r.spread) or "")
    end
    return text
  end

  local function row(first, m)
    return string.format("| %s | %s | %s | %s |", first, h.format(m.baseline, m.unit),
      pr_cell(m), h.delta(m.absoluteDelta, m.unit))
  end

  -- What a threshold requires, in the metric's unit: "≥ 80.0%", "growth ≤ 5%",
  -- "≤ 45.1 ms (99% t, 30 builds)".
  local function requirement(t, m, c)
    local text
    if t.mode == "statistical" and h.statistical then
      text = h.statistical(t, c and c.statistics, m.direction, m.unit)
    elseif t.mode == "min" then text = "≥ " .. h.format(t.target, m.unit)
    elseif t.mode == "max" then text = "≤ " .. h.format(t.target, m.unit)
    elseif t.mode == "no-regression" then
      text = "no regression (tolerance " .. h.format(t.tolerance or 0.5, m.unit) .. ")"
    elseif t.mode == "delta-max-drop" then
      local verb = m.direction == "lower-is-better" and "growth" or "drop"
      text = verb .. " ≤ " .. h.escape(tostring(t.maxDropPercent)) .. "%"
    else
      text = h.escape(tostring(t.mode))
    end
    if t.severity == "warning" then text = text .. " _(warning)_" end
    return text
  end

  local function thresholds_cell(m)
    local parts = {}
    for _, c in ipairs(m.checks) do parts[#parts + 1] = requirement(c.threshold, m, c) end
    return table.concat(parts, "<br>")
  end

  local evaluated, other, with_baseline, decided = {}, {}, 0, false
  local from_merge_base, from_latest = 0, 0
  for _, m in ipairs(metrics) do
    if #m.checks > 0 then evaluated[#evaluated + 1] = m else other[#other + 1] = m end
    if m.baseline ~= nil then with_baseline = with_baseline + 1 end
    if m.baselineSource == "merge-base" then from_merge_base = from_merge_base + 1
    elseif m.baselineSource == "latest" then from_latest = from_latest + 1 end
    for _, c in ipairs(m.checks) do
      if c.status == "pass" or c.status == "fail" then decided = true end
    end
  end

  local function footer()
    local parts = { "**Mode**: " .. qg.mode, "**Reference**: " .. h.escape(ref) }
    local sha = info.mergeBaseCommit and h.code(info.mergeBaseCommit:sub(1, 7))
    if from_merge_base > 0 and from_latest == 0 then
      parts[#parts + 1] = "**Baseline**: merge-base " .. sha
    elseif from_latest > 0 and from_merge_base == 0 then
      parts[#parts + 1] = "**Baseline**: latest on " .. h.code(ref)
    elseif from_latest > 0 then
      parts[#parts + 1] = string.format("**Baseline**: merge-base %s (%d), latest on %s (%d)", sha,
        from_merge_base, h.code(ref), from_latest)
    end
    add("---")
    add("<details>")
    add("<summary>About this check</summary>")
    add("")
    add(table.concat(parts, " • "))
    add("")
    add("Powered by [Unentropy](" .. h.docs_url .. ")")
    add("</details>")
  end

  add("## 🛡️ Quality Gate: " .. HEADINGS[qg.status])
  add("")
  if results.error then
    add("⚠️ **Error**: " .. h.escape(results.error))
    add("")
  end

  -- No-baseline variant: nothing to compare with and nothing decided.
  if with_baseline == 0 and not decided then
    add("### No Baseline Data Available")
    add("")
    add("No baseline for " .. h.code(ref) .. " is available yet (first run, or the reference branch has no "
      .. "metrics). Metrics were collected, but there is nothing to compare them with.")
    add("")
    local collected = {}
    for _, m in ipairs(metrics) do
      if m.pullRequestValue ~= nil then collected[#collected + 1] = m end
    end
    add(string.format("**Collected Metrics** (%d):", #collected))
    for i = 1, math.min(5, #collected) do
      local m = collected[i]
      add(string.format("- %s (%s): %s", h.escape(m.name), h.code(m.metric), h.format(m.pullRequestValue, m.unit)))
    end
    if #collected > 5 then add(string.format("_...and %d more metrics_", #collected - 5)) end
    add("")
    add("Once " .. h.code(ref) .. " has metrics data, future PRs will be evaluated against that baseline.")
    add("")
    footer()
    return table.concat(out, "\n")
  end

  -- Evaluated metrics, capped at h.limits.rows.
  if #evaluated > 0 then
    local shown = math.min(#evaluated, h.limits.rows)
    if shown > 0 then
      add("| Metric | Base | PR | Δ | Threshold |")
      add("|--------|------|-----|---|-----------|")
      for i = 1, shown do
        local m = evaluated[i]
        add(row(h.icon(m.status) .. " " .. label(m), m) .. " " .. thresholds_cell(m) .. " |")
      end
      add("")
    end
    if #evaluated > shown then
      add(string.format("_...and %d more evaluated metrics_", #evaluated - shown))
      add("")
    end
    local p, f = qg.summary.passed, qg.summary.failed
    add(string.format("%s**%d passed** • %s**%d failed**", p > 0 and "✅ " or "", p, f > 0 and "❌ " or "", f))
    add("")
  end

  -- Violations: every failing check, capped at h.limits.violations.
  local bullets = {}
  for _, m in ipairs(evaluated) do
    for _, c in ipairs(m.checks) do
      if c.status == "fail" then
        local icon = c.isBlocking and "❌" or "⚠️"
        bullets[#bullets + 1] = string.format("- %s %s: %s%s", icon, label(m, true), h.escape(c.message),
          c.isBlocking and "" or " _(warning)_")
      end
    end
  end
  if #bullets > 0 then
    local limit = math.min(#bullets, h.limits.violations or #bullets)
    add("### Violations")
    for i = 1, limit do add(bullets[i]) end
    if limit < #bullets then add(string.format("_...and %d more violations_", #bullets - limit)) end
    add("")
  end

  -- Annotations (`unentropy annotate`): intended step changes and window resets.
  local notes = {}
  for _, m in ipairs(evaluated) do
    for _, a in ipairs(m.annotations or {}) do
      local where = h.code(tostring(a.commit):sub(1, 7))
      local tags = {}
      if a.reset then tags[#tags + 1] = "statistical window restarts after it" end
      if a.pullRequest then tags[#tags + 1] = "this pull request" end
      notes[#notes + 1] = string.format("- 📝 %s @ %s%s: %s", label(m, true), where,
        #tags > 0 and (" (" .. table.concat(tags, "; ") .. ")") or "", h.escape(a.note))
    end
  end
  if #notes > 0 then
    add("### Notes")
    for _, n in ipairs(notes) do add(n) end
    add("")
  end

  if #h.failures > 0 then
    local parts = {}
    for _, f in ipairs(h.failures) do
      parts[#parts + 1] = string.format("%s (%s)", h.code(f.metric), h.escape(f.reason))
    end
    add("⚠️ Failed to collect: " .. table.concat(parts, ", "))
    add("")
  end

  if #other > 0 then
    add("<details>")
    add("<summary>Other tracked metrics (no thresholds configured)</summary>")
    add("")
    if h.limits.other_rows then
      add("| Metric | Base | PR | Δ |")
      add("|--------|------|-----|---|")
      for _, m in ipairs(other) do add(row(label(m), m)) end
    else
      add(string.format("_%d other tracked metrics omitted_", #other))
    end
    add("")
    add("</details>")
    add("")
  end

  footer()
  return table.concat(out, "\n")
end
