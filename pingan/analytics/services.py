"""Writes of the analytics app: the per-event facts and daily rollups (kept current inside
the events' own transaction), their rebuild, and period locking (封账)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.analytics.choices import Outcome
from pingan.analytics.kpis import ACCEPTED_OR_BEYOND, check_period
from pingan.analytics.models import (
    DEPARTMENT_MEASURES,
    HISTOGRAM_DEPTHS,
    ROLLUP_KEY,
    ROLLUP_MEASURES,
    STATUS_ROLLUP_KEY,
    Briefing,
    DailyDepartmentRollup,
    DailyHandlingHistogram,
    DailyRollup,
    DepartmentRollup,
    EventFact,
    ExportJob,
    HandlingHistogram,
    MonthlyRollup,
    MonthlyStatusRollup,
    PeriodLock,
)
from pingan.core import audit, clock, workcal
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events.choices import AssignmentStatus, Status
from pingan.events.models import OPEN_STATUSES, Assignment, Category, Event
from pingan.events.selectors import EventFilters, event_count
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.org.selectors import memberships_of
from pingan.privacy.models import ExportRequest, masked_filters, seal_filters, unseal_filters
from pingan.privacy.services import export_request_use, export_rows_claim

DEPTHS = 5  # r0 … r4: the root (a city or a county) down to the grid

FACT_FIELDS = (
    "day",
    "region_path",
    *(f"r{i}" for i in range(DEPTHS)),
    "category",
    "top_category",
    "source",
    "status",
    "outcome",
    "satisfaction",
    "department",
    "handle_days",
    "repeat",
    "assignments",
)


# ---- how one event counts -------------------------------------------------------------


def outcome_of(status: str, closed_on_time: bool | None, deadline_state: str) -> str:
    """The deadline outcome dimension (see docs/kpis.md)."""
    if status == Status.CLOSED:
        if closed_on_time is None:
            return Outcome.NONE
        return Outcome.ON_TIME if closed_on_time else Outcome.LATE
    if status in OPEN_STATUSES and deadline_state:
        return deadline_state
    return Outcome.NONE


def _seconds_per_day() -> int:
    return round(
        sum(
            (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).seconds
            for a, b in workcal.working_periods()
        )
    )


def handle_days_of(
    status: str, reported_at: dt.datetime, closed_at: dt.datetime | None
) -> float | None:
    """Working days from report to closure (closed events only), rounded half up to two
    decimals from the working time in whole microseconds (exact decimal arithmetic, so
    the set-based SQL rebuild gives the very same figure)."""
    if status != Status.CLOSED or closed_at is None:
        return None
    per_day = _seconds_per_day()
    if not per_day:
        return 0.0
    micro = round(workcal.working_seconds_between(reported_at, closed_at) * 1_000_000)
    days = (Decimal(micro) / Decimal(per_day * 1_000_000)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(days)


class _Lookups:
    """Region ids by path and top categories, looked up once per rebuild or write."""

    def __init__(self) -> None:
        self.paths: dict[str, list[int | None]] = {}
        self.tops: dict[int, int] = {}

    def ancestors(self, path: str) -> list[int | None]:
        if path not in self.paths:
            codes = [c for c in path.split("/") if c]
            ids = dict(Region.objects.filter(code__in=codes).values_list("code", "pk"))
            chain: list[int | None] = [ids.get(c) for c in codes][:DEPTHS]
            self.paths[path] = chain + [None] * (DEPTHS - len(chain))
        return self.paths[path]

    def top(self, category_id: int) -> int:
        if category_id not in self.tops:
            parent = (
                Category.objects.filter(pk=category_id).values_list("parent_id", flat=True).first()
            )
            self.tops[category_id] = parent or category_id
        return self.tops[category_id]

    def load_categories(self) -> None:
        for pk, parent in Category.objects.values_list("pk", "parent_id"):
            self.tops[pk] = parent or pk


def assignment_tokens(pairs: Iterable[tuple[int, str]]) -> list[str]:
    """An event's assignments as (department id, status) → the fact's sorted tokens."""
    return [
        f"{d}r" if returned else str(d)
        for d, returned in sorted((d, s == AssignmentStatus.RETURNED) for d, s in pairs)
    ]


def assignments_of(event_ids: list[int]) -> dict[int, list[str]]:
    """The fact tokens of the events' assignments (events without any are missing)."""
    pairs: dict[int, list[tuple[int, str]]] = {}
    for event_id, department, status in Assignment.objects.filter(
        event_id__in=event_ids
    ).values_list("event_id", "department_id", "status"):
        pairs.setdefault(event_id, []).append((department, status))
    return {pk: assignment_tokens(p) for pk, p in pairs.items()}


