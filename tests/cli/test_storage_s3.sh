#!/bin/bash
# End to end: `unentropy collect` with storage.type sqlite-s3 against a real
# S3 server, @20minutes/s3rver 4.0.4 (tests/tools/s3-server.js), which
# CHECKS SigV4 signatures with our access key pair. Round trips across runs,
# first run, flag > UNENTROPY_S3_* > config precedence, keys that need
# encoding, session tokens, wrong secret (403 leaves the object absent or
# unchanged), a corrupt object, a server stopped mid-run, retries on 5xx and
# short bodies, conflict exhaustion, 8 concurrent runs ending with 8 builds,
# virtual-host URLs, and no credentials in any output.
#
# s3rver ignores If-Match / If-None-Match on PUT (checked below) and writes
# objects in place, so the conditional-write and concurrency cases go
# through tests/tools/conditional-proxy.js, a small proxy of ours in front
# of it that honours the conditional headers against the current ETag (412
# on mismatch) and serializes requests per key, as real S3 does.
. "$SRC/tests/cli/lib.sh"

TOOLS=$SRC/tests/tools
if ! command -v node >/dev/null || [ ! -d "$TOOLS/node_modules/@20minutes/s3rver" ]; then
    if [ "${UNENTROPY_SKIP_NODE_TESTS:-}" = 1 ]; then echo "SKIP: node or s3rver missing"; exit 0; fi
    echo "FAIL node and tests/tools/node_modules are required (scripts/install-deps --test)"
    exit 1
fi

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

AK=AKIDUNENTROPYTEST
SK=unentropy-test-secret-0123456789
DATA=$TMP/s3data
mkdir -p "$DATA" "$TMP/tmp"

# wait_port FILE: prints the port once "port=N" (or "listening on ...:N") appears.
wait_port() {
    for _ in $(seq 1 100); do
        p=$(sed -n 's/^port=\([0-9]*\)$/\1/p' "$1" 2>/dev/null)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.1
    done
    echo "server did not start: $(cat "$1" "$1.err" 2>/dev/null)" >&2
    return 1
}

# start_s3 DIR PORT [extra args] -> S3PID, S3PORT
start_s3() {
    local dir=$1 port=$2
    shift 2
    NODE_OPTIONS=--openssl-legacy-provider node "$TOOLS/s3-server.js" --dir "$dir" --port "$port" \
        --access-key "$AK" --secret "$SK" "$@" > "$TMP/s3.out" 2> "$TMP/s3.out.err" &
    S3PID=$!
    PIDS+=("$S3PID")
    S3PORT=$(wait_port "$TMP/s3.out") || exit 1
}

start_s3 "$DATA" 0
PORT=$S3PORT
node "$TOOLS/conditional-proxy.js" --upstream "http://127.0.0.1:$PORT" > "$TMP/proxy.out" 2> "$TMP/proxy.out.err" &
PIDS+=("$!")
PROXY=$(wait_port "$TMP/proxy.out") || exit 1

obj() { echo "$DATA/metrics/$1._S3rver_object"; }
sum() { if [ -f "$(obj "$1")" ]; then md5sum < "$(obj "$1")" | cut -d' ' -f1; else echo absent; fi; }
builds() { sqlite3 "$(obj "$1")" 'SELECT count(*) FROM build_contexts'; }
proxy_state() { curl -s "http://127.0.0.1:$PROXY/_proxy/state"; }
proxy_fail() { curl -s -X POST -d "$1" "http://127.0.0.1:$PROXY/_proxy/fail" > /dev/null; }

R=$TMP/repo
new_repo "$R"
cat > "$R/unentropy.json" <<'JSON'
{
  "metrics": {
    "loc": { "type": "numeric", "unit": "integer", "command": "echo 42" },
    "phase": { "type": "label", "command": "echo beta" }
  },
  "storage": { "type": "sqlite-s3", "s3": { "bucket": "metrics", "key": "cfg.db", "region": "us-east-1" } }
}
JSON

# run [env assignments...] -- [collect args...]: collect in $R; sets out, err, rc.
run() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    out=$(cd "$R" && env TMPDIR="$TMP/tmp" AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK \
        UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PORT" UNENTROPY_HTTP_RETRIES=1 "${envs[@]}" \
        "$U" collect --no-report "$@" 2> "$TMP/err"); rc=$?
    err=$(cat "$TMP/err")
}

