#!/bin/sh
# pg-server.sh: a throwaway PostgreSQL server for the tests and benchmarks
# (Debian's postgresql package: initdb + pg_ctl from /usr/lib/postgresql/*/bin).
# The cluster lives in its own temp directory, listens on 127.0.0.1 on a free
# port and on a Unix socket in that directory, and requires a password over
# TCP (scram-sha-256). PostgreSQL refuses to run as root: as root the server
# runs as `nobody` (runuser), in a directory that user owns.
#
#   pg-server.sh bindir        print the server's bin directory (exit 1: not installed)
#   pg-server.sh start         start a server; prints its directory DIR, which holds
#                              url (postgresql://postgres:<password>@127.0.0.1:<port>/postgres),
#                              port, password, host (the socket directory)
#   pg-server.sh stop DIR      stop it and remove DIR
#   pg-server.sh restart DIR   stop (fast: connections are dropped) and start again
#   pg-server.sh down DIR      stop without removing DIR (start again with `up`)
#   pg-server.sh up DIR        start a stopped server again
# Environment: PG_FSYNC=on keeps fsync (the default here is off, for speed);
# PG_SHARED_BUFFERS (default 32MB, small enough to run several at once).
set -eu

bindir() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    dir=$1
    bin=$(bindir)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
        -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/sock" \
        start >/dev/null
}

cmd=${1:-}
case "$cmd" in
bindir)
    bindir
    ;;
start)
    bin=$(bindir) || { echo "pg-server.sh: PostgreSQL server binaries not found" >&2; exit 1; }
    dir=$(mktemp -d /tmp/unentropy-pg.XXXXXX)
    chmod 755 "$dir"
    mkdir "$dir/sock"
    password="pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$password" > "$dir/pwfile"
    [ "$(id -u)" = 0 ] && chown -R nobody "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    rm -f "$dir/pwfile"
    fsync=${PG_FSYNC:-off}
    cat >> "$dir/data/postgresql.conf" <<EOF
fsync = $fsync
synchronous_commit = $fsync
full_page_writes = $fsync
max_connections = 120
shared_buffers = ${PG_SHARED_BUFFERS:-32MB}
dynamic_shared_memory_type = mmap
log_min_messages = warning
EOF
    started=0
    for try in 1 2 3 4 5 6 7 8 9 10; do
        port=$(( (($$ + try * 7919) % 20000) + 21000 ))
        echo "$port" > "$dir/port"
        if pg_start "$dir" 2>/dev/null; then
            started=1
            break
        fi
    done
    if [ "$started" != 1 ]; then
        echo "pg-server.sh: cannot start PostgreSQL:" >&2
        cat "$dir/log" >&2 || true
        exit 1
    fi
    echo "$password" > "$dir/password"
    echo "$dir/sock" > "$dir/host"
    echo "postgresql://postgres:$password@127.0.0.1:$port/postgres" > "$dir/url"
    echo "$dir"
    ;;
stop)
    dir=$2
    [ -d "$dir/data" ] && as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
down)
    as_owner "$(bindir)/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    ;;
up)
    pg_start "$2"
    ;;
restart)
    as_owner "$(bindir)/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    pg_start "$2"
    ;;
*)
    echo "usage: pg-server.sh bindir | start | stop DIR | restart DIR | down DIR | up DIR" >&2
    exit 2
    ;;
esac