def fact_values(row: Any, lookups: _Lookups) -> dict[str, Any]:
    """The fact of one event (an Event, or a dict with the same attribute names and the
    assignment tokens under "assignments")."""

    def get(name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    status = get("status")
    ancestors = lookups.ancestors(get("region_path"))
    return {
        "day": timezone.localdate(get("reported_at")),
        "region_path": get("region_path"),
        **{f"r{i}": ancestors[i] for i in range(DEPTHS)},
        "category": get("category_id"),
        "top_category": lookups.top(get("category_id")),
        "source": get("source"),
        "status": status,
        "outcome": outcome_of(status, get("closed_on_time"), get("deadline_state")),
        "satisfaction": get("satisfaction") or "",
        "department": get("lead_department_id") or 0,
        "handle_days": handle_days_of(status, get("reported_at"), get("closed_at")),
        "repeat": False,  # set from the other facts: see repeat_of
        "assignments": (
            row.get("assignments") or []
            if isinstance(row, dict)
            else assignments_of([row.pk]).get(row.pk, [])
        ),
    }


def repeat_of(event_id: int, fact: dict[str, Any]) -> bool:
    """True when an earlier event (by day, then id) of the same leaf region and leaf
    category was reported at most PINGAN_REPEAT_DAYS days before (docs/kpis.md)."""
    window = settings.PINGAN_REPEAT_DAYS
    return (
        EventFact.objects.filter(
            region_path=fact["region_path"],
            category=fact["category"],
            day__gte=fact["day"] - dt.timedelta(days=window),
            day__lte=fact["day"],
        )
        .filter(Q(day__lt=fact["day"]) | Q(event_id__lt=event_id))
        .exists()
    )


def _refresh_next_repeat(event_id: int, fact: dict[str, Any]) -> None:
    """The event after `event_id` at the fact's place and category may have become (or
    stopped being) a repeat: bring its fact and rollup rows up to date."""
    window = settings.PINGAN_REPEAT_DAYS
    nxt = (
        EventFact.objects.filter(
            region_path=fact["region_path"],
            category=fact["category"],
            day__gte=fact["day"],
            day__lte=fact["day"] + dt.timedelta(days=window + 1),
        )
        .filter(Q(day__gt=fact["day"]) | Q(event_id__gt=event_id))
        .order_by("day", "event_id")
        .values("event_id", *FACT_FIELDS)
        .first()
    )
    if nxt is None:
        return
    next_id = nxt.pop("event_id")
    flag = repeat_of(next_id, nxt)
    if flag == nxt["repeat"] or day_locked(nxt["day"]):
        return
    _apply(nxt, {**nxt, "repeat": flag})
    EventFact.objects.filter(pk=next_id).update(repeat=flag)


# ---- incremental upkeep ---------------------------------------------------------------


def day_locked(day: dt.date) -> bool:
    return PeriodLock.objects.filter(date_from__lte=day, date_to__gte=day).exists()


SATISFIED = ("satisfied", "basically_satisfied")


def _contributions(fact: dict[str, Any], sign: int) -> Iterable[tuple[tuple[Any, ...], list[Any]]]:
    """(key, measures) of one fact in the daily rollup, one per level of its region."""
    rated = 1 if fact["satisfaction"] else 0
    satisfied = 1 if fact["satisfaction"] in SATISFIED else 0
    handled = fact["handle_days"] is not None
    measures = [
        sign,
        sign * rated,
        sign * satisfied,
        sign if handled else 0,
        sign * (fact["handle_days"] or 0.0),
        sign if fact.get("repeat") else 0,
    ]
    for i in range(DEPTHS):
        region = fact[f"r{i}"]
        if region is None:
            continue
        key = (
            region,
            fact["day"],
            fact["top_category"],
            fact["source"],
            fact["status"],
            fact["outcome"],
        )
        yield key, list(measures)


def _upsert_sql(
    table: str, key: tuple[str, ...] = ROLLUP_KEY, measures: tuple[str, ...] = ROLLUP_MEASURES
) -> str:
    # Table and column names come from the models; every value is a bound parameter.
    sets = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in measures)
    return (
        f"INSERT INTO {table} ({', '.join(key)}, {', '.join(measures)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * (len(key) + len(measures)))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
    )


def centidays(handle_days: float) -> int:
    """A handling time in hundredths of a working day (the histogram's bucket)."""
    return round(handle_days * 100)


def _histogram_contributions(
    fact: dict[str, Any], sign: int
) -> Iterable[tuple[tuple[Any, ...], int]]:
    """(key, count) of one fact in the daily handling-time histogram, one per level."""
    if fact["handle_days"] is None:
        return
    for i in range(HISTOGRAM_DEPTHS):
        region = fact[f"r{i}"]
        if region is not None:
            yield (region, fact["day"], centidays(fact["handle_days"])), sign


def _department_contributions(
    fact: dict[str, Any], sign: int
) -> Iterable[tuple[tuple[Any, ...], list[int]]]:
    """(key, measures) of one fact in the daily department rollup (DEPARTMENT_MEASURES):
    its lead department's event counts and every assigned department's assignment
    counts."""
    per: dict[int, list[int]] = {}
    if fact["department"]:
        closed = fact["status"] == Status.CLOSED
        per[fact["department"]] = [
            sign,
            sign if fact["status"] in ACCEPTED_OR_BEYOND else 0,
            sign if closed else 0,
            sign if closed and fact["outcome"] == Outcome.ON_TIME else 0,
            0,
            0,
        ]
    for token in fact.get("assignments") or []:
        m = per.setdefault(int(token.rstrip("r")), [0] * len(DEPARTMENT_MEASURES))
        m[4] += sign
        if token.endswith("r"):
            m[5] += sign
    for i in range(HISTOGRAM_DEPTHS):
        region = fact[f"r{i}"]
        if region is not None:
            for department, measures in per.items():
                yield (region, fact["day"], department), list(measures)


def _by_month(daily: dict[tuple[Any, ...], list[Any]]) -> dict[tuple[Any, ...], list[Any]]:
    """Daily deltas (keys: region, day, …) summed into the months their days fall in."""
    monthly: dict[tuple[Any, ...], list[Any]] = {}
    for key, measures in daily.items():
        m = monthly.setdefault((key[0], key[1].replace(day=1), *key[2:]), [0] * len(measures))
        for i, v in enumerate(measures):
            m[i] += v
    return monthly


