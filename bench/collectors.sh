#!/bin/bash
# bench/collectors.sh: speed and memory of the built-in collectors against
# reference tools, all measured in the same run (best of BENCH_RUNS after a
# warm-up read, so the page cache is hot for everyone):
#   loc                 over BENCH_FILES generated files   vs cloc (>= 5x faster)
#                                                          vs find | xargs cat | wc -l (<= 3x)
#   coverage-lcov       on a BENCH_LCOV_MB LCOV file       vs wc -l (<= 3x), peak RSS < 64 MB
#   coverage-cobertura  on a BENCH_COBERTURA_MB report     vs xmllint --stream --noout (<= 2x),
#                       and the same distinct lines in a 4x smaller report: peak RSS must not
#                       grow with the file size
# Environment: UNENTROPY (binary; default build/unentropy), BENCH_DIR (inputs,
# kept between runs; default /tmp/unentropy-bench), BENCH_FILES (50000),
# BENCH_LCOV_MB (500), BENCH_COBERTURA_MB (200), BENCH_RUNS (3), BENCH_STRICT=1
# (exit 1 when a target is missed). A quick run:
#   BENCH_FILES=2000 BENCH_LCOV_MB=20 BENCH_COBERTURA_MB=10 bench/collectors.sh
# Build with -DCMAKE_BUILD_TYPE=Release for meaningful figures. Tools that
# are missing (cloc, xmllint: apt-get install cloc libxml2-utils; GNU time)
# skip their comparison with a message.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
U=${UNENTROPY:-$ROOT/build/unentropy}
DIR=${BENCH_DIR:-/tmp/unentropy-bench}
FILES=${BENCH_FILES:-50000}
LCOV_MB=${BENCH_LCOV_MB:-500}
COB_MB=${BENCH_COBERTURA_MB:-200}
RUNS=${BENCH_RUNS:-3}
export UNENTROPY_LUA_DIR=
GEN="$ROOT/bench/collectors_gen.lua"

[ -x "$U" ] || { echo "bench: no unentropy binary at $U (set UNENTROPY)"; exit 2; }
mkdir -p "$DIR"
MISSED=0
TIME_BIN=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then TIME_BIN=/usr/bin/time; fi

# Inputs, regenerated only when their size parameter changes.
gen() { # gen <kind> <path> <size> [extra]: runs the generator unless <path>.ok matches
    if [ "$(cat "$2.ok" 2>/dev/null)" != "$3 ${4:-}" ]; then
        echo "bench: generating $1 ($3) in $2"
        rm -rf "$2" "$2.ok"
        "$U" run "$GEN" "$1" "$2" "$3" ${4:-} || { echo "bench: generator failed"; exit 2; }
        echo "$3 ${4:-}" > "$2.ok"
    fi
}
gen tree "$DIR/tree" "$FILES"
gen lcov "$DIR/big.info" "$LCOV_MB"
# both reports cycle over the same classes, all of which fit in the small one
small_mb=$(( (COB_MB + 3) / 4 ))
distinct=$(( small_mb * 100 ))
gen cobertura "$DIR/big-cobertura.xml" "$COB_MB" "$distinct"
gen cobertura "$DIR/small-cobertura.xml" "$small_mb" "$distinct"

# best_time <command...>: prints the best wall time in seconds of RUNS runs.
best_time() {
    local best= t0 t1 dt
    "$@" >/dev/null 2>&1 # warm-up (page cache)
    for _ in $(seq 1 "$RUNS"); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        dt=$(( t1 - t0 ))
        if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
    done
    awk -v n="$best" 'BEGIN { printf "%.3f", n / 1e9 }'
}

# peak_kb <command...>: peak RSS in KiB (GNU time), or "" without it.
peak_kb() {
    [ -n "$TIME_BIN" ] || return 0
    "$TIME_BIN" -f %M -o "$DIR/time.out" "$@" >/dev/null 2>&1
    tail -1 "$DIR/time.out"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }'; }

