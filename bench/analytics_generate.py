"""Generate a city's events for the statistics benchmark, fast (PostgreSQL COPY).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_analytics_bench \
        .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python bench/analytics_generate.py --events 10000000

Builds (once) a city (嘉兴市 330400) with 10 counties, 90 towns, 540 villages and 5,237
grids (square polygons), 7 top-level categories with 5 subcategories each, 20 departments
and one leader per level; then COPYs `--events` events reported over the 5 years up to
2026-11-28 into events_event (statuses, deadlines, satisfaction and departments drawn to
look like a real county: most old events closed, recent ones still open). Finally it
derives the per-event facts in SQL (`--facts sql`, handling time approximated as 5/7 of
calendar days) or through the project's own rebuild (`--facts exact`, working days from
the Chinese calendar, slower), and builds the rollups with `analytics.services`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from pingan.analytics.models import DailyRollup, EventFact  # noqa: E402
from pingan.analytics.services import rollup_from_facts, rollup_rebuild  # noqa: E402
from pingan.events.catalogue import category_upsert  # noqa: E402
from pingan.events.models import Category, Event  # noqa: E402
from pingan.events.partitions import ensure_partitions, is_partitioned  # noqa: E402
from pingan.geo.models import Region  # noqa: E402
from pingan.org.choices import Role  # noqa: E402
from pingan.org.models import Department  # noqa: E402
from pingan.org.services import department_upsert, membership_grant, user_upsert  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
END = dt.datetime(2026, 11, 29, tzinfo=TZ)
START = END - dt.timedelta(days=5 * 365 + 1)
GRIDS = 5237
PASSWORD = "Bench@2026"
TOPS = [
    ("dispute", "矛盾纠纷", 0.16),
    ("hazard", "安全隐患", 0.18),
    ("public_order", "社会治安", 0.10),
    ("environment", "生态环境", 0.14),
    ("food_drug", "食品药品", 0.06),
    ("city_management", "城市管理", 0.22),
    ("livelihood", "民生服务", 0.14),
]
SOURCES = [
    ("grid_patrol", 0.62),
    ("hotline_12345", 0.16),
    ("police_110", 0.05),
    ("online_opinion", 0.04),
    ("citizen", 0.08),
    ("walk_in", 0.03),
    ("inspection", 0.02),
]


def square(lng: float, lat: float, size: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
        ],
    }


def build_geography() -> None:
    if Region.objects.filter(code="330400").exists():
        return
    now = dt.datetime.now(TZ)
    city = Region(
        code="330400", name="嘉兴市", level="city", path="330400/", depth=0, lat=30.75, lng=120.75
    )
    city.save()
    counties = [
        Region(
            code=f"3304{c:02d}",
            name=f"第{c}县",
            level="county",
            parent=city,
            path=f"330400/3304{c:02d}/",
            depth=1,
            lat=30.75,
            lng=120.75,
        )
        for c in range(1, 11)
    ]
    Region.objects.bulk_create(counties)
    towns = [
        Region(
            code=f"{k.code}{t:03d}",
            name=f"{k.name}第{t}镇",
            level="town",
            parent=k,
            path=f"{k.path}{k.code}{t:03d}/",
            depth=2,
        )
        for k in counties
        for t in range(1, 10)
    ]
    Region.objects.bulk_create(towns)
    villages = [
        Region(
            code=f"{t.code}{v:03d}",
            name=f"{t.name}{v}村",
            level="village",
            parent=t,
            path=f"{t.path}{t.code}{v:03d}/",
            depth=3,
        )
        for t in towns
        for v in range(1, 7)
    ]
    Region.objects.bulk_create(villages)
    extra = GRIDS - 9 * len(villages)
    grids = []
    size = 0.004
    for i, v in enumerate(villages):
        for g in range(1, 10 + (1 if i < extra else 0)):
            n = len(grids)
            lng, lat = 120.2 + (n % 80) * size, 30.4 + (n // 80) * size
            grids.append(
                Region(
                    code=f"{v.code}{g:03d}",
                    name=f"{v.name}第{g}网格",
                    level="grid",
                    parent=v,
                    path=f"{v.path}{v.code}{g:03d}/",
                    depth=4,
                    geometry=square(lng, lat, size),
                    geometry_updated_at=now,
                    lat=lat + size / 2,
                    lng=lng + size / 2,
                )
            )
    Region.objects.bulk_create(grids, batch_size=2000)
    assert Region.objects.filter(level="grid").count() == GRIDS


def build_reference() -> None:
    city = Region.objects.get(code="330400")
    if not Department.objects.filter(code="B-01").exists():
        for i in range(1, 21):
            department_upsert(code=f"B-{i:02d}", name=f"市直部门{i}", region=city)
    for code, name, _w in TOPS:
        top = category_upsert(code=code, name=name)
        for j in range(1, 6):
            category_upsert(
                code=f"{code}.{j}",
                name=f"{name}{j}",
                parent=top,
                deadlines={"normal": (4, "hours", 5, "days")},
            )
    county = Region.objects.get(code="330401")
    town = Region.objects.get(code="330401001")
    for username, region in (("bench-city", city), ("bench-county", county), ("bench-town", town)):
        u = user_upsert(
            username=username, name=username, password=PASSWORD, email=f"{username}@example.invalid"
        )
        membership_grant(user=u, role=Role.LEADER, region=region)


COLUMNS = (
    "code",
    "title",
    "description",
    "status",
    "source",
    "urgency",
    "region_path",
    "lat",
    "lng",
    "address",
    "extra",
    "reported_at",
    "accepted_at",
    "dispatched_at",
    "resolved_at",
    "closed_at",
    "reporter_name",
    "reporter_phone",
    "ack_due_at",
    "due_at",
    "deadline_state",
    "closed_on_time",
    "resolved_on_site",
    "satisfaction",
    "under_tracking",
    "updated_at",
    "category_id",
    "lead_department_id",
    "queue_region_id",
    "region_id",
)


def generate_events(count: int, seed: int) -> None:
    rng = random.Random(seed)
    grids = list(Region.objects.filter(level="grid").values_list("pk", "path", "parent__parent_id"))
    # Some grids are much busier than others (town centres, markets).
    weights = [rng.paretovariate(1.5) for _ in grids]
    leaves = {}
    for code, _name, w in TOPS:
        leaves[code] = (
            list(Category.objects.filter(parent__code=code).values_list("pk", flat=True)),
            w,
        )
    cats = [c for ids, _w in leaves.values() for c in ids]
    cat_w = [w / 5 for ids, w in leaves.values() for _c in ids]
    departments = list(Department.objects.values_list("pk", flat=True))
    sources, source_w = zip(*SOURCES, strict=True)
    span = (END - START).total_seconds()
    start_id = (Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    batch = 100_000
    made = 0
    # PostgreSQL: the months written get their partitions first (no-op when unpartitioned).
    partitioned = is_partitioned()
    ensure_partitions(since=START, until=END)
    t0 = time.monotonic()
    while made < count:
        n = min(batch, count - made)
        picked_grids = rng.choices(grids, weights=weights, k=n)
        picked_cats = rng.choices(cats, weights=cat_w, k=n)
        picked_sources = rng.choices(sources, weights=source_w, k=n)
        copy_sql = f"COPY events_event ({', '.join(COLUMNS)}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cur:
            # The generator draws ids that exist: skip the per-row foreign-key triggers.
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute("SELECT COALESCE(max(id), 0) FROM events_event")
            before = cur.fetchone()[0]
            with cur.cursor.copy(copy_sql) as copy:
                for i in range(n):
                    seq = start_id + made + i
                    grid_id, path, town_id = picked_grids[i]
                    reported = START + dt.timedelta(seconds=rng.random() * span)
                    age_days = (END - reported).days
                    closed_p = 0.97 if age_days > 60 else 0.55 if age_days > 7 else 0.25
                    r = rng.random()
                    accepted = dispatched = resolved = closed = ack_due = due = None
                    deadline_state, on_time, satisfaction, dept = "", None, "", None
                    if r < 0.03:
                        status = "rejected"
                    elif r < 0.04:
                        status = "merged"
                    elif r < 0.04 + closed_p * 0.96:
                        status = "closed"
                        accepted = reported + dt.timedelta(hours=rng.uniform(0.2, 8))
                        closed = accepted + dt.timedelta(days=rng.expovariate(1 / 4))
                        on_time = rng.random() < 0.88
                        satisfaction = rng.choices(
                            ["", "satisfied", "basically_satisfied", "dissatisfied"],
                            weights=[40, 45, 12, 3],
                        )[0]
                        if rng.random() < 0.7:
                            dept = rng.choice(departments)
                            dispatched = accepted + dt.timedelta(hours=1)
                    else:
                        status = rng.choice(
                            ["reported", "accepted", "dispatched", "in_progress", "resolved"]
                        )
                        if status != "reported":
                            accepted = reported + dt.timedelta(hours=2)
                        if status in ("dispatched", "in_progress", "resolved"):
                            dispatched = accepted + dt.timedelta(hours=1)  # type: ignore[operator]
                            dept = rng.choice(departments)
                            due = dispatched + dt.timedelta(days=7)
                            ack_due = dispatched + dt.timedelta(hours=4)
                            deadline_state = (
                                "overdue" if due < END else rng.choice(["normal", "warning"])
                            )
                    copy.write_row(
                        (
                            f"B-{seq:010d}",
                            f"事件{seq}",
                            "基准测试事件",
                            status,
                            picked_sources[i],
                            "normal",
                            path,
                            None,
                            None,
                            "",
                            "{}",
                            reported,
                            accepted,
                            dispatched,
                            resolved,
                            closed,
                            "",
                            "",
                            ack_due,
                            due,
                            deadline_state,
                            on_time,
                            False,
                            satisfaction,
                            False,
                            reported,
                            picked_cats[i],
                            dept,
                            town_id,
                            grid_id,
                        )
                    )
            if partitioned:
                # The key triggers were skipped with the foreign-key ones (ADR 0006).
                cur.execute(
                    "INSERT INTO events_eventkey (id, code, client_uuid, reported_at) "
                    "SELECT id, code, client_uuid, reported_at FROM events_event "
                    "WHERE id > %s ON CONFLICT (id) DO NOTHING",
                    [before],
                )
        made += n
        rate = made / (time.monotonic() - t0)
        print(f"  {made:>10,} events ({rate:,.0f}/s)", flush=True)


FACTS_SQL = """
INSERT INTO analytics_eventfact (event_id, day, region_path, r0, r1, r2, r3, r4, category,
    top_category, source, status, outcome, satisfaction, department, handle_days)
