#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in a directory, reachable only through a unix socket in that directory.
#
#   ops/postgres.sh start DIR [--durable]   initdb (first time) and start; creates Accord's roles (db/roles.sql) and
#                                           database "accord", owned by accord_owner; prints the admin URL
#   ops/postgres.sh stop DIR                stop (fast shutdown)
#   ops/postgres.sh url DIR [ROLE]          print the libpq URL of database "accord" as ROLE: admin (the superuser
#                                           "postgres", the default: tests create their databases with it), owner
#                                           (accord_owner: `accord migrate`) or runtime (accord: `accord serve`)
#   ops/postgres.sh status DIR              exit 0 if running
#
# No TCP listener is opened (listen_addresses = ''). Authentication is "trust" on the socket, whose directory
# is readable only by the cluster's owner and root. As root, the server runs as the "postgres" user (created
# by Debian's postgresql package); as any other user, it runs as that user. Without --durable, fsync and
# synchronous commit are off (fast tests); benchmarks pass --durable. ACCORD_PG_SETTINGS, when set, is appended to a
# new cluster's postgresql.conf, e.g. to see where a benchmark's database time goes:
#   ACCORD_PG_SETTINGS="shared_preload_libraries = 'pg_stat_statements'" bash ops/bench/webhooks.sh
set -euo pipefail

usage() { echo "usage: $0 start DIR [--durable] | stop DIR | url DIR [admin|owner|runtime] | status DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
durable=0
user=postgres
for argument in "$@"; do
    case $command:$argument in
        start:--durable) durable=1 ;;
        url:admin) user=postgres ;;
        url:owner) user=accord_owner ;;
        url:runtime) user=accord ;;
        *) usage ;;
    esac
done
roles_sql="$(cd "$(dirname "$0")/.." && pwd)/db/roles.sql"

port=${ACCORD_PG_PORT:-5432}

find_bin() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    local candidate
    candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then
        echo "$candidate"
        return
    fi
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    echo "ops/postgres.sh: PostgreSQL server binaries not found (install Debian's 'postgresql' package)" >&2
    exit 1
}

# Runs a server binary as the cluster owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url() {
    local encoded
    encoded=$(printf '%s' "$dir" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/&/%26/g' -e 's/?/%3F/g' -e 's/#/%23/g')
    echo "postgresql:///accord?host=${encoded}&port=${port}&user=${user}"
}

case $command in
    start)
        bin=$(find_bin)
        if [ "$(id -u)" -eq 0 ]; then
            id postgres >/dev/null 2>&1 || { echo "ops/postgres.sh: running as root needs the 'postgres' user (apt-get install postgresql)" >&2; exit 1; }
            chown postgres "$dir"
        fi
        chmod 0700 "$dir"
        if [ ! -f "$dir/data/PG_VERSION" ]; then
            as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
                || { cat "$dir/initdb.log" >&2; exit 1; }
            {
                echo "listen_addresses = ''"
                echo "unix_socket_directories = '$dir'"
                echo "port = $port"
                echo "max_connections = 800"  # the test suites run in parallel, each database test with its own pools
                echo "shared_buffers = 256MB"
                echo "idle_in_transaction_session_timeout = '10min'"
                if [ -n "${ACCORD_PG_SETTINGS:-}" ]; then printf '%s\n' "$ACCORD_PG_SETTINGS"; fi
                if [ "$durable" -eq 0 ]; then
                    echo "fsync = off"
                    echo "synchronous_commit = off"
                    echo "full_page_writes = off"
                fi
            } | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
        fi
        if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
            echo "ops/postgres.sh: already running in $dir" >&2
        else
            as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
                || { tail -n 30 "$dir/postgres.log" >&2; exit 1; }
        fi
        # The roles first (idempotent), then the database, owned by the owner role (so that migrations run as it).
        as_owner "$bin/psql" -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres <"$roles_sql" >/dev/null
        if ! as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'accord'" | grep -q 1; then
            as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres -O accord_owner accord
        fi
        url
        ;;
    stop)
        bin=$(find_bin)
        if [ -f "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
            as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
        fi
        ;;
    url)
        url
        ;;
    status)
        bin=$(find_bin)
        as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
        ;;
    *)
        usage
        ;;
esac
