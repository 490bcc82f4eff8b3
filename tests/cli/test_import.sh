#!/bin/bash
# test_import.sh: `unentropy import` end to end in real temporary git
# repositories (import.md, cli.md "import"): argument and config errors, the
# golden dry-run and real-run summaries and warnings of
# tests/fixtures/import/history.jsonl, nearest-commit resolution checked
# against `git log -1 --before` (with a back-dated commit), idempotent
# re-imports, --strict writing nothing, a missing trend branch, a shallow
# clone, bad input (binary, missing, unwritable) and existing databases
# left byte-identical by failed runs.
. "$SRC/tests/cli/lib.sh"
FIX=$SRC/tests/fixtures/import

# A repository whose commit dates are fixed; c4 is committed after c3 with an
# older date, so the walk order of `git log` is not the date order.
REPO=$TMP/repo
mkdir -p "$REPO"
git -C "$REPO" init -q -b main
git -C "$REPO" config user.email t@example.com
git -C "$REPO" config user.name t
commit_at() {
    GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git -C "$REPO" commit -q --allow-empty -m "$2"
}
commit_at "2024-01-01T00:00:00Z" c1
commit_at "2024-01-02T00:00:00Z" c2
commit_at "2024-01-03T00:00:00Z" c3
commit_at "2024-01-01T12:00:00Z" c4
commit_at "2024-01-05T00:00:00Z" c5
cat > "$REPO/unentropy.json" <<'EOF'
{
  "metrics": {
    "coverage": { "$ref": "coverage", "command": "echo 80" },
    "loc": { "type": "numeric", "command": "echo 1" },
    "status": { "type": "label", "command": "echo green" }
  }
}
EOF
cp "$FIX/history.jsonl" "$REPO/history.jsonl"
cd "$REPO"
sha_before() { git log -1 --format=%H --before="$1" main; }
q() { sqlite3 "$1" "$2"; }
# Every row of the three tables, to compare databases before and after.
dump() {
    sqlite3 "$1" "SELECT * FROM build_contexts ORDER BY id; SELECT * FROM metric_definitions;
        SELECT * FROM metric_values ORDER BY id;"
}

case "$(cat "$FIX/history.jsonl")" in *$'\r'*) ok "fixture keeps its CRLF line" ;;
    *) bad "fixture keeps its CRLF line" ;; esac

# --- argument, file and config errors (cli.md order) ---------------------
out=$("$U" import 2>&1); rc=$?
check "no jsonl: exit 1" 1 $rc
check "no jsonl: message" "Error: JSONL path is required" "$out"
out=$("$U" import history.jsonl 2>&1); rc=$?
check "no --output: exit 1" 1 $rc
check "no --output: message" "Error: --output is required" "$out"
out=$("$U" import nope.jsonl -o x.db 2>&1); rc=$?
check "missing file: exit 1" 1 $rc
check "missing file: message" "Error: JSONL file not found: nope.jsonl" "$out"
out=$("$U" import history.jsonl -o x.db -c none.json 2>&1); rc=$?
check "missing config: exit 1" 1 $rc
check "missing config: message" "Error: Config file not found: none.json
Run 'unentropy init' to create one." "$out"
echo '{"metrics": 5}' > bad.json
out=$("$U" import history.jsonl -o x.db -c bad.json 2>&1); rc=$?
check "invalid config: exit 1" 1 $rc
check_contains "invalid config: message" "Error: Config invalid: bad.json" "$out"
out=$("$U" import history.jsonl -o x.db --bogus 2>&1); rc=$?
check "unknown option: exit 1" 1 $rc
check_contains "unknown option: message" "Error: Unknown argument: --bogus" "$out"
check "no database created by the errors" "" "$(ls x.db 2>/dev/null)"
out=$("$U" import --help); rc=$?
check "help: exit 0" 0 $rc
check_contains "help: lists --trend-branch" "--trend-branch <b>" "$out"

# --- golden dry run and real run -----------------------------------------
out=$("$U" import history.jsonl -o out.db --dry-run 2>"$TMP/err"); rc=$?
check "dry run: exit 0" 0 $rc
check "dry run: summary" "$(cat "$FIX/dry-run.txt")" "$out"
check "dry run: warnings" "$(cat "$FIX/warnings.txt")" "$(cat "$TMP/err")"
check "dry run: no database" "" "$(ls out.db* 2>/dev/null)"