SELECT e.id, (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date, e.region_path,
    m0.id, m1.id, m2.id, m3.id, m4.id, e.category_id, COALESCE(c.parent_id, c.id), e.source,
    e.status,
    CASE WHEN e.status = 'closed' THEN
            CASE WHEN e.closed_on_time IS NULL THEN '' WHEN e.closed_on_time THEN 'on_time'
                 ELSE 'late' END
         WHEN e.status IN ('reported', 'accepted', 'dispatched', 'in_progress', 'resolved')
            THEN e.deadline_state
         ELSE '' END,
    e.satisfaction, COALESCE(e.lead_department_id, 0),
    CASE WHEN e.status = 'closed' AND e.closed_at IS NOT NULL
         THEN round((extract(epoch FROM e.closed_at - e.reported_at) / 86400 * 5 / 7)::numeric, 2)
    END
FROM events_event e
JOIN events_category c ON c.id = e.category_id
LEFT JOIN geo_region m0 ON m0.code = split_part(e.region_path, '/', 1)
LEFT JOIN geo_region m1 ON m1.code = NULLIF(split_part(e.region_path, '/', 2), '')
LEFT JOIN geo_region m2 ON m2.code = NULLIF(split_part(e.region_path, '/', 3), '')
LEFT JOIN geo_region m3 ON m3.code = NULLIF(split_part(e.region_path, '/', 4), '')
LEFT JOIN geo_region m4 ON m4.code = NULLIF(split_part(e.region_path, '/', 5), '')
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--facts", choices=["sql", "exact"], default="sql")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("the benchmark runs on PostgreSQL: set DATABASE_URL")
    t = time.monotonic()
    build_geography()
    build_reference()
    print(f"geography and reference data: {time.monotonic() - t:.1f} s", flush=True)
    t = time.monotonic()
    generate_events(args.events, args.seed)
    print(f"events COPY: {time.monotonic() - t:.1f} s", flush=True)
    t = time.monotonic()
    if args.facts == "exact":
        done = rollup_rebuild()
        print(f"rollup rebuild (exact, Python facts): {done} in {time.monotonic() - t:.1f} s")
    else:
        with transaction.atomic(), connection.cursor() as cur:
            EventFact.objects.all().delete()
            DailyRollup.objects.all().delete()
            cur.execute(FACTS_SQL)
            facts = cur.rowcount
            rows = rollup_from_facts()
        print(f"facts (SQL) {facts:,} and rollup rows {rows:,}: {time.monotonic() - t:.1f} s")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print("total events:", Event.objects.count())


if __name__ == "__main__":
    main()
