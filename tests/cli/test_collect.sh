#!/bin/bash
# End to end: `unentropy collect` and `unentropy test` in a fresh git
# repository with five shell metrics (one failing, one label, one with a Lua
# parser); three collects give three builds, read back with the sqlite3 CLI.
. "$SRC/tests/cli/lib.sh"

R=$TMP/repo
new_repo "$R"
mkdir -p "$R/tools"
cat > "$R/tools/passed.lua" <<'LUA'
return function(stdout, ctx)
  local n = stdout:match("(%d+) passed")
  if not n then return nil, "no summary" end
  return tonumber(n) + ctx.build.run_number * 0
end
LUA
cat > "$R/unentropy.json" <<'JSON'
{
  "metrics": {
    "coverage": { "type": "numeric", "unit": "percent", "command": "echo 87.5%" },
    "broken": { "type": "numeric", "command": "echo oops >&2; exit 3" },
    "phase": { "type": "label", "command": "printf '  beta  \\n'" },
    "tests-passed": { "type": "numeric", "unit": "integer", "command": "echo 'Tests: 1 failed, 41 passed'",
                      "parser": "tools/passed.lua" },
    "bundle": { "type": "numeric", "unit": "bytes", "command": "echo $((1536 * UNENTROPY_RUN_NUMBER))" }
  }
}
JSON

out=$(cd "$R" && "$U" test 2>&1); rc=$?
check "test exits 2 when a metric fails" 2 "$rc"
expected=$(printf '%s\n' "Checking unentropy.json..." "" "✓ Config schema valid" "" "Collecting metrics:" "" \
  "$(printf '  ✓ coverage (percent)    \t87.5%%  ')" )
check_contains "test header" "$expected" "$out"
# W = max(11, longest label) = len("tests-passed (integer)") = 22
check_contains "test failure line" "$(printf '  ✗ broken                \tError: Command failed with exit code 3: oops')" "$out"
check_contains "test label line" "$(printf '  ✓ phase                 \tbeta  ')" "$out"
check_contains "test parser line" "$(printf '  ✓ tests-passed (integer)\t41  ')" "$out"
check_contains "test summary" "1 of 5 metric failed" "$out"
[ ! -e "$R/unentropy.db" ] && ok "test writes nothing" || bad "test writes nothing"

for i in 1 2 3; do
    out=$(cd "$R" && "$U" collect --no-report 2>&1); rc=$?
    check "collect $i exits 0" 0 "$rc"
done
sha=$(git -C "$R" rev-parse HEAD)
check_contains "collect header" "Collecting 5 metrics for main @ ${sha:0:7} (run local-" "$out"
check_contains "collect ok line" "  ✓ bundle  4.5 KB  (" "$out"
check_contains "collect failure line" "  ✗ broken  Command failed with exit code 3: oops" "$out"
check_contains "collect recorded line" "Recorded build 3: 4 of 5 metrics (storage://sqlite-local/" "$out"

db=$R/unentropy.db
check "three builds" 3 "$(sqlite3 "$db" 'SELECT count(*) FROM build_contexts')"
check "run numbers" "1 2 3" "$(sqlite3 "$db" 'SELECT group_concat(run_number, " ") FROM build_contexts ORDER BY id')"
check "commit recorded" "$sha" "$(sqlite3 "$db" 'SELECT DISTINCT commit_sha FROM build_contexts')"
check "event local" "local" "$(sqlite3 "$db" 'SELECT DISTINCT event_name FROM build_contexts')"
check "values per build" "4|4|4" "$(sqlite3 "$db" 'SELECT group_concat(n, "|") FROM (SELECT count(*) n FROM metric_values GROUP BY build_id ORDER BY build_id)')"
check "numeric values" "87.5" "$(sqlite3 "$db" "SELECT DISTINCT value_numeric FROM metric_values WHERE metric_id='coverage'")"
check "label value" "beta" "$(sqlite3 "$db" "SELECT DISTINCT value_label FROM metric_values WHERE metric_id='phase'")"
check "parser value" "41.0" "$(sqlite3 "$db" "SELECT DISTINCT value_numeric FROM metric_values WHERE metric_id='tests-passed'")"
check "env run number" "1536.0 3072.0 4608.0" "$(sqlite3 "$db" "SELECT group_concat(value_numeric, ' ') FROM metric_values WHERE metric_id='bundle' ORDER BY build_id")"
check "failed metric not stored" "0" "$(sqlite3 "$db" "SELECT count(*) FROM metric_values WHERE metric_id='broken'")"
check "definitions" "bundle|numeric|bytes coverage|numeric|percent phase|label| tests-passed|numeric|integer" \
  "$(sqlite3 "$db" "SELECT group_concat(id || '|' || type || '|' || coalesce(unit, ''), ' ') FROM (SELECT * FROM metric_definitions ORDER BY id)")"
