"""Where a dashboard request's time goes: each part of the dashboard page, its extras
fragment and the map, timed apart for random regions of a level (p50 / p95 ms), with the
statements each part runs (count and their total time in the database).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_10m \\
        .venv/bin/python bench/dashboard_parts.py --level county --runs 9

Uses the leader of analytics_bench (`bench-city`); the period is the year of that bench.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import logging  # noqa: E402

logging.getLogger("pingan.request").setLevel(logging.WARNING)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.analytics_bench import PERIODS, bench_leader  # noqa: E402
from pingan.analytics import briefings, selectors  # noqa: E402
from pingan.geo.models import Region  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--level", default="county")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    leader = bench_leader()
    regions = list(Region.objects.filter(level=args.level))
    rng = random.Random(11)
    a, b = PERIODS["year"]
    page = Client()
    page.force_login(leader)

    def get(path: str) -> Callable[[Region], Any]:
        def fetch(r: Region) -> Any:
            resp = page.get(f"{path}?region={r.pk}&from={a}&to={b}")
            assert resp.status_code == 200, resp.status_code
            return resp

        return fetch

    def basis(r: Region) -> Any:
        return selectors.basis_for(leader, r.pk)

    parts: list[tuple[str, Callable[[Region], Any]]] = [
        (
            "summary",
            lambda r: selectors.summary(user=leader, region_id=r.pk, date_from=a, date_to=b),
        ),
        (
            "region_breakdown",
            lambda r: selectors.region_breakdown(
                user=leader, region_id=r.pk, date_from=a, date_to=b
            ),
        ),
        ("trend", lambda r: selectors.trend(user=leader, region_id=r.pk, date_from=a, date_to=b)),
        (
            "overdue list",
            lambda r: briefings._overdue_events(leader, basis(r), a, b, limit=15),
        ),
        ("dashboard page", get("/dashboard/")),
        ("handling_counts", lambda r: selectors.handling_counts(basis(r), a, b)),
        ("department_tables", lambda r: selectors.department_tables(basis(r), a, b)),
        ("extras page", get("/dashboard/extras/")),
        (
            "grid_figures",
            lambda r: selectors.grid_figures(user=leader, region_id=r.pk, date_from=a, date_to=b),
        ),
        ("map page", get("/dashboard/map.geojson")),
    ]
    print(f"{args.level}, {a} – {b}, {args.runs} runs (after one warm-up), ms\n")
    print("| part | p50 | p95 | statements | in the database (p50) |")
    print("|---|---|---|---|---|")
    for name, fn in parts:
        fn(rng.choice(regions))
        times, sql_times, counts = [], [], []
        for _ in range(args.runs):
            r = rng.choice(regions)
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                fn(r)
                times.append((time.perf_counter() - t) * 1000)
            counts.append(len(ctx.captured_queries))
            sql_times.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        times.sort()
        sql_times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        print(
            f"| {name} | {times[len(times) // 2]:.1f} | {p95:.1f} | {max(counts)} "
            f"| {sql_times[len(sql_times) // 2]:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