out=$("$U" import history.jsonl -o out.db 2>"$TMP/err"); rc=$?
check "real run: exit 0" 0 $rc
check "real run: summary" "$(cat "$FIX/real-run.txt")" "$out"
check "real run: warnings" "$(cat "$FIX/warnings.txt")" "$(cat "$TMP/err")"
check "real run: single file in journal mode delete" "delete|" "$(q out.db 'PRAGMA journal_mode')|$(ls out.db-* 2>/dev/null)"
check "real run: integrity" "ok" "$(q out.db 'PRAGMA integrity_check')"
check "real run: builds" "$(sha_before 2024-01-01T06:00:00Z)|main|import:manual:$(sha_before 2024-01-01T06:00:00Z | cut -c1-12)|0|import|2024-01-01T06:00:00.000Z
$(sha_before 2024-01-02T06:00:00Z)|main|import:ci:$(sha_before 2024-01-02T06:00:00Z | cut -c1-12)|0|import|2024-01-02T06:00:00.000Z
0123456789abcdef0123456789abcdef01234567|main|ci-run-42|42|import|2024-01-05T10:00:00.000Z
$(sha_before 2024-01-03T06:00:00Z)|release|import:manual:$(sha_before 2024-01-03T06:00:00Z | cut -c1-12)|0|import|2024-01-03T06:00:00.000Z
$(sha_before 2024-01-05T00:00:00Z)|main|import:manual:$(sha_before 2024-01-05T00:00:00Z | cut -c1-12)|0|import|2024-01-05T00:00:00.000Z" \
    "$(q out.db 'SELECT commit_sha, branch, run_id, run_number, event_name, timestamp FROM build_contexts ORDER BY id')"
check "real run: the back-dated commit is git's answer" "c4" \
    "$(git log -1 --format=%s "$(q out.db "SELECT commit_sha FROM build_contexts WHERE branch = 'release'")")"
check "real run: values (the later record of a build wins)" "coverage|70.5|
loc|1200.0|
coverage|71.0|
status||green
size|5.5|
coverage|73.5|" "$(q out.db 'SELECT metric_id, value_numeric, value_label FROM metric_values ORDER BY id')"
check "real run: definitions without unit or description" "coverage|numeric||
loc|numeric||
status|label||
size|numeric||" "$(q out.db 'SELECT * FROM metric_definitions')"

before=$(dump out.db)
out=$("$U" import history.jsonl -o out.db 2>/dev/null); rc=$?
check "re-import: exit 0" 0 $rc
check "re-import: same summary" "$(cat "$FIX/real-run.txt")" "$out"
check "re-import: no row changed" "$before" "$(dump out.db)"

# --- nearest-commit resolution against git itself ------------------------
: > near.jsonl
stamps="2024-01-01T00:00:00Z 2024-01-01T00:00:00.999Z 2024-01-01T11:59:59Z 2024-01-01T12:00:00Z
2024-01-02T00:00:00+00:00 2024-01-02T01:59:59+02:00 2024-01-02T02:00:00+02:00 2024-01-02T23:59:59Z
2024-01-03T00:00:00Z 2024-01-04T12:00:00-05:00 2024-01-05T00:00:00Z 2030-01-01T00:00:00Z"
i=0
for ts in $stamps; do
    i=$((i + 1))
    printf '{"metric_id":"m%d","timestamp":"%s","value_numeric":%d,"run_id":"r%d"}\n' $i "$ts" $i $i >> near.jsonl
done
"$U" import near.jsonl -o near.db >/dev/null 2>&1
i=0; want=""; got=""
for ts in $stamps; do
    i=$((i + 1))
    want="$want m$i=$(sha_before "$ts")"
    got="$got m$i=$(q near.db "SELECT b.commit_sha FROM metric_values v JOIN build_contexts b ON b.id = v.build_id WHERE v.metric_id = 'm$i'")"
