#!/bin/bash
# `unentropy db copy` between SQLite files and a real PostgreSQL
# (tests/tools/pg-server.sh): a varied SQLite history (pull requests,
# builds without values, labels, infinities, equal instants) copied to
# PostgreSQL and back gives identical `report --format json` output and
# identical rows (ids included); a second run changes nothing; changed and
# new builds are picked up; a copy killed halfway can be run again; the
# ?schema= URL form; errors never print the password. Skips only when the
# server binaries are missing.
. "$SRC/tests/cli/lib.sh"
start_pg
unset DATABASE_URL GITHUB_REPOSITORY CI_PROJECT_PATH
q() { psql "$URL" -Atq -c "$1"; }

cat > "$TMP/gen.lua" <<'LUA'
-- gen.lua PATH N: a history of N builds through unentropy.store.
local store = require("unentropy.store")
local path, n = ...
n = tonumber(n)
local db = assert(store.open(path))
local cov = { id = "cov", type = "numeric", unit = "percent", description = "Coverage" }
local size = { id = "size", type = "numeric", unit = "bytes" }
local lbl = { id = "lbl", type = "label" }
for i = 1, n do
  local vals = {}
  if i % 37 ~= 0 then
    vals = { { metric = cov, value_numeric = (i * 7919 % 1000) / 10 + 1 / 3 },
      { metric = size, value_numeric = i == 5 and math.huge or i * 1024 }, { metric = lbl, value_label = "v" .. i % 4 } }
  end
  local ts = string.format("2024-%02d-%02dT%02d:%02d:00.%03dZ", 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 1000)
  if i % 50 == 1 and i > 1 then ts = string.format("2024-%02d-%02dT%02d:%02d:00.%03dZ", 1 + (i - 1) % 12, 1 + (i - 1) % 28, (i - 1) % 24, (i - 1) % 60, (i - 1) % 1000) end
  assert(db:record_build({ commit_sha = string.format("%040x", i * 2654435761 % 2 ^ 40), branch = i % 6 == 0 and "feature" or "main",
    run_id = tostring(9000 + i), run_number = i, event_name = i % 9 == 0 and "pull_request" or (i % 11 == 0 and nil or "push"),
    timestamp = ts }, vals))
end
db:close()
LUA

metrics='"metrics": {
    "cov": { "type": "numeric", "unit": "percent", "command": "echo 1" },
    "size": { "type": "numeric", "unit": "bytes", "command": "echo 1" },
    "lbl": { "type": "label", "command": "echo x" } }'
printf '{ %s, "storage": { "type": "sqlite-local", "path": "a.db" } }\n' "$metrics" > "$TMP/sqlite.json"
printf '{ %s, "storage": { "type": "postgres", "postgres": { "schema": "copyrepo" } } }\n' "$metrics" > "$TMP/pg.json"
printf '{ %s, "storage": { "type": "sqlite-local", "path": "b.db" } }\n' "$metrics" > "$TMP/back.json"

# report CONFIG -> data.json without generatedAt
report() {
    rm -rf "$TMP/rep"
    (cd "$TMP" && "$U" report -c "$1" --format json -o "$TMP/rep" --repository team/copy >/dev/null 2>&1) || echo "report failed"
    grep -v '"generatedAt"' "$TMP/rep/data.json"
}
rows() { sqlite3 "$1" "SELECT * FROM build_contexts ORDER BY id; SELECT id, build_id, metric_id, value_numeric, value_label FROM metric_values ORDER BY id; SELECT * FROM metric_definitions ORDER BY rowid"; }

cd "$TMP" || exit 1
"$U" run "$TMP/gen.lua" "$TMP/a.db" 300 || bad "generate the history"
ja=$(report sqlite.json)
check "the SQLite report has 300 - 8 no-value - 33 PR builds" "259" "$(printf '%s\n' "$ja" | grep -c '"commit_sha"')"

out=$("$U" db copy --from a.db --to pg:copyrepo 2>&1); rc=$?
check "copy to PostgreSQL exits 0" 0 "$rc"
check_contains "copy summary" "Copied 300 builds: 300 added, 0 updated, 0 unchanged; 876 values, 3 metric definitions" "$out"
check_contains "copy names both ends without the password" "Copied a.db -> postgresql://postgres@127.0.0.1:" "$out"
case "$out" in *"$PASSWORD"*) bad "no password in the copy output" ;; *) ok "no password in the copy output" ;; esac
check "identical report from PostgreSQL" "$ja" "$(report pg.json)"
check "every build, pull requests and value-less ones too" "300" "$(q "SELECT count(*) FROM copyrepo.build_contexts")"

out=$("$U" db copy --from a.db --to pg:copyrepo 2>&1)
check_contains "a second copy changes nothing" "Copied 300 builds: 0 added, 0 updated, 300 unchanged; 0 values" "$out"

out=$("$U" db copy --from pg:copyrepo --to b.db 2>&1); rc=$?
check "copy back exits 0" 0 "$rc"
check_contains "copy back summary" "300 added, 0 updated, 0 unchanged; 876 values" "$out"
check "identical report from the copy back" "$ja" "$(report back.json)"
check "identical rows, ids included" "$(rows a.db)" "$(rows b.db)"
out=$("$U" db copy --from pg:copyrepo --to sqlite:b.db 2>&1)
check_contains "the copy back again changes nothing" "0 added, 0 updated, 300 unchanged" "$out"

