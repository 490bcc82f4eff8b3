#!/bin/bash
# End to end (issue 10, docs/noise.md): a benchmark metric with repeat: 5
# and a statistical threshold, in a real git repository. Main records 12
# builds of a noisy benchmark (CV 2%); a PR branch that changes nothing
# passes the hard gate, a branch that slows the benchmark by 10% fails it
# with a one-line explanation (results JSON, job summary, stderr). After
# the slow branch lands on main, `changes` finds the step at its commit;
# `annotate --reset` marks it intended and restarts the window, so the gate
# passes again at the new level. The database gains the additive 2.1.0
# table only when annotated.
. "$SRC/tests/cli/lib.sh"

unset GITHUB_ACTIONS GITLAB_CI GITHUB_EVENT_NAME GITHUB_EVENT_PATH GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL \
    GITHUB_BASE_REF GITHUB_OUTPUT GITHUB_STEP_SUMMARY CI_MERGE_REQUEST_TARGET_BRANCH_NAME UNENTROPY_MERGE_BASE \
    UNENTROPY_COMMIT_SHA UNENTROPY_BRANCH UNENTROPY_RUN_ID UNENTROPY_RUN_NUMBER UNENTROPY_EVENT_NAME \
    UNENTROPY_TIMESTAMP UNENTROPY_DEBUG

# jget FILE LUA-EXPR: evaluates the expression with `r` = the decoded JSON file.
cat > "$TMP/jget.lua" <<'LUA'
local file, expr = ...
local r = require("unentropy.json").decode(assert(io.open(file)):read("a"))
print(tostring(assert(load("return " .. expr, "expr", "t", { r = r, tostring = tostring }))()))
LUA
jget() { "$U" run "$TMP/jget.lua" "$1" "$2"; }

R=$TMP/repo
new_repo "$R"
export BENCH_STATE=$TMP/bench-counter
# The benchmark: 50 ms x the factor in speed.txt, with normal-ish noise of
# CV 2% (a sum of 12 uniforms) from a deterministic counter-seeded awk.
cat > "$R/bench.sh" <<'SH'
#!/bin/sh
n=$(cat "$BENCH_STATE" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$BENCH_STATE"
awk -v s="$n" -v f="$(cat speed.txt)" 'BEGIN { srand(s); z = -6; for (i = 0; i < 12; i++) z += rand();
  printf "%.6f\n", 0.05 * f * (1 + 0.02 * z) }'
SH
chmod +x "$R/bench.sh"
echo 1.00 > "$R/speed.txt"
cat > "$R/unentropy.json" <<'JSON'
{
  "metrics": {
    "bench": { "type": "numeric", "unit": "duration", "direction": "lower-is-better",
               "command": "./bench.sh", "repeat": 5 }
  },
  "qualityGate": {
    "mode": "hard",
    "thresholds": [ { "metric": "bench", "mode": "statistical" } ]
  }
}
JSON
printf 'unentropy.db*\n.unentropy/\n' > "$R/.gitignore"
git -C "$R" add -A && git -C "$R" commit -qm "benchmark"

RUN=0
# record: one push build of HEAD on main, timestamps one hour apart.
record() {
    RUN=$((RUN + 1))
    git -C "$R" commit -q --allow-empty -m "main build $RUN"
    local ts
    ts=$(date -u -d "@$(( $(date +%s) - (100 - RUN) * 3600 ))" +%Y-%m-%dT%H:%M:%S.000Z)
    (cd "$R" && "$U" collect --no-report --branch main --event push --run-id "r$RUN" --run-number "$RUN" \
        --timestamp "$ts") > "$TMP/collect.out" 2>&1 || { bad "collect $RUN" "$(cat "$TMP/collect.out")"; }
}
for _ in $(seq 12); do record; done
check_contains "collect shows the runs and spread" "(5 runs, spread " "$(cat "$TMP/collect.out")"
check "12 builds recorded" "12" "$(sqlite3 "$R/unentropy.db" 'SELECT count(*) FROM metric_values')"
check "schema stays upstream's 2.0.0" "2.0.0" "$(sqlite3 "$R/unentropy.db" 'SELECT group_concat(version) FROM schema_version')"

