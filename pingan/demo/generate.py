"""Realistic events at scale, for load and performance work (`manage.py generate_events`).

Events spread over the last `years` years in `grids` grids: the grids of the county
already loaded (the demo county has ~800), plus as many grids as needed in the other
counties of its city (嘉兴: 南湖区, 秀洲区, 嘉善县, 海宁市, 平湖市, 桐乡市), created
here with their towns, villages and departments. Volume grows year on year, follows
working hours and weekdays, and differs between grids (a few busy grids, many quiet
ones). Old events are almost all closed; recent ones are spread over the open states,
with deadlines, lead-department assignments and deadline marks that agree with their
state. Event codes follow the real scheme and the per-day counters are moved past them,
so events reported later never collide.

On PostgreSQL rows go in with COPY (and, for large loads, the secondary indexes of
the event table are dropped first and rebuilt after); on SQLite with bulk inserts.
No timeline rows, audit rows or notifications are generated: this is list and search
data, not history.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from pingan.core import pii
from pingan.demo.texts import TEMPLATES, report_text
from pingan.events.models import Assignment, Category, Event, EventCodeCounter
from pingan.events.partitions import KEY_TABLE, ensure_partitions, is_partitioned
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.services import region_upsert
from pingan.org.models import Department, Membership
from pingan.org.services import department_upsert

# The other counties of 嘉兴市 (code, name, centre lng, lat).
EXTRA_COUNTIES = [
    ("330402", "南湖区", 120.78, 30.75),
    ("330411", "秀洲区", 120.71, 30.77),
    ("330421", "嘉善县", 120.92, 30.84),
    ("330481", "海宁市", 120.68, 30.51),
    ("330482", "平湖市", 121.02, 30.70),
    ("330483", "桐乡市", 120.56, 30.63),
]
DEPARTMENTS = [
    ("GA", "公安局"),
    ("SJ", "市场监管局"),
    ("ZJ", "住建局"),
    ("ZF", "综合行政执法局"),
    ("HB", "生态环境分局"),
    ("MZ", "民政局"),
    ("JT", "交通运输局"),
    ("SF", "司法局"),
]
GRIDS_PER_VILLAGE = 7
VILLAGES_PER_TOWN = 11
CN = "零一二三四五六七八九十"

SOURCES = [
    ("grid_patrol", 62),
    ("hotline_12345", 16),
    ("citizen", 8),
    ("police_110", 5),
    ("online_opinion", 3),
    ("walk_in", 3),
    ("inspection", 2),
    ("other", 1),
]
URGENCIES = [("normal", 90), ("urgent", 9), ("critical", 1)]
SATISFACTION = [("satisfied", 80), ("basically_satisfied", 16), ("dissatisfied", 4)]

EVENT_COLUMNS = [
    "id",
    "code",
    "title",
    "description",
    "status",
    "category_id",
    "source",
    "urgency",
    "region_id",
    "region_path",
    "queue_region_id",
    "lat",
    "lng",
    "address",
    "extra",
    "occurred_at",
    "reported_at",
    "accepted_at",
    "dispatched_at",
    "resolved_at",
    "closed_at",
    "reporter_id",
    "reporter_name",
    "reporter_phone",
    "reporter_phone_index",
    "sensitivity",
    "lead_department_id",
    "clock_started_at",
    "ack_due_at",
    "due_at",
    "warn_at",
    "deadline_state",
    "closed_on_time",
    "resolved_on_site",
    "satisfaction",
    "under_tracking",
    "updated_at",
]
ASSIGNMENT_COLUMNS = [
    "event_id",
    "department_id",
    "role",
    "status",
    "dispatched_at",
    "ack_due_at",
    "due_at",
    "acknowledged_at",
    "resolved_at",
    "result",
    "note",
]


@dataclass
class Grid:
    id: int
    path: str
    name: str
    town_id: int
    county_id: int
    county_code: str
    lat: float
    lng: float
    weight: float
    reporters: list[int]
    departments: list[int]


# ---- regions ----------------------------------------------------------------------------


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n % 10] if n % 10 else "")
    return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")


def _add_county(code: str, name: str, parent: Region | None, grids: int) -> None:
    county, _ = region_upsert(code=code, name=name, level=Level.COUNTY, parent=parent)
    for abbr, dept in DEPARTMENTS:
        department_upsert(code=f"{code}-{abbr}", name=f"{name[:-1]}{dept}", region=county)
    villages = math.ceil(grids / GRIDS_PER_VILLAGE)
    towns = math.ceil(villages / VILLAGES_PER_TOWN)
    made = 0
    for t in range(1, towns + 1):
        town, _ = region_upsert(
            code=f"{code}{t:03d}", name=f"{name[:2]}第{_cn(t)}镇", level=Level.TOWN, parent=county
        )
        for v in range(1, VILLAGES_PER_TOWN + 1):
            if made >= grids:
                break
            village, _ = region_upsert(
                code=f"{town.code}{v:03d}",
                name=f"{town.name[:-1]}{_cn(v)}村",
                level=Level.VILLAGE,
                parent=town,
            )
            for g in range(1, GRIDS_PER_VILLAGE + 1):
                if made >= grids:
                    break
                region_upsert(
                    code=f"{village.code}{g:03d}",
                    name=f"{village.name}第{_cn(g)}网格",
                    level=Level.GRID,
                    parent=village,
                )
                made += 1


def ensure_grids(total: int) -> None:
    """Create grids in the other counties of the city until there are `total`."""
    have = Region.objects.filter(level=Level.GRID).count()
    if have >= total:
        return
    anchor = Region.objects.filter(level=Level.COUNTY).order_by("pk").first()
    parent = anchor.parent if anchor is not None else None
    missing = total - have
    counties = [c for c in EXTRA_COUNTIES if not Region.objects.filter(code=c[0]).exists()]
    if not counties:
        raise ValueError(f"只有 {have} 个网格，且补充的县已存在；请减小 --grids")
    per = math.ceil(missing / len(counties))
    for code, name, _lng, _lat in counties:
        if missing <= 0:
            break
        n = min(per, missing)
        with transaction.atomic():
            _add_county(code, name, parent, n)
        missing -= n


def load_grids(total: int, rng: random.Random) -> list[Grid]:
    regions = {
        r.pk: r for r in Region.objects.all().only("pk", "code", "path", "name", "lat", "lng")
    }
    by_code = {r.code: r for r in regions.values()}
    centres = {code: (lng, lat) for code, _n, lng, lat in EXTRA_COUNTIES}
    reporters: dict[int, list[int]] = {}
    for m in Membership.objects.filter(role="grid_worker", region__level=Level.GRID):
        assert m.region_id is not None  # filtered on region__level
        reporters.setdefault(m.region_id, []).append(m.user_id)
    departments: dict[int, list[int]] = {}
    for d in Department.objects.filter(is_active=True):
        departments.setdefault(d.region_id, []).append(d.pk)
    grids = []
    rows = Region.objects.filter(level=Level.GRID).order_by("path")[:total]
    for r in rows:
        codes = r.path.strip("/").split("/")
        # path: [city/]county/town/village/grid
        county = by_code[codes[-4]]
        town = by_code[codes[-3]]
        lng, lat = centres.get(county.code, (120.94, 30.52))
        if r.lat is not None and r.lng is not None:
            lat, lng = r.lat, r.lng
        else:
            lat += rng.uniform(-0.12, 0.12)
            lng += rng.uniform(-0.12, 0.12)
        grids.append(
            Grid(
                id=r.pk,
                path=r.path,
                name=r.name,
                town_id=town.pk,
                county_id=county.pk,
                county_code=county.code,
                lat=lat,
                lng=lng,
                # A few busy grids (town centres, markets), many quiet ones.
                weight=rng.paretovariate(1.6),
                reporters=reporters.get(r.pk, []),
                departments=departments.get(county.pk, []),
            )
        )
    if len(grids) < total:
        raise ValueError(f"只有 {len(grids)} 个网格")
    return grids


# ---- events -----------------------------------------------------------------------------


def _between(rng: random.Random, a: int, b: int) -> int:
    return a + int(rng.random() * (b - a + 1))


def _weighted(rng: random.Random, options: list[tuple[str, int]]) -> Callable[[], str]:
    values = [v for v, _ in options]
    cum = []
    total = 0
    for _, w in options:
        total += w
        cum.append(total)
    import bisect

    def pick() -> str:
        return values[bisect.bisect_right(cum, rng.random() * total)]

    return pick


class EventFactory:
    """Builds event rows (tuples in EVENT_COLUMNS order) and their lead assignments."""

    def __init__(
        self,
        *,
        grids: list[Grid],
        categories: list[Category],
        years: int,
        now: dt.datetime,
        seed: int,
    ) -> None:
        self.rng = rng = random.Random(seed)
        self.grids = grids
        cum = 0.0
        self.grid_cum = []
        for g in grids:
            cum += g.weight
            self.grid_cum.append(cum)
        self.categories = categories
        self.now = now
        self.start = now - dt.timedelta(days=365 * years + years // 4)
        self.span_days = (now - self.start).days
        self.source = _weighted(rng, SOURCES)
        self.urgency = _weighted(rng, URGENCIES)
        self.satisfaction = _weighted(rng, SATISFACTION)
        # A pool of texts per category (formatting each of millions is the slow part).
        self.texts: dict[int, list[tuple[str, str]]] = {}
        for c in categories:
            if c.code in TEMPLATES:
                self.texts[c.pk] = [report_text(rng, c.code, "城东村") for _ in range(300)]
            else:
                self.texts[c.pk] = [(f"{c.name}问题", f"网格员巡查发现{c.name}问题，请处理")]
        self.counters: dict[str, int] = dict(EventCodeCounter.objects.values_list("prefix", "last"))
        self.tz = timezone.get_current_timezone()
        # Volume grows ~25 % a year: inverse CDF of an exponential density over the span.
        self.growth = math.log(1.25) / 365
        # Local midnight of every day of the span, and whether it is a weekday.
        first = self.start.astimezone(self.tz).date()
        self.days = []
        for i in range(self.span_days + 1):
            day = first + dt.timedelta(days=i)
            midnight = dt.datetime.combine(day, dt.time.min, tzinfo=self.tz)
            self.days.append((midnight, day.weekday() < 5, f"{day:%Y%m%d}"))
        self.hours = (8, 9, 9, 10, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 16, 17, 19, 21)

    def _day(self) -> int:
        u = self.rng.random()
        g, n = self.growth, self.span_days
        return min(n - 1, int(math.log(1 + u * (math.exp(g * n) - 1)) / g))

    def _reported_at(self) -> tuple[dt.datetime, str]:
        rnd = self.rng.random
        while True:
            midnight, weekday, ymd = self.days[self._day() + 1]
            # Weekends see a third of a weekday's reports.
            if not weekday and rnd() >= 0.33:
                continue
            hour = self.hours[int(rnd() * len(self.hours))]
            at = midnight + dt.timedelta(seconds=hour * 3600 + int(rnd() * 3600))
            # Today's later hours have not happened yet: draw again (clamping them to
            # "now" piled thousands of reports on one instant).
            if at < self.now:
                return at, ymd

    def _grid(self) -> Grid:
        import bisect

        x = self.rng.random() * self.grid_cum[-1]
        return self.grids[bisect.bisect_right(self.grid_cum, x)]

    def _code(self, grid: Grid, ymd: str) -> str:
        prefix = f"{grid.county_code}-{ymd}"
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n:06d}"

    def row(self, event_id: int) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
        rng = self.rng
        grid = self._grid()
        category = self.categories[rng.randrange(len(self.categories))]
        reported_at, ymd = self._reported_at()
        age = (self.now - reported_at).total_seconds() / 86400
        r = rng.random()
        if age > 45:
            status = "closed" if r < 0.93 else ("rejected" if r < 0.97 else "merged")
        elif age > 10:
            status = (
                "closed"
                if r < 0.7
                else "resolved"
                if r < 0.8
                else "in_progress"
                if r < 0.93
                else "dispatched"
                if r < 0.96
                else "rejected"
            )
        else:
            status = (
                "reported"
                if r < 0.12
                else "accepted"
                if r < 0.2
                else "dispatched"
                if r < 0.38
                else "in_progress"
                if r < 0.62
                else "resolved"
                if r < 0.72
                else "closed"
                if r < 0.95
                else "rejected"
            )
        on_site = status == "closed" and rng.random() < 0.35
        title, description = rng.choice(self.texts[category.pk])
        minute = dt.timedelta(minutes=1)
        accepted_at = dispatched_at = resolved_at = closed_at = None
        clock_started_at = ack_due_at = due_at = warn_at = None
        lead = None
        deadline_state = ""
        closed_on_time = None
        satisfaction = ""
        assignment = None
        if status not in ("reported", "merged") and not on_site:
            accepted_at = reported_at + minute * _between(rng, 3, 240)
        if on_site:
            accepted_at = resolved_at = closed_at = reported_at + minute * _between(rng, 5, 90)
            closed_on_time = True
        elif status in ("dispatched", "in_progress", "resolved", "closed") and accepted_at:
            dispatched_at = accepted_at + minute * _between(rng, 5, 480)
            clock_started_at = dispatched_at
            ack_due_at = dispatched_at + dt.timedelta(hours=4)
            allowed = dt.timedelta(days=rng.choice((3, 5, 5, 7, 10, 15)))
            due_at = dispatched_at + allowed
            warn_at = dispatched_at + allowed * 0.8
            lead = rng.choice(grid.departments) if grid.departments else None
            acknowledged_at = None
            if status != "dispatched":
                acknowledged_at = dispatched_at + minute * _between(rng, 10, 600)
            late = rng.random() < 0.08
            if status in ("resolved", "closed"):
                took = allowed * (rng.uniform(1.0, 1.6) if late else rng.uniform(0.1, 0.95))
                resolved_at = dispatched_at + took
            if status == "closed":
                assert resolved_at is not None  # set above for "resolved" and "closed"
                closed_at = resolved_at + minute * _between(rng, 60, 4 * 1440)
                closed_on_time = not late
                satisfaction = self.satisfaction()
            if status in ("dispatched", "in_progress"):
                deadline_state = (
                    "overdue"
                    if self.now > due_at or (not acknowledged_at and self.now > ack_due_at)
                    else "warning"
                    if self.now > warn_at
                    else "normal"
                )
            elif late:
                deadline_state = "overdue"
            if lead is not None:
                assignment = (
                    event_id,
                    lead,
                    "lead",
                    {"dispatched": "dispatched", "in_progress": "acknowledged"}.get(
                        status, "resolved"
                    ),
                    dispatched_at,
                    ack_due_at,
                    due_at,
                    acknowledged_at,
                    resolved_at,
                    "已处置完毕" if resolved_at else "",
                    "",
                )
        elif status == "rejected":
            closed_at = accepted_at
        queue_region = grid.town_id if rng.random() > 0.04 else grid.county_id
        reporter = rng.choice(grid.reporters) if grid.reporters and rng.random() < 0.7 else None
        updated = max(
            t
            for t in (reported_at, accepted_at, dispatched_at, resolved_at, closed_at)
            if t is not None
        )
        return (
            (
                event_id,
                self._code(grid, ymd),
                title,
                description,
                status,
                category.pk,
                self.source(),
                self.urgency(),
                grid.id,
                grid.path,
                queue_region,
                grid.lat + (rng.random() - 0.5) * 0.008,
                grid.lng + (rng.random() - 0.5) * 0.008,
                grid.name,
                "{}",
                reported_at - minute * int(rng.random() * 600),
                reported_at,
                accepted_at,
                dispatched_at,
                resolved_at,
                closed_at,
                reporter,
                "",
                "",
                "",
                "",
                lead,
                clock_started_at,
                ack_due_at,
                due_at,
                warn_at,
                deadline_state,
                closed_on_time,
                on_site,
                satisfaction,
                False,
                updated,
            ),
            assignment,
        )

    def counter_rows(self) -> dict[str, int]:
        return self.counters


# ---- writing ----------------------------------------------------------------------------


def _secondary_indexes() -> list[tuple[str, str]]:
    with connection.cursor() as c:
        c.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class ic ON ic.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = ic.oid
            WHERE i.tablename = %s AND NOT x.indisunique AND NOT x.indisprimary
            """,
            [Event._meta.db_table],
        )
        return list(c.fetchall())


