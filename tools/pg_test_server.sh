#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: a fresh cluster in DIR, listening on localhost only,
# with a superuser 'csreport' whose password is random. Nothing outside DIR is touched.
#
#   tools/pg_test_server.sh start DIR   prints the server's URL (postgresql://csreport:...@localhost:PORT/postgres)
#   tools/pg_test_server.sh stop DIR    stops it (DIR stays; delete it yourself)
#
# The tests read the URL from CSREPORT_TEST_PG_URL; .ci/run starts a server and sets it. PostgreSQL refuses to
# run as root, so as root the server runs as the 'postgres' system user (Debian's postgresql package creates it).
set -euo pipefail
action=${1:?usage: $0 start|stop DIR}
dir=${2:?usage: $0 start|stop DIR}

bindir=$(command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" ||
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL server binaries not found (initdb); install Debian's 'postgresql' package" >&2
  exit 1
fi
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
  as_server bash -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
  as_server "$bindir/initdb" -D "$dir/data" -U csreport --pwfile="$dir/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  rm -f "$dir/pwfile"
  as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
    -o "-c listen_addresses=localhost -c port=$port -c unix_socket_directories='$dir' -c fsync=off" >/dev/null
  echo "postgresql://csreport:$password@localhost:$port/postgres"
  ;;
stop)
  as_server "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