# gate BRANCH: the hard gate of HEAD as a pull request into main.
gate() {
    rm -f "$TMP/summary.md"
    (cd "$R" && GITHUB_STEP_SUMMARY=$TMP/summary.md "$U" gate --branch "$1" --event pull_request \
        --reference-branch main --no-comment -o "$TMP/$1.json") > "$TMP/$1.out" 2> "$TMP/$1.err"
}

# --- a branch that changes nothing passes --------------------------------------------------
git -C "$R" checkout -q -b same
git -C "$R" commit -q --allow-empty -m "docs only"
gate same
check "unchanged branch: exit 0" "0" "$?"
check "unchanged branch: status pass" "pass" "$(jget "$TMP/same.json" 'r.qualityGate.status')"
check "unchanged branch: 12 builds in the window" "12" \
    "$(jget "$TMP/same.json" 'r.qualityGate.metrics[1].checks[1].statistics.samples')"
check "unchanged branch: 5 runs recorded" "5" "$(jget "$TMP/same.json" 'r.qualityGate.metrics[1]["repeat"].runs')"
check_contains "unchanged branch: console says where it sits" "✅ bench: passed: " "$(cat "$TMP/same.out")"
check_contains "unchanged branch: within the limit" "is within the 99% upper limit of " "$(cat "$TMP/same.out")"
check_contains "gate output shows the runs" "(5 runs, spread " "$(cat "$TMP/same.out")"

# --- a branch 10% slower fails ------------------------------------------------------------------
git -C "$R" checkout -q main
git -C "$R" checkout -q -b slow
echo 1.10 > "$R/speed.txt"
git -C "$R" commit -qam "slower parser"
SLOW=$(git -C "$R" rev-parse HEAD)
gate slow
check "slow branch: hard gate exits 1" "1" "$?"
check "slow branch: status fail" "fail" "$(jget "$TMP/slow.json" 'r.qualityGate.status')"
MSG=$(jget "$TMP/slow.json" 'r.qualityGate.metrics[1].message')
check_contains "slow branch: the message explains" "is above the 99% upper limit of " "$MSG"
check_contains "slow branch: ... from the window" " from 12 builds on main (mean " "$MSG"
check_contains "stderr lists the violation" "  - bench: bench: " "$(cat "$TMP/slow.err")"
check_contains "stderr header" "Quality gate failed: 1 blocking threshold violations" "$(cat "$TMP/slow.err")"
# The comment (job summary): one violation line saying why.
LINE=$(grep -c '^- ❌ `bench`: bench: .* is above the 99% upper limit of .* from 12 builds on main (mean .*, t = ' \
    "$TMP/summary.md")
check "comment: one line explains the failure" "1" "$LINE"
check_contains "comment: the limit in the Threshold column" "(99% t, 12 builds) |" "$(cat "$TMP/summary.md")"
check "upper limit below the slow value" "true" \
    "$(jget "$TMP/slow.json" 'r.qualityGate.metrics[1].checks[1].statistics.upperLimit < r.qualityGate.metrics[1].pullRequestValue')"

# --- the slow change lands on main: change point, annotation, reset ------------------------------
git -C "$R" checkout -q main
git -C "$R" merge -q --ff-only slow
for _ in $(seq 9); do record; done
# record() commits before each build: the step is at the first build after the merge.
FIRST_SLOW=$(sqlite3 "$R/unentropy.db" "SELECT commit_sha FROM build_contexts WHERE run_number = 13")
(cd "$R" && "$U" changes --metric bench --branch main --json) > "$TMP/changes.json" 2> "$TMP/changes.err"
check "changes: exit 0" "0" "$?"
check "changes: one change point" "1" "$(jget "$TMP/changes.json" '#r.metrics[1].changes')"
check "changes: at the first slow build" "$FIRST_SLOW" "$(jget "$TMP/changes.json" 'r.metrics[1].changes[1].commit')"
check "changes: a regression" "regression" "$(jget "$TMP/changes.json" 'r.metrics[1].changes[1].kind')"
check "changes: about +10%" "true" \
    "$(jget "$TMP/changes.json" 'r.metrics[1].changes[1].changePercent > 7 and r.metrics[1].changes[1].changePercent < 13')"