def _skip_foreign_key_checks() -> None:
    """Every id the generator writes was read from the database, so the row-by-row
    foreign-key triggers (millions of deferred checks) can be skipped when the role may
    (a superuser, as on a benchmark database); otherwise they run as usual."""
    try:
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def _reserve_ids(model: type, count: int) -> int:
    """First id of a block of `count` ids nobody else will be given."""
    table = model._meta.db_table  # type: ignore[attr-defined]
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            seq = c.fetchone()[0]
            c.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            first = int(c.fetchone()[0]) + 1
            c.execute("SELECT setval(%s, %s)", [seq, first + count - 1])
            return first
        c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return int(c.fetchone()[0]) + 1


def _fill_event_keys(first: int, last: int) -> None:
    """The key table of the partitioned events (pingan/events/partitions.py) gets the
    generated rows: the trigger that does it for ordinary inserts is skipped with the
    foreign-key triggers when session_replication_role is `replica`; when it did run,
    the rows are there already and nothing is added."""
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {KEY_TABLE} "  # noqa: S608
            "(id, code, client_uuid, reported_at, open_status, reporter_id, closed_month) "
            "SELECT id, code, client_uuid, reported_at, events_open_status(status), "
            "reporter_id, events_closed_month(closed_at) "
            f"FROM {Event._meta.db_table} "
            "WHERE id BETWEEN %s AND %s ON CONFLICT (id) DO NOTHING",
            [first, last],
        )


