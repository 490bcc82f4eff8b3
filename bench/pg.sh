#!/bin/bash
# PostgreSQL vs SQLite storage, on the same generated history (10,000 builds
# x 50 metrics) in one run: recording one build, the report's data queries
# (timeline + all_values in one read transaction), and 32 concurrent
# `unentropy collect` processes end to end (50 shell metrics each). The
# history is seeded into SQLite (bench/store_seed.lua) and moved to
# PostgreSQL with `unentropy db copy` (also timed). PostgreSQL is a
# throwaway server (tests/tools/pg-server.sh) on loopback with fsync on,
# like a real server (BENCH_PG_FSYNC=off to compare); SQLite is a local WAL
# file (synchronous=NORMAL, storage.md §3). Medians; ratios are pg/sqlite.
# Usage: bench/pg.sh [runs] [builds]
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
U=${UNENTROPY:-build/unentropy}
case "$U" in /*) ;; *) U=$ROOT/$U ;; esac
RUNS=${1:-15}
BUILDS=${2:-10000}
PGS=$ROOT/tests/tools/pg-server.sh
"$PGS" bindir >/dev/null || { echo "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; }
TMP=$(mktemp -d)
PGDIR=$(PG_FSYNC=${BENCH_PG_FSYNC:-on} PG_SHARED_BUFFERS=256MB "$PGS" start)
trap '"$PGS" stop "$PGDIR"; rm -rf "$TMP"' EXIT
export UNENTROPY_PG_URL=$(cat "$PGDIR/url")
unset UNENTROPY_LUA_DIR GITHUB_REPOSITORY CI_PROJECT_PATH DATABASE_URL
DB=$TMP/bench.db

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "seeding $BUILDS builds x 50 metrics into SQLite..."
"$U" run bench/store_seed.lua "$DB" "$BUILDS" 50
echo "copying them to PostgreSQL (unentropy db copy)..."
s=$(now_ms)
"$U" db copy --from "$DB" --to pg:bench | tail -1
copy_ms=$(( $(now_ms) - s ))

rec_sq=(); rec_pg=(); rep_sq=(); rep_pg=()
for i in $(seq 1 "$RUNS"); do
    rec_sq+=("$("$U" run bench/pg_op.lua sqlite "$DB" record "$i")")
    rec_pg+=("$("$U" run bench/pg_op.lua pg bench record "$i")")
    rep_sq+=("$("$U" run bench/pg_op.lua sqlite "$DB" report "$i")")
    rep_pg+=("$("$U" run bench/pg_op.lua pg bench report "$i")")
done

# 32 concurrent collects in a repository with 50 shell metrics.
R=$TMP/repo
mkdir -p "$R"
git -C "$R" init -q -b main
git -C "$R" -c user.email=b@example.com -c user.name=b commit -q --allow-empty -m init
metrics=$(for m in $(seq 1 50); do
    printf '"metric-%d": {"type": "numeric", "command": "echo %d.5"}' "$m" "$m"
    if [ "$m" -lt 50 ]; then printf ', '; fi
done)
printf '{"metrics": {%s}, "storage": {"type": "sqlite-local", "path": "%s"}}\n' "$metrics" "$DB" > "$R/sqlite.json"
printf '{"metrics": {%s}, "storage": {"type": "postgres", "postgres": {"schema": "bench"}}}\n' "$metrics" > "$R/pg.json"
collects() { # CONFIG ROUND -> wall ms; fails if any collect failed
    local s rc=0 pids=()
    s=$(now_ms)
    for j in $(seq 1 32); do
        (cd "$R" && UNENTROPY_RUN_ID="c$2-$j-$1" UNENTROPY_RUN_NUMBER=$((200000 + j)) \
            "$U" collect -c "$1" --no-report >/dev/null 2>"$TMP/collect.err.$j") &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    [ "$rc" = 0 ] || { echo "a collect failed:" >&2; cat "$TMP"/collect.err.* >&2; exit 1; }
    echo $(( $(now_ms) - s ))
}
col_sq=(); col_pg=()
for round in 1 2 3; do
    col_sq+=("$(collects sqlite.json "$round")")
    col_pg+=("$(collects pg.json "$round")")
done

m() { printf '%s\n' "$@" | median; }
awk -v runs="$RUNS" -v builds="$BUILDS" -v copy="$copy_ms" \
    -v rs="$(m "${rec_sq[@]}")" -v rp="$(m "${rec_pg[@]}")" \
    -v qs="$(m "${rep_sq[@]}")" -v qp="$(m "${rep_pg[@]}")" \
    -v cs="$(m "${col_sq[@]}")" -v cp="$(m "${col_pg[@]}")" \
    -v fsync="${BENCH_PG_FSYNC:-on}" 'BEGIN {
  printf "\n%s builds x 50 metrics; medians of %d runs (collects: 3 rounds); PostgreSQL fsync=%s\n", builds, runs, fsync
  printf "%-46s %12s %12s %8s\n", "operation", "SQLite", "PostgreSQL", "pg/sq"
  printf "%-46s %9.2f ms %9.2f ms %8.2f\n", "record one build (50 values), in-process", rs, rp, rp / rs
  printf "%-46s %9.1f ms %9.1f ms %8.2f\n", "report data: timeline + all_values", qs, qp, qp / qs
  printf "%-46s %9.0f ms %9.0f ms %8.2f\n", "32 concurrent collects, end to end (wall)", cs, cp, cp / cs
  printf "%-46s %12s %9.1f s\n", "db copy SQLite -> PostgreSQL (whole history)", "", copy / 1000 }'