(cd "$R" && "$U" changes --branch main) > "$TMP/changes.txt" 2>&1
check_contains "changes: text output" "▲ regression  ${FIRST_SLOW:0:7} run #13" "$(cat "$TMP/changes.txt")"

# The report marks the change point on the chart data and lists it on the card.
(cd "$R" && "$U" report -o "$TMP/report") > "$TMP/report.out" 2>&1
check "report: exit 0" "0" "$?"
HTML=$(cat "$TMP/report/index.html")
check_contains "report: change point in the chart data" \
    "\"changePoints\":[{\"index\":$(( $(sqlite3 "$R/unentropy.db" "SELECT id FROM build_contexts WHERE run_number = 13") - 1 )),\"kind\":\"regression\"" "$HTML"
check_contains "report: the card lists it" "<summary>1 change point</summary>" "$HTML"
check_contains "report: regression line" "▲ regression " "$HTML"
check_contains "report: at the commit" "at ${FIRST_SLOW:0:7} (build #13)" "$HTML"

# The gate now fails at the new level (the window still holds the fast builds).
git -C "$R" checkout -q -b after
git -C "$R" commit -q --allow-empty -m "unrelated"
gate after
check "before the reset: the window mixes both levels" "21" \
    "$(jget "$TMP/after.json" 'r.qualityGate.metrics[1].checks[1].statistics.samples')"

(cd "$R" && "$U" annotate --metric bench --commit "${FIRST_SLOW:0:8}" --note "slower parser, intended" --reset) \
    > "$TMP/annotate.out" 2>&1
check "annotate: exit 0" "0" "$?"
check_contains "annotate: full sha resolved" "Annotated bench at ${FIRST_SLOW:0:7} (statistical window restarts" \
    "$(cat "$TMP/annotate.out")"
check "annotation stored" "$FIRST_SLOW|slower parser, intended|1" \
    "$(sqlite3 "$R/unentropy.db" 'SELECT commit_sha, note, reset FROM metric_annotations')"
check "schema version 2.1.0 added" "2.0.0,2.1.0" \
    "$(sqlite3 "$R/unentropy.db" "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_version ORDER BY version)")"
gate after
check "after the reset: the gate passes at the new level" "0" "$?"
check "after the reset: only the 8 builds after the annotated one" "8" \
    "$(jget "$TMP/after.json" 'r.qualityGate.metrics[1].checks[1].statistics.samples')"
check "after the reset: status pass" "pass" "$(jget "$TMP/after.json" 'r.qualityGate.status')"
check_contains "comment notes the reset" "(statistical window restarts after it): slower parser, intended" \
    "$(cat "$TMP/summary.md")"
(cd "$R" && "$U" report -o "$TMP/report") > "$TMP/report.out" 2>&1
HTML=$(cat "$TMP/report/index.html")
check_contains "report: annotation in the chart data" "\"annotations\":[{\"index\":" "$HTML"
check_contains "report: the note on the card" "(build #13) — slower parser, intended (window reset)" "$HTML"
(cd "$R" && "$U" changes --metric bench --branch main) > "$TMP/changes.txt" 2>&1
check_contains "changes shows the annotation" "📝 slower parser, intended (window reset)" "$(cat "$TMP/changes.txt")"

# Usage errors.
(cd "$R" && "$U" annotate --metric nope --commit "$FIRST_SLOW" --note x) > "$TMP/e.out" 2>&1
check "annotate: unknown metric exits 1" "1" "$?"
check_contains "annotate: unknown metric message" "unknown metric 'nope'" "$(cat "$TMP/e.out")"
(cd "$R" && "$U" annotate --metric bench --commit "$FIRST_SLOW") > "$TMP/e.out" 2>&1
check_contains "annotate: --note required" "--note is required" "$(cat "$TMP/e.out")"
(cd "$R" && "$U" changes --p-value 2) > "$TMP/e.out" 2>&1
check "changes: bad --p-value exits 1" "1" "$?"
(cd "$R" && "$U" annotate --metric bench --commit "$FIRST_SLOW" --delete) > "$TMP/e.out" 2>&1
check_contains "annotate --delete" "Removed the annotation of bench at ${FIRST_SLOW:0:7}" "$(cat "$TMP/e.out")"

finish
