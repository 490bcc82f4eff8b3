#!/bin/bash
# End to end: `unentropy measure <collector>` (with and without --config),
# inline `@collect` metrics through `unentropy test`, and `unentropy sources`
# (plain, --loc, --sort loc, --absolute, errors).
. "$SRC/tests/cli/lib.sh"

P=$TMP/proj
mkdir -p "$P/src/deep" "$P/src/node_modules" "$P/dist" "$P/cov"
printf 'int a;\n// comment\n\nint b; /* x */\n' > "$P/src/a.c"
printf 'x\n\ny\n' > "$P/src/deep/notes.txt"
printf 'a\0b\n' > "$P/src/bin.dat"
printf 'var q;\n' > "$P/src/node_modules/m.js"
head -c 1536 /dev/zero > "$P/dist/app.bin"
printf 'SF:src/a.c\nDA:1,1\nDA:4,0\nend_of_record\nSF:/elsewhere/x.c\nDA:1,0\nend_of_record\n' > "$P/cov/lcov.info"
cat > "$P/unentropy.json" <<'JSON'
{
  "sources": ["src/**"],
  "metrics": {
    "loc": { "type": "numeric", "unit": "integer", "command": "@collect loc" },
    "size": { "type": "numeric", "unit": "bytes", "command": "@collect size dist" },
    "cov": { "type": "numeric", "unit": "percent", "command": "@collect coverage-lcov cov/lcov.info" },
    "bad": { "type": "numeric", "command": "@collect coverage-lcov 'missing file.info'" }
  }
}
JSON

# measure without --config: base directory = cwd, no sources
check "measure loc" "4" "$(cd "$P" && "$U" measure loc src 2>&1)"
check "measure size" "1536" "$(cd "$P" && "$U" measure size dist 2>&1)"
check "measure lcov: covered / total × 100, shortest round-trip" "33.33333333333333" "$(cd "$P" && "$U" measure coverage-lcov cov/lcov.info 2>&1)"
check "measure lcov --type" "0" "$(cd "$P" && "$U" measure coverage-lcov cov/lcov.info --type branch 2>&1)"
out=$(cd "$P" && "$U" measure loc 2>&1); rc=$?
check "measure loc without path or sources" "1 Error: Path is required when sources is not configured" "$rc $out"
# with --config: the config directory and its sources
check "measure --config loc uses sources" "4" "$(cd "$TMP" && "$U" measure loc --config proj/unentropy.json 2>&1)"
check "measure -c lcov filters by sources" "50" "$(cd "$TMP" && "$U" measure coverage-lcov cov/lcov.info -c proj/unentropy.json 2>&1)"
out=$("$U" measure 2>&1); rc=$?
check "measure without collector" "1 Error: No collector specified. Available collectors: loc, size, coverage-lcov, coverage-cobertura, coverage-clover, coverage-jacoco, coverage-go" "$rc $out"
out=$("$U" measure coverage-json x 2>&1); rc=$?
check "unknown collector" "1 Error: Unknown collector: coverage-json. Available collectors: loc, size, coverage-lcov, coverage-cobertura, coverage-clover, coverage-jacoco, coverage-go" "$rc $out"
out=$(cd "$P" && "$U" measure coverage-lcov nope.info 2>&1); rc=$?
check "missing lcov is an error" "1 Error: File not found: nope.info" "$rc $out"
out=$(cd "$P" && "$U" measure size dist --bogus 2>&1); rc=$?
check "unknown collector argument" "1 Error: Unknown argument: --bogus" "$rc $out"

# inline @collect through `unentropy test`
out=$(cd "$P" && "$U" test 2>&1); rc=$?
check "test exit code (one failing metric)" "2" "$rc"
check_contains "inline loc" "$(printf '  ✓ loc (integer)\t4  ')" "$out"
check_contains "inline size" "$(printf '  ✓ size (bytes) \t1.5 KB  ')" "$out"
check_contains "inline coverage with sources" "$(printf '  ✓ cov (percent)\t50.0%%  ')" "$out"
check_contains "inline collector error" "Error: File not found: missing file.info" "$out"

# sources
out=$(cd "$P" && "$U" sources 2>&1); rc=$?
check "sources lists every matching regular file" "0
src/a.c
src/bin.dat
src/deep/notes.txt
src/node_modules/m.js" "$rc
$out"
out=$(cd "$P" && "$U" sources --loc 2>&1)
check "sources --loc table" "Path                LOC
src/a.c                    2
src/deep/notes.txt         2
────────────────────────────
2 file(s), 4 LOC" "$out"
printf 'ok\n' > "$P/src/z.txt"
out=$(cd "$P" && "$U" sources -l --sort loc 2>&1)
check "sources --sort loc (ties by path)" "Path                LOC
src/z.txt                  1
src/a.c                    2
src/deep/notes.txt         2
────────────────────────────
3 file(s), 5 LOC" "$out"
out=$(cd "$TMP" && "$U" sources --absolute -c proj/unentropy.json 2>&1)
check_contains "sources --absolute" "$(cd "$P" && pwd -P)/src/deep/notes.txt" "$out"
for i in $(seq 1 1500); do echo "line $i"; done > "$P/src/deep/long.txt"
out=$(cd "$P" && "$U" sources --loc 2>&1)
check_contains "thousands separators" "4 file(s), 1,505 LOC" "$out"
out=$(cd "$P" && "$U" sources --sort loc 2>&1); rc=$?
check "--sort loc requires --loc" "1 Error: --sort loc requires --loc" "$rc $out"
out=$(cd "$TMP" && "$U" sources 2>&1); rc=$?
check "sources without config" "1 Error: Config file not found: unentropy.json
Run 'unentropy init' to create one." "$rc $out"
printf '{"metrics": {"x": {"type": "numeric", "command": "echo 1"}}}\n' > "$TMP/nosrc.json"
out=$(cd "$TMP" && "$U" sources -c nosrc.json 2>&1); rc=$?
check "sources without sources" "1 Error: No sources configured in nosrc.json
Add a \"sources\" array to your configuration." "$rc $out"
printf '{"sources": ["nothing/**"], "metrics": {"x": {"type": "numeric", "command": "echo 1"}}}\n' > "$TMP/none.json"
out=$(cd "$TMP" && "$U" sources -c none.json --loc 2>&1); rc=$?
check "no match: no output" "0 " "$rc $out"

finish