# --- s3rver ignores conditional writes; the proxy does not ----------------------
E=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
put_if_match() { # URL: a signed PUT of an empty body with If-Match: "nope"
    curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 --user "$AK:$SK" \
        -H "x-amz-content-sha256: $E" -H 'If-Match: "nope"' -T /dev/null "$1"
}
check "s3rver ignores If-Match (why the proxy exists)" 200 "$(put_if_match "http://127.0.0.1:$PORT/metrics/probe")"
check "the proxy answers 412 on an ETag mismatch" 412 "$(put_if_match "http://127.0.0.1:$PROXY/metrics/probe")"

# --- first run, then a round trip ------------------------------------------------
run -- --s3-key proj/unentropy.db
check "first run exits 0" 0 "$rc"
check_contains "first run records build 1" \
    "Recorded build 1: 2 of 2 metrics (storage://sqlite-s3/metrics/proj/unentropy.db)" "$out"
check_contains "upload logged" "Uploaded " "$err"
check "object holds 1 build" 1 "$(builds proj/unentropy.db)"
check "object is a single-file DELETE-journal database" "delete" \
    "$(sqlite3 "$(obj proj/unentropy.db)" 'PRAGMA journal_mode')"
check "object passes integrity_check" ok "$(sqlite3 "$(obj proj/unentropy.db)" 'PRAGMA integrity_check')"
check_contains "upload size logged" "Uploaded $(stat -c %s "$(obj proj/unentropy.db)") bytes to s3://metrics/proj/unentropy.db" "$err"

gh_out=$TMP/gh_output
: > "$gh_out"
run GITHUB_OUTPUT="$gh_out" -- --s3-key proj/unentropy.db -v
check "second run exits 0" 0 "$rc"
check_contains "second run records build 2" "Recorded build 2: 2 of 2 metrics" "$out"
check "object holds 2 builds" 2 "$(builds proj/unentropy.db)"
check "run numbers continue from the object" "1 2" \
    "$(sqlite3 "$(obj proj/unentropy.db)" 'SELECT group_concat(run_number, " ") FROM build_contexts ORDER BY id')"
check "values of both builds" "42.0|42.0" \
    "$(sqlite3 "$(obj proj/unentropy.db)" "SELECT group_concat(value_numeric, '|') FROM metric_values WHERE metric_id='loc'")"
size=$(stat -c %s "$(obj proj/unentropy.db)")
check_contains "verbose storage details" \
    "     Storage: sqlite-s3 at storage://sqlite-s3/metrics/proj/unentropy.db ($size bytes)" "$out"
outputs=$(cat "$gh_out")
check_contains "output storage-type" "storage-type=sqlite-s3" "$outputs"
check_contains "output database-location" "database-location=storage://sqlite-s3/metrics/proj/unentropy.db" "$outputs"
check_contains "output database-size" "database-size=$size" "$outputs"
check_contains "output total-builds" "total-builds=2" "$outputs"
check_contains "output build-id" "build-id=2" "$outputs"
check_contains "output artifact-upload-required" "artifact-upload-required=false" "$outputs"
check "no temp files left behind" "" "$(ls -A "$TMP/tmp")"

# The report of collect reads the database this run persisted: no second download.
out=$(cd "$R" && env TMPDIR="$TMP/tmp" AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK UNENTROPY_DEBUG=1 \
    UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PORT" "$U" collect --s3-key report.db --report-dir "$TMP/report" 2>&1); rc=$?
check "collect with a report exits 0" 0 "$rc"
check_contains "report generated" "✓ Report generated: $TMP/report/index.html" "$out"
check "one download for collect and its report" 1 "$(grep -c 'debug: S3 GET' <<< "$out")"
check "no temp files left after the report" "" "$(ls -A "$TMP/tmp")"

# --- precedence: flag > UNENTROPY_S3_KEY > config --------------------------------
run UNENTROPY_S3_KEY=env.db -- --s3-key flag.db
check "flag key wins" "1 absent" "$(builds flag.db) $(sum env.db)"
run UNENTROPY_S3_KEY=env.db --
check "env key beats config" "1 absent" "$(builds env.db) $(sum cfg.db)"
run --
check "config key" 1 "$(builds cfg.db)"
run UNENTROPY_S3_BUCKET=metrics -- --s3-bucket nope
check "flag bucket wins" 1 "$rc"
check "missing bucket message" "Error: S3 bucket not found: nope" "$err"
run UNENTROPY_S3_REGION=eu-west-1 -- --s3-key region.db
check "a signed region other than us-east-1 works" "0 1" "$rc $(builds region.db)"

# --- keys that need encoding (s3rver checks the signature of the encoded path) ----
KEY='team a/ünï+(x)*.db'
run -- --s3-key "$KEY"
run -- --s3-key "$KEY"
check_contains "encoded key round trip" "Recorded build 2: 2 of 2 metrics (storage://sqlite-s3/metrics/$KEY)" "$out"

# --- session token: sent (and signed) as x-amz-security-token ---------------------
before=$(proxy_state | sed 's/.*"session_token_requests":\([0-9]*\).*/\1/')
run AWS_SESSION_TOKEN=session-token-value-xyz UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PROXY" UNENTROPY_DEBUG=1 -- \
    --s3-key token.db
check "session token run exits 0" 0 "$rc"
after=$(proxy_state | sed 's/.*"session_token_requests":\([0-9]*\).*/\1/')
check "GET and PUT carried x-amz-security-token" 2 "$((after - before))"
check_contains "debug line per request" "debug: S3 GET 127.0.0.1:$PROXY /metrics/token.db -> 404" "$err"
check_contains "debug line for the upload" "debug: S3 PUT 127.0.0.1:$PROXY /metrics/token.db -> 200" "$err"
case "$out$err" in
    *"$SK"*|*"$AK"*|*session-token-value*) bad "credentials never printed" "$out$err" ;;
    *) ok "credentials never printed (even with UNENTROPY_DEBUG=1)" ;;
