#!/bin/bash
# `storage.type: "postgres"` end to end against a real PostgreSQL
# (tests/tools/pg-server.sh): collect, gate and report; 32 concurrent
# collects recording 32 builds; two repositories in one server under their
# own schemas; a server restart in the middle of 32 collects (each one
# either retries and succeeds or fails clearly, never a partial build); a
# server that goes away for good; a server that is down; a wrong password
# and a missing connection string (clear message, exit 1, no password
# printed, nothing written). Skips only when the server binaries are missing.
. "$SRC/tests/cli/lib.sh"
start_pg
unset DATABASE_URL GITHUB_REPOSITORY CI_PROJECT_PATH GITHUB_ACTIONS
q() { psql "$URL" -Atq -c "$1"; }

# new_pg_repo DIR REMOTE [SLEEP]: a repo whose config stores in PostgreSQL.
new_pg_repo() {
    new_repo "$1"
    git -C "$1" remote add origin "$2"
    cat > "$1/unentropy.json" <<JSON
{
  "metrics": {
    "coverage": { "type": "numeric", "unit": "percent", "command": "sleep ${3:-0}; echo \$UNENTROPY_RUN_NUMBER.5" },
    "phase": { "type": "label", "command": "echo beta" }
  },
  "storage": { "type": "postgres" },
  "qualityGate": { "thresholds": [{ "metric": "coverage", "mode": "min", "target": 1 }] }
}
JSON
}

A=$TMP/a
new_pg_repo "$A" "https://github.com/Team-X/Service.A.git"

out=$(cd "$A" && UNENTROPY_RUN_ID=first UNENTROPY_RUN_NUMBER=1 "$U" collect --report-dir "$TMP/first" 2>&1); rc=$?
check "collect exits 0" 0 "$rc"
check_contains "collect writes the report from PostgreSQL" "✓ Report generated: $TMP/first/index.html" "$out"
[ -s "$TMP/first/index.html" ] && ok "report file" || bad "report file"
check_contains "schema from the git remote" "Recorded build 1: 2 of 2 metrics (storage://postgres/team_x__service_a)" "$out"
check "build in PostgreSQL" "1|first|2" \
    "$(q "SELECT b.run_number || '|' || b.run_id || '|' || count(v.*) FROM team_x__service_a.build_contexts b JOIN team_x__service_a.metric_values v ON v.build_id = b.id GROUP BY b.id")"

# 32 concurrent collects: 32 builds, each complete.
for i in $(seq 1 32); do
    (cd "$A" && UNENTROPY_RUN_ID=c$i UNENTROPY_RUN_NUMBER=$((100 + i)) "$U" collect --no-report > "$TMP/c.$i" 2>&1
     echo $? > "$TMP/c.$i.rc") &
done
wait
check "32 concurrent collects exit 0" "32" "$(cat "$TMP"/c.*.rc | grep -c '^0$')"
check "32 builds recorded" "32" "$(q "SELECT count(*) FROM team_x__service_a.build_contexts WHERE run_id LIKE 'c%'")"
check "each with its 2 values" "64" \
    "$(q "SELECT count(*) FROM team_x__service_a.metric_values v JOIN team_x__service_a.build_contexts b ON b.id = v.build_id WHERE b.run_id LIKE 'c%'")"
check "distinct ids" "33" "$(q "SELECT count(DISTINCT id) FROM team_x__service_a.build_contexts")"

out=$(cd "$A" && "$U" report --format json -o "$TMP/ra" 2>&1); rc=$?
check "report exits 0" 0 "$rc"
check "report has 33 builds" "33" "$(grep -c '"commit_sha"' "$TMP/ra/data.json")"
out=$(cd "$A" && "$U" gate 2>&1); rc=$?
check "gate exits 0" 0 "$rc"
check_contains "gate passes against the PostgreSQL baseline" "PASS" "$out"

# A second repository in the same server: its own schema.
B=$TMP/b
new_pg_repo "$B" "git@github.com:team-x/other.git"
for i in 1 2 3; do
    (cd "$B" && UNENTROPY_RUN_ID=b$i UNENTROPY_RUN_NUMBER=$i "$U" collect --no-report >/dev/null 2>&1)
