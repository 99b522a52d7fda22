#!/usr/bin/env bash
# Serve Pingan for the demo: the web server, the task worker and the deadline sweeper.
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin
$BIN/python manage.py collectstatic --noinput -v 0 || true
$BIN/python manage.py db_worker >var/worker.log 2>&1 &
WORKER=$!
$BIN/python manage.py sweep_deadlines --every 60 >var/sweeper.log 2>&1 &
SWEEPER=$!
trap 'kill $WORKER $SWEEPER 2>/dev/null || true' EXIT INT TERM
echo "Pingan: http://$HOST:$PORT/  (Ctrl-C to stop)"
$BIN/python manage.py runserver --noreload "$HOST:$PORT"
