#!/usr/bin/env bash
# make test-future: the whole suite (browser tests included) on SQLite and PostgreSQL with
# the clock moved ahead by an offset (libfaketime): the test processes, the Chromium they
# start and a throwaway PostgreSQL server started here under the same offset (the shared
# server on 5432 keeps the machine's clock; the audit table's trigger, for one, reads the
# database's own now()). A test that depends on the day it runs fails here first.
#
# Python keeps its real monotonic clock (its timed waits would otherwise sleep for the
# whole offset); Chromium loads no page unless its monotonic clock moves too
# (pingan/web/tests/browser.py sets that for the browser alone).
set -euo pipefail
cd "$(dirname "$0")/.."
offset="${1:-+548d}"
lib="$(bash scripts/ensure-faketime.sh)"
faked=(env LD_PRELOAD="$lib" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1)

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -x "$pg_bin/initdb" ] || { echo "ERROR: PostgreSQL's initdb not found under /usr/lib/postgresql" >&2; exit 1; }
dir="$(mktemp -d /tmp/pingan-future-pg.XXXXXX)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}
stop_pg() {
  as_postgres "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop_pg EXIT
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_postgres "${faked[@]}" "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
as_postgres "${faked[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
pg_url="postgres://postgres@127.0.0.1:$port/pingan"

echo "== the tests' clock: $("${faked[@]}" date '+%Y-%m-%d %H:%M %Z'); the database's:" \
  "$(psql -h 127.0.0.1 -p "$port" -U postgres -Atc "select to_char(now(), 'YYYY-MM-DD HH24:MI TZ')");" \
  "the machine's: $(date '+%Y-%m-%d') =="
status=0
echo "== SQLite =="
"${faked[@]}" env -u DATABASE_URL .venv/bin/pytest -n 2 --dist loadfile --durations=10 pingan || status=1
echo "== PostgreSQL (port $port, moved clock) =="
"${faked[@]}" env DATABASE_URL="$pg_url" .venv/bin/pytest -n 2 --dist loadfile --durations=10 pingan || status=1
exit $status
