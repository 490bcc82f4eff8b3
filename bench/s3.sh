#!/bin/bash
# S3 round-trip benchmark (issue 7): a ~100 MB database stored in a local S3
# server (s3rver, tests/tools/s3-server.js, signatures checked). Measures
# `unentropy collect` with sqlite-s3 — download, quick_check, record one
# build, integrity_check, VACUUM INTO snapshot, SHA-256, conditional upload —
# for wall time and peak RSS, beside `curl` moving the same object in the same
# run (signed GET to a file, sha256sum, signed PUT of the file). Medians over
# the runs; ratios rather than absolute times (the machine is shared).
# Usage: bench/s3.sh [runs] [builds]   (30,500 builds x 50 metrics ~ 100 MB)
set -eu
cd "$(dirname "$0")/.."
U=${UNENTROPY:-build/unentropy}
U=$(cd "$(dirname "$U")" && pwd)/$(basename "$U")
RUNS=${1:-3}
BUILDS=${2:-30500}
TMP=$(mktemp -d)
S3PID=""
trap '[ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null; rm -rf "$TMP"' EXIT
AK=AKIDBENCH
SK=bench-secret-key

echo "seeding $BUILDS builds x 50 metrics..."
"$U" run bench/store_seed.lua "$TMP/seed.db" "$BUILDS" 50
sqlite3 "$TMP/seed.db" "PRAGMA journal_mode=DELETE; VACUUM INTO '$TMP/bench.db';" >/dev/null
SIZE=$(stat -c %s "$TMP/bench.db")
rm -f "$TMP/seed.db"

NODE_OPTIONS=--openssl-legacy-provider node tests/tools/s3-server.js --dir "$TMP/s3" \
    --access-key "$AK" --secret "$SK" < /dev/null > "$TMP/s3.out" 2>&1 &
S3PID=$!
for _ in $(seq 1 100); do grep -q '^port=' "$TMP/s3.out" && break; sleep 0.1; done
PORT=$(sed -n 's/^port=//p' "$TMP/s3.out")
URL=http://127.0.0.1:$PORT/metrics/bench.db

s3curl() { curl -sf --aws-sigv4 aws:amz:us-east-1:s3 --user "$AK:$SK" "$@"; }
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
put_file() { s3curl -o /dev/null -H "x-amz-content-sha256: $(sha256sum < "$1" | cut -d' ' -f1)" -T "$1" "$URL"; }
put_file "$TMP/bench.db"

mkdir -p "$TMP/repo"
git -C "$TMP/repo" init -q -b main
printf '{ "metrics": { "metric-1": { "type": "numeric", "command": "echo 1.5" } },\n  "storage": { "type": "sqlite-s3", "s3": { "bucket": "metrics", "key": "bench.db" } } }\n' \
    > "$TMP/repo/unentropy.json"

# measure CMD...: appends "seconds maxrss_kb" of one process to $TMP/m
measure() { /usr/bin/time -f '%e %M' -o "$TMP/one" "$@" && cat "$TMP/one" >> "$TMP/m"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$TMP/u"
: > "$TMP/c"
for i in $(seq 1 "$RUNS"); do
    : > "$TMP/m"
    (cd "$TMP/repo" && measure env TMPDIR="$TMP" AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK \
        UNENTROPY_S3_ENDPOINT="http://127.0.0.1:$PORT" "$U" collect --no-report --commit "$(printf '%040d' "$i")" \
        --branch main --run-id "bench-$i" > /dev/null 2> "$TMP/collect.err") || { cat "$TMP/collect.err"; exit 1; }
    cat "$TMP/m" >> "$TMP/u"

    : > "$TMP/m"
    measure curl -sf --aws-sigv4 aws:amz:us-east-1:s3 --user "$AK:$SK" -H "x-amz-content-sha256: $EMPTY" \
        -o "$TMP/dl.db" "$URL"
    measure sha256sum "$TMP/dl.db" > /dev/null
    H=$(sha256sum < "$TMP/dl.db" | cut -d' ' -f1)
    measure curl -sf --aws-sigv4 aws:amz:us-east-1:s3 --user "$AK:$SK" -H "x-amz-content-sha256: $H" \
        -o /dev/null -T "$TMP/dl.db" "$URL"
    awk '{t += $1; if ($2 > m) m = $2} END {print t, m}' "$TMP/m" >> "$TMP/c"
    rm -f "$TMP/dl.db"
done

BUILT=$(s3curl -H "x-amz-content-sha256: $EMPTY" -o "$TMP/final.db" "$URL" && sqlite3 "$TMP/final.db" \
    'SELECT count(*) FROM build_contexts')
[ "$BUILT" -eq $((BUILDS + RUNS)) ] || { echo "expected $((BUILDS + RUNS)) builds in the object, got $BUILT"; exit 1; }

ut=$(cut -d' ' -f1 "$TMP/u" | median); um=$(cut -d' ' -f2 "$TMP/u" | median)
ct=$(cut -d' ' -f1 "$TMP/c" | median); cm=$(cut -d' ' -f2 "$TMP/c" | median)
awk -v size="$SIZE" -v runs="$RUNS" -v ut="$ut" -v um="$um" -v ct="$ct" -v cm="$cm" -v built="$BUILT" 'BEGIN {
    printf "object: %.1f MB, %d builds after the runs; median of %d runs\n", size / 1048576, built, runs
    printf "%-44s %9s %12s\n", "", "wall (s)", "peak RSS"
    printf "%-44s %9.2f %9.1f MB\n", "unentropy collect (GET+check+record+PUT)", ut, um / 1024
    printf "%-44s %9.2f %9.1f MB\n", "curl GET + sha256sum + curl PUT", ct, cm / 1024
    printf "%-44s %9.2fx %9.2fx\n", "ratio unentropy / curl", ut / ct, um / cm
}'