def _apply(old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    """Move one event's contribution from its old rollup rows (daily and monthly) to its
    new ones. Rows are written in key order so two concurrent transactions never wait on
    each other in a cycle."""
    daily: dict[tuple[Any, ...], list[Any]] = {}
    histogram: dict[tuple[Any, ...], list[Any]] = {}
    departments: dict[tuple[Any, ...], list[Any]] = {}
    for fact, sign in ((old, -1), (new, 1)):
        if fact is None:
            continue
        for key, counts in _department_contributions(fact, sign):
            dm = departments.setdefault(key, [0] * len(DEPARTMENT_MEASURES))
            for i, v in enumerate(counts):
                dm[i] += v
        for key, measures in _contributions(fact, sign):
            d = daily.setdefault(key, [0, 0, 0, 0, 0.0, 0])
            for i, v in enumerate(measures):
                d[i] += v
        for hkey, n in _histogram_contributions(fact, sign):
            histogram.setdefault(hkey, [0])[0] += n
    histogram_key, department_key = ("region", "day", "centidays"), ("region", "day", "department")
    monthly = _by_month(daily)
    narrow: dict[tuple[Any, ...], list[Any]] = {}
    for key, measures in monthly.items():
        acc = narrow.setdefault((key[0], key[1], key[4], key[5]), [0] * len(measures))
        for i, v in enumerate(measures):
            acc[i] += v
    tables: list[tuple[Any, dict[tuple[Any, ...], list[Any]], tuple[str, ...], tuple[str, ...]]] = [
        (DailyRollup, daily, ROLLUP_KEY, ROLLUP_MEASURES),
        (MonthlyRollup, monthly, ROLLUP_KEY, ROLLUP_MEASURES),
        (MonthlyStatusRollup, narrow, STATUS_ROLLUP_KEY, ROLLUP_MEASURES),
        (DailyHandlingHistogram, histogram, histogram_key, ("n",)),
        (HandlingHistogram, _by_month(histogram), histogram_key, ("n",)),
        (DailyDepartmentRollup, departments, department_key, DEPARTMENT_MEASURES),
        (DepartmentRollup, _by_month(departments), department_key, DEPARTMENT_MEASURES),
    ]
    with connection.cursor() as cur:
        for model, deltas, key_columns, measure_columns in tables:
            rows = [
                (*key, *measures)
                for key, measures in sorted(deltas.items(), key=lambda kv: str(kv[0]))
                if any(abs(v) > 1e-9 for v in measures)
            ]
            if rows:
                cur.executemany(
                    _upsert_sql(model._meta.db_table, key_columns, measure_columns), rows
                )


def rollup_event_written(*, event: Event, action: str = "", **_: Any) -> None:
    """Bring the event's fact and the rollups up to date; called inside the transaction
    that changed the event, so both commit or roll back with it. Events reported on a
    locked day keep the fact they had when the period was locked."""
    lookups = _Lookups()
    new = fact_values(event, lookups)
    current = EventFact.objects.filter(pk=event.pk).values(*FACT_FIELDS).first()
    if day_locked(current["day"] if current else new["day"]):
        return
    place = ("region_path", "category", "day")
    moved = current is None or any(current[k] != new[k] for k in place)
    new["repeat"] = repeat_of(event.pk, new) if current is None or moved else current["repeat"]
    if current == new:
        return
    _apply(current, new)
    EventFact.objects.update_or_create(event_id=event.pk, defaults=new)
    if moved:
        # The next report at the old place now follows another event, and the next at
        # the new place follows this one.
        if current is not None:
            _refresh_next_repeat(event.pk, current)
        _refresh_next_repeat(event.pk, new)


def on_event_written(sender: Any, **kwargs: Any) -> None:
    rollup_event_written(**kwargs)


# ---- rebuild --------------------------------------------------------------------------


def _locked_ranges() -> list[tuple[dt.date, dt.date]]:
    return list(PeriodLock.objects.values_list("date_from", "date_to"))


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def rollup_rebuild(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    batch: int = 5000,
    sql: bool = False,
) -> dict[str, int]:
    """Recompute the facts from the events and the rollups from the facts for the days
    in [date_from, date_to] (all days when open) that are not locked. One transaction.
    The PINGAN_REPEAT_DAYS days after date_to are recounted too: whether their events
    are repeat reports depends on the events of the range. `sql`: derive the facts in one
    INSERT … SELECT (PostgreSQL; the same figures, far faster for millions of events)."""
    if date_to is not None:
        date_to += dt.timedelta(days=settings.PINGAN_REPEAT_DAYS)
    locks = _locked_ranges()
    lock_q = Exists(
        PeriodLock.objects.filter(date_from__lte=OuterRef("day"), date_to__gte=OuterRef("day"))
    )

    def in_range(qs: Any) -> Any:
        if date_from:
            qs = qs.filter(day__gte=date_from)
        if date_to:
            qs = qs.filter(day__lte=date_to)
        return qs.exclude(lock_q)

    events = Event.objects.order_by()
    if date_from:
        events = events.filter(reported_at__gte=_start(date_from))
    if date_to:
        events = events.filter(reported_at__lt=_start(date_to + dt.timedelta(days=1)))
    lookups = _Lookups()
    lookups.load_categories()
    fields = (
        "pk",
        "reported_at",
        "region_path",
        "category_id",
        "source",
        "status",
        "closed_on_time",
        "deadline_state",
        "satisfaction",
        "lead_department_id",
        "closed_at",
    )
    facts = 0
    set_based = sql and connection.vendor == "postgresql"
    with transaction.atomic():
        in_range(EventFact.objects.all()).delete()
        in_range(DailyRollup.objects.all()).delete()
        if set_based:
            facts = facts_from_events_sql(date_from=date_from, date_to=date_to)
            events = events.none()
        rows: list[dict[str, Any]] = []

        def write(rows: list[dict[str, Any]]) -> int:
            tokens = assignments_of([r["pk"] for r in rows])
            chunk = []
            for row in rows:
                values = fact_values({**row, "assignments": tokens.get(row["pk"])}, lookups)
                if not any(a <= values["day"] <= b for a, b in locks):
                    chunk.append(EventFact(event_id=row["pk"], **values))
            EventFact.objects.bulk_create(chunk, ignore_conflicts=True)
            return len(chunk)

        for row in events.values(*fields).iterator(chunk_size=batch):
            rows.append(row)
            if len(rows) >= batch:
                facts += write(rows)
                rows = []
        if rows:
            facts += write(rows)
        repeats_from_facts(date_from=date_from, date_to=date_to)
        rollups = rollup_from_facts(date_from=date_from, date_to=date_to)
    return {"facts": facts, "rollups": rollups}


def _days_before(column: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - {int(days)})"
    return f"date({column}, '-{int(days)} days')"


def repeats_from_facts(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """Set the repeat flag of the facts of the unlocked days in the range, set-based (one
    UPDATE … EXISTS over the place-and-category index): the same test as repeat_of."""
    fact_t, lock_t = EventFact._meta.db_table, PeriodLock._meta.db_table
    where = [
        f"NOT EXISTS (SELECT 1 FROM {lock_t} l "  # noqa: S608
        f"WHERE {fact_t}.day >= l.date_from AND {fact_t}.day <= l.date_to)"
    ]
    params: list[Any] = []
    if date_from:
        where.append(f"{fact_t}.day >= %s")
        params.append(date_from)
    if date_to:
        where.append(f"{fact_t}.day <= %s")
        params.append(date_to)
    window = settings.PINGAN_REPEAT_DAYS
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {fact_t} SET repeat = EXISTS (SELECT 1 FROM {fact_t} p "  # noqa: S608
            f"WHERE p.category = {fact_t}.category AND p.region_path = {fact_t}.region_path "
            f"AND p.day >= {_days_before(fact_t + '.day', window)} AND p.day <= {fact_t}.day "
            f"AND (p.day < {fact_t}.day OR p.event_id < {fact_t}.event_id)) "
            f"WHERE {' AND '.join(where)}",
            params,
        )
        return max(cur.rowcount, 0)


# ---- the same rebuild, set-based (PostgreSQL) ----------------------------------------------

_CALENDAR_T = "pingan_rebuild_workcal"

FACTS_FROM_EVENTS_SQL = """
INSERT INTO {fact_t} (event_id, day, region_path, r0, r1, r2, r3, r4, category, top_category,
    source, status, outcome, satisfaction, department, handle_days, repeat, assignments)
SELECT e.id, (e.reported_at AT TIME ZONE %(tz)s)::date, e.region_path,
    m0.id, m1.id, m2.id, m3.id, m4.id, e.category_id, COALESCE(c.parent_id, c.id), e.source,
    e.status,
    CASE WHEN e.status = 'closed' THEN
            CASE WHEN e.closed_on_time IS NULL THEN '' WHEN e.closed_on_time THEN 'on_time'
                 ELSE 'late' END
         WHEN e.status = ANY(%(open)s) THEN COALESCE(e.deadline_state, '')
         ELSE '' END,
    COALESCE(e.satisfaction, ''), COALESCE(e.lead_department_id, 0),
    CASE WHEN e.status = 'closed' AND e.closed_at IS NOT NULL THEN
        round(GREATEST(0, {w_closed} - {w_reported}) / %(per_day)s, 2)::float8
    END,
    false,
    COALESCE(ag.tokens, '[]'::jsonb)
FROM {event_t} e
JOIN {category_t} c ON c.id = e.category_id
LEFT JOIN (
    SELECT a.event_id, jsonb_agg(
        a.department_id::text || CASE WHEN a.status = 'returned' THEN 'r' ELSE '' END
        ORDER BY a.department_id, a.status = 'returned') AS tokens
    FROM {assignment_t} a GROUP BY a.event_id
) ag ON ag.event_id = e.id
LEFT JOIN {region_t} m0 ON m0.code = NULLIF(split_part(e.region_path, '/', 1), '')
LEFT JOIN {region_t} m1 ON m1.code = NULLIF(split_part(e.region_path, '/', 2), '')
LEFT JOIN {region_t} m2 ON m2.code = NULLIF(split_part(e.region_path, '/', 3), '')
LEFT JOIN {region_t} m3 ON m3.code = NULLIF(split_part(e.region_path, '/', 4), '')
LEFT JOIN {region_t} m4 ON m4.code = NULLIF(split_part(e.region_path, '/', 5), '')
LEFT JOIN {cal_t} cr ON cr.day = (e.reported_at AT TIME ZONE %(tz)s)::date
LEFT JOIN {cal_t} cc ON cc.day = (e.closed_at AT TIME ZONE %(tz)s)::date
WHERE {where}
"""


def _working_before(moment: str, cal: str, periods: list[tuple[int, int]]) -> str:
    """SQL: working seconds from the calendar's first day to `moment` (the whole days
    before its local day, plus the working time of that day up to it)."""
    local = f"({moment} AT TIME ZONE %(tz)s)"
    tod = f"extract(epoch FROM {local} - {local}::date)"
    partial = " + ".join(f"GREATEST(0, LEAST({tod}, {b}) - {a})" for a, b in periods) or "0"
    return f"({cal}.before + CASE WHEN {cal}.work THEN {partial} ELSE 0 END)"


def _fill_calendar(cur: Any, first: dt.date, last: dt.date) -> None:
    """A temporary table of the days first … last: working day or not (core.workcal) and
    the working seconds of all the days before."""
    per_day = _seconds_per_day()
    cur.execute(
        f"CREATE TEMPORARY TABLE {_CALENDAR_T} (day date PRIMARY KEY, work boolean, "
        "before bigint) ON COMMIT DROP"
    )
    rows, before, day = [], 0, first
    while day <= last:
        work = workcal.is_workday(day)
        rows.append((day, work, before))
        before += per_day if work else 0
        day += dt.timedelta(days=1)
    cur.executemany(f"INSERT INTO {_CALENDAR_T} VALUES (%s, %s, %s)", rows)  # noqa: S608


def facts_from_events_sql(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> int:
    """INSERT … SELECT the facts of the events reported on the unlocked days of the range,
    as fact_values and repeat_of compute them one by one (the handling time from a
    calendar of working days and the working seconds before each day); the caller has
    deleted the old facts. PostgreSQL only."""
    tz = timezone.get_current_timezone_name()
    where = [
        f"NOT EXISTS (SELECT 1 FROM {PeriodLock._meta.db_table} l "  # noqa: S608
        f"WHERE (e.reported_at AT TIME ZONE %(tz)s)::date BETWEEN l.date_from AND l.date_to)"
    ]
    params: dict[str, Any] = {
        "tz": tz,
        "open": list(OPEN_STATUSES),
        "per_day": _seconds_per_day() or 1,
    }
    if date_from:
        where.append("e.reported_at >= %(start)s")
        params["start"] = _start(date_from)
    if date_to:
        where.append("e.reported_at < %(end)s")
        params["end"] = _start(date_to + dt.timedelta(days=1))
    seconds = [
        (a.hour * 3600 + a.minute * 60 + a.second, b.hour * 3600 + b.minute * 60 + b.second)
        for a, b in workcal.working_periods()
    ]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT min((reported_at AT TIME ZONE %(tz)s)::date), "  # noqa: S608
            f"min((closed_at AT TIME ZONE %(tz)s)::date), "
            f"max((closed_at AT TIME ZONE %(tz)s)::date) FROM {Event._meta.db_table} e "
            f"WHERE {' AND '.join(where)}",
            params,
        )
        first, first_closed, last = cur.fetchone()
        if first is None:
            return 0
        first = min(first, first_closed or first)
        _fill_calendar(cur, first, max(first, last or first))
        sql = FACTS_FROM_EVENTS_SQL.format(
            fact_t=EventFact._meta.db_table,
            event_t=Event._meta.db_table,
            assignment_t=Assignment._meta.db_table,
            category_t=Category._meta.db_table,
            region_t=Region._meta.db_table,
            cal_t=_CALENDAR_T,
            w_closed=_working_before("e.closed_at", "cc", seconds),
            w_reported=_working_before("e.reported_at", "cr", seconds),
            where=" AND ".join(where),
        )
        cur.execute(sql, params)
        count = max(cur.rowcount, 0)
        cur.execute(f"DROP TABLE {_CALENDAR_T}")
        return count


def _month_expr(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _tokens_join(alias: str) -> tuple[str, str]:
    """SQL: (FROM-clause addition, token expression) expanding `alias`.assignments into
    one row per assignment token."""
    if connection.vendor == "postgresql":
        return f"CROSS JOIN LATERAL jsonb_array_elements_text({alias}.assignments) t(tok)", "t.tok"
    return f"JOIN json_each({alias}.assignments) t", "t.value"


def department_rows_sql(groups: list[str], where: str, facts: str = "") -> str:
    """SQL: (g0 …, department, DEPARTMENT_MEASURES) of the facts `f` matching `where`,
    grouped by the `groups` expressions over `f` and the department: the lead
    department's event counts and every assignment's. `facts`: a subquery to read the
    facts from instead of the whole table (it is read twice, so its parameters twice)."""
    join, tok = _tokens_join("f")
    accepted = ", ".join(f"'{s}'" for s in sorted(ACCEPTED_OR_BEYOND))
    keys = ", ".join(f"{g} AS g{i}" for i, g in enumerate(groups))
    names = ", ".join(f"g{i}" for i in range(len(groups)))
    fact_t = f"({facts})" if facts else EventFact._meta.db_table
    return (
        f"SELECT {names}, department, SUM(n), SUM(accepted), SUM(closed), "  # noqa: S608
        "SUM(on_time), SUM(assigned), SUM(returned) FROM ("
        f"SELECT {keys}, f.department AS department, 1 AS n, "
        f"CASE WHEN f.status IN ({accepted}) THEN 1 ELSE 0 END AS accepted, "
        "CASE WHEN f.status = 'closed' THEN 1 ELSE 0 END AS closed, "
        "CASE WHEN f.status = 'closed' AND f.outcome = 'on_time' THEN 1 ELSE 0 END "
        f"AS on_time, 0 AS assigned, 0 AS returned FROM {fact_t} f "
        f"WHERE f.department <> 0 AND {where} "
        f"UNION ALL SELECT {keys}, CAST(rtrim({tok}, 'r') AS INTEGER), 0, 0, 0, 0, 1, "
        f"CASE WHEN substr({tok}, length({tok})) = 'r' THEN 1 ELSE 0 END "
        f"FROM {fact_t} f {join} WHERE {where}"
        f") x GROUP BY {names}, department"
    )


def rollup_from_facts(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """INSERT … SELECT the daily rows of unlocked days in the range from the facts (one
    GROUP BY per tree level; the caller has deleted the old rows), then recount the
    monthly rows of every month the range touches from the daily rows."""
    fact_t, roll_t, month_t, lock_t = (
        EventFact._meta.db_table,
        DailyRollup._meta.db_table,
        MonthlyRollup._meta.db_table,
        PeriodLock._meta.db_table,
    )
    days, params = _day_where("f.day", date_from, date_to)
    where = [
        f"NOT EXISTS (SELECT 1 FROM {lock_t} l "  # noqa: S608
        "WHERE f.day >= l.date_from AND f.day <= l.date_to)",
        days,
    ]
    dims = "day, top_category, source, status, outcome"
    measures = ", ".join(ROLLUP_MEASURES)
    sat = ", ".join(f"'{v}'" for v in SATISFIED)
    total = 0
    with connection.cursor() as cur:
        for i in range(DEPTHS):
            cur.execute(
                f"INSERT INTO {roll_t} (region, {dims}, {measures}) "  # noqa: S608
                f"SELECT f.r{i}, {dims}, COUNT(*), "
                "SUM(CASE WHEN f.satisfaction <> '' THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN f.satisfaction IN ({sat}) THEN 1 ELSE 0 END), "
                "COUNT(f.handle_days), COALESCE(SUM(f.handle_days), 0), "
                "SUM(CASE WHEN f.repeat THEN 1 ELSE 0 END) "
                f"FROM {fact_t} f WHERE f.r{i} IS NOT NULL AND {' AND '.join(where)} "
                f"GROUP BY f.r{i}, {dims}",
                params,
            )
            total += max(cur.rowcount, 0)
        # Months touched by the range, recounted whole from the daily rows (locked days'
        # rows included: they are part of the month).
        month_from = date_from.replace(day=1) if date_from else None
        month_to = date_to.replace(day=1) if date_to else None
        _delete_days(MonthlyRollup, month_from, month_to)
        month_end = _next_month(date_to) - dt.timedelta(days=1) if date_to else None
        mwhere, mparams = _day_where("d.day", month_from, month_end)
        sums = ", ".join(f"SUM(d.{m})" for m in ROLLUP_MEASURES)
        cur.execute(
            f"INSERT INTO {month_t} (region, {dims}, {measures}) "  # noqa: S608
            f"SELECT d.region, {_month_expr('d.day')}, d.top_category, d.source, d.status, "
            f"d.outcome, {sums} FROM {roll_t} d WHERE {mwhere} "
            f"GROUP BY d.region, {_month_expr('d.day')}, d.top_category, d.source, d.status, "
            "d.outcome",
            mparams,
        )
    status_rollup_from_monthly(month_from=month_from, month_to=month_to)
    daily_tables_from_facts(date_from=date_from, date_to=date_to)
    monthly_tables_from_daily(date_from=date_from, date_to=date_to)
    return total


def status_rollup_from_monthly(
    *, month_from: dt.date | None = None, month_to: dt.date | None = None
) -> None:
    """Recount the monthly status rollup of the months in the range (first days) from
    the monthly rollup rows."""
    _delete_days(MonthlyStatusRollup, month_from, month_to)
    where, params = _day_where("m.day", month_from, month_to)
    measures = ", ".join(ROLLUP_MEASURES)
    sums = ", ".join(f"SUM(m.{m})" for m in ROLLUP_MEASURES)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {MonthlyStatusRollup._meta.db_table} "  # noqa: S608
            f"(region, day, status, outcome, {measures}) "
            f"SELECT m.region, m.day, m.status, m.outcome, {sums} "
            f"FROM {MonthlyRollup._meta.db_table} m WHERE {where} "
            "GROUP BY m.region, m.day, m.status, m.outcome",
            params,
        )


def _delete_days(model: Any, date_from: dt.date | None, date_to: dt.date | None) -> None:
    """Delete the model's rows of the days (or months' first days) in the range."""
    qs = model.objects.all()
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    qs.delete()


def _day_where(
    column: str, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[str, list[Any]]:
    where, params = ["1 = 1"], []
    if date_from:
        where.append(f"{column} >= %s")
        params.append(date_from)
    if date_to:
        where.append(f"{column} <= %s")
        params.append(date_to)
    return " AND ".join(where), params


def daily_tables_from_facts(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> None:
    """Recount the daily handling-time histogram and department rollup of the days in
    the range from the facts (locked days included: their facts are frozen as
    published, and so are these rows)."""
    for model in (DailyHandlingHistogram, DailyDepartmentRollup):
        _delete_days(model, date_from, date_to)
    fact_t = EventFact._meta.db_table
    where, params = _day_where("f.day", date_from, date_to)
    columns = ", ".join(DEPARTMENT_MEASURES)
    with connection.cursor() as cur:
        for i in range(HISTOGRAM_DEPTHS):
            cur.execute(
                f"INSERT INTO {DailyHandlingHistogram._meta.db_table} "  # noqa: S608
                f"(region, day, centidays, n) SELECT f.r{i}, f.day, "
                "CAST(ROUND(f.handle_days * 100) AS INTEGER), COUNT(*) "
                f"FROM {fact_t} f WHERE f.r{i} IS NOT NULL AND f.handle_days IS NOT NULL "
                f"AND {where} GROUP BY f.r{i}, f.day, "
                "CAST(ROUND(f.handle_days * 100) AS INTEGER)",
                params,
            )
            cur.execute(
                f"INSERT INTO {DailyDepartmentRollup._meta.db_table} "
                f"(region, day, department, {columns}) "
                + department_rows_sql(["f.r" + str(i), "f.day"], f"f.r{i} IS NOT NULL AND {where}"),
                params * 2,
            )


def monthly_tables_from_daily(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> None:
    """Recount the monthly handling-time histogram and department rollup of every month
    the range touches, whole, from their daily rows."""
    month_from = date_from.replace(day=1) if date_from else None
    month_to = date_to.replace(day=1) if date_to else None
    month_end = _next_month(date_to) - dt.timedelta(days=1) if date_to else None
    where, params = _day_where("d.day", month_from, month_end)
    pairs = (
        (HandlingHistogram, DailyHandlingHistogram, ("centidays",), ("n",)),
        (DepartmentRollup, DailyDepartmentRollup, ("department",), DEPARTMENT_MEASURES),
    )
    with connection.cursor() as cur:
        for monthly, daily, keys, measures in pairs:
            _delete_days(monthly, month_from, month_to)
            key = ", ".join(f"d.{k}" for k in keys)
            cur.execute(
                f"INSERT INTO {monthly._meta.db_table} "  # noqa: S608
                f"(region, day, {', '.join(keys)}, {', '.join(measures)}) "
                f"SELECT d.region, {_month_expr('d.day')}, {key}, "
                + ", ".join(f"SUM(d.{m})" for m in measures)
                + f" FROM {daily._meta.db_table} d WHERE {where} "
                f"GROUP BY d.region, {_month_expr('d.day')}, {key}",
                params,
            )


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


# ---- period locking (封账) ----------------------------------------------------------------

LOCKING_LEVELS = (Level.CITY, Level.COUNTY)


def may_lock(user: Any) -> bool:
    """A county or city leader or centre dispatcher: who may lock and unlock periods."""
    return any(
        (
            m.role in (Role.LEADER, Role.DISPATCHER)
            and m.region is not None
            and m.region.level in LOCKING_LEVELS
        )
        for m in memberships_of(user)
    )


def period_lock(
    *, user: Any, date_from: dt.date, date_to: dt.date, note: str = "", request: Any = None
) -> PeriodLock:
    """Lock the figures of events reported from date_from to date_to (a county or city
    leader or centre dispatcher). Overlapping an existing lock is a conflict. Audited."""
    if not may_lock(user):
        raise Forbidden(_("只有县级领导或县级指挥中心可以封账"))
    check_period(date_from, date_to, from_field="date_from", to_field="date_to")
    if date_to >= timezone.localdate(clock.now()):
        raise invalid("date_to", _("只能对已经结束的期间封账"))
    with transaction.atomic():
        if (
            PeriodLock.objects.select_for_update()
            .filter(date_from__lte=date_to, date_to__gte=date_from)
            .exists()
        ):
            raise Conflict(_("该期间与已封账期间重叠"))
        lock = PeriodLock.objects.create(
            date_from=date_from,
            date_to=date_to,
            note=note[:200],
            locked_at=clock.now(),
            locked_by=user,
        )
        audit.record(
            action="analytics.period_lock",
            actor=user,
            object_type="period_lock",
            object_id=lock.pk,
            request=request,
            detail={"from": date_from.isoformat(), "to": date_to.isoformat(), "note": note[:200]},
        )
    return lock


def period_unlock(*, user: Any, lock_id: int, request: Any = None) -> None:
    """Unlock a period: its figures are recounted from the events as they are now. Audited."""
    if not may_lock(user):
        raise Forbidden(_("只有县级领导或县级指挥中心可以解除封账"))
    with transaction.atomic():
        lock = PeriodLock.objects.select_for_update().filter(pk=lock_id).first()
        if lock is None:
            raise NotFound(_("封账记录不存在"))
        span = (lock.date_from, lock.date_to)
        lock.delete()
        audit.record(
            action="analytics.period_unlock",
            actor=user,
            object_type="period_lock",
            object_id=lock_id,
            request=request,
            detail={"from": span[0].isoformat(), "to": span[1].isoformat()},
        )
        rollup_rebuild(date_from=span[0], date_to=span[1])


# ---- exports ----------------------------------------------------------------------------


def events_export(
    *,
    user: Any,
    params: dict[str, str],
    request: Any = None,
    approved: ExportRequest | None = None,
) -> tuple[bytes | None, ExportJob | None]:
    """The filtered event list as .xlsx: the file at once for up to
    PINGAN_EXPORT_SYNC_MAX rows, else a queued ExportJob (progress, then a download).
    Bad filters → Invalid. Without an approval (`approved`, already used by
    `export_request_use`), more than PINGAN_EXPORT_APPROVAL_ROWS rows, counting the rows
    the user exported in the rolling window (`privacy.services.export_rows_claim`) →
    `privacy.services.ExportNeedsApproval`, nothing written. One audit row either way
    (masked filters and row count, no data)."""
    from pingan.analytics import exports

    filters = EventFilters.from_params(params)
    count = event_count(user=user, filters=filters)
    big = count > settings.PINGAN_EXPORT_SYNC_MAX
    detail: dict[str, Any] = {
        "kind": "events",
        "format": "xlsx",
        "filters": masked_filters(params),
        "rows": count,
        "background": big,
    }
    if approved is not None:
        detail["approval"] = approved.pk
    with transaction.atomic():
        export_rows_claim(user=user, kind="events_xlsx", rows=count, approval=approved)
        audit.record(
            action="analytics.export",
            actor=user,
            object_type="event",
            request=request,
            detail=detail,
        )
        if big:
            job = ExportJob.objects.create(
                kind="events",
                params=seal_filters(params),
                total=count,
                created_at=clock.now(),
                created_by=user,
            )
            transaction.on_commit(lambda: _enqueue_export(job.pk))
            return None, job
    data, _rows = exports.events_workbook(user=user, filters=filters)
    return data, None


def events_export_approved(
    *, user: Any, approval_id: int, request: Any = None
) -> tuple[bytes | None, ExportJob | None]:
    """The one download an approved export request serves, as .xlsx, with the filters
    that were approved (NotFound / Conflict as for the CSV download)."""
    row = export_request_use(user=user, request_id=approval_id, request=request)
    return events_export(user=user, params=row.plain_filters(), request=request, approved=row)


def _enqueue_export(job_id: int) -> None:
    from pingan.analytics.tasks import run_export

    run_export.enqueue(job_id=job_id)


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the file of a queued export, recording progress as rows are written."""
    from pingan.analytics import exports

    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.RUNNING)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done=done)

    try:
        filters = EventFilters.from_params(unseal_filters(job.params))
        data, rows = exports.events_workbook(
            user=job.created_by, filters=filters, progress=progress
        )
    except Exception as err:
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.FAILED, error=str(err))
        raise
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d%H%M")
    job.file.save(f"events-{stamp}-{job.pk}.xlsx", ContentFile(data), save=False)
    job.state = ExportJob.State.DONE
    job.done = rows
    job.save(update_fields=["file", "state", "done"])
    return job


def kpis_export(
    *,
    user: Any,
    region_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    request: Any = None,
) -> bytes:
    """The KPI tables of a region and period as .xlsx; audited."""
    from pingan.analytics import exports, selectors

    k = selectors.kpi_table(user=user, region_id=region_id, date_from=date_from, date_to=date_to)
    k["regions"] = selectors.region_breakdown(
        user=user, region_id=region_id, date_from=date_from, date_to=date_to
    )
    region_name = (
        Region.objects.filter(pk=k["region"]).values_list("name", flat=True).first()
        if k["region"]
        else "全部"
    ) or "全部"
    period = f"{date_from or '不限'} 至 {date_to or '不限'}"
    audit.record(
        action="analytics.export",
        actor=user,
        object_type="kpi",
        request=request,
        detail={
            "kind": "kpis",
            "format": "xlsx",
            "region": region_id,
            "from": str(date_from or ""),
            "to": str(date_to or ""),
        },
    )
    return exports.kpi_workbook(kpis=k, region_name=region_name, period_text=period)


# ---- briefings (简报) -----------------------------------------------------------------

BRIEFING_FORMATS = ("docx", "pdf")


def briefing_render(
    *,
    user: Any,
    region_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    fmt: str = "docx",
    request: Any = None,
) -> Briefing:
    """Write the briefing of a region (one inside the caller's own regions; default their
    own region) and period (default: this month to date) as .docx or PDF, archive it with
    the figures it states, and audit it."""
    from pingan.analytics import briefings, selectors

    if fmt not in BRIEFING_FORMATS:
        raise invalid("format", _("格式应为 docx 或 pdf"))
    today = timezone.localdate(clock.now())
    check_period(date_from, date_to)
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    check_period(date_from, date_to)
    basis = selectors.basis_for(user, region_id)
    if basis.empty or not basis.rollup or basis.region is None:
        raise NotFound(_("区划不存在"))
    region = basis.region
    fig = briefings.briefing_figures(
        user=user, region_id=region.pk, date_from=date_from, date_to=date_to
    )
    parts = briefings.sections(region=region, date_from=date_from, date_to=date_to, fig=fig)
    title = briefings.title_of(region, date_from, date_to)
    now = clock.now()
    subtitle = f"{region.name}社会治理指挥中心　{now.year}年{now.month}月{now.day}日"
    render = briefings.render_docx if fmt == "docx" else briefings.render_pdf
    data = render(title, subtitle, parts)
    with transaction.atomic():
        b = Briefing(
            title=title,
            region=region,
            date_from=date_from,
            date_to=date_to,
            format=fmt,
            figures={k: v for k, v in fig["kpis"].items() if k not in ("rows",)},
            created_at=now,
            created_by=user if getattr(user, "pk", None) else None,
        )
        b.file.save(
            f"briefing-{region.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}",
            ContentFile(data),
            save=False,
        )
        b.save()
        audit.record(
            action="analytics.briefing",
            actor=user,
            object_type="briefing",
            object_id=b.pk,
            request=request,
            detail={
                "region": region.pk,
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "format": fmt,
            },
        )
    return b
