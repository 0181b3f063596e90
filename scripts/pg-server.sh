#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: its data and its Unix socket live in
# DIR, it listens on no TCP port, and it trusts local connections.
#   scripts/pg-server.sh start DIR     creates it (initdb) if new, starts it, prints its URL
#   scripts/pg-server.sh stop DIR      stops it, keeping the data (start it again later)
#   scripts/pg-server.sh destroy DIR   stops it if running and removes DIR
# As root, the server runs as the `postgres` user (PostgreSQL refuses root).
# Needs Debian's postgresql package (scripts/with-postgres.sh installs it).
set -euo pipefail
cmd=${1:?usage: pg-server.sh start|stop|destroy DIR}
dir=${2:?usage: pg-server.sh start|stop|destroy DIR}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

case "$cmd" in
  start)
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir/data" "$dir/sock"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/data" "$dir/sock"
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # The log lives where the server's user may write it.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c max_connections=300" \
      start >/dev/null || { cat "$dir/data/server.log" >&2; exit 1; }
    echo "postgresql:///postgres?host=$dir/sock&user=postgres"
    ;;
  stop)
    running && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
  destroy)
    if running; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-server.sh start|stop|destroy DIR" >&2
    exit 2
    ;;
esac
