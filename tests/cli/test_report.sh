#!/bin/bash
# End to end: `unentropy report` and `unentropy preview` texts and exit codes
# (cli.md), the files they write, and `collect` writing the report after
# persisting (and not with --no-report). The page itself is checked in a
# browser by test_report_browser.sh.
. "$SRC/tests/cli/lib.sh"
export SOURCE_DATE_EPOCH=1735689600 GITHUB_REPOSITORY= CI_PROJECT_PATH=
FIX=$SRC/tests/fixtures/report
cd "$TMP"
"$U" run "$FIX/seed.lua" "$TMP/std.db" standard

# ---- report ---------------------------------------------------------------
out=$("$U" report -c "$FIX/flat.json" --db std.db -o out 2>&1); rc=$?
check "report exits 0" 0 "$rc"
check "report line" "✓ Report generated: out/index.html (60 builds, 6 metrics)" "$out"
html=$(cat out/index.html)
check_contains "report page title (config dir name)" "<title>Unentropy Metrics Report - report</title>" "$html"
check_contains "report footer date" "generated Jan 1, 2025, 00:00 UTC" "$html"
check_contains "report footer version" "unentropy v$("$U" --version | sed 's/^unentropy v\{0,1\}//')</span>" "$html"

"$U" report -c "$FIX/flat.json" --db std.db -o out2 --repository o/n >/dev/null
"$U" report -c "$FIX/flat.json" --db std.db -o out3 --repository o/n >/dev/null
cmp -s out2/index.html out3/index.html && ok "report is byte-identical for the same inputs" || bad "report is byte-identical for the same inputs"

out=$("$U" report -c "$FIX/flat.json" --db std.db -o exp --format csv 2>&1); rc=$?
check "csv export" "0 ✓ Data exported: exp/data.csv" "$rc $out"
check "csv header" "timestamp,commit_sha,run_number,branch,metric_id,value" "$(head -1 exp/data.csv)"
check "csv rows" "$(sqlite3 std.db 'SELECT count(*) FROM metric_values') " "$(($(wc -l < exp/data.csv) - 1)) "
out=$("$U" report -c "$FIX/flat.json" --db std.db -o exp --format json 2>&1); rc=$?
check "json export" "0 ✓ Data exported: exp/data.json" "$rc $out"
check "json builds" "60" "$(node -e 'console.log(JSON.parse(require("fs").readFileSync("exp/data.json","utf8")).builds.length)' 2>/dev/null || python3 -c 'import json;print(len(json.load(open("exp/data.json"))["builds"]))')"

out=$("$U" report -c "$FIX/flat.json" --db missing.db -o o4 2>&1); rc=$?
check "missing database" "1|Error: Database not found: missing.db
Run metric collection first, or check the path." "$rc|$out"
[ ! -e missing.db ] && ok "missing database is not created" || bad "missing database is not created"

out=$("$U" report -c nope.json 2>&1); rc=$?
check "missing config" "1|Error: Config file not found: nope.json
Run 'unentropy init' to create one." "$rc|$out"

out=$("$U" report -c "$FIX/flat.json" --db std.db --format xml 2>&1); rc=$?
check "bad format" "1|Error: Invalid value for --format: \"xml\" (choices: html, csv, json)
Run 'unentropy report --help' for usage." "$rc|$out"

out=$("$U" report --help); rc=$?
check_contains "report help" "--format <fmt>" "$out"
check "report help exits 0" 0 "$rc"

mkdir -p tpl && cat > tpl/unentropy.json <<'JSON'
{ "metrics": { "coverage": { "$ref": "coverage", "command": "echo 1" } }, "report": { "template": "bad.lua" } }
JSON
echo 'return function(view, h) error("no way") end' > tpl/bad.lua
out=$("$U" report -c tpl/unentropy.json --db std.db -o o5 2>&1); rc=$?
check "template error fails" 1 "$rc"
check_contains "template error message" "Error: Report generation failed: " "$out"
check_contains "template error text" "no way" "$out"

# A database that is not SQLite: a storage error, reported as is.
echo "not a database" > junk.db
out=$("$U" report -c "$FIX/flat.json" --db junk.db -o o6 2>&1); rc=$?
check "storage error exits 1" 1 "$rc"
check_contains "storage error" "Error: " "$out"

