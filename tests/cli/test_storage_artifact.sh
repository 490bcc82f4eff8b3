#!/bin/bash
# End to end: `unentropy collect` with storage.type sqlite-artifact against
# our fake GitHub API (tests/tools/github-api.js: artifact listing with
# pagination, /zip answered by a 302 to a second loopback host) and real
# zips made with the `zip` CLI. First run, round trip through an uploaded
# artifact, branch preference, expired artifacts skipped, pagination, the
# seed fallback and its log line, --artifact-branch, 404 moving on to the
# next candidate, no Authorization sent to the download host, zips with
# zero/two .db entries or a non-SQLite .db, and the API errors (missing
# token, bad repository, 401, 5xx after retries) that never count as a
# first run.
. "$SRC/tests/cli/lib.sh"

TOOLS=$SRC/tests/tools
if ! command -v node >/dev/null || ! command -v zip >/dev/null; then
    if [ "${UNENTROPY_SKIP_NODE_TESTS:-}" = 1 ]; then echo "SKIP: node or zip missing"; exit 0; fi
    echo "FAIL node and zip are required"
    exit 1
fi

node "$TOOLS/github-api.js" < /dev/null > "$TMP/gh.out" 2> "$TMP/gh.err" &
GHPID=$!
trap 'kill "$GHPID" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do
    API=$(sed -n 's/^listening on \(http:.*\)$/\1/p' "$TMP/gh.out")
    [ -n "$API" ] && break
    sleep 0.1
done
[ -n "$API" ] || { echo "FAIL github-api did not start: $(cat "$TMP/gh.err")"; exit 1; }

control() { curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$API/_control/$1"; }
state() { curl -s "$API/_control/state"; }
# add_artifact ZIP BRANCH [extra json] -> prints the id
add_artifact() {
    control artifacts "{\"name\":\"unentropy-metrics\",\"zip_path\":\"$1\",\"head_branch\":\"$2\"${3:+,$3}}" |
        sed 's/.*"id":\([0-9]*\).*/\1/'
}
# zip_of DB ZIP [NAME]: a zip holding DB as NAME (default: its basename)
zip_of() {
    local dir
    dir=$(mktemp -d "$TMP/z.XXXXXX")
    mkdir -p "$dir/$(dirname "${3:-x}")"
    cp "$1" "$dir/${3:-$(basename "$1")}"
    (cd "$dir" && zip -qr "$2" .)
}

R=$TMP/repo
new_repo "$R"
cat > "$R/unentropy.json" <<'JSON'
{
  "metrics": { "loc": { "type": "numeric", "command": "echo 42" } },
  "storage": { "type": "sqlite-artifact" }
}
JSON

run() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    out=$(cd "$R" && env TMPDIR="$TMP/tmp" GITHUB_TOKEN=gh-token-secret-123 GITHUB_REPOSITORY=o/r \
        GITHUB_API_URL="$API" UNENTROPY_HTTP_RETRIES=1 GITHUB_OUTPUT="$TMP/gh_output" "${envs[@]}" \
        "$U" collect --no-report "$@" 2> "$TMP/err"); rc=$?
    err=$(cat "$TMP/err")
}
builds() { sqlite3 "$1" 'SELECT count(*) FROM build_contexts'; }
mkdir -p "$TMP/tmp"
: > "$TMP/gh_output"

# --- first run: no artifact at all ----------------------------------------------
run --
check "first run exits 0" 0 "$rc"
check "first run log line" "No 'unentropy-metrics' artifact found; starting a new database." "$err"
check_contains "working file message" \
    "Database written to $R/unentropy.db; upload it as artifact 'unentropy-metrics' to keep this build." "$out"
check "working file has 1 build" 1 "$(builds "$R/unentropy.db")"
check "working file is 0644" 644 "$(stat -c %a "$R/unentropy.db")"
outputs=$(cat "$TMP/gh_output")
check_contains "output artifact-upload-required" "artifact-upload-required=true" "$outputs"
check_contains "output artifact-name" "artifact-name=unentropy-metrics" "$outputs"
check_contains "output artifact-path (absolute)" "artifact-path=$R/unentropy.db" "$outputs"
check_contains "output storage location" "database-location=storage://sqlite-artifact/unentropy-metrics" "$outputs"
check_contains "output size" "database-size=$(stat -c %s "$R/unentropy.db")" "$outputs"
check "no temp files left" "" "$(ls -A "$TMP/tmp")"
s=$(state)
check_contains "listing asks for the name, 100 per page" \
    '"path":"/repos/o/r/actions/artifacts","query":"name=unentropy-metrics&per_page=100&page=1","authorization_present":true' "$s"
