"""The ceiling for event intake: raw single-row INSERTs into PostgreSQL through psycopg,
one autocommitted transaction each, from N threads for T seconds, into a scratch table
shaped like events_event's hot columns. Run in the same session as the locust run
(bench/load/run.sh) so the machine is in the same state.

    python bench/load/ceiling.py --dsn postgres://postgres@127.0.0.1:5432/pingan_bench \
        --threads 12 --seconds 60
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid

import psycopg

DDL = """
CREATE TABLE IF NOT EXISTS bench_intake (
    id bigserial PRIMARY KEY,
    code varchar(40) UNIQUE NOT NULL,
    title varchar(200) NOT NULL,
    description text NOT NULL,
    status varchar(12) NOT NULL,
    region_path varchar(255) NOT NULL,
    reported_at timestamptz NOT NULL DEFAULT now(),
    client_uuid uuid UNIQUE
);
CREATE INDEX IF NOT EXISTS bench_intake_region ON bench_intake
    (region_path varchar_pattern_ops, reported_at);
CREATE INDEX IF NOT EXISTS bench_intake_status ON bench_intake (status, reported_at);
"""
SQL = (
    "INSERT INTO bench_intake (code, title, description, status, region_path, client_uuid)"
    " VALUES (%s, %s, %s, 'reported', %s, %s)"
)


def worker(dsn: str, stop: float, n: int, latencies: list[float]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        i = 0
        while time.perf_counter() < stop:
            i += 1
            start = time.perf_counter()
            conn.execute(
                SQL,
                (
                    f"330424-{n:02d}-{i:09d}-{uuid.uuid4().hex[:8]}",
                    "楼道堆放杂物",
                    "巡查发现楼道堆放杂物，请处理",
                    "330424/330424001/330424001001/330424001001001/",
                    uuid.uuid4(),
                ),
            )
            latencies.append(time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dsn", required=True)
    p.add_argument("--threads", type=int, default=12)
    p.add_argument("--seconds", type=float, default=60)
    a = p.parse_args()
    with psycopg.connect(a.dsn, autocommit=True) as conn:
        conn.execute(DDL)
        conn.execute("TRUNCATE bench_intake")
    stop = time.perf_counter() + a.seconds
    lat: list[list[float]] = [[] for _ in range(a.threads)]
    threads = [
        threading.Thread(target=worker, args=(a.dsn, stop, n, lat[n])) for n in range(a.threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_lat = sorted(x for xs in lat for x in xs)
    q = statistics.quantiles(all_lat, n=100)
    print(
        f"ceiling: {len(all_lat)} inserts in {a.seconds:.0f} s = {len(all_lat) / a.seconds:.0f}/s"
        f" with {a.threads} threads; p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms,"
        f" p99 {q[98] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
