#!/bin/bash
# End to end: `unentropy gate` in a real git repository with a recorded
# main-branch history and a PR branch that drops coverage and grows the
# bundle by 12% (limit 5%), posting to the fake GitHub API
# (tests/tools/github-api.js): one comment created on page 2 of the PR's
# comments, then updated in place; hard mode exits 1, severity warning exits
# 0; results JSON, GITHUB_OUTPUT and the job summary; a 502 retried; a
# read-only token (fork PR) gives a warning; the token never printed.
. "$SRC/tests/cli/lib.sh"

command -v node >/dev/null || { echo "SKIP: node not installed"; exit 0; }
# A clean environment: no CI detection, no GitHub or GitLab context from outside.
unset GITHUB_ACTIONS GITLAB_CI GITHUB_EVENT_NAME GITHUB_EVENT_PATH GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL \
    GITHUB_BASE_REF GITHUB_OUTPUT GITHUB_STEP_SUMMARY CI_MERGE_REQUEST_TARGET_BRANCH_NAME UNENTROPY_MERGE_BASE \
    UNENTROPY_COMMIT_SHA UNENTROPY_BRANCH UNENTROPY_RUN_ID UNENTROPY_RUN_NUMBER UNENTROPY_EVENT_NAME \
    UNENTROPY_TIMESTAMP UNENTROPY_DEBUG UNENTROPY_HTTP_RETRIES

# --- the fake GitHub API ------------------------------------------------------
node "$SRC/tests/tools/github-api.js" --port 0 > "$TMP/server.log" 2>&1 < /dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$TMP/server.log" && break; sleep 0.1; done
API=$(sed -n 's/^listening on //p' "$TMP/server.log")
[ -n "$API" ] || { echo "FAIL fake GitHub API did not start"; cat "$TMP/server.log"; exit 1; }
# ctl METHOD ENDPOINT [JSON [TIMES]]: calls the control API (TIMES times), prints the last response.
ctl() {
    node -e 'const [u, m, b, n] = process.argv.slice(1);
      (async () => { let t = ""; for (let i = 0; i < Number(n); i++) {
        const r = await fetch(u, { method: m, headers: { "content-type": "application/json" }, body: b || undefined });
        if (!r.ok) { console.error("control " + r.status); process.exit(1); }
        t = await r.text(); } process.stdout.write(t); })();' "$API/_control/$2" "$1" "${3:-}" "${4:-1}"
}
# js EXPR: evaluates EXPR with `s` = the server state.
js() { ctl GET state | node -e "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{const s=JSON.parse(d);console.log($1)})"; }
# jf FILE EXPR: evaluates EXPR with `r` = the JSON file.
jf() { node -e "const r=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'));console.log($2)" "$1"; }

# --- the repository and its main-branch history ------------------------------------------
R=$TMP/repo
new_repo "$R"
mkdir -p "$R/dist"
cat > "$R/unentropy.json" <<'JSON'
{
  "metrics": {
    "coverage": { "$ref": "coverage", "name": "Test Coverage", "command": "cat coverage.txt" },
    "bundle-size": { "$ref": "size", "name": "Bundle size", "command": "@collect size dist" },
    "warnings": { "type": "numeric", "unit": "integer", "command": "echo 3", "direction": "lower-is-better" },
    "phase": { "type": "label", "command": "echo beta" }
  },
  "qualityGate": {
    "mode": "soft",
    "thresholds": [
      { "metric": "coverage", "mode": "no-regression", "tolerance": 1 },
      { "metric": "bundle-size", "mode": "delta-max-drop", "maxDropPercent": 5 }
    ]
  }
}
JSON
printf 'unentropy.db*\n.unentropy/\n' > "$R/.gitignore"

