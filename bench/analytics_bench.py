"""Statistics benchmark: p50/p95 of the summary for a county, a town and a grid over a
month, a year and five years, answered four ways in the same run:

- rollup: `analytics.selectors.summary` (the project's code: the rollups);
- HTTP:   `GET /api/v1/stats/summary` through Django's test client (bearer token, the
          whole middleware stack, JSON);
- scan:   the same figures by aggregate queries over the events table (how the summary
          worked before the rollups: region prefix + reported_at range, indexed);
- duckdb: the same questions in DuckDB over an export of the events (the near-limit
          reference for a columnar scan), when the duckdb package is installed;

then per level (a year) the dashboard page, its extras fragment (median handling time,
repeat reports, departments) and the map's GeoJSON. There is no result cache: every
request computes its figures; the first request of each kind is printed apart ("first",
cold buffers and connection) from the p50/p95 of the rest.

Works on any database with events, facts and rollups, e.g.:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_stats_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py load_demo --events 300
    .venv/bin/python manage.py generate_events --count 1000000 --batch 100000
    .venv/bin/python manage.py rollup rebuild --sql
    .venv/bin/python bench/analytics_bench.py --runs 20

It uses (and creates when missing) the leader `bench-city` of the root region (the city).
Prints Markdown tables for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import logging  # noqa: E402

# One log line per request would drown the tables.
logging.getLogger("pingan.request").setLevel(logging.WARNING)
logging.getLogger("django.request").setLevel(logging.ERROR)

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from pingan.accounts.models import User  # noqa: E402
from pingan.analytics.kpis import year_before  # noqa: E402
from pingan.analytics.selectors import summary  # noqa: E402
from pingan.core import clock  # noqa: E402
from pingan.events.models import Event  # noqa: E402
from pingan.events.permissions import event_scope_q  # noqa: E402
from pingan.geo.models import Region  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def periods(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The periods measured, ending before `today`: the last full month, the last year and
    the last five years (the generated history ends now, whatever day the bench runs)."""
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    yesterday = today - dt.timedelta(days=1)
    return {
        "month": (last_month_end.replace(day=1), last_month_end),
        "year": (yesterday - dt.timedelta(days=364), yesterday),
        "5 years": (_years_back(yesterday, 5) + dt.timedelta(days=1), yesterday),
    }


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


PERIODS = periods(timezone.localdate(clock.now()))
ACCEPTED = ["accepted", "dispatched", "in_progress", "resolved", "closed"]


def start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TZ)


def scan_summary(user: Any, region: Region, date_from: dt.date, date_to: dt.date) -> int:
    """The summary's figures by scanning the events table (five aggregate queries)."""

    def scoped(a: dt.date, b: dt.date) -> Any:
        return Event.objects.filter(
            event_scope_q(user),
            region_path__startswith=region.path,
            reported_at__gte=start(a),
            reported_at__lt=start(b + dt.timedelta(days=1)),
        ).order_by()

    def figures(qs: Any) -> dict[str, int]:
        return qs.aggregate(
            total=Count("id"),
            closed=Count("id", filter=Q(status="closed")),
            accepted=Count("id", filter=Q(status__in=ACCEPTED)),
            on_time=Count("id", filter=Q(status="closed", closed_on_time=True)),
            followed=Count("id", filter=~Q(satisfaction="")),
            satisfied=Count("id", filter=Q(satisfaction__in=["satisfied", "basically_satisfied"])),
        )

    qs = scoped(date_from, date_to)
    f = figures(qs)
    list(
        qs.annotate(top=Coalesce("category__parent_id", "category_id"))
        .values("top")
        .annotate(c=Count("id"))
    )
    list(qs.values("source").annotate(c=Count("id")))
    list(qs.values("status").annotate(c=Count("id")))
    figures(scoped(year_before(date_from), year_before(date_to)))
    return f["total"]


DUCK_FIGURES = """
SELECT count(*), count(*) FILTER (WHERE status = 'closed'),
       count(*) FILTER (WHERE status IN
           ('accepted', 'dispatched', 'in_progress', 'resolved', 'closed')),
       count(*) FILTER (WHERE status = 'closed' AND closed_on_time),
       count(*) FILTER (WHERE satisfaction <> ''),
       count(*) FILTER (WHERE satisfaction IN ('satisfied','basically_satisfied'))
FROM ev WHERE starts_with(region_path, ?) AND day BETWEEN ? AND ?
"""


def duck_setup(path: Path) -> Any:
    import duckdb

    with open(path, "wb") as out, connection.cursor() as cur:
        sql = (
            "COPY (SELECT e.region_path, (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date AS day,"
            " e.status, e.source, COALESCE(c.parent_id, c.id) AS top, e.closed_on_time,"
            " e.satisfaction FROM events_event e JOIN events_category c ON c.id = e.category_id)"
            " TO STDOUT WITH CSV HEADER"
        )
        with cur.cursor.copy(sql) as copy:
            for chunk in copy:
                out.write(chunk)
    db = duckdb.connect()
    db.execute(f"CREATE TABLE ev AS SELECT * FROM read_csv_auto('{path}')")
    return db


def duck_summary(db: Any, region: Region, date_from: dt.date, date_to: dt.date) -> int:
    args = [region.path, date_from, date_to]
    total = db.execute(DUCK_FIGURES, args).fetchone()[0]
    for dim in ("top", "source", "status"):
        db.execute(
            f"SELECT {dim}, count(*) FROM ev WHERE starts_with(region_path, ?) "
            "AND day BETWEEN ? AND ? GROUP BY 1",
            args,
        ).fetchall()
    db.execute(DUCK_FIGURES, [region.path, year_before(date_from), year_before(date_to)])
    return total


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    samples = []
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return statistics.median(samples), p95, result


