"""Duplicate check latency with many stored events (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_dupbench \
        .venv/bin/python bench/duplicates_speed.py --events 1000000 [--grids 400] [--years 3]

Creates the database's tables, a county with `--grids` grids (20 villages × N/20 grids,
adjacent squares), and `--events` events spread evenly over the grids and over the last
`--years` years with real message texts (shared/data/messages), inserted with one
INSERT … SELECT generate_series. Then times `duplicates.find` (the whole check: neighbour
grids, the bounded query, text scoring) for 300 new events at random grids, newest day,
and prints p50 / p95 / max in milliseconds. Re-running with the same --events skips the
insert.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_10m \
        .venv/bin/python bench/duplicates_speed.py --existing

`--existing` times the check on a database as it is (one made by `load_demo` and
`generate_events`, say): the probes go to random grids of all its grids.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from pingan.core import clock  # noqa: E402
from pingan.events.catalogue import category_upsert  # noqa: E402
from pingan.events.models import Event  # noqa: E402
from pingan.geo.choices import Level  # noqa: E402
from pingan.geo.models import Region  # noqa: E402
from pingan.geo.services import region_upsert  # noqa: E402
from pingan.triage import duplicates, labelled  # noqa: E402

SIZE = 0.01


def square(lng: float, lat: float) -> dict:
    c = [[lng, lat], [lng + SIZE, lat], [lng + SIZE, lat + SIZE], [lng, lat + SIZE], [lng, lat]]
    return {"type": "Polygon", "coordinates": [c]}


def geography(grids: int) -> list[Region]:
    county, _ = region_upsert(code="330424", name="海盐县", level=Level.COUNTY)
    town, _ = region_upsert(code="330424001", name="武原街道", level=Level.TOWN, parent=county)
    per_village = max(grids // 20, 1)
    out = []
    for v in range(20):
        village, _ = region_upsert(
            code=f"330424001{v + 1:03d}", name=f"村{v + 1}", level=Level.VILLAGE, parent=town
        )
        for g in range(per_village):
            grid, _ = region_upsert(
                code=f"330424001{v + 1:03d}{g + 1:03d}",
                name=f"村{v + 1}网格{g + 1}",
                level=Level.GRID,
                parent=village,
                geometry=square(120.5 + g * SIZE, 30.2 + v * SIZE),
            )
            out.append(grid)
    return out


def fill(n: int, grid_list: list[Region], years: int, texts: list[str]) -> None:
    have = Event.objects.count()
    if have >= n:
        print(f"{have:,} events already stored")
        return
    cat = category_upsert(code="dispute.neighbour", name="邻里纠纷")
    village = grid_list[0].parent
    town = village.parent if village is not None else None
    assert town is not None, "the grids hang under a village and a town"
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_grid; DROP TABLE IF EXISTS bench_text")
        cur.execute("CREATE TEMP TABLE bench_grid (i int primary key, id bigint, path text)")
        cur.executemany(
            "INSERT INTO bench_grid VALUES (%s, %s, %s)",
            [(i, g.pk, g.path) for i, g in enumerate(grid_list)],
        )
        cur.execute("CREATE TEMP TABLE bench_text (i int primary key, t text)")
        cur.executemany("INSERT INTO bench_text VALUES (%s, %s)", list(enumerate(texts)))
        t0 = time.perf_counter()
        cur.execute(
            """
            INSERT INTO events_event (code, title, description, status, category_id, source,
              urgency, region_id, region_path, queue_region_id, address, extra, reported_at,
              reporter_name, reporter_phone, reporter_phone_index, sensitivity,
              deadline_state, resolved_on_site, satisfaction, under_tracking, updated_at)
            SELECT 'B-' || s, left(t.t, 30), t.t, 'closed', %(cat)s, 'grid_patrol', 'normal',
              g.id, g.path, %(town)s, '', '{}'::jsonb,
              now() - (random() * %(days)s || ' days')::interval,
              '', '', '', '', '', false, '', false, now()
            FROM generate_series(%(start)s, %(end)s) s
            JOIN bench_grid g ON g.i = s %% %(ng)s
            JOIN bench_text t ON t.i = (s::bigint * 7919) %% %(nt)s
            """,
            {
                "cat": cat.pk,
                "town": town.pk,
                "days": 365 * years,
                "start": have + 1,
                "end": n,
                "ng": len(grid_list),
                "nt": len(texts),
            },
        )
        cur.execute("ANALYZE events_event")
        print(f"inserted {n - have:,} events in {time.perf_counter() - t0:.0f}s")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--grids", type=int, default=400)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--existing", action="store_true", help="use the database as it is")
    args = p.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run against PostgreSQL (DATABASE_URL)")
    texts = [t for t, _ in labelled.topic_rows()]
    if args.existing:
        grid_list = list(Region.objects.filter(level=Level.GRID).order_by("pk"))
    else:
        call_command("migrate", verbosity=0)
        grid_list = geography(args.grids)
        fill(args.events, grid_list, args.years, texts)
    rng = random.Random(1)
    now = clock.now()
    times = []
    cpu = []
    found = 0
    for i in range(300):
        grid = rng.choice(grid_list)
        text = rng.choice(texts)
        if args.existing:
            # Half the probes repeat a report of the last week in that grid (a real
            # duplicate to find), half bring a new text.
            recent = (
                Event.objects.filter(
                    region_path=grid.path, reported_at__gte=now - dt.timedelta(days=7)
                )
                .values_list("description", flat=True)
                .first()
            )
            if recent and i % 2:
                text = recent
        probe = Event(
            title="",
            description=text,
            region=grid,
            region_path=grid.path,
            reported_at=now,
        )
        t0, c0 = time.perf_counter(), time.process_time()
        found += len(duplicates.find(probe))
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        if i == 0:
            first = times.pop()  # builds the neighbour cache once per process
            cpu.pop()
    times.sort()
    print(f"events={Event.objects.count():,} grids={len(grid_list)} checks={len(times)}")
    print(f"first check (builds neighbour cache) {first:.1f} ms")
    print(
        f"p50={statistics.median(times):.1f} ms p95={times[int(len(times) * 0.95)]:.1f} ms "
        f"max={times[-1]:.1f} ms candidates_found={found} (wall clock)"
    )
    cpu.sort()
    print(
        f"client CPU per check: p50={statistics.median(cpu):.1f} ms "
        f"p95={cpu[int(len(cpu) * 0.95)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