esac

# --- read-only opens (report, gate): downloaded, never uploaded -----------------------
cat > "$TMP/ro.lua" <<'LUA'
local storage = require("unentropy.storage")
local key = ...
local cfg = { base_dir = ".", raw = { storage = { s3 = { bucket = "metrics" } } },
  storage = { type = "sqlite-s3", s3 = {}, artifact = {} } }
local h, msg, code = storage.open(cfg, { s3_key = key }, "ro")
if not h then print(msg .. " | " .. tostring(code)) return 0 end
print(h.db:build_count(), h.settings.location)
print(pcall(h.db.record_build, h.db, { commit_sha = "x", branch = "b", run_id = "r", run_number = 1,
  timestamp = "2025-01-01T00:00:00.000Z" }, {}))
h.cleanup()
LUA
ro() {
    out=$(env TMPDIR="$TMP/tmp" AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK UNENTROPY_DEBUG=1 \
        UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PORT" "$U" run "$TMP/ro.lua" "$1" 2> "$TMP/err")
    err=$(cat "$TMP/err")
}
before=$(sum proj/unentropy.db)
ro proj/unentropy.db
check_contains "read-only open sees the stored builds" "2	storage://sqlite-s3/metrics/proj/unentropy.db" "$out"
check_contains "read-only copy refuses writes" "attempt to write a readonly database" "$out"
case "$err" in *"S3 PUT"*) bad "read-only open never uploads" "$err" ;; *) ok "read-only open never uploads" ;; esac
check "object unchanged by a read-only open" "$before" "$(sum proj/unentropy.db)"
ro missing/key.db
check "read-only open of a missing object" "Database not found: s3://metrics/missing/key.db | not_found" "$out"
check "read-only opens leave no temp files" "" "$(ls -A "$TMP/tmp")"

# --- wrong secret: 403, nothing uploaded --------------------------------------------
before=$(sum proj/unentropy.db)
run AWS_SECRET_ACCESS_KEY=wrong-secret -- --s3-key proj/unentropy.db
check "wrong secret exits 1" 1 "$rc"
check "wrong secret message" \
    "Error: S3 access denied for s3://metrics/proj/unentropy.db (SignatureDoesNotMatch): check credentials and permissions" "$err"
check "existing object unchanged after 403" "$before" "$(sum proj/unentropy.db)"
run AWS_SECRET_ACCESS_KEY=wrong-secret -- --s3-key never/created.db
check "403 on a new key exits 1" 1 "$rc"
check "403 never creates an empty database" absent "$(sum never/created.db)"
run AWS_ACCESS_KEY_ID=UNKNOWNKEY -- --s3-key proj/unentropy.db
check "unknown access key message" \
    "Error: S3 access denied for s3://metrics/proj/unentropy.db (InvalidAccessKeyId): check credentials and permissions" "$err"
run AWS_SECRET_ACCESS_KEY= --
check "missing credentials message" \
    "Error: S3 credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" "$err"
cat > "$TMP/nobucket.json" <<'JSON'
{ "metrics": { "loc": { "type": "numeric", "command": "echo 1" } }, "storage": { "type": "sqlite-s3" } }
JSON
run -- --config "$TMP/nobucket.json"
check "missing bucket config message" \
    "Error: S3 bucket is not configured: set storage.s3.bucket, --s3-bucket or UNENTROPY_S3_BUCKET" "$err"

