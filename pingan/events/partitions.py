"""The events table's monthly partitions on PostgreSQL (docs/adr/0006-partitioning.md).

`events_event` is `PARTITION BY RANGE (reported_at)`: one partition per calendar month
in the site's time zone (`events_event_y2026m11` holds 2026-11-01 00:00 to 2026-12-01
00:00 local time) and a DEFAULT partition (`events_event_default`) for anything else.
The key table `events_eventkey(id, code, client_uuid, reported_at, open_status)` holds
every event's globally unique keys, and its status while it is open; triggers on
`events_event` keep it in step and foreign keys reference it. `ensure_partitions` (the
`ensure_partitions` command, run daily by deploy/systemd/pingan-partitions.timer, and
`generate_events`) creates the coming months and moves rows that landed in DEFAULT into
partitions of their own. Nothing of this
exists on SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from pingan.core import clock
from pingan.events.models import OPEN_STATUSES

TABLE = "events_event"
KEY_TABLE = "events_eventkey"
DEFAULT_PARTITION = "events_event_default"

# The key table is kept in step with the events by row triggers (installed by migration
# events.0004, given the open status by events.0015): insert, update of a key column or
# of the status, delete, truncate. See those migrations and docs/adr/0006-partitioning.md.

Month = tuple[int, int]


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_of(moment: dt.datetime) -> Month:
    local = timezone.localtime(moment, site_zone()) if timezone.is_aware(moment) else moment
    return local.year, local.month


def add_months(month: Month, n: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def months_between(first: Month, last: Month) -> list[Month]:
    out = []
    while first <= last:
        out.append(first)
        first = add_months(first, 1)
    return out


def partition_name(month: Month) -> str:
    return f"{TABLE}_y{month[0]:04d}m{month[1]:02d}"


def bounds(month: Month) -> tuple[str, str]:
    """The partition's FROM and TO as timestamptz literals (local midnight, 1st)."""
    zone = site_zone()
    start = dt.datetime(month[0], month[1], 1, tzinfo=zone)
    end_y, end_m = add_months(month, 1)
    end = dt.datetime(end_y, end_m, 1, tzinfo=zone)
    return start.isoformat(sep=" "), end.isoformat(sep=" ")


def partition_sql(month: Month, parent: str = TABLE) -> str:
    start, end = bounds(month)
    return (
        f"CREATE TABLE {partition_name(month)} PARTITION OF {parent} "
        f"FOR VALUES FROM ('{start}') TO ('{end}')"
    )


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as c:
        c.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = c.fetchone()
    found = bool(row and row[0] == "p")
    _partitioned[connection.settings_dict["NAME"]] = found
    return found


# Whether the events table of a database (by name) is partitioned, as last read. A stale
# False only costs the pruning below, never a wrong answer; the table is partitioned by a
# migration and never turned back.
_partitioned: dict[str, bool] = {}


def _known_partitioned() -> bool:
    known = _partitioned.get(connection.settings_dict["NAME"])
    return is_partitioned() if known is None else known


def keys_q(pks: Iterable[int]) -> Q:
    """`Q(pk__in=pks)`, naming the events' months (one read of the key table) when the
    events table is partitioned, so PostgreSQL plans only their partitions."""
    pks = sorted(set(pks))
    if not pks:
        return Q(pk__in=[])
    q = Q(pk__in=pks)
    if not _known_partitioned():
        return q
    with connection.cursor() as c:
        c.execute("SELECT DISTINCT reported_at FROM events_eventkey WHERE id = ANY(%s)", [pks])
        moments = [row[0] for row in c.fetchall()]
    return q & Q(reported_at__in=moments) if moments else Q(pk__in=[])


def key_q(*, pk: int | None = None, code: str | None = None, client_uuid: Any = None) -> Q:
    """`Q(pk=...)`, `Q(code=...)` or `Q(client_uuid=...)` for one event, naming its
    `reported_at` (read from the key table) when the events table is partitioned, so that
    PostgreSQL plans the statement on one partition instead of all of them (planning an
    unbounded statement over ~60 monthly partitions costs 10–25 ms of the server's CPU,
    ADR 0006; docs/performance.md, "Load"). Matches nothing when no event has that key."""
    keys = {"pk": pk, "code": code, "client_uuid": client_uuid}
    given = [(name, value) for name, value in keys.items() if value is not None]
    if len(given) != 1:
        raise ValueError("key_q takes one of pk, code, client_uuid")
    name, value = given[0]
    q = Q(**{name: value})
    if not _known_partitioned():
        return q
    column = {"pk": "id", "code": "code", "client_uuid": "client_uuid"}[name]
    with connection.cursor() as c:
        c.execute(f"SELECT reported_at FROM events_eventkey WHERE {column} = %s", [value])  # noqa: S608
        row = c.fetchone()
    return q & Q(reported_at=row[0]) if row else Q(pk__in=[])


