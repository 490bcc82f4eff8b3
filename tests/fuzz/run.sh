#!/bin/bash
# tests/fuzz/run.sh: builds the libFuzzer harnesses with clang (ASan + UBSan)
# and runs each for FUZZ_SECONDS (default 30) from a seed corpus made of the
# coverage fixtures. Usable in CI: skips with a message (exit 0) when clang
# or libFuzzer is missing; exits 1 when a harness finds a crash (the input
# is kept in $FUZZ_OUT, default a temp dir, and printed).
#   tests/fuzz/run.sh [harness...]     harnesses: lcov coverprofile xml sloc json
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-30}
CC=${FUZZ_CC:-clang}
OUT=${FUZZ_OUT:-$(mktemp -d /tmp/unentropy-fuzz.XXXXXX)}
HARNESSES=("$@")
[ ${#HARNESSES[@]} -eq 0 ] && HARNESSES=(lcov coverprofile xml sloc json)

skip() {
    echo "fuzz: skipped: $1"
    [ -z "${FUZZ_OUT:-}" ] && rm -rf "$OUT"
    exit 0
}
command -v "$CC" >/dev/null 2>&1 || skip "$CC not found (apt-get install clang)"
probe=$OUT/probe.c
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' > "$probe"
"$CC" -fsanitize=fuzzer "$probe" -o "$OUT/probe" >/dev/null 2>&1 || skip "$CC cannot link libFuzzer (-fsanitize=fuzzer)"

FLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE
       -I"$ROOT/src" -I"$ROOT/tests/fuzz")
declare -A SOURCES=(
    [lcov]="linescan.c linescan_go.c covdata.c"
    [coverprofile]="linescan.c linescan_go.c covdata.c"
    [xml]="xml.c"
    [sloc]="sloc.c sloc_pattern.c sloc_file.c"
    [json]="json.c json_write.c"
)
declare -A LIBS=([xml]="-lexpat" [json]="-lm")
declare -A MAXLEN=([sloc]=4096 [json]=4096)
declare -A SEEDS=(
    [lcov]="lcov/*.info"
    [coverprofile]="go/*.out"
    [xml]="cobertura/*.xml clover/*.xml jacoco/*.xml"
    [sloc]="../sloc/cases.json ../../../src/sloc.c"
    [json]="expected.json ../sloc/cases.json"
)

status=0
for h in "${HARNESSES[@]}"; do
    if [ -z "${SOURCES[$h]+x}" ]; then
        echo "fuzz: unknown harness '$h' (lcov coverprofile xml sloc json)"
        exit 2
    fi
    srcs=()
    for s in ${SOURCES[$h]}; do srcs+=("$ROOT/src/$s"); done
    bin=$OUT/fuzz_$h
    if ! "$CC" "${FLAGS[@]}" "$ROOT/tests/fuzz/fuzz_$h.c" "${srcs[@]}" ${LIBS[$h]:-} -lpthread -o "$bin"; then
        echo "fuzz: $h: build failed"
        status=1
        continue
    fi
    corpus=$OUT/corpus_$h
    mkdir -p "$corpus"
    (cd "$ROOT/tests/fixtures/coverage" && for f in ${SEEDS[$h]}; do [ -f "$f" ] && cp "$f" "$corpus/"; done) 2>/dev/null
    echo "fuzz: $h for ${SECONDS_EACH}s"
    if ! (cd "$OUT" && "$bin" -max_total_time="$SECONDS_EACH" -max_len="${MAXLEN[$h]:-16384}" -timeout=10 -rss_limit_mb=1024 \
            -print_final_stats=1 -artifact_prefix="$OUT/crash_${h}_" "$corpus" > "$OUT/$h.log" 2>&1); then
        echo "fuzz: $h FAILED; log: $OUT/$h.log"
        tail -40 "$OUT/$h.log"
        ls "$OUT"/crash_"${h}"_* 2>/dev/null
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/$h.log" | tr '\n' ' '
        echo
    fi
done
[ -z "${FUZZ_OUT:-}" ] && [ $status -eq 0 ] && rm -rf "$OUT"
[ $status -eq 0 ] && echo "fuzz: all harnesses clean"
exit $status
