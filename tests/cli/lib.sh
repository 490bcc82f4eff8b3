# lib.sh: helpers for the end-to-end shell tests. Source it; it defines
# $U (the binary), a temp dir $TMP removed on exit, and check helpers that
# count passes and failures; end with `finish`.
set -u
U=${UNENTROPY:-$SRC/build/unentropy}
TMP=$(mktemp -d /tmp/unentropy-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/  /'; }

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected: [$2]
actual:   [$3]"; fi
}

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
    case "$3" in *"$2"*) ok "$1" ;; *) bad "$1" "missing: [$2]
in:      [$3]" ;; esac
}

# A new git repository with one commit, in $1.
new_repo() {
    mkdir -p "$1"
    git -C "$1" init -q -b main
    git -C "$1" config user.email t@example.com
    git -C "$1" config user.name t
    echo init > "$1/README"
    git -C "$1" add README
    git -C "$1" commit -qm init
}

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}

# Starts a PostgreSQL server in a temp dir (tests/tools/pg-server.sh) for
# the rest of the test, stopped on exit: sets PGDIR, URL, PASSWORD and
# UNENTROPY_PG_URL. Exits 0 with SKIP only when the server binaries are
# missing (scripts/install-deps installs them).
start_pg() {
    PGS=$SRC/tests/tools/pg-server.sh
    if ! "$PGS" bindir >/dev/null 2>&1; then
        echo "SKIP: PostgreSQL server binaries not found (scripts/install-deps installs postgresql)"
        exit 0
    fi
    PGDIR=$("$PGS" start) || { echo "FAIL cannot start PostgreSQL"; exit 1; }
    trap '"$PGS" stop "$PGDIR"; rm -rf "$TMP"' EXIT
    URL=$(cat "$PGDIR/url")
    PASSWORD=$(cat "$PGDIR/password")
    export UNENTROPY_PG_URL=$URL
}