# --- corrupt objects: clear message, nothing uploaded -------------------------------
s3put() { # FILE KEY: a signed upload straight to s3rver
    local h
    h=$(sha256sum < "$1" | cut -d' ' -f1)
    curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 --user "$AK:$SK" \
        -H "x-amz-content-sha256: $h" -T "$1" "http://127.0.0.1:$PORT/metrics/$2"
}
printf 'this is not a database, but it is history we must not overwrite\n' > "$TMP/junk"
check "corrupt object stored" 200 "$(s3put "$TMP/junk" corrupt.db)"
before=$(sum corrupt.db)
run -- --s3-key corrupt.db
check "corrupt object exits 1" 1 "$rc"
check "corrupt object message" \
    "Error: downloaded database s3://metrics/corrupt.db is not a valid SQLite database: not an SQLite file (bad header)" "$err"
check "corrupt object unchanged" "$before" "$(sum corrupt.db)"

# A real SQLite file with damaged pages: the header is fine, quick_check is not.
sqlite3 "$TMP/damaged.db" "CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<3000)
  INSERT INTO t SELECT randomblob(200) FROM c; CREATE INDEX ti ON t(x);"
dd if=/dev/urandom of="$TMP/damaged.db" bs=4096 seek=3 count=20 conv=notrunc status=none
check "damaged object stored" 200 "$(s3put "$TMP/damaged.db" damaged.db)"
before=$(sum damaged.db)
run -- --s3-key damaged.db
check "damaged object exits 1" 1 "$rc"
check_contains "damaged object message" \
    "Error: downloaded database s3://metrics/damaged.db is not a valid SQLite database: " "$err"
check "damaged object unchanged" "$before" "$(sum damaged.db)"

# --- retries: 5xx then success; short bodies until the retries run out --------------
proxy_fail '{"method":"GET","status":503,"code":"SlowDown","count":2}'
run UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PROXY" UNENTROPY_HTTP_RETRIES=3 UNENTROPY_DEBUG=1 -- --s3-key proj/unentropy.db
check "two 503 then success exits 0" 0 "$rc"
check "three GET attempts" 3 "$(grep -c 'debug: S3 GET .* /metrics/proj/unentropy.db' <<< "$err")"
check "the build after retries is stored" 3 "$(builds proj/unentropy.db)"

before=$(sum proj/unentropy.db)
proxy_fail '{"method":"GET","action":"truncate","count":2}'
run UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PROXY" -- --s3-key proj/unentropy.db
check "short bodies exit 1" 1 "$rc"
check_contains "short body message" "Error: S3 download failed after 2 attempts: " "$err"
check "short bodies upload nothing" "$before" "$(sum proj/unentropy.db)"

proxy_fail '{"method":"PUT","status":500,"count":2}'
run UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PROXY" -- --s3-key proj/unentropy.db
check "upload 5xx exhausted exits 1" 1 "$rc"
check_contains "upload failure message" "Error: S3 upload failed: HTTP 500 InternalError (after 2 attempts)" "$err"
kept=$(sed -n 's/^The database with this build was kept at //p' <<< "$err")
check "the snapshot with this build is kept" "4" "$( [ -n "$kept" ] && sqlite3 "$kept" 'SELECT count(*) FROM build_contexts')"
check "object unchanged after a failed upload" "$before" "$(sum proj/unentropy.db)"
rm -f "$kept"

# --- conflicts: the proxy answers 412 to every upload --------------------------------
proxy_fail '{"method":"PUT","status":412,"code":"PreconditionFailed","count":5}'
run UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PROXY" UNENTROPY_DEBUG=1 -- --s3-key proj/unentropy.db
check "endless conflicts exit 1" 1 "$rc"
check_contains "conflict message" "Error: S3 upload kept conflicting after 5 attempts; build not saved" "$err"
check "5 uploads, 5 downloads" "5 5" \
    "$(grep -c 'debug: S3 PUT' <<< "$err") $(grep -c 'debug: S3 GET' <<< "$err")"
check "object unchanged after endless conflicts" "$before" "$(sum proj/unentropy.db)"
check "no temp files left after failures" "" "$(ls -A "$TMP/tmp")"

