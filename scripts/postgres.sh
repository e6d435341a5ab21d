#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests, from Debian's postgresql package
# (scripts/bootstrap.sh --browser installs it): `start` (idempotent: an
# already running one is kept), `stop`, `url`. Its cluster is under
# target/services/postgres; it listens on loopback only, on port 55432 (not
# a system server's 5432), and trusts local connections: it holds nothing
# but the tests' throwaway schemas. See docs/deployment.md for a real one.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${ZITISCOPE_POSTGRES_DIR:-$PWD/target/services/postgres}
PORT=${ZITISCOPE_POSTGRES_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
DATA=$DIR/data

# PostgreSQL refuses to run as root: as root, its tools run as the
# package's `postgres` user, which then owns the cluster's folder.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

case "${1:-}" in
start)
  if listening; then exit 0; fi
  if [ -z "$BIN" ] || [ ! -x "$BIN/pg_ctl" ]; then
    echo "postgres.sh: Debian's postgresql is not installed (scripts/bootstrap.sh --browser installs it)" >&2
    exit 1
  fi
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U zitiscope --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || {
      echo "postgres.sh: initdb failed; see $DIR/initdb.log" >&2
      tail -20 "$DIR/initdb.log" >&2
      exit 1
    }
  fi
  # Loopback only, its socket in its own folder, and made for a test run:
  # no durability to wait for (fsync off), enough connections for the
  # replicas' tests. ZITISCOPE_POSTGRES_DURABLE=1 keeps PostgreSQL's own
  # durability (for a benchmark that compares with SQLite's).
  fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${ZITISCOPE_POSTGRES_DURABLE:-0}" = 1 ]; then fast=""; fi
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 120 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR $fast -c max_connections=200" \
    >/dev/null || {
    echo "postgres.sh: no server on 127.0.0.1:$PORT; see $DIR/server.log" >&2
    tail -20 "$DIR/server.log" >&2 || true
    exit 1
  }
  ;;
stop)
  if [ -n "$BIN" ] && [ -f "$DATA/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  ;;
url)
  echo "postgres://zitiscope@127.0.0.1:$PORT/postgres"
  ;;
*)
  echo "usage: scripts/postgres.sh start|stop|url" >&2
  exit 2
  ;;
esac
