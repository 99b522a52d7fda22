#!/usr/bin/env bash
# The recorded load run (docs/performance.md, "Load"): gunicorn + PostgreSQL on this
# machine, the task worker and the sweeper running, locust for DURATION, then the raw
# psycopg single-row INSERT ceiling for the same time. Results in bench/results/.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_scale PORT=8027 \
#       bash bench/load/run.sh [USERS] [DURATION]
#
# The shift change (docs/performance.md, "Sign-in") runs on the same server:
#   LOCUSTFILE=bench/load/shift_change.py PINGAN_LOAD_ACCOUNTS=bench/results/shift_accounts.txt \
#       PINGAN_RATELIMIT_LOGIN=100000/m SPAWN_RATE=3 CEILING=0 ... bash bench/load/run.sh 1800 11m
#
# TASK_WORKERS=2 starts two task workers, as the deployment does; the run then says how
# many tasks were waiting when it stopped and how long they took to drain.
#
# Users start at SPAWN_RATE a second (default 5); a slow ramp (SPAWN_RATE=1 with 200
# users) shows in load_stats_history.csv where the latency turns up (the knee).
#
# The fault run (docs/performance.md, "PostgreSQL restarted during a load run"):
#   RESTART_PG_AT=40 CEILING=0 ... bash bench/load/run.sh 20 2m
# restarts PostgreSQL (RESTART_PG_CMD, default `pg_ctlcluster 15 main restart`) that many
# seconds into the run, then checks that every event reported has its statistics fact.
#
# The database needs the demo county (manage.py load_demo) and may hold generated events
# (manage.py generate_events). Install the tools first: pip install -r requirements/bench.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${1:-60}
DURATION=${2:-3m}
PORT=${PORT:-8027}
BIN=.venv/bin
OUT=bench/results
mkdir -p "$OUT"
: "${DATABASE_URL:?set DATABASE_URL to the benchmark database}"

# Production-like settings, over plain HTTP on the loopback (no TLS, so no Secure cookies).
export PINGAN_ENV=development DEBUG=false ALLOWED_HOSTS=127.0.0.1 LOG_FORMAT=json \
    LOG_LEVEL=INFO DB_CONN_MAX_AGE=60 GUNICORN_BIND=127.0.0.1:$PORT \
    PINGAN_VAR_DIR=${PINGAN_VAR_DIR:-$PWD/var/bench}
$BIN/python manage.py collectstatic --noinput -v 0

queued() {
    psql "$DATABASE_URL" -Atc "select count(*) from django_tasks_database_dbtaskresult
        where status in ('READY', 'RUNNING')"
}
# Tasks left by an earlier run (bench/request_cost.py enqueues without a worker) would
# make the workers look behind: say how many there were (the workers below take them first).
waiting_before=$(queued)
echo "tasks waiting before the run: $waiting_before"

$BIN/gunicorn -c deploy/gunicorn.conf.py config.wsgi:application >"$OUT/gunicorn.log" 2>&1 &
WEB=$!
# TASK_WORKERS task workers (default 1; the shipped deployment starts two,
# deploy/systemd/pingan-worker@.service).
WORKER=""
for i in $(seq 1 "${TASK_WORKERS:-1}"); do
    $BIN/python manage.py db_worker --worker-id "bench-$i" >"$OUT/worker-$i.log" 2>&1 &
    WORKER="$WORKER $!"
done
$BIN/python manage.py sweep_deadlines --every 60 >"$OUT/sweeper.log" 2>&1 &
SWEEPER=$!
trap 'kill $WEB $WORKER $SWEEPER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 1; done

before=$(psql "$DATABASE_URL" -Atc "select count(*) from events_event")
last_id=$(psql "$DATABASE_URL" -Atc "select coalesce(max(id), 0) from events_eventkey")
if [ -n "${RESTART_PG_AT:-}" ]; then
    (
        sleep "$RESTART_PG_AT"
        echo "PostgreSQL restart begins $(date -u +%T)" | tee -a "$OUT/fault.txt"
        bash -c "${RESTART_PG_CMD:-pg_ctlcluster 15 main restart}"
        echo "PostgreSQL accepting connections again $(date -u +%T)" | tee -a "$OUT/fault.txt"
    ) &
fi
# Users finish the task they are in when the time is up (--stop-timeout), so that no
# request is cut off by the end of the run. Locust exits 1 when any request failed: the
# run goes on to the ceiling and the failures stay in the table.
# Where the CPU goes while locust runs (bench/load/cpu_split.py).
$BIN/python bench/load/cpu_split.py >"$OUT/cpu.txt" &
SPLIT=$!
set +e
$BIN/locust -f "${LOCUSTFILE:-bench/load/locustfile.py}" --headless -u "$USERS" -r "${SPAWN_RATE:-5}" -t "$DURATION" \
    --stop-timeout 30 --host "http://127.0.0.1:$PORT" --csv "$OUT/load" --only-summary \
    2>&1 | tee "$OUT/locust.txt"
status=${PIPESTATUS[0]}
set -e
kill -TERM $SPLIT && wait $SPLIT || true
cat "$OUT/cpu.txt" | tee -a "$OUT/locust.txt"
echo "locust exit code: $status" | tee -a "$OUT/locust.txt"
# Whether the task workers kept up: tasks still waiting when locust stopped, and how long
# they took to drain (up to DRAIN_WAIT seconds, default 300).
waiting=$(queued)
drained=""
for s in $(seq 5 5 "${DRAIN_WAIT:-300}"); do
    [ "$(queued)" = "0" ] && { drained=$((s - 5)); break; }
    sleep 5
done
echo "tasks waiting before the run: $waiting_before, when it stopped: $waiting; queue empty after: ${drained:-more than ${DRAIN_WAIT:-300}} s (${TASK_WORKERS:-1} workers)" \
    | tee -a "$OUT/locust.txt"
after=$(psql "$DATABASE_URL" -Atc "select count(*) from events_event")
echo "events reported during the run: $((after - before))" | tee -a "$OUT/locust.txt"
# Nothing half-applied: every event reported in the run has its statistics fact (written
# in the same transaction), and the server answered no 500.
orphans=$(psql "$DATABASE_URL" -Atc "select count(*) from events_eventkey k where k.id > $last_id
    and not exists (select 1 from analytics_eventfact f where f.event_id = k.id)")
echo "events of the run without their fact: $orphans" | tee -a "$OUT/locust.txt"
echo "responses by status: $(grep -o '"status": [0-9]*' "$OUT/gunicorn.log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    | tee -a "$OUT/locust.txt"
if [ "${CEILING:-1}" = "0" ]; then
    exit 0
fi

seconds=$($BIN/python -c "import sys,re; v='$DURATION'; m=re.fullmatch(r'(\d+)([smh]?)', v); print(int(m[1]) * {'':1,'s':1,'m':60,'h':3600}[m[2]])")
$BIN/python bench/load/ceiling.py --dsn "$DATABASE_URL" --threads 12 --seconds "$seconds" \
    | tee "$OUT/ceiling.txt"
psql "$DATABASE_URL" -qc "DROP TABLE IF EXISTS bench_intake"