check_contains "API version and user agent" '"user_agent":"unentropy/' "$s"

# --- round trip: the uploaded artifact is the next run's database ---------------
cp "$R/unentropy.db" "$TMP/main1.db"
zip_of "$TMP/main1.db" "$TMP/main1.zip" unentropy.db
id_main1=$(add_artifact "$TMP/main1.zip" main '"created_at":"2024-01-01T00:00:00Z"')
rm "$R/unentropy.db"
run --
check "second run exits 0" 0 "$rc"
check_contains "second run records build 2" "Recorded build 2: 1 of 1 metrics (storage://sqlite-artifact/unentropy-metrics)" "$out"
check "working file has 2 builds" 2 "$(builds "$R/unentropy.db")"
s=$(state)
check_contains "zip requested with the token" "\"path\":\"/repos/o/r/actions/artifacts/$id_main1/zip\",\"query\":\"\",\"authorization_present\":true" "$s"
check_contains "download host reached" '"host":"download"' "$s"
check_contains "no Authorization sent to the download host" '"download_auth_seen":false' "$s"

# --- the report of collect reads this run's database, not the old artifact ------
lists() { state | grep -o '"path":"/repos/o/r/actions/artifacts","query":"name=unentropy-metrics' | wc -l; }
n0=$(lists)
out=$(cd "$R" && env TMPDIR="$TMP/tmp" GITHUB_TOKEN=gh-token-secret-123 GITHUB_REPOSITORY=o/r GITHUB_API_URL="$API" \
    "$U" collect --report-dir "$TMP/report" 2>&1); rc=$?
check "collect with a report exits 0" 0 "$rc"
check_contains "report generated" "✓ Report generated: $TMP/report/index.html" "$out"
check "one listing for collect and its report" 1 "$(( $(lists) - n0 ))"
rm -rf "$TMP/report"
cp "$TMP/main1.db" "$R/unentropy.db"
run --
check "back to 2 builds for what follows" 2 "$(builds "$R/unentropy.db")"

# --- the branch filter wins over a newer artifact of another branch -------------
cp "$R/unentropy.db" "$TMP/main2.db"   # 2 builds
zip_of "$TMP/main2.db" "$TMP/main2.zip"
id_main2=$(add_artifact "$TMP/main2.zip" main '"created_at":"2024-02-01T00:00:00Z"')
zip_of "$TMP/main1.db" "$TMP/feature.zip" nested/dir/feature.db   # 1 build, .db at depth
id_feature=$(add_artifact "$TMP/feature.zip" feature '"created_at":"2024-03-01T00:00:00Z","workflow_run_id":777'
)
run --
check "branch artifact preferred" 3 "$(builds "$R/unentropy.db")"
check "no seed line on the branch" "" "$err"

# --- expired artifacts are skipped ------------------------------------------------
sqlite3 "$TMP/main2.db" "DELETE FROM metric_values; DELETE FROM build_contexts;" # an expired, empty one
zip_of "$TMP/main2.db" "$TMP/expired.zip"
add_artifact "$TMP/expired.zip" main '"created_at":"2024-04-01T00:00:00Z","expired":true' > /dev/null
run --
check "expired newest skipped" 3 "$(builds "$R/unentropy.db")"

# --- --artifact-branch, and the seed fallback with its log line ----------------------
run -- --artifact-branch feature
check "--artifact-branch picks that branch" 2 "$(builds "$R/unentropy.db")"
run -- --branch dev
check "seed fallback exits 0" 0 "$rc"
check "seed log line" "No 'unentropy-metrics' artifact on 'dev'; using seed from 'feature' (run 777)." "$err"
check "seed used (newest of any branch)" 2 "$(builds "$R/unentropy.db")"

# --- a 404 on the zip moves on to the next candidate -------------------------------
control fail "{\"method\":\"GET\",\"path\":\"/repos/o/r/actions/artifacts/$id_main2/zip\",\"status\":404}" > /dev/null
run --
check "404 moves on" "0 2" "$rc $(builds "$R/unentropy.db")"   # main1 (1 build) + this one

# --- pagination: the only 'pages' artifact is on page 2 ------------------------------
for i in $(seq 1 120); do
    control artifacts "{\"name\":\"pages\",\"zip_path\":\"$TMP/expired.zip\",\"head_branch\":\"other-$i\",\"created_at\":\"2024-05-01T00:00:00Z\"}" > /dev/null