done
check "two schemas" "team_x__other team_x__service_a" \
    "$(q "SELECT string_agg(nspname, ' ' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'team_x%'")"
(cd "$B" && "$U" report --format json -o "$TMP/rb" >/dev/null 2>&1)
check "the second repository's report has its 3 builds" "3" "$(grep -c '"commit_sha"' "$TMP/rb/data.json")"
check "the first is untouched" "33" "$(q "SELECT count(*) FROM team_x__service_a.build_contexts")"
out=$(cd "$B" && GITHUB_REPOSITORY=team-x/service.a "$U" report --format json -o "$TMP/rc" 2>&1)
check "GITHUB_REPOSITORY picks the schema" "33" "$(grep -c '"commit_sha"' "$TMP/rc/data.json")"

# A restart in the middle of 32 collects (each opens its connection, then
# runs a 1.5 s metric, then records): retried or a clear failure, never a
# partial build.
R=$TMP/r
new_pg_repo "$R" "https://example.com/team-x/restart" 1.5
for i in $(seq 1 32); do
    (cd "$R" && UNENTROPY_RUN_ID=r$i UNENTROPY_RUN_NUMBER=$i "$U" collect --no-report > "$TMP/r.$i" 2>&1
     echo $? > "$TMP/r.$i.rc") &
done
sleep 0.7
"$PGS" restart "$PGDIR"
wait
okn=$(cat "$TMP"/r.*.rc | grep -c '^0$')
failn=$(cat "$TMP"/r.*.rc | grep -vc '^0$')
echo "restart: $okn collects succeeded, $failn failed"
check "every collect exited 0 or 1" "32" "$(cat "$TMP"/r.*.rc | grep -c '^[01]$')"
check "builds recorded = collects that succeeded" "$okn" "$(q "SELECT count(*) FROM team_x__restart.build_contexts")"
check "no partial build" "0" \
    "$(q "SELECT count(*) FROM (SELECT b.id FROM team_x__restart.build_contexts b LEFT JOIN team_x__restart.metric_values v ON v.build_id = b.id GROUP BY b.id HAVING count(v.*) <> 2) x")"
if [ "$failn" -gt 0 ]; then
    for i in $(seq 1 32); do
        if [ "$(cat "$TMP/r.$i.rc")" != 0 ]; then
            check_contains "failure $i says why" "Error: " "$(cat "$TMP/r.$i")"
        fi
    done
fi

# The server goes away while a collect runs its metric, for longer than the
# retries last: a clear error, exit 1, nothing written.
(cd "$R" && UNENTROPY_RUN_ID=gone UNENTROPY_RUN_NUMBER=99 "$U" collect --no-report > "$TMP/gone" 2>&1
 echo $? > "$TMP/gone.rc") &
sleep 0.7
"$PGS" down "$PGDIR"
wait
check "collect exits 1 when the server stays away" "1" "$(cat "$TMP/gone.rc")"
check_contains "it says so" "failed to record build: record_build gave up after 6 attempts:" "$(cat "$TMP/gone")"

# The server is down: collect and report fail at once, clearly.
out=$(cd "$A" && "$U" collect --no-report 2>&1); rc=$?
check "collect exits 1 when the server is down" 1 "$rc"
check_contains "down: message" "Error: cannot connect to PostgreSQL at postgresql://postgres@127.0.0.1:" "$out"
check_contains "down: schema" "(schema team_x__service_a)" "$out"
out=$(cd "$A" && "$U" report -o "$TMP/rdown" 2>&1); rc=$?
check "report exits 1 when the server is down" 1 "$rc"
case "$out" in *"$PASSWORD"*) bad "down: no password in the output" ;; *) ok "down: no password in the output" ;; esac
"$PGS" up "$PGDIR"
check "nothing was written while it was away" "0" "$(q "SELECT count(*) FROM team_x__restart.build_contexts WHERE run_id = 'gone'")"

# A wrong password: clear message, exit 1, neither password printed.
WRONG="Wr0ng-$PASSWORD-x"
BADURL=${URL/$PASSWORD/$WRONG}
before=$(q "SELECT count(*) FROM team_x__service_a.build_contexts")
out=$(cd "$A" && UNENTROPY_PG_URL=$BADURL "$U" collect --no-report 2>&1); rc=$?
check "wrong password: exit 1" 1 "$rc"
check_contains "wrong password: message" "PostgreSQL refused the credentials for postgresql://postgres@127.0.0.1:" "$out"
check_contains "wrong password: hint" "(check UNENTROPY_PG_URL or DATABASE_URL)" "$out"
case "$out" in *"$WRONG"*|*"$PASSWORD"*) bad "wrong password: not printed" "$out" ;; *) ok "wrong password: not printed" ;; esac
out=$(cd "$A" && UNENTROPY_PG_URL= DATABASE_URL=$BADURL "$U" report -o "$TMP/rw" 2>&1); rc=$?
check "DATABASE_URL is used too" 1 "$rc"
check_contains "DATABASE_URL: message" "refused the credentials" "$out"
check "nothing written" "$before" "$(q "SELECT count(*) FROM team_x__service_a.build_contexts")"

out=$(cd "$A" && UNENTROPY_PG_URL= "$U" collect --no-report 2>&1); rc=$?
check "no connection string: exit 1" 1 "$rc"
check_contains "no connection string: message" \
    "PostgreSQL connection string is missing: set UNENTROPY_PG_URL or DATABASE_URL" "$out"

# storage.postgres settings: the schema, and overrides of the URL's parts.
sed -i 's/"storage": { "type": "postgres" }/"storage": { "type": "postgres", "postgres": { "schema": "Custom Schema", "port": 1 } }/' \
    "$A/unentropy.json"
out=$(cd "$A" && "$U" collect --no-report 2>&1); rc=$?
check "config port overrides the URL" 1 "$rc"
check_contains "config port in the message" "postgresql://postgres@127.0.0.1:1/postgres (schema Custom Schema)" "$out"
sed -i 's/, "port": 1 //' "$A/unentropy.json"
out=$(cd "$A" && "$U" collect --no-report 2>&1); rc=$?
check "explicit schema: exit 0" 0 "$rc"
check_contains "explicit schema used verbatim" "(storage://postgres/Custom Schema)" "$out"
check "explicit schema exists" "1" "$(q "SELECT count(*) FROM \"Custom Schema\".build_contexts")"
finish
