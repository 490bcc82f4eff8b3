#!/bin/bash
# Report benchmark: HTML generation for 100, 1,000 and 10,000 builds x 50
# numeric metrics (report.md §11: 10,000 x 50 must take under 1 s). Per
# size: median CPU and wall time of report.generate in-process (with the
# stages), the whole `unentropy report` process, peak RSS and the page size;
# beside references measured in the same run: the sqlite3 CLI dumping the
# same values as JSON (`sqlite3 -json`, the floor for "read the data and
# write it as text") and `cat` of the generated page. Ratios matter, not
# absolute times: the machine is shared and noisy. Use a Release build.
# Usage: bench/report.sh [runs] [sizes...]   (binary: $UNENTROPY or build/unentropy)
set -eu
cd "$(dirname "$0")/.."
U=${UNENTROPY:-build/unentropy}
RUNS=${1:-5}
shift || true
SIZES=${*:-100 1000 10000}
METRICS=50
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SOURCE_DATE_EPOCH=1735689600

{
  echo '{ "metrics": {'
  for i in $(seq 1 $METRICS); do
    sep=","; [ "$i" -eq $METRICS ] && sep=""
    echo "  \"metric-$i\": { \"type\": \"numeric\", \"unit\": \"integer\", \"command\": \"echo $i\" }$sep"
  done
  echo '} }'
} > "$TMP/unentropy.json"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }

printf '%-8s %9s %9s %9s %9s %9s %9s %9s %9s %10s %9s %9s %7s\n' builds cpu_ms wall_ms read view render write \
  proc_ms rss_MiB page_MiB sqlite_ms cat_ms ratio
for n in $SIZES; do
  db=$TMP/b$n.db
  "$U" run tests/fixtures/report/seed.lua "$db" big "$n" "$METRICS"
  cpu=(); wall=(); rss=(); proc=(); ref=(); cat_t=(); st_r=(); st_v=(); st_h=(); st_w=()
  for _ in $(seq 1 "$RUNS"); do
    read -r c w r size sr sv sh sw < <("$U" run bench/report_run.lua "$TMP/unentropy.json" "$db" "$TMP/out$n")
    cpu+=("$c"); wall+=("$w"); rss+=("$r"); st_r+=("$sr"); st_v+=("$sv"); st_h+=("$sh"); st_w+=("$sw")
    s=$(now_us); "$U" report -c "$TMP/unentropy.json" --db "$db" -o "$TMP/proc$n" >/dev/null; proc+=($(( $(now_us) - s )))
    s=$(now_us)
    sqlite3 -json "$db" "SELECT bc.id, bc.timestamp, bc.commit_sha, bc.run_number, bc.branch, mv.metric_id, mv.value_numeric FROM metric_values mv JOIN build_contexts bc ON bc.id = mv.build_id ORDER BY julianday(bc.timestamp), bc.id" > "$TMP/ref.json"
    ref+=($(( $(now_us) - s )))
    s=$(now_us); cat "$TMP/out$n/index.html" > /dev/null; cat_t+=($(( $(now_us) - s )))
  done
  m_cpu=$(printf '%s\n' "${cpu[@]}" | median); m_wall=$(printf '%s\n' "${wall[@]}" | median)
  m_rss=$(printf '%s\n' "${rss[@]}" | median); m_proc=$(printf '%s\n' "${proc[@]}" | median)
  m_ref=$(printf '%s\n' "${ref[@]}" | median); m_cat=$(printf '%s\n' "${cat_t[@]}" | median)
  m_r=$(printf '%s\n' "${st_r[@]}" | median); m_v=$(printf '%s\n' "${st_v[@]}" | median)
  m_h=$(printf '%s\n' "${st_h[@]}" | median); m_w=$(printf '%s\n' "${st_w[@]}" | median)
  awk -v n="$n" -v c="$m_cpu" -v w="$m_wall" -v r="$m_rss" -v s="$size" -v p="$m_proc" -v q="$m_ref" -v k="$m_cat" \
      -v sr="$m_r" -v sv="$m_v" -v sh="$m_h" -v sw="$m_w" 'BEGIN {
    printf "%-8d %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %10.2f %9.1f %9.2f %7.2f\n",
      n, c, w, sr, sv, sh, sw, p / 1000, r / 1024, s / 1048576, q / 1000, k / 1000, (p / 1000) / (q / 1000) }'
done
cat <<'TXT'

cpu_ms/wall_ms: report generation in-process; its stages in wall ms: read = open read-only, one read
transaction of the Timeline and Values queries, alignment by build id; view = stats, preview data,
data table, cards; render = template + JSON encoding and escaping; write = the file.
proc_ms: the whole `unentropy report` process. rss_MiB: peak RSS of the in-process run.
sqlite_ms: `sqlite3 -json` dumping the same 50 x N values joined to their builds (reference).
cat_ms: `cat` of the page. ratio: proc_ms / sqlite_ms.
TXT