ts() { date -u -d "-$1 hours" +%Y-%m-%dT%H:%M:%SZ; }
commit_state() { # coverage bundle-bytes message
    echo "$1" > "$R/coverage.txt"
    head -c "$2" /dev/zero > "$R/dist/bundle.js"
    git -C "$R" add -A && git -C "$R" commit -qm "$3"
}
record() { # run hours-ago [extra collect flags]
    local run=$1 ago=$2; shift 2
    (cd "$R" && "$U" collect --no-report --branch main --commit "$(git -C "$R" rev-parse HEAD)" --run-id "$run" \
        --run-number "$run" --event push --timestamp "$(ts "$ago")" "$@") > "$TMP/collect.out" 2>&1 \
        || { echo "FAIL collect $run"; cat "$TMP/collect.out"; exit 1; }
}
commit_state 84 100000 "one";   record 1 72
commit_state 85.5 100000 "two"; record 2 48
BASE=$(git -C "$R" rev-parse HEAD)
git -C "$R" checkout -qb feature
commit_state 79 112000 "pr: less coverage, bigger bundle"
git -C "$R" checkout -q main
commit_state 90 90000 "three"; record 3 24
# a PR build (never a baseline), even on main
(cd "$R" && "$U" collect --no-report --branch main --event pull_request --run-id 9 --timestamp "$(ts 1)") >/dev/null 2>&1
LATEST=$(git -C "$R" rev-parse HEAD)
git -C "$R" checkout -q feature
check "history: 4 builds" 4 "$(sqlite3 "$R/unentropy.db" 'SELECT count(*) FROM build_contexts')"

