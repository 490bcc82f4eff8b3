#!/bin/bash
# Import benchmark: `unentropy import` of generated canonical JSONL (10
# metrics per build, one of them a label) at 100,000 and 1,000,000 records:
# wall time, records per second, CPU time and peak RSS (median wall of the
# runs; RSS must not grow with the file). Also a re-import of the 1M file
# (every row exists), a 100k file resolved by timestamp against a 1,000-commit
# repository (one `git log`), and two references measured in the same run:
# `wc -l` of the file and the sqlite3 CLI's `.import` of the same values as
# CSV into a table with metric_values' constraints (ratios matter more than
# absolute figures: the machine is shared and noisy).
# Usage: bench/import.sh [runs]   (binary: $UNENTROPY or build/unentropy;
# needs /usr/bin/time, sqlite3, git, awk)
set -eu
cd "$(dirname "$0")/.."
U=$(realpath "${UNENTROPY:-build/unentropy}")
RUNS=${1:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

# gen N [resolve]: N records, build b = record / 10; with "resolve" no
# commit_sha (timestamps fall between the commits of the repository below).
gen() {
    awk -v n="$1" -v resolve="${2:-}" 'BEGIN {
        for (i = 0; i < n; i++) {
            b = int(i / 10); m = i % 10
            sha = sprintf("%08x%08x%08x%08x%08x", (b * 2654435761) % 4294967296, b, b * 7 + 3, b * 13 + 5, b * 17 + 11)
            t = resolve ? 1700000000 + (b % 1000) * 3600 + 1800 : 1600000000 + b * 600
            ts = strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
            tail = resolve ? "" : sprintf(",\"commit_sha\":\"%s\"", sha)
            if (m == 9)
                printf("{\"metric_id\":\"status\",\"timestamp\":\"%s\",\"value_label\":\"ok-%d\",\"source\":\"ci\"%s}\n", ts, b % 3, tail)
            else
                printf("{\"metric_id\":\"metric-%d\",\"timestamp\":\"%s\",\"value_numeric\":%.2f,\"source\":\"ci\"%s}\n", m, ts, b * 0.37 + m, tail)
        }
    }'
}
gen_csv() {
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) { b = int(i / 10); m = i % 10
        if (m == 9) printf("status,%d,,ok-%d\n", b, b % 3); else printf("metric-%d,%d,%.2f,\n", m, b, b * 0.37 + m) } }'
}

echo "generating data..."
gen 100000 > 100k.jsonl
gen 1000000 > 1m.jsonl
gen 100000 resolve > 100k-resolve.jsonl
gen_csv 1000000 > 1m.csv
echo '{ "metrics": { "metric-0": { "type": "numeric", "command": "echo 1" } } }' > unentropy.json
git init -q -b main repo
for i in $(seq 0 999); do # 1,000 commits an hour apart, written with fast-import
    t=$((1700000000 + i * 3600))
    printf 'commit refs/heads/main\ncommitter b <b@example.com> %d +0000\ndata 2\nc\n\n' "$t"
done | git -C repo fast-import --quiet
cp unentropy.json 100k-resolve.jsonl repo/

# measure LABEL N DIR CMD...: median wall of $RUNS runs; prints one row.
# BEFORE (a shell snippet) runs before every run, untimed.
BEFORE=:
measure() {
    local label=$1 n=$2 dir=$3
    shift 3
    local rows=()
    for _ in $(seq 1 "$RUNS"); do
        (cd "$dir" && eval "$BEFORE")
        rows+=("$(cd "$dir" && /usr/bin/time -f '%e %U %S %M' "$@" 2>&1 >/dev/null | tail -1)")
    done
    printf '%s\n' "${rows[@]}" | sort -n | awk -v label="$label" -v n="$n" -v runs="$RUNS" \
        '{ a[NR] = $0 } END { split(a[int((runs + 1) / 2)], f, " ")
          cpu = f[2] + f[3]
          printf "%-44s %9d %8.2f %11.0f %7.2f %11.0f %8.1f MB\n", label, n, f[1], n / f[1], cpu,
                 (cpu > 0 ? n / cpu : 0), f[4] / 1024 }'
}

printf '\n%-44s %9s %8s %11s %7s %11s %11s\n' "import ($RUNS runs, median wall)" records "wall s" records/s \
    "cpu s" "rec/cpu-s" "peak RSS"
BEFORE='rm -f out.db'
measure "unentropy import, new database" 100000 . "$U" import 100k.jsonl -o out.db
measure "unentropy import, new database" 1000000 . "$U" import 1m.jsonl -o out.db
BEFORE=:
"$U" import 1m.jsonl -o again.db >/dev/null
measure "unentropy import, re-import (no changes)" 1000000 . "$U" import 1m.jsonl -o again.db
BEFORE='rm -f out.db'
measure "unentropy import, nearest-timestamp (git)" 100000 repo "$U" import 100k-resolve.jsonl -o out.db
measure "unentropy import --dry-run (no database)" 1000000 . "$U" import 1m.jsonl -o out.db --dry-run
BEFORE=:
measure "reference: wc -l" 1000000 . wc -l 1m.jsonl
BEFORE='rm -f ref.db; sqlite3 ref.db "CREATE TABLE v (metric_id TEXT NOT NULL, build_id INTEGER NOT NULL,
  value_numeric REAL, value_label TEXT, UNIQUE(metric_id, build_id)); CREATE INDEX v_build ON v(build_id);"'
measure "reference: sqlite3 .import (same values, CSV)" 1000000 . sqlite3 ref.db ".import --csv 1m.csv v"
echo
echo "file sizes: 100k $(du -h 100k.jsonl | cut -f1), 1M $(du -h 1m.jsonl | cut -f1); database of 1M: $(du -h again.db | cut -f1)"