def over(picks: list[Region], fn: Callable[[Region], Any]) -> tuple[float, float, Any]:
    """Time fn(region) once per pick."""
    it = iter(picks)
    return timed(lambda: fn(next(it)), len(picks))


def bench_leader() -> User:
    """A leader of every root region (the city, or each county when there is no city
    above them), created when missing."""
    from pingan.org.choices import Role
    from pingan.org.services import membership_grant, user_upsert

    user = User.objects.filter(username="bench-city").first()
    if user is not None:
        return user
    user = user_upsert(
        username="bench-city",
        name="bench-city",
        password="Bench@2026",
        email="bench-city@example.invalid",
    )
    for root in Region.objects.filter(parent=None):
        membership_grant(user=user, role=Role.LEADER, region=root)
    return user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument("--no-scan", action="store_true", help="skip the events-table scan")
    parser.add_argument(
        "--scan-runs",
        type=int,
        default=None,
        help="runs per cell for the scan and DuckDB columns (default --runs; seconds each at 10M)",
    )
    parser.add_argument("--http-only", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    leader = bench_leader()
    events = Event.objects.count()
    from pingan.analytics.models import EventFact

    facts = EventFact.objects.count()
    if facts < events:
        print(f"warning: {facts:,} facts for {events:,} events: run `manage.py rollup rebuild`")
    # Regions with events: the generated city's counties, towns and grids.
    levels = {
        level: list(Region.objects.filter(level=level)) for level in ("county", "town", "grid")
    }
    from pingan.accounts.services import token_issue

    token = token_issue(user=leader)
    api = Client()
    db = None
    if not args.no_duckdb and not args.http_only:
        try:
            t = time.monotonic()
            db = duck_setup(Path(tempfile.gettempdir()) / "pingan-bench-events.csv")
            print(f"DuckDB load: {time.monotonic() - t:.1f} s", flush=True)
        except ImportError:
            print("duckdb not installed: skipping the DuckDB column")
    print(
        f"\n{events:,} events; {args.runs} runs per cell, a random region of the level "
        "each run; times in ms (p50 / p95)\n"
    )
    print(
        "| region | period | rollup (summary) | HTTP summary (first; p50 / p95) "
        "| scan of events | DuckDB | events counted (last run) |"
    )
    print("|---|---|---|---|---|---|---|")

    def rollup_summary(r: Region, a: dt.date, b: dt.date) -> Any:
        return summary(user=leader, region_id=r.pk, date_from=a, date_to=b)

    def http_summary(r: Region, a: dt.date, b: dt.date) -> Any:
        resp = api.get(
            f"/api/v1/stats/summary?region={r.pk}&from={a}&to={b}",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert resp.status_code == 200, resp.content
        return resp

    for level, regions in levels.items() if not args.http_only else []:
        for label, (a, b) in PERIODS.items():
            picks = [rng.choice(regions) for _ in range(args.runs + 1)]
            r50, r95, s = over(picks[1:], partial(rollup_summary, a=a, b=b))
            # Another region for the first HTTP request: not in the buffers yet.
            first, _, _ = timed(partial(http_summary, picks[0], a, b), 1)
            h50, h95, _ = over(picks[1:], partial(http_summary, a=a, b=b))
            scan = "—"
            slow = picks[1 : 1 + (args.scan_runs or args.runs)]
            if not args.no_scan:
                s50, s95, _ = over(slow, partial(scan_summary, leader, date_from=a, date_to=b))
                scan = f"{s50:.1f} / {s95:.1f}"
            duck = "—"
            if db is not None:
                d50, d95, _ = over(slow, partial(duck_summary, db, date_from=a, date_to=b))
                duck = f"{d50:.1f} / {d95:.1f}"
            print(
                f"| {level} | {label} | {r50:.1f} / {r95:.1f} | {first:.0f}; {h50:.1f} / "
                f"{h95:.1f} | {scan} | {duck} | {s['total']:,} |",
                flush=True,
            )

    # The pages, a year, a random region of each level per run.
    page = Client()
    page.force_login(leader)
    a, b = PERIODS["year"]
    runs = max(5, args.runs // 2)
    print(f"\nPages, the year to {b} ({runs} runs; first request apart), ms:\n")
    print("| page | region | first | p50 / p95 |")
    print("|---|---|---|---|")
    for name, path in (
        ("dashboard", "/dashboard/"),
        ("extras (median, repeats, departments)", "/dashboard/extras/"),
        ("map GeoJSON", "/dashboard/map.geojson"),
        # The county's grids as the map drew them before it drew towns (comparable rows).
        ("map GeoJSON, grids", "/dashboard/map.geojson?level=grid"),
        ("leader (rankings, today, grid workers)", "/dashboard/leader/"),
    ):
        levels_of = {"map GeoJSON": ("county", "town"), "map GeoJSON, grids": ("county",)}
        for level in levels_of.get(name, ("county", "town", "grid")):
            picks = [rng.choice(levels[level]) for _ in range(runs + 1)]

            def get(r: Region, path: str = path) -> Any:
                sep = "&" if "?" in path else "?"
                resp = page.get(f"{path}{sep}region={r.pk}&from={a}&to={b}")
                assert resp.status_code == 200, resp.status_code
                return resp

            first, _, _ = timed(partial(get, picks[0]), 1)
            p50, p95, _ = over(picks[1:], get)
            print(f"| {name} | {level} | {first:.0f} | {p50:.1f} / {p95:.1f} |", flush=True)


if __name__ == "__main__":
    main()