# --- the PR context ----------------------------------------------------------------------
TOKEN=ghs_SECRETtoken4242abcdef
echo '{"action":"synchronize","number":7,"pull_request":{"number":7}}' > "$TMP/event.json"
OUT=$TMP/github_output SUM=$TMP/summary.md
gate() { # runs unentropy gate in the repo with the PR environment
    (cd "$R" && env GITHUB_API_URL="$API" GITHUB_TOKEN="${T:-$TOKEN}" GITHUB_REPOSITORY=o/r \
        GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$TMP/event.json" GITHUB_BASE_REF=main \
        GITHUB_OUTPUT="$OUT" GITHUB_STEP_SUMMARY="$SUM" "$U" gate "$@") > "$TMP/out" 2> "$TMP/err"
}
# 120 earlier comments: the gate's comment lands on page 2.
ctl POST comments '{"repo":"o/r","issue":7,"body":"an earlier comment"}' 119 >/dev/null
ctl POST comments '{"repo":"o/r","issue":7,"body":"comment 120"}' >/dev/null

# --- 1. hard mode: fails, creates one comment ---------------------------------------------------
rm -f "$OUT" "$SUM"
gate --mode hard; rc=$?
out=$(cat "$TMP/out"); err=$(cat "$TMP/err")
check "hard: exit 1" 1 "$rc"
check_contains "hard: header" "Quality gate: mode hard, reference main" "$out"
check_contains "hard: collect lines" "  ✓ bundle-size  109.4 KB  (" "$out"
check_contains "hard: coverage line" \
    "  ❌ coverage: Test Coverage regressed beyond tolerance (79 vs baseline 85.5, tolerance: 1)" "$out"
check_contains "hard: bundle line" \
    "  ❌ bundle-size: Bundle size increased by 12.00%, exceeding max allowed increase of 5%" "$out"
check_contains "hard: no-threshold line" "  ⚠️ warnings: No threshold configured for this metric" "$out"
check_contains "hard: status line" "Quality gate: FAIL (0 passed, 2 failed, 1 unknown)" "$out"
check_contains "hard: results line" "Results: $R/.unentropy/quality-gate-results.json" "$out"
check_contains "hard: comment created" "PR comment: created https://github.com/o/r/pull/7#issuecomment-" "$out"
check_contains "hard: merge-base logged" "merge-base: $BASE (git merge-base main)" "$err"
check_contains "hard: stderr failure" "Quality gate failed: 2 blocking threshold violations
  - coverage: Test Coverage regressed beyond tolerance (79 vs baseline 85.5, tolerance: 1)
  - bundle-size: Bundle size increased by 12.00%, exceeding max allowed increase of 5%" "$err"
RES=$R/.unentropy/quality-gate-results.json
check "hard: results status/mode" "fail hard" "$(jf "$RES" 'r.qualityGate.status+" "+r.qualityGate.mode')"
check "hard: results keys" "timestamp,durationMs,version,collection,prCommentUrl,qualityGate" \
    "$(jf "$RES" 'Object.keys(r).join()')"
check "hard: baselines from the merge-base" "85.5 merge-base $BASE 100000" \
    "$(jf "$RES" '[r.qualityGate.metrics[0].baseline,r.qualityGate.metrics[0].baselineSource,r.qualityGate.metrics[0].baselineCommit,r.qualityGate.metrics[1].baseline].join(" ")')"
check "hard: failing metrics" "coverage,bundle-size" "$(jf "$RES" 'r.qualityGate.failingMetrics.map(m=>m.metric).join()')"
check "hard: summary" '{"totalMetrics":3,"evaluatedMetrics":2,"passed":0,"failed":2,"unknown":1}' \
    "$(jf "$RES" 'JSON.stringify(r.qualityGate.summary)')"
check "hard: baselineInfo" "{\"referenceBranch\":\"main\",\"maxAgeDays\":90,\"mergeBaseCommit\":\"$BASE\"}" \
    "$(jf "$RES" 'JSON.stringify(r.qualityGate.baselineInfo)')"
check "hard: collection" '{"successful":4,"failed":0,"total":4,"failedMetrics":[]}' \
    "$(jf "$RES" 'JSON.stringify(r.collection)')"
check "hard: threshold echoed in key order" '{"metric":"bundle-size","mode":"delta-max-drop","maxDropPercent":5}' \
    "$(jf "$RES" 'JSON.stringify(r.qualityGate.metrics[1].threshold)')"
check "hard: one comment added (121)" 121 "$(js 's.comments["o/r#7"].length')"
URL=$(js 's.comments["o/r#7"][120].html_url')
check "hard: prCommentUrl" "$URL" "$(jf "$RES" 'r.prCommentUrl')"
body=$(js 's.comments["o/r#7"][120].body')
check "hard: comment starts with the marker" "<!-- unentropy-quality-gate -->" "$(printf '%s\n' "$body" | head -1)"
check_contains "hard: comment heading" "## 🛡️ Quality Gate: **FAIL** ❌" "$body"
check_contains "hard: comment table" "| ❌ Bundle size (\`bundle-size\`) | 97.7 KB | 109.4 KB | +11.7 KB |" "$body"
check_contains "hard: comment violation" \
    "- ❌ **Test Coverage** (\`coverage\`): Test Coverage regressed beyond tolerance (79 vs baseline 85.5, tolerance: 1)" "$body"
check_contains "hard: comment other metrics folded" "<details>
<summary>Other tracked metrics (no thresholds configured)</summary>

| Metric | Base | PR | Δ |
|--------|------|-----|---|
| \`warnings\` | 3 | 3 | - |

</details>" "$body"
check_contains "hard: comment names the merge-base" "**Mode**: hard • **Reference**: main • **Baseline**: merge-base \`${BASE:0:7}\`" "$body"
summary=$(cat "$SUM")
check "hard: summary = comment without the marker" "$(printf '%s\n' "$body" | tail -n +3)" "$summary"
outputs=$(cat "$OUT")
for line in "quality-gate-status=fail" "quality-gate-mode=hard" "quality-gate-failing-metrics=coverage,bundle-size" \
    "quality-gate-comment-url=$URL" "metrics-collected=4" "baseline-reference-branch=main" \
    "baseline-builds-considered=1" "quality-gate-results-path=$RES" "quality-gate-results-json<<ghadelimiter_"; do
    check_contains "hard: output ${line%%[=<]*}" "$line" "$outputs"
done
check_contains "hard: results JSON output" "$(cat "$RES")" "$outputs"
check "hard: requests" "GET:page=1 GET:page=2 POST" \
    "$(js 's.requests.map(r=>r.method+(r.method==="GET"?":"+r.query.replace(/.*(page=\d+)$/,"\$1"):"")).join(" ")')"
check "hard: User-Agent and Authorization sent" "unentropy/true" \
    "$(js 's.requests.map(r=>r.user_agent.replace(/\/.*/,"/")+r.authorization_present)[0]')"
check "hard: gate recorded nothing" 4 "$(sqlite3 "$R/unentropy.db" 'SELECT count(*) FROM build_contexts')"

# --- 2. second run: the same comment is updated --------------------------------------------------
echo 80 > "$R/coverage.txt"
gate --mode hard; rc=$?
check "rerun: exit 1" 1 "$rc"
check_contains "rerun: comment updated" "PR comment: updated $URL" "$(cat "$TMP/out")"
check "rerun: still 121 comments" 121 "$(js 's.comments["o/r#7"].length')"
check_contains "rerun: body updated" "(80 vs baseline 85.5, tolerance: 1)" "$(js 's.comments["o/r#7"][120].body')"
check "rerun: earlier comments untouched" "comment 120" "$(js 's.comments["o/r#7"][119].body')"
check "rerun: requests" "GET GET PATCH" "$(js 's.requests.slice(-3).map(r=>r.method).join(" ")')"

# --- 3. severity warning: hard mode exits 0 ------------------------------------------------------
cp "$R/unentropy.json" "$TMP/config.bak"
sed -i 's/"tolerance": 1 }/"tolerance": 1, "severity": "warning" }/; s/"maxDropPercent": 5 }/"maxDropPercent": 5, "severity": "warning" }/' \
    "$R/unentropy.json"
gate --mode hard; rc=$?
check "warning: exit 0" 0 "$rc"
check_contains "warning: status line" "Quality gate: PASS (0 passed, 2 failed, 1 unknown)" "$(cat "$TMP/out")"
check "warning: results" "pass 0" "$(jf "$RES" 'r.qualityGate.status+" "+r.qualityGate.failingMetrics.length')"
check_contains "warning: comment updated" "PR comment: updated $URL" "$(cat "$TMP/out")"
check_contains "warning: bullet" "increase of 5% _(warning)_" "$(js 's.comments["o/r#7"][120].body')"
cp "$TMP/config.bak" "$R/unentropy.json"

# --- 4. a 502 on the update is retried ------------------------------------------------------------
ctl POST fail '{"method":"PATCH","path":"/repos/o/r/issues/comments/*","status":502,"count":1}' >/dev/null
n0=$(js 's.requests.length')
gate; rc=$?
check "502: soft exit 0" 0 "$rc"
check_contains "502: updated after retry" "PR comment: updated $URL" "$(cat "$TMP/out")"
check "502: PATCH 502 then 200" "PATCH:502 PATCH:200" \
    "$(js "s.requests.slice($n0).filter(r=>r.method==='PATCH').map(r=>r.method+':'+r.status).join(' ')")"
check "502: still one gate comment" 1 "$(js 's.comments["o/r#7"].filter(c=>c.body.includes("unentropy-quality-gate")).length')"

# --- 5. read-only token (fork PR): warning, summary, no failure ----------------------------------
rm -f "$SUM"
T=ro-$TOKEN gate --mode hard; rc=$?
err=$(cat "$TMP/err")
check "403: hard failure still exits 1 (gate result unchanged)" 1 "$rc"
check_contains "403: warning" \
    "warning: Failed to post PR comment: GitHub API PATCH /repos/o/r/issues/comments/" "$err"
check_contains "403: reason" "returned HTTP 403: Resource not accessible by integration" "$err"
check_contains "403: console" "PR comment: skipped (posting failed: HTTP 403)" "$(cat "$TMP/out")"
check "403: prCommentUrl null" null "$(jf "$RES" 'r.prCommentUrl')"
check_contains "403: job summary written" "## 🛡️ Quality Gate: **FAIL** ❌" "$(cat "$SUM")"
echo '{"pull_request":{"number":8}}' > "$TMP/event.json"
T=ro-$TOKEN gate; rc=$?
check "403 on create: soft exit 0" 0 "$rc"
check_contains "403 on create: POST refused" "GitHub API POST /repos/o/r/issues/8/comments returned HTTP 403" \
    "$(cat "$TMP/err")"
check "403 on create: no comment on #8" 0 "$(js '(s.comments["o/r#8"]||[]).length')"
echo '{"pull_request":{"number":7}}' > "$TMP/event.json"

# --- 6. the token never appears anywhere ------------------------------------------------------------
(cd "$R" && env GITHUB_API_URL="$API" GITHUB_TOKEN="$TOKEN" GITHUB_REPOSITORY=o/r GITHUB_EVENT_NAME=pull_request \
    GITHUB_EVENT_PATH="$TMP/event.json" GITHUB_OUTPUT="$OUT" GITHUB_STEP_SUMMARY="$SUM" UNENTROPY_DEBUG=1 \
    "$U" gate -v) > "$TMP/out" 2> "$TMP/err"
check_contains "debug: requests logged" "debug: http GET" "$(cat "$TMP/err")"
leaks=$(grep -l "SECRETtoken" "$TMP/out" "$TMP/err" "$OUT" "$SUM" "$RES" 2>/dev/null)
check "token never printed or written" "" "$leaks"

# --- 7. baselines: latest on main when the merge-base has no build ----------------------------------
gate --merge-base 0123456789abcdef0123456789abcdef01234567 --no-comment; rc=$?
check "latest: exit 0" 0 "$rc"
check "latest: baselines from the latest main build" "90 latest $LATEST" \
    "$(jf "$RES" '[r.qualityGate.metrics[0].baseline,r.qualityGate.metrics[0].baselineSource,r.qualityGate.metrics[0].baselineCommit].join(" ")')"
check_contains "latest: footer" "**Baseline**: latest on \`main\`" "$(cat "$SUM")"
check_contains "latest: comment disabled" "PR comment: skipped (disabled)" "$(cat "$TMP/out")"
UNENTROPY_MERGE_BASE=$LATEST gate --no-comment
check "UNENTROPY_MERGE_BASE used" "merge-base $LATEST" "$(jf "$RES" 'r.qualityGate.metrics[0].baselineSource+" "+r.qualityGate.baselineInfo.mergeBaseCommit')"

# The GitHub compare API gives the merge-base when git cannot (no local 'trunk').
HEAD_SHA=$(git -C "$R" rev-parse HEAD)
ctl POST compare "{\"repo\":\"o/r\",\"base\":\"trunk\",\"head\":\"$HEAD_SHA\",\"merge_base_sha\":\"$BASE\"}" >/dev/null
gate --reference-branch trunk --no-comment
check_contains "compare API: merge-base logged" "merge-base: $BASE (GitHub compare API)" "$(cat "$TMP/err")"
check "compare API: merge-base baseline" "85.5 merge-base" \
    "$(jf "$RES" 'r.qualityGate.metrics[0].baseline+" "+r.qualityGate.metrics[0].baselineSource')"
check "compare API: request" "/repos/o/r/compare/trunk...$HEAD_SHA" \
    "$(js 's.requests.filter(r=>r.path.includes("/compare/")).map(r=>r.path).pop()')"
gate --reference-branch nowhere --no-comment
check_contains "no merge-base: logged" "merge-base: not available (git merge-base found no common ancestor" \
    "$(cat "$TMP/err")"
check "no merge-base: no baselines" "unknown 0" \
    "$(jf "$RES" 'r.qualityGate.status+" "+r.qualityGate.metrics.filter(m=>m.baseline!==undefined).length')"

# --- 8. custom comment template ----------------------------------------------------------------------
mkdir -p "$R/ci"
cat > "$R/ci/comment.lua" <<'LUA'
return function(results, h)
  local qg = results.qualityGate
  local lines = { "## Gate says " .. qg.status, "" }
  for _, m in ipairs(qg.metrics) do
    lines[#lines + 1] = string.format("- %s %s: %s (%s)", h.icon(m.status), h.escape(m.name),
      h.format(m.pullRequestValue, m.unit), h.delta(m.absoluteDelta, m.unit))
  end
  return table.concat(lines, "\n")
end
LUA
sed -i 's|"mode": "soft",|"mode": "soft", "commentTemplate": "ci/comment.lua",|' "$R/unentropy.json"
rm -f "$SUM"
gate --pr-number 7; rc=$?
check "template: exit 0" 0 "$rc"
check "template: summary" "## Gate says fail

- ❌ Test Coverage: 80.0% (-5.5%)
- ❌ Bundle size: 109.4 KB (+11.7 KB)
- ⚠️ warnings: 3 (-)" "$(cat "$SUM")"
check "template: comment body" "<!-- unentropy-quality-gate -->

$(cat "$SUM")" "$(js 's.comments["o/r#7"][120].body')"
echo 'return function() error("broken template") end' > "$R/ci/comment.lua"
rm -f "$SUM"
gate --no-comment
check_contains "template error: warning" "warning: comment template failed: " "$(cat "$TMP/err")"
check_contains "template error: default body" "## 🛡️ Quality Gate: **FAIL** ❌" "$(cat "$SUM")"
cp "$TMP/config.bak" "$R/unentropy.json"

# GitLab: reference from CI_MERGE_REQUEST_TARGET_BRANCH_NAME, no comment.
(cd "$R" && env GITLAB_CI=true CI_COMMIT_SHA="$HEAD_SHA" CI_COMMIT_REF_NAME=feature CI_PIPELINE_ID=5 \
    CI_PIPELINE_IID=5 CI_PIPELINE_SOURCE=merge_request_event CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
    GITHUB_TOKEN="$TOKEN" GITHUB_REPOSITORY=o/r "$U" gate) > "$TMP/out" 2> "$TMP/err"
check_contains "gitlab: reference" "Quality gate: mode soft, reference main" "$(cat "$TMP/out")"
check_contains "gitlab: no comment" "PR comment: skipped (GitLab merge requests get no comment)" "$(cat "$TMP/out")"

# --- 9. other modes and contexts -------------------------------------------------------------------
n0=$(js 's.requests.length')
rm -f "$OUT" "$SUM"
gate --mode off -o "$TMP/off/results.json"; rc=$?
check "off: exit 0" 0 "$rc"
check "off: message" "Quality gate is off; nothing evaluated." "$(cat "$TMP/out")"
check "off: results" '{"status":"unknown","mode":"off","metrics":[],"failingMetrics":[],"summary":{"totalMetrics":0,"evaluatedMetrics":0,"passed":0,"failed":0,"unknown":0},"baselineInfo":{"referenceBranch":"","maxAgeDays":0}}' \
    "$(jf "$TMP/off/results.json" 'JSON.stringify(r.qualityGate)')"
check "off: summary" "## 🛡️ Quality Gate: off" "$(cat "$SUM")"
check_contains "off: outputs" "quality-gate-status=unknown" "$(cat "$OUT")"
check "off: no API calls" "$n0" "$(js 's.requests.length')"

sed -i 's/"mode": "soft"/"mode": "hard"/' "$R/unentropy.json"
gate --mode ""; rc=$?
check "config mode hard (empty flag = unset): exit 1" 1 "$rc"
check_contains "config mode hard: header" "Quality gate: mode hard" "$(cat "$TMP/out")"
gate --mode soft; rc=$?
check "flag beats config: exit 0" 0 "$rc"
cp "$TMP/config.bak" "$R/unentropy.json"

gate --mode strict; rc=$?
check "invalid mode: exit 1" 1 "$rc"
check_contains "invalid mode: message" 'Error: Invalid value for --mode: "strict" (choices: off, soft, hard)' "$(cat "$TMP/err")"

(cd "$R" && "$U" gate -o "$TMP/r.json") > "$TMP/out" 2>&1
check_contains "no PR: skipped" "PR comment: skipped (not a pull request)" "$(cat "$TMP/out")"
(cd "$R" && "$U" gate --pr-number 7 -o "$TMP/r.json") > "$TMP/out" 2>&1
check_contains "no token: skipped" "PR comment: skipped (GITHUB_TOKEN is not set)" "$(cat "$TMP/out")"

# --- 10. no database yet: the no-baseline comment, hard mode passes --------------------------------------
mv "$R/unentropy.db" "$TMP/saved.db"
gate --mode hard --pr-number 9; rc=$?
check "first run: exit 0" 0 "$rc"
check_contains "first run: unknown" "Quality gate: UNKNOWN (0 passed, 0 failed, 3 unknown)" "$(cat "$TMP/out")"
check_contains "first run: no-baseline comment" "### No Baseline Data Available" "$(js 's.comments["o/r#9"][0].body')"
check "first run: no database created" "no" "$([ -e "$R/unentropy.db" ] && echo yes || echo no)"

# --- 11. a corrupt database: warning, error in the results, no failure ------------------------------
echo "not a database" > "$R/unentropy.db"
gate --mode hard --no-comment; rc=$?
check "corrupt db: exit 0" 0 "$rc"
check_contains "corrupt db: warning" "warning: baseline unavailable: " "$(cat "$TMP/err")"
check_contains "corrupt db: error in results" "baseline unavailable: " "$(jf "$RES" 'r.error')"
check "corrupt db: file untouched" "not a database" "$(cat "$R/unentropy.db")"
mv "$TMP/saved.db" "$R/unentropy.db"

finish
