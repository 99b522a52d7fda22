"""Bench: a four-hour patrol at one point every 10 s (1,440 points).

Runs in a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL):

    .venv/bin/python bench/patrols.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_field .venv/bin/python bench/patrols.py

Measures: the stored size; receiving the track as the phone sends it (a batch a minute,
6 points each: 240 requests to the service, each checking the patrol's stored times
for duplicates); receiving it all at once (an offline phone); the finish summary
(distance + grids covered, from the packed rows); the pure summary without the database.
Figures go to docs/performance.md, section "Patrols".
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

POINTS = 1440  # 4 h × 360 points an hour


def main() -> None:
    old = setup_databases(verbosity=0, interactive=False)
    try:
        run()
    finally:
        teardown_databases(old, verbosity=0)


def run() -> None:
    from pingan.conftest import build_cast
    from pingan.core import clock
    from pingan.geo import locator
    from pingan.patrols import track
    from pingan.patrols.models import PatrolBatch
    from pingan.patrols.services import (
        grids_of,
        patrol_finish,
        patrol_points_add,
        patrol_start,
        patrol_track,
    )

    cast = build_cast()
    user = cast.gridworker
    t0 = clock.now().replace(microsecond=0) - dt.timedelta(hours=5)
    # A walk zig-zagging east through grids a1 and a2 (about 1.4 m/s).
    coords = [
        (
            30.521
            + 0.004 * ((i // 120) % 2)
            + 0.00003 * (i % 120) * (1 if (i // 120) % 2 == 0 else -1),
            120.941 + 0.0000125 * i,
        )
        for i in range(POINTS)
    ]
    points = [
        {"lat": lat, "lng": lng, "at": t0 + dt.timedelta(seconds=10 * i)}
        for i, (lat, lng) in enumerate(coords)
    ]
    print(f"database: {connection.vendor}")

    # 1. As the phone sends it: a batch a minute.
    p, _ = patrol_start(actor=user, client_uuid=uuid.uuid4(), started_at=t0)
    times = []
    for i in range(0, POINTS, 6):
        s = time.perf_counter()
        patrol_points_add(actor=user, patrol_id=p.pk, points=points[i : i + 6])
        times.append(time.perf_counter() - s)
    print(
        f"240 batches of 6: total {sum(times) * 1000:.0f} ms,"
        f" median {statistics.median(times) * 1000:.2f} ms,"
        f" max {max(times) * 1000:.2f} ms per batch"
    )
    size = sum(
        len(bytes(b)) for b in PatrolBatch.objects.filter(patrol=p).values_list("data", flat=True)
    )
    print(f"stored: {PatrolBatch.objects.filter(patrol=p).count()} rows, {size} bytes of points")
    # A resend of the last hour (lost answers) adds nothing.
    s = time.perf_counter()
    _, added = patrol_points_add(actor=user, patrol_id=p.pk, points=points[-360:])
    print(
        f"resend of the last 360 points: {added} added, {(time.perf_counter() - s) * 1000:.1f} ms"
    )
    locator.grid_id_at(30.525, 120.945)  # warm the grid index as a running server has it
    runs = []
    for _ in range(5):
        from pingan.patrols.models import Patrol

        Patrol.objects.filter(pk=p.pk).update(status="active")
        s = time.perf_counter()
        done = patrol_finish(actor=user, patrol_id=p.pk, finished_at=t0 + dt.timedelta(hours=4))
        runs.append(time.perf_counter() - s)
    print(
        f"finish (read rows, unpack, distance, grids, save):"
        f" median {statistics.median(runs) * 1000:.1f} ms;"
        f" distance {done.distance_m:.0f} m, grids {len(done.grids)}"
    )

    # 2. All at once, as an offline phone sends its whole track.
    p2, _ = patrol_start(actor=user, client_uuid=uuid.uuid4(), started_at=t0)
    s = time.perf_counter()
    patrol_points_add(actor=user, patrol_id=p2.pk, points=points)
    print(f"one batch of {POINTS}: {(time.perf_counter() - s) * 1000:.0f} ms")

    # 3. The summary alone, without the database.
    pts = patrol_track(p)
    runs = []
    for _ in range(20):
        s = time.perf_counter()
        track.summarise(pts, grids_of)
        runs.append(time.perf_counter() - s)
    print(f"summary of {len(pts)} points in memory: median {statistics.median(runs) * 1000:.1f} ms")
    runs = []
    for _ in range(20):
        s = time.perf_counter()
        track.distance_m(pts)
        runs.append(time.perf_counter() - s)
    print(f"distance only: median {statistics.median(runs) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