def _batches(
    factory: EventFactory, first_id: int, count: int, size: int
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    done = 0
    while done < count:
        n = min(size, count - done)
        events, assignments = [], []
        for i in range(n):
            event, assignment = factory.row(first_id + done + i)
            events.append(event)
            if assignment is not None:
                assignments.append(assignment)
        done += n
        yield events, assignments


# COPY bypasses the model fields, so personal data is encrypted here (docs/privacy.md);
# one ciphertext per distinct value keeps 10 million rows cheap.
SEALED_COLUMNS = {"address", "reporter_name", "reporter_phone"}


@functools.lru_cache(maxsize=65536)
def _sealed(value: str) -> str:
    return pii.encrypt(value)


def _copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    sealed = [i for i, name in enumerate(columns) if name in SEALED_COLUMNS]
    if sealed:
        rows = [
            tuple(_sealed(v) if i in sealed and v else v for i, v in enumerate(row)) for row in rows
        ]
    with (
        connection.cursor() as c,
        c.cursor.copy(  # type: ignore[attr-defined]
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _bulk(model: type, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model.objects.bulk_create(objs, batch_size=500)  # type: ignore[attr-defined]


def _sqlite_value(field: Any) -> Callable[[Any], Any]:
    """How a value of `field` is stored in SQLite, as the field would store it (the model
    layer costs more than the insert for a hundred thousand rows)."""
    if field.column in SEALED_COLUMNS:
        return lambda v: _sealed(v) if v else v
    if isinstance(field, models.DateTimeField):
        return lambda v: (
            None if v is None else v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        )
    if isinstance(field, models.UUIDField):
        return lambda v: None if v is None else v.hex
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v, cls=field.encoder)
    return lambda v: v


def _insert_sqlite(model: type, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    meta = model._meta  # type: ignore[attr-defined]
    fields = {f.column: f for f in meta.concrete_fields}
    convert = [_sqlite_value(fields[c]) for c in columns]
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as c:
        for i in range(0, len(rows), 20_000):
            c.executemany(
                sql,
                [
                    tuple(f(v) for f, v in zip(convert, row, strict=True))
                    for row in rows[i : i + 20_000]
                ],
            )


def bulk_write(model: type, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows (tuples in `columns` order, every column named by its database column; JSON
    values as dicts or lists) into the model's table: COPY on PostgreSQL, plain
    multi-row inserts on SQLite; personal data encrypted on the way either way."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        _insert_sqlite(model, columns, rows)
        return
    for i in range(0, len(rows), 50_000):
        chunk = [
            tuple(
                json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for v in row
            )
            for row in rows[i : i + 50_000]
        ]
        _copy(model._meta.db_table, columns, chunk)  # type: ignore[attr-defined]


def _save_counters(counters: dict[str, int]) -> None:
    existing = dict(EventCodeCounter.objects.values_list("prefix", "pk"))
    new = [EventCodeCounter(prefix=p, last=n) for p, n in counters.items() if p not in existing]
    EventCodeCounter.objects.bulk_create(new, batch_size=2000)
    update = [
        EventCodeCounter(pk=existing[p], prefix=p, last=n)
        for p, n in counters.items()
        if p in existing
    ]
    EventCodeCounter.objects.bulk_update(update, ["last"], batch_size=2000)


def generate_events(
    *,
    count: int,
    grids: int = 5237,
    years: int = 5,
    seed: int = 1,
    batch: int = 50_000,
    drop_indexes: bool | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Add `count` generated events (and their lead assignments); returns figures."""
    started = time.monotonic()
    ensure_grids(grids)
    rng = random.Random(seed)
    grid_list = load_grids(grids, rng)
    categories = list(Category.objects.filter(parent__isnull=False, is_active=True))
    if not categories:
        raise ValueError("没有事件分类：请先运行 manage.py load_catalogue")
    factory = EventFactory(
        grids=grid_list, categories=categories, years=years, now=timezone.now(), seed=seed
    )
    postgres = connection.vendor == "postgresql"
    if drop_indexes is None:
        drop_indexes = postgres and count >= 500_000
    dropped: list[tuple[str, str]] = []
    assignments = 0
    with transaction.atomic():
        if postgres:
            # Every month written gets its partition first (no-op when not partitioned).
            ensure_partitions(since=factory.now - dt.timedelta(days=366 * years + 31))
        first = _reserve_ids(Event, count)
        if postgres:
            _skip_foreign_key_checks()
        if drop_indexes and postgres:
            dropped = _secondary_indexes()
            with connection.cursor() as c:
                for name, _ in dropped:
                    c.execute(f'DROP INDEX "{name}"')
        made = 0
        for events, assigns in _batches(factory, first, count, batch):
            if postgres:
                _copy(Event._meta.db_table, EVENT_COLUMNS, events)
                _copy(Assignment._meta.db_table, ASSIGNMENT_COLUMNS, assigns)
            else:
                _bulk(Event, EVENT_COLUMNS, events)
                _bulk(Assignment, ASSIGNMENT_COLUMNS, assigns)
            made += len(events)
            assignments += len(assigns)
            progress(f"{made}/{count} 条，{time.monotonic() - started:.0f} 秒")
        if postgres and is_partitioned():
            _fill_event_keys(first, first + count - 1)
        if dropped:
            progress("重建索引…")
            with connection.cursor() as c:
                # Deferred foreign-key checks must run before an index can be built.
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
                c.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for _, definition in dropped:
                    # pg_indexes shows a partitioned table's index as "ON ONLY": that
                    # would build it on no partition (pingan/events/partitions.py).
                    c.execute(definition.replace(" ON ONLY ", " ON ", 1))
        _save_counters(factory.counter_rows())
    if postgres:
        with connection.cursor() as c:
            c.execute(f"ANALYZE {Event._meta.db_table}")
            c.execute(f"ANALYZE {Assignment._meta.db_table}")
    return {
        "events": count,
        "assignments": assignments,
        "grids": len(grid_list),
        "seconds": round(time.monotonic() - started, 1),
        "rebuilt_indexes": [name for name, _ in dropped],
    }
