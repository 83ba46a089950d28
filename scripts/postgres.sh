#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests of the PostgreSQL store.
#
#   eval "$(bash scripts/postgres.sh)"    # install if missing, start (or reuse), print the export
#   bash scripts/postgres.sh stop         # stop the cluster and delete its directory
#   bash scripts/postgres.sh status       # say whether it runs (exit 0) or not (exit 1)
#
# It installs PostgreSQL from Debian's packages when it is missing (plus pgvector when the
# distribution has it), starts a cluster as the `postgres` user in a temporary directory,
# listening on 127.0.0.1 only, on a free port, creates a user and a database, and prints
#
#   export NEWSLOOM_TEST_PG=postgresql://newsloom:newsloom@127.0.0.1:PORT/newsloom_test
#
# on stdout; everything else goes to stderr. Re-running reuses the running cluster. The cluster
# trades durability for speed (fsync off): it is for tests only, never for data you keep.
#
# Environment: NEWSLOOM_PG_DIR (default /tmp/newsloom-pg) is where the cluster lives.
set -euo pipefail

DIR="${NEWSLOOM_PG_DIR:-/tmp/newsloom-pg}"
DATA="$DIR/data"
SOCK="$DIR/sock"
LOG="$DIR/postgres.log"
PORT_FILE="$DIR/port"
DB_USER="newsloom"
DB_PASS="newsloom"
DB_NAME="newsloom_test"

say() { echo "postgres.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

pg_bindir() {
    local version
    version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$version" && -x "/usr/lib/postgresql/$version/bin/initdb" ]]; then
        echo "/usr/lib/postgresql/$version/bin"
    fi
}

# Run a command as the postgres user (we are root in CI), or as ourselves when not root.
as_pg() {
    if [[ "$(id -u)" == 0 ]]; then
        (cd "$DIR" && runuser -u postgres -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

install_postgres() {
    local bindir
    bindir="$(pg_bindir)"
    if [[ -z "$bindir" ]]; then
        [[ "$(id -u)" == 0 ]] || die "PostgreSQL is not installed and installing it needs root"
        say "installing PostgreSQL from Debian's packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql postgresql-contrib >&2
        bindir="$(pg_bindir)"
        [[ -n "$bindir" ]] || die "PostgreSQL did not install"
        # Debian starts its own `main` cluster on 5432; we do not need it.
        if command -v pg_ctlcluster >/dev/null; then
            pg_ctlcluster "$(basename "$(dirname "$bindir")")" main stop >/dev/null 2>&1 || true
        fi
    fi
    local version pgvector
    version="$(basename "$(dirname "$bindir")")"
    pgvector="postgresql-$version-pgvector"
    if [[ "$(id -u)" == 0 ]] && ! dpkg -s "$pgvector" >/dev/null 2>&1; then
        # Only when the distribution has it (bookworm does not; newer Debian does).
        local candidate
        candidate="$(apt-cache policy "$pgvector" 2>/dev/null | awk '/Candidate:/ {print $2}')"
        if [[ -n "$candidate" && "$candidate" != "(none)" ]]; then
            say "installing $pgvector $candidate"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pgvector" >&2 || say "could not install $pgvector"
        fi
    fi
    echo "$bindir"
}

free_port() {
    local port
    for port in $(seq 54329 54429); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free port in 54329-54429"
}

is_running() {
    local bindir="$1"
    [[ -f "$DATA/PG_VERSION" && -f "$PORT_FILE" ]] && as_pg "$bindir/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

psql_super() {
    local bindir="$1"
    shift
    PGOPTIONS="-c client_min_messages=warning" as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$(cat "$PORT_FILE")" -U postgres "$@"
}

start() {
    local bindir port
    bindir="$(install_postgres)"
    if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    mkdir -p "$DIR"
    if [[ "$(id -u)" == 0 ]]; then chown postgres: "$DIR"; fi
    chmod 700 "$DIR"

    if is_running "$bindir"; then
        say "reusing the cluster running in $DIR on port $(cat "$PORT_FILE")"
    else
        if [[ ! -f "$DATA/PG_VERSION" ]]; then
            say "creating a cluster in $DATA"
            as_pg mkdir -p "$DATA" "$SOCK"
            as_pg "$bindir/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
                --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 \
                || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
        fi
        as_pg mkdir -p "$SOCK"
        port="$(free_port)"
        say "starting PostgreSQL on 127.0.0.1:$port"
        as_pg "$bindir/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start -o \
            "-p $port -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=100 -c shared_buffers=128MB" >&2 \
            || { tail -n 20 "$LOG" >&2 || true; die "PostgreSQL did not start"; }
        echo "$port" >"$PORT_FILE"
    fi

    # The user and the database (idempotent), and the extensions the store uses, created here
    # as superuser so the store's user needs no special rights.
    psql_super "$bindir" -d postgres <<SQL >&2
SELECT 'CREATE ROLE $DB_USER LOGIN PASSWORD ''$DB_PASS'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
    psql_super "$bindir" -d "$DB_NAME" <<SQL >&2
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
SELECT 'CREATE EXTENSION IF NOT EXISTS vector SCHEMA public'
WHERE EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') \gexec
SQL
    echo "export NEWSLOOM_TEST_PG=postgresql://$DB_USER:$DB_PASS@127.0.0.1:$(cat "$PORT_FILE")/$DB_NAME"
}

stop() {
    local bindir
    bindir="$(pg_bindir)"
    if [[ -n "$bindir" && -f "$DATA/PG_VERSION" ]] && as_pg "$bindir/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
        say "stopping the cluster in $DIR"
        as_pg "$bindir/pg_ctl" -D "$DATA" -m fast -w stop >&2
    fi
    rm -rf "$DIR"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status)
        bindir="$(pg_bindir)"
        if [[ -n "$bindir" ]] && is_running "$bindir"; then
            say "running in $DIR on port $(cat "$PORT_FILE")"
        else
            say "not running"
            exit 1
        fi
        ;;
    *) die "usage: $0 [start|stop|status]" ;;
esac
