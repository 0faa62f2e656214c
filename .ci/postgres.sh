#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the store tests: temporary folder, loopback port,
# unprivileged user. Two ways to use it:
#
#   source .ci/postgres.sh          # installs postgresql (+ postgis) if missing, starts a cluster,
#                                   # exports EVENTCODER_TEST_POSTGRES_URL, and stops it when the
#                                   # sourcing shell exits (trap EXIT: replaces the caller's)
#   eval "$(.ci/postgres.sh start)" # by hand: prints the export lines (URL and EVENTCODER_PG_DIR)
#   .ci/postgres.sh stop [DIR]      # stops the cluster and removes its folder
#   .ci/postgres.sh install         # apt-get installs postgresql (+ postgis when available)
#
# The cluster trusts loopback connections: it is for tests only and listens on 127.0.0.1.

_ecpg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

_ecpg_install() {
  if _ecpg_bindir >/dev/null; then
    echo "postgresql already installed" >&2
  elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; } ||
      return 1
  else
    echo "postgresql is not installed and apt-get (as root) is not available" >&2
    return 1
  fi
  # PostGIS is optional: the store falls back to plain latitude/longitude columns without it.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    local v
    v=$(basename "$(dirname "$(_ecpg_bindir)")")
    ls /usr/share/postgresql/"$v"/extension/postgis.control >/dev/null 2>&1 ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-$v-postgis-3" >&2 ||
      echo "postgis not available: place queries use plain columns" >&2
  fi
}

_ecpg_free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Run a command as the unprivileged cluster owner (postgres refuses to run as root).
_ecpg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

_ecpg_start() {
  local bindir dir port
  bindir=$(_ecpg_bindir) || { echo "initdb not found: run .ci/postgres.sh install" >&2; return 1; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/eventcoder-pg.XXXXXX")
  chmod 755 "$dir"
  mkdir "$dir/data" "$dir/run"
  [ "$(id -u)" = 0 ] && chown nobody "$dir/data" "$dir/run"
  port=$(_ecpg_free_port)
  _ecpg_as_owner "$bindir/initdb" -D "$dir/data" -U eventcoder -A trust -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  _ecpg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c fsync=off -c max_connections=100" \
    start >&2 || { cat "$dir/run/server.log" >&2; return 1; }
  echo "export EVENTCODER_PG_DIR=$dir"
  echo "export EVENTCODER_TEST_POSTGRES_URL=postgresql://eventcoder@127.0.0.1:$port/postgres"
}

_ecpg_stop() {
  local dir=${1:-${EVENTCODER_PG_DIR:-}} bindir
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "no cluster folder given" >&2; return 1; }
  bindir=$(_ecpg_bindir)
  _ecpg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced (CI): install if needed, start now, stop when the calling shell exits.
  _ecpg_install || return 1
  _ecpg_exports=$(_ecpg_start) || return 1
  eval "$_ecpg_exports"
  trap '_ecpg_stop "$EVENTCODER_PG_DIR"' EXIT
else
  set -euo pipefail
  case "${1:-}" in
    start) _ecpg_start ;;
    stop) _ecpg_stop "${2:-}" ;;
    install) _ecpg_install ;;
    *) echo "usage: $0 start|stop [DIR]|install   (or: source $0)" >&2; exit 2 ;;
  esac
fi