done
check "nearest commit equals git log -1 --before for every timestamp" "$want" "$got"
check "nearest commit: the back-dated commit shadows c2 and c3 on main" "c1 c1 c1 c4 c4 c4 c4 c4 c4 c4 c5 c5" \
    "$(for ts in $stamps; do git log -1 --format=%s --before="$ts" main; done | tr '\n' ' ' | sed 's/ $//')"
git branch linear HEAD~2 # c3: no back-dated commit
"$U" import near.jsonl -o linear.db --trend-branch linear >/dev/null 2>&1
want=""; got=""
for i in $(seq 1 12); do
    ts=$(echo $stamps | cut -d' ' -f$i)
    want="$want m$i=$(git log -1 --format=%s --before="$ts" linear)"
    got="$got m$i=$(git log -1 --format=%s "$(q linear.db "SELECT b.commit_sha FROM metric_values v JOIN build_contexts b ON b.id = v.build_id WHERE v.metric_id = 'm$i'")")"
done
check "nearest commit on --trend-branch linear" " m1=c1 m2=c1 m3=c1 m4=c1 m5=c2 m6=c1 m7=c2 m8=c2 m9=c3 m10=c3 m11=c3 m12=c3" "$got"
check "nearest commit on --trend-branch linear equals git" "$want" "$got"
check "records default to the trend branch" "linear" "$(q linear.db 'SELECT DISTINCT branch FROM build_contexts')"

printf '{"metric_id":"m","timestamp":"2023-12-31T23:59:59Z","value_numeric":1}\n' > early.jsonl
out=$("$U" import early.jsonl -o early.db 2>"$TMP/err"); rc=$?
check "before the first commit: exit 0" 0 $rc
check "before the first commit: warning" "warning: early.jsonl:1 — no commit could be resolved for timestamp 2023-12-31T23:59:59Z on branch main (record skipped)" "$(cat "$TMP/err")"
check "before the first commit: summary" "imported 0 records from early.jsonl into early.db
  commits resolved: 0 from source SHA, 0 by nearest timestamp
  commits skipped: 1
    timestamp predates repo history: 1" "$out"

# --- --strict -----------------------------------------------------------
out=$("$U" import history.jsonl -o strict.db --dry-run --strict 2>/dev/null); rc=$?
check "strict dry run: exit 1" 1 $rc
check "strict dry run: same summary" "$(cat "$FIX/dry-run.txt")" "$out"
out=$("$U" import history.jsonl -o strict.db --strict 2>"$TMP/err"); rc=$?
check "strict into a new file: exit 1" 1 $rc
check_contains "strict into a new file: nothing inserted" "imported 0 records from history.jsonl into strict.db" "$out"
check "strict into a new file: warnings as usual" "$(cat "$FIX/warnings.txt")" "$(cat "$TMP/err")"
check "strict into a new file: no file left" "" "$(ls strict.db* 2>/dev/null)"
cp out.db kept.db
"$U" import near.jsonl -o kept.db >/dev/null 2>&1
cp kept.db kept.copy
out=$("$U" import history.jsonl -o kept.db --strict 2>/dev/null); rc=$?
check "strict into an existing file: exit 1" 1 $rc
if cmp -s kept.db kept.copy; then ok "strict into an existing file: byte-identical"; else bad "strict into an existing file: byte-identical"; fi
head -2 history.jsonl > clean.jsonl
out=$("$U" import clean.jsonl -o clean.db --strict 2>&1); rc=$?
check "strict with a clean file: exit 0" 0 $rc
check_contains "strict with a clean file: written" "imported 2 records from clean.jsonl into clean.db" "$out"

# --- trend branch and shallow clones -------------------------------------
out=$("$U" import history.jsonl -o branch.db --trend-branch nope 2>&1); rc=$?
check "missing branch: exit 1" 1 $rc
check "missing branch: message" "Error: trend branch not found in repository: nope" "$(echo "$out" | grep -v '^warning:')"
check "missing branch: no file left" "" "$(ls branch.db* 2>/dev/null)"
out=$("$U" import history.jsonl -o branch.db --trend-branch --all 2>&1); rc=$?
check "option-like branch: not passed to git" "Error: trend branch not found in repository: --all" "$(echo "$out" | grep -v '^warning:')"
grep commit_sha history.jsonl > with-sha.jsonl
out=$("$U" import with-sha.jsonl -o branch.db --trend-branch nope 2>&1); rc=$?
check "missing branch but every sha given: git unused, exit 0" 0 $rc
check_contains "missing branch but every sha given: written" "imported 1 records" "$out"

