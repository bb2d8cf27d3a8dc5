#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests: initializes DIR, starts it on 127.0.0.1:PORT as a
# non-root user, waits until it accepts connections and prints its URL on stdout (last line).
# Installs nothing: it needs the server binaries (Debian: apt-get install postgresql).
#
#   scripts/start-postgres.sh DIR [PORT]     start (PORT defaults to 54329); prints the URL
#   scripts/start-postgres.sh --stop DIR     stop the cluster started in DIR
#
# Environment:
#   PG_BIN      directory holding initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin, else PATH)
#   PG_RUN_AS   user that runs the server when started as root (default: pgrunner, created with
#               useradd if missing). PostgreSQL refuses to run as root.
#
# The cluster trusts local connections on 127.0.0.1 only and runs without fsync: it holds test
# data and nothing else. Delete DIR after --stop.
set -euo pipefail

die() { echo "start-postgres: $*" >&2; exit 1; }

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$newest" && -x "$newest/pg_ctl" ]]; then echo "$newest"; return; fi
  local on_path
  on_path=$(command -v pg_ctl || true)
  [[ -n "$on_path" ]] || die "PostgreSQL server binaries not found (Debian: apt-get install postgresql; or set PG_BIN)"
  dirname "$on_path"
}

BIN=$(find_bin)
RUN_AS=${PG_RUN_AS:-pgrunner}

# Runs a command as the server's user (directly when we are not root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

if [[ "${1:-}" == "--stop" ]]; then
  DIR=${2:?usage: start-postgres.sh --stop DIR}
  DATA="$DIR/data"
  [[ -f "$DATA/postmaster.pid" ]] || { echo "start-postgres: no cluster running in $DATA" >&2; exit 0; }
  if [[ $(id -u) -eq 0 ]]; then RUN_AS=$(stat -c %U "$DATA"); fi
  as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >&2
  exit 0
fi

DIR=${1:?usage: start-postgres.sh DIR [PORT]}
PORT=${2:-54329}
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$PORT'"
DATA="$DIR/data"

if [[ $(id -u) -eq 0 ]]; then
  if ! id "$RUN_AS" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS" || die "could not create user $RUN_AS"
    echo "start-postgres: created system user $RUN_AS" >&2
  fi
fi

# Refuse to clobber something that is already listening there.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  die "127.0.0.1:$PORT is already in use; pick another port"
fi

mkdir -p "$DIR"
if [[ -e "$DATA" ]]; then
  [[ -f "$DATA/PG_VERSION" ]] || die "$DATA exists and is not a PostgreSQL data directory"
  echo "start-postgres: reusing the cluster in $DATA" >&2
else
  mkdir -p "$DATA"
  chmod 700 "$DATA"
  [[ $(id -u) -eq 0 ]] && chown -R "$RUN_AS" "$DIR"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
fi
[[ $(id -u) -eq 0 ]] && chown -R "$RUN_AS" "$DIR"

# Socket in the data dir (no /var/run/postgresql needed); TCP on loopback only.
OPTIONS="-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA \
-c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -o "$OPTIONS" -w -t 60 start >&2 \
  || { tail -n 30 "$DIR/server.log" >&2 || true; die "the server did not start"; }

# pg_ctl -w already waited; confirm over TCP the way the tests will connect (bounded).
for _ in $(seq 1 50); do
  if "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -q; then
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    exit 0
  fi
  sleep 0.2
done
die "the server started but does not accept connections on 127.0.0.1:$PORT (see $DIR/server.log)"