# The months (site time) holding an event whose key-table `column` has one of the given
# values: a walk of the key table's index on (column, reported_at) that jumps from each
# month found to the first such event of a later month, one index descent per value and
# month (migration events.0015). date_trunc of -infinity is -infinity: the walk's first
# step. `column` is one of WALKED, never a caller's text.
WALK_SQL = """
WITH RECURSIVE walk(at) AS (
    SELECT '-infinity'::timestamptz
  UNION ALL
    SELECT (
        SELECT min(first.at) FROM unnest(%(values)s::{type}[]) AS v(value)
        CROSS JOIN LATERAL (
            SELECT k.reported_at AS at FROM events_eventkey k
            WHERE k.{column} = v.value
              AND k.reported_at >= (date_trunc('month', walk.at AT TIME ZONE %(zone)s)
                                    + interval '1 month') AT TIME ZONE %(zone)s
            ORDER BY k.reported_at LIMIT 1
        ) AS first
    )
    FROM walk WHERE walk.at IS NOT NULL
)
SELECT at FROM walk WHERE at IS NOT NULL AND at > '-infinity'
"""
WALKED = {"open_status": "varchar", "reporter_id": "bigint", "closed_month": "date"}


def _months_of(column: str, values: list[Any]) -> set[Month]:
    if column not in WALKED:
        raise ValueError(column)
    with connection.cursor() as c:
        sql = WALK_SQL.format(column=column, type=WALKED[column])
        c.execute(sql, {"values": values, "zone": settings.TIME_ZONE})
        return {month_of(row[0]) for row in c.fetchall()}


def _months_q(months: set[Month]) -> Q:
    """`reported_at` within those months or the current one (a report may be arriving
    while the statement runs), as ranges of consecutive months."""
    months = months | {month_of(clock.now())}
    q = Q()
    for first, last in _runs(sorted(months)):
        start = dt.datetime(first[0], first[1], 1, tzinfo=site_zone())
        end_month = add_months(last, 1)
        end = dt.datetime(end_month[0], end_month[1], 1, tzinfo=site_zone())
        q |= Q(reported_at__gte=start, reported_at__lt=end)
    return q


def open_months_q(statuses: Iterable[str]) -> Q:
    """A condition on `reported_at` that holds for every event whose status is one of
    `statuses` (all of them open statuses): the months that hold such an event, and the
    current month. Added to a list of open events, it lets PostgreSQL plan only those
    months' partitions (the statement names no month otherwise: planned over all of them,
    15-30 ms each at 1-10 M events). `Q()` when the events table is not partitioned or a
    status is not an open one (finished events lie in every month)."""
    wanted = sorted(set(statuses))
    if not wanted or not set(wanted) <= set(OPEN_STATUSES) or not _known_partitioned():
        return Q()
    return _months_q(_months_of("open_status", wanted))


def closed_months_q(since: dt.datetime) -> Q:
    """The same for the events closed at or after `since`: the months of report of the
    events closed in the UTC months from `since`'s to now's (the key table keeps the
    UTC month of closing, migration events.0016), and the current month. `Q()` when the
    events table is not partitioned. Add it to a filter on `closed_at`, which it does
    not replace."""
    if not _known_partitioned():
        return Q()
    first = since.astimezone(dt.UTC).date().replace(day=1)
    last = max(first, clock.now().astimezone(dt.UTC).date().replace(day=1))
    closing: list[dt.date] = []
    while first <= last:
        closing.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return _months_q(_months_of("closed_month", closing))


def reporter_months_q(user_id: int | None) -> Q | None:
    """The same for the events `user_id` reported: None when they reported none (on a
    partitioned table; no statement on the events is needed then), `Q()` when the table
    is not partitioned."""
    if user_id is None:
        return None
    if not _known_partitioned():
        return Q()
    months = _months_of("reporter_id", [user_id])
    return _months_q(months) if months else None


# More ranges than this cost PostgreSQL more to plan than they save (a grid worker's
# reports, one range for each month or two: planned slower than the whole table); the
# runs nearest each other are joined until so many are left, months between included.
MAX_RANGES = 4


def _index(month: Month) -> int:
    return month[0] * 12 + month[1]