# ---- preview ----------------------------------------------------------------
out=$("$U" preview -c "$FIX/flat.json" -o prev 2>/dev/null); rc=$?
check "preview synthetic" "0|Checking $FIX/flat.json...
✓ Config schema valid
Generating preview report with 6 metrics:
  - coverage (Test coverage)
  - loc (Lines of code)
  - bundle (Bundle size)
  - build-time (Build time)
  - score (Quality score)
  - status (CI status)
✓ Preview report generated: prev/index.html" "$rc|$out"
check_contains "preview repository" "<title>Unentropy Metrics Report - preview/repository</title>" "$(cat prev/index.html)"
check_contains "preview switch" 'role="switch" aria-checked="true"' "$(cat prev/index.html)"
"$U" preview -c "$FIX/flat.json" -o prev2 >/dev/null
cmp -s prev/index.html prev2/index.html && ok "preview is deterministic" || bad "preview is deterministic"

out=$("$U" preview -c "$FIX/flat.json" -o prevdb --db std.db 2>/dev/null); rc=$?
check_contains "preview --db reads it" "Reading database: std.db
✓ Preview report generated: prevdb/index.html" "$out"
check_contains "preview --db shows 60 builds" "<span class=\"uent-count\">60 builds</span>" "$(cat prevdb/index.html)"

out=$("$U" preview -c "$FIX/flat.json" --db none.db 2>/dev/null); rc=$?
check "preview missing db" "1|$(printf '%s\n' "Checking $FIX/flat.json..." "✓ Config schema valid" "Generating preview report with 6 metrics:" \
  "  - coverage (Test coverage)" "  - loc (Lines of code)" "  - bundle (Bundle size)" "  - build-time (Build time)" \
  "  - score (Quality score)" "  - status (CI status)" "Error: Database not found: none.db" \
  "Run metric collection first, or check the path.")" "$rc|$out"

out=$("$U" preview -c none.json 2>/dev/null); rc=$?
check "preview missing config (stdout)" "1|Checking none.json...
Error: Config file not found: none.json
Run 'unentropy init' to create one." "$rc|$out"

echo '{ "metrics": { "Bad Key": { "type": "numeric", "command": "x" } }, "report": { "mode": "sepia" } }' > invalid.json
out=$("$U" preview -c invalid.json 2>/dev/null); rc=$?
check "preview invalid config" "1|Checking invalid.json...
✗ Config schema invalid:
  metrics[\"Bad Key\"]: metric key must be lowercase with hyphens only (pattern: ^[a-z0-9-]+\$)
  report.mode: mode must be one of: auto, light, dark

Fix the errors above and try again." "$rc|$out"

mkdir -p bin && printf '#!/bin/sh\necho "$1" > "%s/opened"\n' "$TMP" > bin/xdg-open && chmod +x bin/xdg-open
out=$(PATH="$TMP/bin:$PATH" "$U" preview -c "$FIX/flat.json" -o prevopen --open 2>/dev/null); rc=$?
check_contains "preview --open" "✓ Preview report generated: prevopen/index.html
Opening in browser..." "$out"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/opened" ] && break; sleep 0.2; done
check "preview --open hands the file to xdg-open" "$TMP/prevopen/index.html" "$(cat "$TMP/opened" 2>/dev/null)"

# ---- collect writes the report --------------------------------------------------
R=$TMP/repo
new_repo "$R"
cat > "$R/unentropy.json" <<'JSON'
{ "metrics": { "files": { "type": "numeric", "unit": "integer", "command": "echo 3" },
               "phase": { "type": "label", "command": "echo beta" } } }
JSON
out=$(cd "$R" && "$U" collect --repository acme/repo 2>&1); rc=$?
check "collect exits 0" 0 "$rc"
check_contains "collect report line" "✓ Report generated: unentropy-report/index.html" "$out"
check_contains "collect report content" "Unentropy Metrics Report - acme/repo" "$(cat "$R/unentropy-report/index.html")"
check_contains "collect report has the build" "<span class=\"uent-count\">1 builds</span>" "$(cat "$R/unentropy-report/index.html")"
out=$(cd "$R" && "$U" collect --no-report --report-dir other 2>&1); rc=$?
[ ! -e "$R/other" ] && ok "collect --no-report writes no report" || bad "collect --no-report writes no report"
out=$(cd "$R" && "$U" collect --report-dir /proc/nope 2>&1); rc=$?
check "collect with an unwritable report dir still exits 0" 0 "$rc"
check_contains "collect report warning" "warning: report generation failed: " "$out"
finish
