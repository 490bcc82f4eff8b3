#!/bin/bash
# Start-up cost: `unentropy --version` and `unentropy verify` on a 50-metric
# config, median wall time and peak RSS over repeated runs, printed beside
# /bin/true and `lua5.4 -e ''` measured in the same run (ratios matter, not
# absolute times: the machine is shared and noisy).
# Usage: bench/startup.sh [runs]   (binary: $UNENTROPY or build/unentropy)
set -eu
cd "$(dirname "$0")/.."
U=${UNENTROPY:-build/unentropy}
RUNS=${1:-50}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

{
  echo '{ "metrics": {'
  for i in $(seq 1 50); do
    sep=","; [ "$i" -eq 50 ] && sep=""
    echo "  \"metric-$i\": { \"type\": \"numeric\", \"unit\": \"integer\", \"command\": \"echo $i\" }$sep"
  done
  echo '} }'
} > "$TMP/unentropy.json"

# median_ms CMD... : median wall time in ms over $RUNS runs
median_ms() {
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

peak_kib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

printf '%-34s %12s %13s\n' "command ($RUNS runs)" "median" "peak RSS"
t_true=$(median_ms /bin/true); m_true=$(peak_kib /bin/true)
printf '%-34s %9s ms %9s KiB\n' "/bin/true" "$t_true" "$m_true"
t_lua=$(median_ms lua5.4 -e ''); m_lua=$(peak_kib lua5.4 -e '')
printf '%-34s %9s ms %9s KiB\n' "lua5.4 -e ''" "$t_lua" "$m_lua"
t_ver=$(median_ms "$U" --version); m_ver=$(peak_kib "$U" --version)
printf '%-34s %9s ms %9s KiB\n' "unentropy --version" "$t_ver" "$m_ver"
t_ver2=$(median_ms "$U" verify "$TMP/unentropy.json"); m_ver2=$(peak_kib "$U" verify "$TMP/unentropy.json")
printf '%-34s %9s ms %9s KiB\n' "unentropy verify (50 metrics)" "$t_ver2" "$m_ver2"
awk -v a="$t_ver" -v b="$t_ver2" -v l="$t_lua" 'BEGIN {
  printf "\n--version: %+.2f ms vs lua5.4 -e (ratio %.2f)\n", a - l, a / l
  printf "verify:    %+.2f ms vs lua5.4 -e (ratio %.2f)\n", b - l, b / l }'
