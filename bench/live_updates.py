"""The server's cost of the live updates of dispatchers' pages (docs/performance.md,
"Live updates").

    .venv/bin/python bench/live_updates.py [--db /tmp/pingan_live_bench.sqlite3]
        [--events 100000] [--sessions 200] [--rounds 6] [--arrivals 3]

Builds (once) a throwaway SQLite database beside nothing else: the demo county
(`load_demo`) plus `--events` generated events (`pingan.demo.generate.generate_events`).
`DATABASE_URL` is honoured instead when set (use a throwaway database such as
`pingan_live_bench`, never a shared one). Then `--sessions` signed-in dispatcher sessions
(the demo county's dispatchers, round robin) poll `/workbench/live/` as the page's script
does: the first poll of each gets the full answer, later ones send the version they saw.
Between rounds (one round = one poll interval for every session) `--arrivals` new matters
are reported in the county, one of them urgent, so some sessions see a change.

Each poll goes through Django's whole stack in this process, one at a time, as a
gunicorn sync worker serves them: per poll the CPU time (process time), the wall time and
the SQL statements are recorded, split by answer (204 unchanged / 200 changed). For
comparison it also times the full workbench page that a reload would cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="/tmp/pingan_live_bench.sqlite3")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--arrivals", type=int, default=3)
    return parser.parse_args()


ARGS = _args()
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{ARGS.db}"
elif "pingan_10m" in os.environ["DATABASE_URL"]:
    sys.exit("不要在 pingan_10m 上运行：请用一个一次性的库（如 pingan_live_bench）")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.disable(logging.INFO)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from pingan.events.choices import Status, Urgency  # noqa: E402
from pingan.events.models import Category, Event  # noqa: E402
from pingan.events.reporting import event_report  # noqa: E402
from pingan.geo.models import Region  # noqa: E402
from pingan.notifications.services import muted  # noqa: E402
from pingan.org.choices import Role  # noqa: E402
from pingan.org.models import Membership  # noqa: E402


def build() -> None:
    """The demo county and the generated volume, unless already there."""
    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="330424").exists():
        call_command("load_demo", events=300, verbosity=0)
    have = Event.objects.count()
    if have < ARGS.events:
        from pingan.demo.generate import generate_events

        print(f"generating {ARGS.events - have} events …", flush=True)
        generate_events(count=ARGS.events - have, batch=20_000)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def arrive(n: int, round_no: int) -> None:
    """`n` new matters in the demo county's town, the first urgent (as a grid worker)."""
    member = (
        Membership.objects.filter(
            role=Role.GRID_WORKER, is_active=True, region__code__startswith="330424001"
        )
        .select_related("user", "region")
        .first()
    )
    if member is None:
        return
    category = Category.objects.filter(parent__isnull=False, is_active=True).first()
    for i in range(n):
        with muted():
            event_report(
                actor=member.user,
                category=category.pk,  # type: ignore[union-attr]
                description=f"基准测试第{round_no}轮第{i + 1}件：路灯不亮，居民夜间出行不便",
                region=member.region,
                urgency=Urgency.URGENT if i == 0 else Urgency.NORMAL,
            )


def main() -> None:
    started = time.monotonic()
    build()
    dispatchers = list(
        Membership.objects.filter(role=Role.DISPATCHER, is_active=True, region__isnull=False)
        .filter(region__path__startswith=Region.objects.get(code="330424").path)
        .select_related("user")
        .order_by("user__username")
    )
    users = list({m.user.pk: m.user for m in dispatchers}.values())
    events = Event.objects.count()
    waiting = Event.objects.filter(status=Status.REPORTED).count()
    print(f"database: {connection.vendor}, {events} events, {waiting} waiting (reported)")
    print(f"{ARGS.sessions} sessions over {len(users)} dispatchers of the demo county")

    clients: list[tuple[Client, str]] = []
    for i in range(ARGS.sessions):
        c = Client()
        c.force_login(users[i % len(users)])
        clients.append((c, ""))

    samples: dict[str, list[tuple[float, float, int]]] = {"200": [], "204": []}
    with override_settings(DEBUG=False):
        # Warm-up: one request per user (URL resolution, templates, caches of the process).
        for c, _ in clients[: len(users)]:
            c.get("/workbench/live/")
        load_before = os.getloadavg()
        for r in range(ARGS.rounds):
            if r:
                arrive(ARGS.arrivals, r)
            for i, (c, version) in enumerate(clients):
                url = "/workbench/live/" + (f"?v={version}" if version else "")
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as q:
                    cpu0, wall0 = time.process_time(), time.perf_counter()
                    response = c.get(url)
                    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
                code = str(response.status_code)
                samples.setdefault(code, []).append((cpu * 1000, wall * 1000, len(q)))
                if response.status_code == 200:
                    clients[i] = (c, response.json()["version"])
        # A reload of the whole workbench instead, for comparison.
        page: list[tuple[float, float, int]] = []
        for c, _ in clients[:20]:
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as q:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                c.get("/")
                page.append(
                    (
                        (time.process_time() - cpu0) * 1000,
                        (time.perf_counter() - wall0) * 1000,
                        len(q),
                    )
                )
        load_after = os.getloadavg()

    print(f"\n{ARGS.rounds} rounds × {ARGS.sessions} sessions, {ARGS.arrivals} arrivals a round")
    print("| answer | polls | CPU ms p50 / p95 | wall ms p50 / p95 | statements |")
    print("|---|---|---|---|---|")
    rows = [(k, v) for k, v in samples.items() if v] + [("full workbench page", page)]
    for name, values in rows:
        cpus = [v[0] for v in values]
        walls = [v[1] for v in values]
        stmts = sorted({v[2] for v in values})
        span = f"{stmts[0]}–{stmts[-1]}" if stmts[0] != stmts[-1] else str(stmts[0])
        print(
            f"| {name} | {len(values)} | {pct(cpus, 0.5):.2f} / {pct(cpus, 0.95):.2f} | "
            f"{pct(walls, 0.5):.2f} / {pct(walls, 0.95):.2f} | {span} |"
        )
    polls = [v for k, vs in samples.items() for v in vs]
    mean_wall = statistics.mean(v[1] for v in polls)
    mean_cpu = statistics.mean(v[0] for v in polls)
    need = ARGS.sessions / 15
    print(
        f"\nmean per poll: {mean_cpu:.2f} ms CPU, {mean_wall:.2f} ms wall → one worker thread "
        f"carries ≈ {1000 / mean_wall:.0f} polls/s at this load (≈ {1000 / mean_cpu:.0f}/s "
        f"CPU-bound); {ARGS.sessions} pages at 15 s ask {need:.1f} polls/s = "
        f"{need * mean_cpu:.0f} ms CPU per second ({need * mean_cpu / 10:.0f}% of one core)"
    )
    print(f"load average before {load_before}, after {load_after}")
    print(f"whole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