# --- 8 concurrent runs against one object: no lost build -----------------------------
# Every run downloads the same version, so all but one upload conflicts and
# re-applies its build onto the newer object (If-Match through the proxy).
c0=$(proxy_state | sed 's/.*"conflicts":\([0-9]*\).*/\1/')
sed 's/"command": "echo 42"/"command": "sleep 0.5; echo 42"/' "$R/unentropy.json" > "$R/slow.json"
pids=()
for i in 1 2 3 4 5 6 7 8; do
    (cd "$R" && env TMPDIR="$TMP/tmp" AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK UNENTROPY_HTTP_RETRIES=3 \
        UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PROXY" "$U" collect --no-report --config slow.json \
        --s3-key concurrent.db --run-id "ci-$i" --run-number "$i" > "$TMP/c$i.out" 2>&1; echo $? > "$TMP/c$i.rc") &
    pids+=("$!")
done
wait "${pids[@]}"
rcs=$(cat "$TMP"/c[1-8].rc | tr -d '\n')
check "8 concurrent runs exit 0" 00000000 "$rcs"
[ "$rcs" = 00000000 ] || cat "$TMP"/c[1-8].out
check "8 concurrent runs, 8 builds" 8 "$(builds concurrent.db)"
check "every run id is stored once" "ci-1 ci-2 ci-3 ci-4 ci-5 ci-6 ci-7 ci-8" \
    "$(sqlite3 "$(obj concurrent.db)" "SELECT group_concat(run_id, ' ') FROM (SELECT run_id FROM build_contexts ORDER BY run_id)")"
check "each build kept its values" 8 "$(sqlite3 "$(obj concurrent.db)" "SELECT count(*) FROM metric_values WHERE metric_id='loc'")"
c1=$(proxy_state | sed 's/.*"conflicts":\([0-9]*\).*/\1/')
[ "$((c1 - c0))" -ge 1 ] && ok "conflicting writes happened and were resolved ($((c1 - c0)))" \
    || bad "conflicting writes happened" "conflicts: $((c1 - c0))"
check "no temp files left by concurrent runs" "" "$(ls -A "$TMP/tmp")"

# --- server stopped mid-run: clear message, object unchanged, snapshot kept ----------
before=$(sum proj/unentropy.db)
n_before=$(builds proj/unentropy.db)
echo "$S3PID" > "$TMP/s3.pid"
cat > "$R/kill.json" <<JSON
{ "metrics": { "loc": { "type": "numeric", "command": "kill \$(cat $TMP/s3.pid); sleep 0.5; echo 7" } },
  "storage": { "type": "sqlite-s3", "s3": { "bucket": "metrics" } } }
JSON
run -- --config kill.json --s3-key proj/unentropy.db
check "server stopped mid-run exits 1" 1 "$rc"
check_contains "stopped server message" "Error: S3 upload failed: " "$err"
check_contains "stopped server: attempts" "(after 2 attempts)" "$err"
kept=$(sed -n 's/^The database with this build was kept at //p' <<< "$err")
check "kept snapshot has the new build" "$((n_before + 1))" "$( [ -n "$kept" ] && sqlite3 "$kept" 'SELECT count(*) FROM build_contexts')"
rm -f "$kept"
check "object unchanged when the server stopped" "$before" "$(sum proj/unentropy.db)"

run -- --s3-key proj/unentropy.db
check "server down from the start exits 1" 1 "$rc"
check_contains "download failure message" "Error: S3 download failed after 2 attempts: " "$err"
check "object unchanged when the server is down" "$before" "$(sum proj/unentropy.db)"

# Restarted on the same data and port, the history is intact.
start_s3 "$DATA" "$PORT"
run -- --s3-key proj/unentropy.db
check "after restart the next build is $((n_before + 1))" "0 $((n_before + 1))" "$rc $(builds proj/unentropy.db)"

# --- virtual-host URLs: <bucket>.<endpoint host> ---------------------------------------
# s3rver signs virtual-host requests SigV2-style ("/<bucket>/<key>"), so this
# server runs with --allow-mismatched-signatures; the URL shape is what is
# tested here (signatures are checked everywhere else).
VH=$TMP/vhdata
mkdir -p "$VH"
start_s3 "$VH" 0 --service-endpoint localhost --allow-mismatched-signatures
run UNENTROPY_DEBUG=1 -- --s3-endpoint "http://metrics.s3.localhost:$S3PORT" --s3-key vh.db
check "virtual-host run exits 0" 0 "$rc"
check_contains "virtual-host URL has no bucket in the path" "debug: S3 GET metrics.s3.localhost:$S3PORT /vh.db -> 404" "$err"
check "virtual-host object stored in the bucket" 1 "$(sqlite3 "$VH/metrics/vh.db._S3rver_object" 'SELECT count(*) FROM build_contexts')"

finish