git clone -q --depth 1 "file://$REPO" "$TMP/shallow"
cp unentropy.json history.jsonl with-sha.jsonl "$TMP/shallow/"
cp out.db "$TMP/shallow/existing.db"
cp out.db "$TMP/shallow/existing.copy"
cd "$TMP/shallow"
# A record with a sha first, so the import is under way when git is needed.
{ cat with-sha.jsonl; cat history.jsonl; } > mixed.jsonl
shallow_msg="error: nearest-commit resolution requires full git history
       run \`git fetch --unshallow\` locally, or set \`fetch-depth: 0\` in your CI checkout step
       no records were written"
out=$("$U" import mixed.jsonl -o new.db 2>&1 >/dev/null); rc=$?
check "shallow: exit 1" 1 $rc
check "shallow: message" "$shallow_msg" "$(echo "$out" | grep -v '^warning:')"
check "shallow: no file left" "" "$(ls new.db* 2>/dev/null)"
out=$("$U" import mixed.jsonl -o existing.db 2>&1 >/dev/null); rc=$?
check "shallow into an existing file: exit 1" 1 $rc
if cmp -s existing.db existing.copy; then ok "shallow into an existing file: byte-identical"; else bad "shallow into an existing file: byte-identical"; fi
out=$("$U" import mixed.jsonl -o dry.db --dry-run 2>&1 >/dev/null); rc=$?
check "shallow dry run: exit 1" 1 $rc
out=$("$U" import with-sha.jsonl -o sha.db 2>&1); rc=$?
check "shallow with every sha given: exit 0" 0 $rc
cd "$REPO"

# --- a database error in the middle rolls everything back ----------------
cp out.db trap.db
sqlite3 trap.db "CREATE TRIGGER boom BEFORE INSERT ON metric_values WHEN NEW.value_numeric = 666
    BEGIN SELECT RAISE(ABORT, 'boom'); END"
cp trap.db trap.copy
sha=$(git rev-parse HEAD)
for v in 1 2 666 4; do
    printf '{"metric_id":"m%d","timestamp":"2024-02-01T00:00:00Z","value_numeric":%d,"commit_sha":"%s"}\n' $v $v "$sha"
done > trap.jsonl
out=$("$U" import trap.jsonl -o trap.db 2>&1); rc=$?
check "database error: exit 1" 1 $rc
check "database error: message" "Error: store: import failed: boom" "$out"
if cmp -s trap.db trap.copy; then ok "database error: existing file byte-identical"; else bad "database error: existing file byte-identical"; fi

# --- GitHub Actions annotations --------------------------------------------
out=$(GITHUB_ACTIONS=true "$U" import history.jsonl -o out.db --dry-run 2>/dev/null)
check_contains "actions: warnings are annotated" "::warning::history.jsonl:6 — invalid JSON: Unexpected token o" "$out"

# --- bad input ----------------------------------------------------------
printf 'SQLite format 3\0\1\2\n\377\376garbage\n{"metric_id":"m","timestamp":"2024-01-01T00:00:00Z","value_numeric":1,"commit_sha":"%s"}\n' \
    "$(git rev-parse HEAD)" > binary.jsonl
out=$("$U" import binary.jsonl -o binary.db 2>"$TMP/err"); rc=$?
check "binary: exit 0 without --strict" 0 $rc
check "binary: line-numbered warnings" "warning: binary.jsonl:1 — invalid JSON: Unexpected token S in JSON at line 1, column 1 (record skipped)
warning: binary.jsonl:2 — invalid JSON: Invalid UTF-8 in JSON at line 1, column 1 (record skipped)" "$(cat "$TMP/err")"
check_contains "binary: the valid line is imported" "imported 1 records from binary.jsonl into binary.db" "$out"
"$U" import binary.jsonl -o binary2.db --strict >/dev/null 2>&1; rc=$?
check "binary: --strict exit 1" 1 $rc
check "binary: --strict writes nothing" "" "$(ls binary2.db* 2>/dev/null)"

mkdir adir
out=$("$U" import adir -o d.db 2>&1); rc=$?
check "a directory as input: exit 1" 1 $rc
check "a directory as input: message" "Error: cannot read JSONL file adir: Is a directory" "$out"
out=$("$U" import history.jsonl -o "$TMP/no/such/dir/x.db" 2>&1 >/dev/null | grep -v '^warning:'); rc=$?
check "missing parent directory: message" "Error: Failed to open database at $TMP/no/such/dir/x.db: No such file or directory" "$out"
"$U" import history.jsonl -o "$TMP/no/such/dir/x.db" >/dev/null 2>&1; rc=$?
check "missing parent directory: exit 1" 1 $rc
out=$("$U" import history.jsonl -o adir 2>&1 >/dev/null | grep -v '^warning:')
check_contains "a directory as output: message" "Error: Failed to open database at adir: " "$out"
echo "not a database, just text" > text.db
cp text.db text.copy
out=$("$U" import history.jsonl -o text.db 2>&1 >/dev/null | grep -v '^warning:'); rc=$?
check "not a database: message" "Error: Failed to open database at text.db: 'text.db' is not a SQLite database" "$out"
if cmp -s text.db text.copy; then ok "not a database: left untouched"; else bad "not a database: left untouched"; fi

# --- seed-workflow --------------------------------------------------------
out=$("$U" import seed-workflow 2>&1); rc=$?
check "seed: not artifact storage: exit 1" 1 $rc
check "seed: not artifact storage: message" "error: 'seed-workflow' only applies to the sqlite-artifact backend
       current storage.type: sqlite-local
       for sqlite-local, upload your database directly with the AWS CLI or your existing tooling" "$out"
echo '{"metrics": {"m": {"type": "numeric", "command": "echo 1"}}, "storage": {"type": "sqlite-artifact"}}' > art.json
out=$("$U" import seed-workflow -c art.json); rc=$?
check "seed: stdout exit 0" 0 $rc
"$U" import seed-workflow -c art.json > seed.out
if cmp -s seed.out "$FIX/seed-workflow.yml"; then ok "seed: byte-exact default name"; else bad "seed: byte-exact default name" "$(diff seed.out "$FIX/seed-workflow.yml")"; fi
echo '{"metrics": {"m": {"type": "numeric", "command": "echo 1"}}, "storage": {"type": "sqlite-artifact", "artifact": {"name": "team-metrics"}}}' > art2.json
out=$("$U" import seed-workflow --config art2.json --output .github/workflows/unentropy-seed.yml); rc=$?
check "seed: --output exit 0" 0 $rc
check "seed: --output message" "Wrote .github/workflows/unentropy-seed.yml" "$out"
check "seed: --output content" "$(sed 's/unentropy-metrics/team-metrics/' "$FIX/seed-workflow.yml")" "$(cat .github/workflows/unentropy-seed.yml)"
out=$("$U" import seed-workflow -c art2.json -o .github/workflows/unentropy-seed.yml 2>&1); rc=$?
check "seed: existing file: exit 1" 1 $rc
check "seed: existing file: message" "Error: .github/workflows/unentropy-seed.yml already exists. Use --force to overwrite." "$out"
echo changed > .github/workflows/unentropy-seed.yml
out=$("$U" import seed-workflow -c art2.json -o .github/workflows/unentropy-seed.yml --force); rc=$?
check "seed: --force exit 0" 0 $rc
check "seed: --force rewrote it" "$(sed 's/unentropy-metrics/team-metrics/' "$FIX/seed-workflow.yml")" "$(cat .github/workflows/unentropy-seed.yml)"
out=$("$U" import seed-workflow -c none.json 2>&1); rc=$?
check "seed: missing config: exit 1" 1 $rc
check_contains "seed: missing config: message" "Error: Config file not found: none.json" "$out"
out=$("$U" import seed-workflow extra 2>&1); rc=$?
check "seed: extra argument: exit 1" 1 $rc
check_contains "seed: extra argument: usage hint" "Run 'unentropy import seed-workflow --help' for usage." "$out"

finish