# Changes on the source side are picked up: a re-run that replaced values,
# and a new build.
cat > "$TMP/change.lua" <<'LUA'
local store = require("unentropy.store")
local db = assert(store.open(...))
local b
for _, x in ipairs(db:timeline()) do b = b or x end
assert(db:record_build({ commit_sha = b.commit_sha, branch = b.branch, run_id = b.run_id, run_number = b.run_number,
  event_name = b.event_name, timestamp = b.timestamp }, { { metric = { id = "cov", type = "numeric" }, value_numeric = 12.5 } }))
assert(db:record_build({ commit_sha = string.rep("f", 40), branch = "main", run_id = "new", run_number = 999,
  event_name = "push", timestamp = "2025-01-01T00:00:00.000Z" }, { { metric = { id = "cov", type = "numeric" }, value_numeric = 1 } }))
db:close()
LUA
"$U" run "$TMP/change.lua" "$TMP/a.db"
out=$("$U" db copy --from a.db --to pg:copyrepo 2>&1)
check_contains "one added, one updated" "Copied 301 builds: 1 added, 1 updated, 299 unchanged; 2 values" "$out"
ja=$(report sqlite.json)
check "reports still identical" "$ja" "$(report pg.json)"
"$U" db copy --from pg:copyrepo --to b.db >/dev/null 2>&1
check "rows still identical" "$(rows a.db)" "$(rows b.db)"

# A copy killed halfway (batches of 10; killed once the first batches are
# committed) can be run again.
"$U" run "$TMP/gen.lua" "$TMP/big.db" 3000 || bad "generate the big history"
"$U" db copy --from big.db --to pg:bigrepo --batch 10 > "$TMP/kill.out" 2>&1 &
pid=$!
for _ in $(seq 1 500); do
    n=$(q "SELECT count(*) FROM bigrepo.build_contexts" 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 0 ] && break
    sleep 0.01
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
n=$(q "SELECT count(*) FROM bigrepo.build_contexts")
echo "killed after $n of 3000 builds"
[ "$n" -gt 0 ] && [ "$n" -lt 3000 ] && ok "the copy was killed halfway" || bad "the copy was killed halfway" "$n builds"
check "only whole batches" "0" "$(( n % 10 ))"
out=$("$U" db copy --from big.db --to pg:bigrepo --batch 10 2>&1); rc=$?
check "the rerun exits 0" 0 "$rc"
check_contains "the rerun adds the rest" "Copied 3000 builds: $((3000 - n)) added, 0 updated, $n unchanged" "$out"
"$U" db copy --from pg:bigrepo --to big2.db >/dev/null 2>&1
check "the big history round trip is identical" "$(rows big.db)" "$(rows big2.db)"
check "two repositories side by side" "301 3000" \
    "$(q "SELECT (SELECT count(*) FROM copyrepo.build_contexts) || ' ' || (SELECT count(*) FROM bigrepo.build_contexts)")"

# The explicit URL form, with ?schema=.
out=$("$U" db copy --from a.db --to "$URL?schema=via_url" 2>&1); rc=$?
check "URL with ?schema= exits 0" 0 "$rc"
check "URL with ?schema= writes that schema" "301" "$(q "SELECT count(*) FROM via_url.build_contexts")"
case "$out" in *"$PASSWORD"*) bad "no password printed for an explicit URL" ;; *) ok "no password printed for an explicit URL" ;; esac

# --dry-run compares and writes nothing, even for a destination not yet there.
out=$("$U" db copy --from a.db --to pg:not_yet --dry-run 2>&1); rc=$?
check "dry run exits 0" 0 "$rc"
check_contains "dry run counts" "Would copy 301 builds: 301 added, 0 updated, 0 unchanged" "$out"
check "dry run creates no schema" "0" "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = 'not_yet'")"
out=$("$U" db copy --from a.db --to pg:copyrepo --dry-run 2>&1)
check_contains "dry run against an equal copy" "Would copy 301 builds: 0 added, 0 updated, 301 unchanged" "$out"

# Errors.
out=$("$U" db copy --from missing.db --to pg:x 2>&1); rc=$?
check "missing source: exit 1" 1 "$rc"
check_contains "missing source: message" "cannot open the source: Database not found: missing.db" "$out"
out=$("$U" db copy --from a.db --to "postgresql://postgres:Hidden-Pw-7@127.0.0.1:1/postgres?schema=s" 2>&1); rc=$?
check "unreachable destination: exit 1" 1 "$rc"
check_contains "unreachable destination: message" "cannot open the destination: cannot connect to PostgreSQL" "$out"
case "$out" in *Hidden-Pw-7*) bad "unreachable destination: password not printed" "$out" ;; *) ok "unreachable destination: password not printed" ;; esac
out=$("$U" db copy --from a.db --to ./a.db 2>&1); rc=$?
check "same file: exit 1" 1 "$rc"
out=$("$U" db copy --from pg:copyrepo --to pg:copyrepo 2>&1); rc=$?
check "same schema: exit 1" 1 "$rc"
out=$(UNENTROPY_PG_URL= "$U" db copy --from a.db --to pg: 2>&1); rc=$?
check_contains "pg: needs the environment" "PostgreSQL connection string is missing" "$out"
out=$("$U" db copy --from a.db 2>&1); rc=$?
check "--to is required" 1 "$rc"
out=$("$U" db bogus 2>&1); rc=$?
check "unknown subcommand" 1 "$rc"
out=$("$U" db copy --help 2>&1); rc=$?
check "help exits 0" 0 "$rc"
check_contains "help explains the stores" "pg: or pg:SCHEMA" "$out"
finish