def _runs(months: list[Month]) -> list[tuple[Month, Month]]:
    """Consecutive months as (first, last) runs, at most MAX_RANGES of them:
    [(2026,1), (2026,2), (2026,5)] gives [((2026,1), (2026,2)), ((2026,5), (2026,5))]."""
    out: list[tuple[Month, Month]] = []
    for m in months:
        if out and add_months(out[-1][1], 1) == m:
            out[-1] = (out[-1][0], m)
        else:
            out.append((m, m))
    while len(out) > MAX_RANGES:
        gaps = [_index(out[i + 1][0]) - _index(out[i][1]) for i in range(len(out) - 1)]
        i = gaps.index(min(gaps))
        out[i : i + 2] = [(out[i][0], out[i + 1][1])]
    return out


def partitions() -> dict[str, str]:
    """name -> bound expression of every partition of the events table."""
    with connection.cursor() as c:
        c.execute(
            """
            SELECT p.relname, pg_get_expr(p.relpartbound, p.oid)
            FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(%s) ORDER BY p.relname
            """,
            [TABLE],
        )
        return dict(c.fetchall())


def stored_columns(table: str = TABLE) -> list[str]:
    """Quoted names of the columns a row copy must write (generated columns left out)."""
    with connection.cursor() as c:
        c.execute(
            """
            SELECT quote_ident(attname) FROM pg_attribute
            WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped
              AND attgenerated = ''
            ORDER BY attnum
            """,
            [table],
        )
        return [r[0] for r in c.fetchall()]


def _default_months() -> list[Month]:
    with connection.cursor() as c:
        c.execute(
            f"SELECT DISTINCT date_trunc('month', reported_at AT TIME ZONE %s) "  # noqa: S608
            f"FROM {DEFAULT_PARTITION}",
            [settings.TIME_ZONE],
        )
        return sorted((r[0].year, r[0].month) for r in c.fetchall())


def ensure_partitions(
    *,
    ahead: int = 3,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Create the partitions of this month and the next `ahead` months (and of every month
    from `since`/to `until` when given), and move the rows found in the DEFAULT partition
    into partitions of their months. One transaction. Returns what was done."""
    if not is_partitioned():
        return {"partitioned": False, "created": [], "moved": 0}
    now = timezone.now()
    first = month_of(since) if since is not None else month_of(now)
    last = add_months(month_of(now), ahead)
    if until is not None:
        last = max(last, month_of(until))
    wanted = set(months_between(min(first, month_of(now)), last))
    created: list[str] = []
    moved = 0
    with transaction.atomic():
        with connection.cursor() as c:
            # One ensure_partitions at a time (the timer and generate_events may meet).
            c.execute("SELECT pg_advisory_xact_lock(hashtext('pingan.ensure_partitions'))")
        existing = set(partitions())
        stray = [m for m in _default_months() if partition_name(m) not in existing]
        missing = sorted(m for m in wanted if partition_name(m) not in existing)
        with connection.cursor() as c:
            if stray:
                moved = _move_out_of_default(c, stray, progress)
                created += [partition_name(m) for m in stray]
                missing = [m for m in missing if m not in stray]
            for month in missing:
                c.execute(partition_sql(month))
                created.append(partition_name(month))
    if created:
        progress(f"新建分区 {len(created)} 个：{', '.join(created)}")
    if moved:
        progress(f"从默认分区移出 {moved} 条事件")
    return {"partitioned": True, "created": created, "moved": moved}


def _move_out_of_default(c: Any, months: Iterable[Month], progress: Callable[[str], None]) -> int:
    """Detach DEFAULT (its copies of the table's triggers go with it), build each month's
    table beside it, move the rows, attach the month and then DEFAULT again. The rows
    keep their ids and keys, so the key table is not touched and no trigger fires."""
    columns = ", ".join(stored_columns())
    c.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT_PARTITION}")
    moved = 0
    for month in months:
        name = partition_name(month)
        start, end = bounds(month)
        c.execute(
            f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING GENERATED "
            f"INCLUDING CONSTRAINTS INCLUDING STORAGE)"
        )
        # The CHECK lets ATTACH skip its validating scan.
        c.execute(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_bounds "
            f"CHECK (reported_at >= '{start}' AND reported_at < '{end}')"
        )
        where = f"reported_at >= '{start}' AND reported_at < '{end}'"
        c.execute(
            f"INSERT INTO {name} ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM {DEFAULT_PARTITION} WHERE {where}"
        )
        count = c.rowcount
        c.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE {where}")  # noqa: S608
        c.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')"
        )
        c.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_bounds")
        moved += count
        progress(f"{name}: {count} 条")
    c.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT")
    return moved