# verdict <name> <ratio> <op> <limit>
verdict() {
    local ok
    ok=$(awk -v r="$2" -v l="$4" -v op="$3" 'BEGIN { if (op == "<=") print (r <= l); else print (r >= l) }')
    if [ "$ok" = 1 ]; then
        printf '  %-58s %8s   (target %s %s)  ok\n' "$1" "$2" "$3" "$4"
    else
        printf '  %-58s %8s   (target %s %s)  MISSED\n' "$1" "$2" "$3" "$4"
        MISSED=$((MISSED + 1))
    fi
}

echo "bench: $("$U" --version 2>/dev/null), $(nproc) CPUs, best of $RUNS runs"
echo

cat_pipeline() { find "$DIR/tree" -type f -print0 | xargs -0 cat | wc -l; }
t_loc=$(best_time "$U" measure loc "$DIR/tree")
t_cat=$(best_time cat_pipeline)
echo "loc over $FILES files: unentropy ${t_loc}s (= $("$U" measure loc "$DIR/tree") lines)"
echo "  find | xargs cat | wc -l ${t_cat}s"
verdict "loc time / cat pipeline time" "$(ratio "$t_loc" "$t_cat")" "<=" 3
if command -v cloc >/dev/null 2>&1; then
    t_cloc=$(RUNS=1 best_time cloc --quiet "$DIR/tree")
    echo "  cloc ${t_cloc}s"
    verdict "cloc time / loc time" "$(ratio "$t_cloc" "$t_loc")" ">=" 5
else
    echo "  cloc: skipped (apt-get install cloc)"
fi
echo

size=$(du -m "$DIR/big.info" | cut -f1)
t_lcov=$(best_time "$U" measure coverage-lcov "$DIR/big.info")
t_wc=$(best_time wc -l "$DIR/big.info")
echo "coverage-lcov on ${size} MB: unentropy ${t_lcov}s (= $("$U" measure coverage-lcov "$DIR/big.info")%), wc -l ${t_wc}s"
verdict "coverage-lcov time / wc -l time" "$(ratio "$t_lcov" "$t_wc")" "<=" 3
kb=$(peak_kb "$U" measure coverage-lcov "$DIR/big.info")
if [ -n "$kb" ]; then
    verdict "coverage-lcov peak RSS (MB)" "$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')" "<=" 64
else
    echo "  peak memory: skipped (no GNU time at /usr/bin/time)"
fi
echo

size=$(du -m "$DIR/big-cobertura.xml" | cut -f1)
t_cob=$(best_time "$U" measure coverage-cobertura "$DIR/big-cobertura.xml")
echo "coverage-cobertura on ${size} MB: unentropy ${t_cob}s (= $("$U" measure coverage-cobertura "$DIR/big-cobertura.xml")%)"
if command -v xmllint >/dev/null 2>&1; then
    t_xl=$(best_time xmllint --stream --noout "$DIR/big-cobertura.xml")
    echo "  xmllint --stream --noout ${t_xl}s"
    verdict "coverage-cobertura time / xmllint time" "$(ratio "$t_cob" "$t_xl")" "<=" 2
else
    echo "  xmllint: skipped (apt-get install libxml2-utils)"
fi
kb_big=$(peak_kb "$U" measure coverage-cobertura "$DIR/big-cobertura.xml")
kb_small=$(peak_kb "$U" measure coverage-cobertura "$DIR/small-cobertura.xml")
if [ -n "$kb_big" ]; then
    echo "  peak RSS: ${kb_big} KB for ${size} MB, ${kb_small} KB for ${small_mb} MB (same distinct lines)"
    verdict "cobertura peak RSS growth, big / small report" "$(ratio "$kb_big" "$kb_small")" "<=" 1.25
fi
echo

if [ "$MISSED" -gt 0 ]; then
    echo "bench: $MISSED target(s) missed"
    [ "${BENCH_STRICT:-0}" = 1 ] && exit 1
else
    echo "bench: all targets met"
fi
exit 0