done
zip_of "$TMP/main2.db" "$TMP/pages.zip"
control artifacts "{\"name\":\"pages\",\"zip_path\":\"$TMP/main1.zip\",\"head_branch\":\"main\",\"created_at\":\"2023-01-01T00:00:00Z\"}" > /dev/null
run -- --artifact-name pages
check "artifact on page 2 found" "0 2" "$rc $(builds "$R/unentropy.db")"
check_contains "page 2 requested" '"query":"name=pages&per_page=100&page=2"' "$(state)"
case "$(state)" in
    *'name=pages&per_page=100&page=3'*) bad "stops after a short page" ;;
    *) ok "stops after a short page" ;;
esac

# --- bad archives ---------------------------------------------------------------------
(cd "$TMP" && rm -rf two && mkdir two && cp main1.db two/a.db && cp main1.db two/b.db && cd two && zip -q ../two.zip a.db b.db)
id_two=$(control artifacts "{\"name\":\"two\",\"zip_path\":\"$TMP/two.zip\",\"head_branch\":\"main\"}" | sed 's/.*"id":\([0-9]*\).*/\1/')
rm -f "$R/unentropy.db"
run -- --artifact-name two
check "two .db exits 1" 1 "$rc"
check "two .db message" "Error: Artifact 'two' (id $id_two) must contain exactly one .db file, found 2" "$err"
check "nothing written after a bad archive" absent "$( [ -e "$R/unentropy.db" ] && echo present || echo absent)"
(cd "$TMP" && echo hi > notes.txt && zip -q none.zip notes.txt)
id_none=$(control artifacts "{\"name\":\"none\",\"zip_path\":\"$TMP/none.zip\",\"head_branch\":\"main\"}" | sed 's/.*"id":\([0-9]*\).*/\1/')
run -- --artifact-name none
check "no .db message" "Error: Artifact 'none' (id $id_none) must contain exactly one .db file, found 0" "$err"
echo "not sqlite" > "$TMP/junk.db"
zip_of "$TMP/junk.db" "$TMP/junk.zip"
id_junk=$(control artifacts "{\"name\":\"junk\",\"zip_path\":\"$TMP/junk.zip\",\"head_branch\":\"main\"}" | sed 's/.*"id":\([0-9]*\).*/\1/')
run -- --artifact-name junk
check "non-SQLite .db exits 1" 1 "$rc"
check "non-SQLite .db message" \
    "Error: downloaded database artifact 'junk' (id $id_junk) is not a valid SQLite database: not an SQLite file (bad header)" "$err"

# --- API errors never count as a first run ---------------------------------------------
run GITHUB_TOKEN= --
check "missing token" "Error: GITHUB_TOKEN is required for sqlite-artifact storage" "$err"
run GITHUB_REPOSITORY=nope --
check "bad repository" "Error: Invalid repository format: expected 'owner/repo', got: nope" "$err"
control tokens '{"read-write":["other"]}' > /dev/null
run --
check "401 exits 1" 1 "$rc"
check "401 message" "Error: GitHub API denied artifact listing (HTTP 401): the token needs 'actions: read'" "$err"
control tokens '{"read-write":["gh-token-secret-123"]}' > /dev/null
control fail '{"method":"GET","path":"/repos/o/r/actions/artifacts","status":500,"count":2}' > /dev/null
run --
check "5xx after retries exits 1" 1 "$rc"
check "5xx message" "Error: GitHub API artifact listing failed: HTTP 500: injected failure" "$err"
check "a failed listing writes nothing" absent "$( [ -e "$R/unentropy.db" ] && echo present || echo absent)"
case "$out$err" in
    *gh-token-secret-123*) bad "token never printed" ;;
    *) ok "token never printed" ;;
esac

# --- inside GitHub Actions: outputs, no hint line ---------------------------------------
: > "$TMP/gh_output"
run GITHUB_ACTIONS=true GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 GITHUB_REF=refs/heads/main \
    GITHUB_RUN_ID=99 GITHUB_RUN_NUMBER=12 GITHUB_EVENT_NAME=push --
check "in Actions exits 0" 0 "$rc"
case "$out" in
    *"Database written to"*) bad "no hint line in Actions" "$out" ;;
    *) ok "no hint line in Actions" ;;
esac
check_contains "in Actions: upload required" "artifact-upload-required=true" "$(cat "$TMP/gh_output")"

finish