check "schema version" "2.0.0" "$(sqlite3 "$db" 'SELECT version FROM schema_version')"

# A re-run of the same commit and run id replaces that build's values.
out=$(cd "$R" && "$U" collect --no-report --run-id rerun-1 --run-number 7 2>&1)
out=$(cd "$R" && "$U" collect --no-report --run-id rerun-1 --run-number 8 2>&1); rc=$?
check "re-run exits 0" 0 "$rc"
check "re-run keeps one row" "1|8" "$(sqlite3 "$db" "SELECT count(*) || '|' || max(run_number) FROM build_contexts WHERE run_id='rerun-1'")"
check "re-run values replaced" "4" "$(sqlite3 "$db" "SELECT count(*) FROM metric_values mv JOIN build_contexts b ON b.id = mv.build_id WHERE b.run_id='rerun-1'")"

# Context errors.
out=$(cd "$R" && "$U" collect --no-report --run-number abc 2>&1); rc=$?
check "bad run number exits 1" 1 "$rc"
check "bad run number message" "Error: --run-number must be a valid integer, got: abc" "$out"
out=$(cd "$R" && "$U" collect --no-report --timestamp 2024-01-01T00:00:00 2>&1); rc=$?
check "bad timestamp message" 'Error: invalid timestamp "2024-01-01T00:00:00": expected RFC 3339 with offset' "$out"
out=$(cd "$R" && "$U" collect loc 2>&1); rc=$?
check "old collect syntax" "Error: 'unentropy collect loc' is now 'unentropy measure loc'" "$out"

# Outside git, a commit is required.
mkdir -p "$TMP/nogit" && cp -r "$R/unentropy.json" "$R/tools" "$TMP/nogit/"
out=$(cd "$TMP/nogit" && "$U" collect --no-report 2>&1); rc=$?
check "no git exits 1" 1 "$rc"
check_contains "no git message" "cannot determine commit: not in CI and" "$out"

# GitHub Actions: context from the environment, outputs and job summary.
out=$(cd "$R" && env GITHUB_ACTIONS=true GITHUB_SHA=abcdef1234567890 GITHUB_REF=refs/heads/feature/x \
    GITHUB_RUN_ID=999 GITHUB_RUN_NUMBER=12 GITHUB_EVENT_NAME=push GITHUB_OUTPUT="$TMP/out.txt" \
    GITHUB_STEP_SUMMARY="$TMP/summary.md" "$U" collect --no-report 2>&1); rc=$?
check "github collect exits 0" 0 "$rc"
check_contains "github header" "Collecting 5 metrics for feature/x @ abcdef1 (run 999 #12, event push)" "$out"
check_contains "github outputs" "metrics-collected=4" "$(cat "$TMP/out.txt")"
check_contains "github outputs failed" "metrics-failed=1" "$(cat "$TMP/out.txt")"
check_contains "summary heading" "## 📊 Unentropy metrics" "$(cat "$TMP/summary.md")"
check_contains "summary build line" 'Build `abcdef1` on `feature/x` (run #12): 4 of 5 metrics collected.' "$(cat "$TMP/summary.md")"
check_contains "summary failed" '**Failed:** `broken` (Command failed with exit code 3: oops)' "$(cat "$TMP/summary.md")"
out=$(cd "$R" && env GITHUB_ACTIONS=true GITHUB_REF=refs/heads/x GITHUB_RUN_ID=1 GITHUB_RUN_NUMBER=1 \
    "$U" collect --no-report 2>&1); rc=$?
check "missing GITHUB_SHA exits 1" 1 "$rc"
check_contains "missing GITHUB_SHA message" "Required environment variable GITHUB_SHA is missing" "$out"

finish
