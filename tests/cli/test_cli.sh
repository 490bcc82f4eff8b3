#!/bin/bash
# The CLI and the host: global options, dispatch, `run` resolution and exit
# statuses, module search order (never the working directory), the dev
# override directory, strict globals.
. "$SRC/tests/cli/lib.sh"

out=$("$U" --version); rc=$?
check "--version exit" 0 "$rc"
check "--version prints the CMake version" "$(sed -n 's/^project(unentropy VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")" "$out"

out=$("$U" --help); rc=$?
check "--help exit" 0 "$rc"
check_contains "--help lists commands" "  collect   Record one build" "$out"

out=$("$U" 2>&1 >/dev/null); rc=$?
check "no command exit" 1 "$rc"
check_contains "no command usage on stderr" "Usage: unentropy" "$out"

out=$("$U" frobnicate 2>&1); rc=$?
check "unknown command exit" 1 "$rc"
check "unknown command text" "Error: Unknown command: frobnicate
Run 'unentropy --help' for usage." "$out"

out=$("$U" test --frob 2>&1); rc=$?
check "unknown flag exit" 1 "$rc"
check "unknown flag text" "Error: Unknown argument: --frob
Run 'unentropy test --help' for usage." "$out"

out=$("$U" test --timeout abc 2>&1); rc=$?
check "bad number exit" 1 "$rc"
check_contains "bad number text" 'Error: Invalid value for --timeout: "abc" (expected a number)' "$out"

out=$("$U" collect --storage-type ftp 2>&1); rc=$?
check "bad choice exit" 1 "$rc"
check_contains "bad choice text" 'Error: Invalid value for --storage-type: "ftp" (choices: sqlite-local, sqlite-s3, sqlite-artifact, postgres)' "$out"

out=$("$U" test --timeout "" --config "" --help 2>&1); rc=$?
check "empty option values mean unset" 0 "$rc"
out=$(cd "$TMP" && "$U" collect --storage-type "" --config "" 2>&1); rc=$?
check_contains "empty --config falls back to the default" "Config file not found: unentropy.json" "$out"

for c in collect gate report preview test verify init import sources measure run; do
    out=$("$U" $c --help 2>&1); rc=$?
    check "$c --help exit 0" 0 "$rc"
    check_contains "$c --help usage" "Usage: unentropy $c" "$out"
done


# run: an existing path wins, args and arg[], exit statuses.
cat > "$TMP/s.lua" <<'LUA'
local a, b = ...
io.write(arg[0], " ", a, " ", b, " ", #arg, "\n")
return tonumber(a)
LUA
out=$("$U" run "$TMP/s.lua" 5 x); rc=$?
check "run returns integer status" 5 "$rc"
check "run args" "$TMP/s.lua 5 x 2" "$out"
echo 'return false' > "$TMP/f.lua"; "$U" run "$TMP/f.lua"; check "run false is 1" 1 "$?"
echo 'return true' > "$TMP/t.lua"; "$U" run "$TMP/t.lua"; check "run true is 0" 0 "$?"
echo 'os.exit(4)' > "$TMP/x.lua"; "$U" run "$TMP/x.lua"; check "os.exit status" 4 "$?"
echo 'local x = nil; return x.y' > "$TMP/e.lua"
out=$("$U" run "$TMP/e.lua" 2>&1); rc=$?
check "uncaught error exit" 1 "$rc"
check "uncaught error text" "Error: $TMP/e.lua:1: attempt to index a nil value (local 'x')" "$out"
out=$(UNENTROPY_DEBUG=1 "$U" run "$TMP/e.lua" 2>&1)
check_contains "debug traceback" "stack traceback:" "$out"
echo 'return undefined_global_name' > "$TMP/g.lua"
out=$("$U" run "$TMP/g.lua" 2>&1)
check_contains "strict globals" "undefined global 'undefined_global_name'" "$out"
out=$("$U" run "$TMP/nope.lua" 2>&1); rc=$?
check "missing script" "Error: script not found: $TMP/nope.lua" "$out"
check "missing script exit" 1 "$rc"

# A bare name resolves to the bundled script; a local file of that name wins for run.
out=$(cd "$TMP" && "$U" run measure --help); rc=$?
check_contains "bare name runs bundled script" "Usage: unentropy measure" "$out"

# Modules beside the script can be required; the working directory never is.
mkdir -p "$TMP/proj/unentropy" "$TMP/lib"
echo 'return { hello = function() return "beside" end }' > "$TMP/lib/helper.lua"
echo 'print(require("helper").hello())' > "$TMP/lib/main.lua"
out=$("$U" run "$TMP/lib/main.lua"); check "require beside script" "beside" "$out"
echo 'error("hijacked")' > "$TMP/proj/unentropy/format.lua"
echo 'error("hijacked")' > "$TMP/proj/helper.lua"
echo 'print(require("unentropy.format").value(1, "percent")); print(pcall(require, "helper"))' > "$TMP/m.lua"
out=$(cd "$TMP/proj" && "$U" run "$TMP/m.lua" 2>&1)
check_contains "cwd cannot replace a module" "1.0%" "$out"
check_contains "cwd is not searched" "false" "$out"
out=$(cd "$TMP/proj" && "$U" test --help 2>&1); rc=$?
check "commands ignore cwd modules" 0 "$rc"

# The dev override directory loads modules and commands from disk.
mkdir -p "$TMP/dev/commands" "$TMP/dev/unentropy"
echo 'io.write("dev command ", require("unentropy.devmod").x, "\n") return 0' > "$TMP/dev/commands/hello.lua"
echo 'return { x = 42 }' > "$TMP/dev/unentropy/devmod.lua"
out=$("$U" --lua-dir "$TMP/dev" hello 2>/dev/null); check "--lua-dir command" "dev command 42" "$out"
out=$(UNENTROPY_LUA_DIR="$TMP/dev" "$U" hello 2>/dev/null); check "UNENTROPY_LUA_DIR command" "dev command 42" "$out"
out=$(UNENTROPY_LUA_DIR="$TMP/dev" "$U" --version 2>&1 >/dev/null)
check_contains "override logged once on stderr" "loading Lua scripts from $TMP/dev" "$out"
out=$("$U" --lua-dir 2>&1); rc=$?
check "--lua-dir without value" 1 "$rc"

finish
