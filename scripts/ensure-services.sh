#!/usr/bin/env bash
# Make sure PostgreSQL (and Redis) answer on 127.0.0.1; start them if stopped; fail loudly.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it..."
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "ERROR: PostgreSQL is required for 'make test' and could not be started on 127.0.0.1:5432." >&2
  exit 1
fi

if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it..."
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp >/dev/null 2>&1 || true
fi
echo "services: PostgreSQL ok"
