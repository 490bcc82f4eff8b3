#!/bin/bash
# Storage benchmark: recording one build of 50 metrics into a database that
# already holds 10,000 builds x 50 metrics, and the series query of one metric
# over those builds. Medians over repeated runs, in-process (the operation
# alone) and per process, beside the sqlite3 CLI doing the same SQL in the
# same run (ratios, not absolute times: the machine is shared and noisy).
# Usage: bench/store.sh [runs] [builds]
set -eu
cd "$(dirname "$0")/.."
U=${UNENTROPY:-build/unentropy}
RUNS=${1:-15}
BUILDS=${2:-10000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/bench.db

echo "seeding $BUILDS builds x 50 metrics..."
"$U" run bench/store_seed.lua "$DB" "$BUILDS" 50

now_us() { echo $(( $(date +%s%N) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

rec_in=(); rec_proc=(); ref_rec=(); ser_in=(); ser_proc=(); ref_ser=()
for i in $(seq 1 "$RUNS"); do
  s=$(now_us); rec_in+=("$("$U" run bench/store_op.lua "$DB" record "$i")"); rec_proc+=($(( $(now_us) - s )))
  sha=$(printf '%040x' $((2000000000 + i)))
  {
    echo "BEGIN IMMEDIATE;"
    echo "INSERT INTO build_contexts (commit_sha, branch, run_id, run_number, event_name, timestamp) VALUES ('$sha', 'main', 'ref-$i', $((200000 + i)), 'push', '2030-01-01T00:00:00.000Z');"
    for m in $(seq 1 50); do
      echo "INSERT INTO metric_definitions (id, type) VALUES ('metric-$m', 'numeric') ON CONFLICT(id) DO UPDATE SET unit = COALESCE(excluded.unit, unit);"
      echo "INSERT INTO metric_values (metric_id, build_id, value_numeric) VALUES ('metric-$m', last_insert_rowid(), $m.25);"
    done
    echo "COMMIT;"
  } > "$TMP/ref.sql"
  # last_insert_rowid() changes after each insert; the reference cost is what matters, not the row links.
  s=$(now_us); sqlite3 "$DB" < "$TMP/ref.sql" >/dev/null 2>&1 || true; ref_rec+=($(( $(now_us) - s )))
  s=$(now_us); ser_in+=("$("$U" run bench/store_op.lua "$DB" series 0)"); ser_proc+=($(( $(now_us) - s )))
  s=$(now_us)
  sqlite3 "$DB" "SELECT mv.build_id, mv.value_numeric, mv.value_label, bc.commit_sha, bc.branch, bc.run_number, bc.timestamp FROM metric_values mv JOIN build_contexts bc ON bc.id = mv.build_id WHERE mv.metric_id = 'metric-7' AND (bc.event_name IS NULL OR bc.event_name NOT IN ('pull_request', 'pull_request_target')) AND julianday(bc.timestamp) IS NOT NULL ORDER BY julianday(bc.timestamp), bc.id" >/dev/null
  ref_ser+=($(( $(now_us) - s )))
done

m_rec_in=$(printf '%s\n' "${rec_in[@]}" | median)
m_rec_proc=$(printf '%s\n' "${rec_proc[@]}" | median)
m_ref_rec=$(printf '%s\n' "${ref_rec[@]}" | median)
m_ser_in=$(printf '%s\n' "${ser_in[@]}" | median)
m_ser_proc=$(printf '%s\n' "${ser_proc[@]}" | median)
m_ref_ser=$(printf '%s\n' "${ref_ser[@]}" | median)
awk -v runs="$RUNS" -v builds="$BUILDS" -v ri="$m_rec_in" -v rp="$m_rec_proc" -v rr="$m_ref_rec" \
    -v si="$m_ser_in" -v sp="$m_ser_proc" -v sr="$m_ref_ser" 'BEGIN {
  printf "\n%-52s %10s\n", "operation (" runs " runs, " builds " builds x 50 metrics)", "median"
  printf "%-52s %10.2f ms\n", "record 50 values: in-process", ri
  printf "%-52s %10.2f ms\n", "record 50 values: whole unentropy process", rp / 1000
  printf "%-52s %10.2f ms\n", "reference: sqlite3 CLI, same inserts", rr / 1000
  printf "%-52s %10.2f ms\n", "series of one metric: in-process", si
  printf "%-52s %10.2f ms\n", "series of one metric: whole unentropy process", sp / 1000
  printf "%-52s %10.2f ms\n", "reference: sqlite3 CLI, same query", sr / 1000
  printf "\nratio record (process vs sqlite3 CLI): %.2f\n", rp / rr
  printf "ratio series (process vs sqlite3 CLI): %.2f\n", sp / sr }'
