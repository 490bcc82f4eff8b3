#!/bin/bash
# Reliability of `unentropy collect` (issue: record builds): concurrent
# writers, SIGKILL mid-run, a corrupt database file, a hanging command and a
# command printing 100 MB.
. "$SRC/tests/cli/lib.sh"

R=$TMP/repo
new_repo "$R"
cat > "$R/unentropy.json" <<'JSON'
{
  "metrics": {
    "a": { "type": "numeric", "command": "echo 1" },
    "b": { "type": "numeric", "command": "echo $UNENTROPY_RUN_NUMBER" },
    "c": { "type": "label", "command": "echo run-$UNENTROPY_RUN_ID" }
  }
}
JSON

# 16 processes at once against one database: 16 builds with all values.
pids=""
for i in $(seq 1 16); do
    (cd "$R" && "$U" collect --no-report --run-id "job-$i" --run-number "$i" >"$TMP/c$i.log" 2>&1) &
    pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "16 concurrent collects exit 0" 0 "$fails"
[ "$fails" -eq 0 ] || cat "$TMP"/c*.log
check "16 builds" 16 "$(sqlite3 "$R/unentropy.db" 'SELECT count(*) FROM build_contexts')"
check "48 values" 48 "$(sqlite3 "$R/unentropy.db" 'SELECT count(*) FROM metric_values')"
check "every build complete" "" "$(sqlite3 "$R/unentropy.db" 'SELECT build_id FROM metric_values GROUP BY build_id HAVING count(*) <> 3')"

# SIGKILL at varying moments: earlier builds intact, never a partial build.
for delay in 0.02 0.05 0.08 0.11 0.15 0.2 0.3; do
    (cd "$R" && exec "$U" collect --no-report >/dev/null 2>&1) &
    p=$!
    sleep "$delay"
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
done
check "integrity after kills" "ok" "$(sqlite3 "$R/unentropy.db" 'PRAGMA integrity_check')"
check "no partial build" "" "$(sqlite3 "$R/unentropy.db" 'SELECT b.id FROM build_contexts b LEFT JOIN metric_values v ON v.build_id = b.id GROUP BY b.id HAVING count(v.id) <> 3')"
n=$(sqlite3 "$R/unentropy.db" 'SELECT count(*) FROM build_contexts')
[ "$n" -ge 16 ] && ok "earlier builds intact ($n builds)" || bad "earlier builds intact" "$n"
out=$(cd "$R" && "$U" collect --no-report 2>&1); rc=$?
check "collect works after kills" 0 "$rc"

# A corrupt or non-SQLite file is reported and left untouched.
for content in "not a database at all" "$(head -c 4096 /dev/urandom | base64)"; do
    printf '%s' "$content" > "$R/bad.db"
    before=$(sha256sum "$R/bad.db")
    out=$(cd "$R" && "$U" collect --no-report --db bad.db 2>&1); rc=$?
    check "corrupt db exits 1" 1 "$rc"
    check_contains "corrupt db message" "Error: Cannot open database bad.db: " "$out"
    check "corrupt db untouched" "$before" "$(sha256sum "$R/bad.db")"
    [ ! -e "$R/bad.db-wal" ] && ok "no wal created" || bad "no wal created"
done
# A SQLite file that is not truncated but damaged in its pages.
cp "$R/unentropy.db" "$R/damaged.db"
sqlite3 "$R/damaged.db" 'PRAGMA journal_mode=DELETE' >/dev/null
printf 'garbage!garbage!' | dd of="$R/damaged.db" bs=1 seek=0 conv=notrunc 2>/dev/null
before=$(sha256sum "$R/damaged.db")
out=$(cd "$R" && "$U" collect --no-report --db damaged.db 2>&1); rc=$?
check "damaged header exits 1" 1 "$rc"
check "damaged header untouched" "$before" "$(sha256sum "$R/damaged.db")"

# A hanging command is killed at its timeout together with its children.
cat > "$R/hang.json" <<JSON
{
  "metrics": {
    "hang": { "type": "numeric", "timeout": 500,
              "command": "sleep 300 & echo \$! > $TMP/child.pid; sleep 300; echo 1" },
    "after": { "type": "numeric", "command": "echo 2" }
  }
}
JSON
start=$(date +%s)
out=$(cd "$R" && "$U" collect --no-report -c hang.json --db hang.db 2>&1); rc=$?
elapsed=$(( $(date +%s) - start ))
check "hang: collect exits 0" 0 "$rc"
check_contains "hang: timeout reason" "  ✗ hang  Command timed out after 500ms" "$out"
check_contains "hang: next metric runs" "  ✓ after  2  (" "$out"
[ "$elapsed" -lt 10 ] && ok "hang: returns promptly (${elapsed}s)" || bad "hang: returns promptly" "$elapsed s"
child=$(cat "$TMP/child.pid")
sleep 0.2
if kill -0 "$child" 2>/dev/null; then bad "hang: grandchild killed" "pid $child alive"; kill -9 "$child"; else ok "hang: grandchild killed"; fi

# 100 MB of output does not exhaust memory: the value is on the first line.
cat > "$R/big.json" <<'JSON'
{ "metrics": { "big": { "type": "numeric", "command": "yes 42 | head -c 104857600" } } }
JSON
out=$( (cd "$R" && /usr/bin/time -f 'maxrss=%M' "$U" collect --no-report -c big.json --db big.db) 2>&1); rc=$?
check "big output exits 0" 0 "$rc"
check_contains "big output value" "  ✓ big  42  (" "$out"
rss=$(printf '%s\n' "$out" | sed -n 's/^maxrss=//p')
[ -n "$rss" ] && [ "$rss" -lt 65536 ] && ok "big output peak RSS ${rss} KiB < 64 MiB" || bad "big output peak RSS" "$rss"

finish
