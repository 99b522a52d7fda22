"""How one event counts: its fact (`EventFact`: day, region and ancestors, top category,
source, status, deadline outcome, satisfaction, lead department, handling time, repeat
flag, assignment tokens, closed unresolved), derived in Python one event at a time. The set-based
derivation for millions of events is `facts_sql`; both take the deadline outcome and the
assignment tokens from the rules here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from pingan.analytics.choices import Outcome
from pingan.analytics.expressions import (
    All,
    Case,
    Col,
    Const,
    Ctx,
    Eq,
    Expr,
    In,
    IsNull,
    IsTrue,
    NotBlank,
    Pred,
    literal,
)
from pingan.analytics.models import EventFact, PeriodLock
from pingan.core import workcal
from pingan.events.choices import AssignmentStatus, Resolution, Status
from pingan.events.models import OPEN_STATUSES, Assignment, Category, Event
from pingan.geo.models import Region

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
    "handle_cal_days",
    "repeat",
    "assignments",
    "unresolved",
)

# The deadline outcome of an event (a row with the event's status, closed_on_time and
# deadline_state): closed on time or late (resolved on site: on time), or, while open,
# the sweeper's mark; blank when not timed (docs/kpis.md).
CLOSED = Eq("status", Status.CLOSED)
OUTCOME = Case(
    (
        (All(CLOSED, IsNull("closed_on_time")), Const(Outcome.NONE)),
        (All(CLOSED, IsTrue("closed_on_time")), Const(Outcome.ON_TIME)),
        (CLOSED, Const(Outcome.LATE)),
        (All(In("status", OPEN_STATUSES), NotBlank("deadline_state")), Col("deadline_state")),
    ),
    Const(Outcome.NONE),
)


# Closed with the matter not resolved (化解不成): the lead department's outcome said so.
# A blank outcome (never given: closed before it existed, imported) is not this.
UNRESOLVED = All(CLOSED, Eq("resolution", Resolution.UNRESOLVED))


def unresolved_of(status: str, resolution: str | None) -> bool:
    """Whether the event counts as closed but not resolved (see UNRESOLVED)."""
    return bool(UNRESOLVED.py({"status": status, "resolution": resolution or ""}))


def outcome_of(status: str, closed_on_time: bool | None, deadline_state: str | None) -> str:
    """The deadline outcome dimension (see OUTCOME)."""
    return str(
        OUTCOME.py(
            {"status": status, "closed_on_time": closed_on_time, "deadline_state": deadline_state}
        )
    )


# ---- handling time -----------------------------------------------------------------------


def seconds_per_day() -> int:
    """Working seconds of a working day (PINGAN_WORKING_HOURS)."""
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
    per_day = seconds_per_day()
    if not per_day:
        return 0.0
    micro = round(workcal.working_seconds_between(reported_at, closed_at) * 1_000_000)
    days = (Decimal(micro) / Decimal(per_day * 1_000_000)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(days)


def handle_cal_days_of(
    status: str, reported_at: dt.datetime, closed_at: dt.datetime | None
) -> float | None:
    """Calendar days (24-hour days, weekends and holidays included) from report to
    closure (closed events only), rounded half up to two decimals from the elapsed time
    in whole microseconds, as facts_sql computes it; never negative."""
    if status != Status.CLOSED or closed_at is None:
        return None
    micro = max(0, (closed_at - reported_at) // dt.timedelta(microseconds=1))
    days = (Decimal(micro) / Decimal(86_400_000_000)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(days)


# ---- assignment tokens ---------------------------------------------------------------------

# A fact lists its event's assignments (lead and assisting, any state), one token each,
# sorted: "<department id>", or "<department id>r" for one the department returned.
RETURNED_MARK = "r"


def assignment_tokens(pairs: Iterable[tuple[int, str]]) -> list[str]:
    """An event's assignments as (department id, status) → the fact's sorted tokens."""
    return [
        f"{d}{RETURNED_MARK}" if returned else str(d)
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


def tokens_sql(alias: str, returned: str) -> str:
    """SQL: the token of the assignment row `alias` (`returned`: SQL true when it was
    returned), as assignment_tokens writes it (PostgreSQL)."""
    return (
        f"{alias}.department_id::text || CASE WHEN {returned} "
        f"THEN {literal(RETURNED_MARK)} ELSE '' END"
    )


@dataclass(frozen=True)
class TokenDepartment(Expr):
    """The department of the current assignment token."""

    def py(self, row: Mapping[str, Any]) -> int:
        return int(row["token"].rstrip(RETURNED_MARK))

    def sql(self, ctx: Ctx) -> str:
        return f"CAST(rtrim({ctx.token}, {literal(RETURNED_MARK)}) AS INTEGER)"


@dataclass(frozen=True)
class TokenReturned(Pred):
    """Whether the department of the current assignment token returned it."""

    def py(self, row: Mapping[str, Any]) -> bool:
        return bool(row["token"].endswith(RETURNED_MARK))

    def sql(self, ctx: Ctx) -> str:
        return f"substr({ctx.token}, length({ctx.token})) = {literal(RETURNED_MARK)}"


def tokens_join(alias: str) -> tuple[str, str]:
    """SQL: (FROM-clause addition, token expression) expanding `alias`.assignments into
    one row per assignment token."""
    if connection.vendor == "postgresql":
        return f"CROSS JOIN LATERAL jsonb_array_elements_text({alias}.assignments) t(tok)", "t.tok"
    return f"JOIN json_each({alias}.assignments) t", "t.value"


# ---- one event's fact ----------------------------------------------------------------------


class Lookups:
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


def fact_values(row: Any, lookups: Lookups) -> dict[str, Any]:
    """The fact of one event (an Event, or a dict with the same attribute names and the
    assignment tokens under "assignments"), its repeat flag not yet set (repeat_of)."""

    def get(name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    status = get("status")
    ancestors = lookups.ancestors(get("region_path"))
    if not isinstance(row, dict) and Event.category.is_cached(row):
        # A transition's event was read with its category: its parent is known.
        category = row.category
        if category.pk == row.category_id:
            lookups.tops.setdefault(category.pk, category.parent_id or category.pk)
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
        "handle_cal_days": handle_cal_days_of(status, get("reported_at"), get("closed_at")),
        "repeat": False,
        "assignments": (
            row.get("assignments") or []
            if isinstance(row, dict)
            else assignments_of([row.pk]).get(row.pk, [])
        ),
        "unresolved": unresolved_of(status, get("resolution")),
    }


# ---- repeat reports (重复报事) ---------------------------------------------------------------


def _days_before(day: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({day} - {int(days)})"
    return f"date({day}, '-{int(days)} days')"


def earlier_report_sql(p: str, *, path: str, category: str, day: str, event_id: str) -> str:
    """SQL: the fact `p` is an earlier report (by day, then id) at the place and in the
    category of the event given by the SQL `path`, `category`, `day` and `event_id`, at
    most PINGAN_REPEAT_DAYS days before it (docs/kpis.md): what makes that event a
    repeat report. Served by the (category, region_path, day) index."""
    window = settings.PINGAN_REPEAT_DAYS
    return (
        f"{p}.category = {category} AND {p}.region_path = {path} "
        f"AND {p}.day >= {_days_before(day, window)} AND {p}.day <= {day} "
        f"AND ({p}.day < {day} OR {p}.event_id < {event_id})"
    )


def repeat_of(event_id: int, fact: dict[str, Any]) -> bool:
    """Whether the event of `fact` is a repeat report, as the other facts stand."""
    day = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    cond = earlier_report_sql("p", path="%s", category="%s", day=day, event_id="%s")
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT 1 FROM {EventFact._meta.db_table} p WHERE {cond} LIMIT 1",  # noqa: S608
            [fact["category"], fact["region_path"], *[fact["day"]] * 3, event_id],
        )
        return cur.fetchone() is not None


def day_where(
    column: str, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[str, list[Any]]:
    """SQL: `column` within the bounds given (either may be open), and its parameters."""
    where, params = ["1 = 1"], []
    if date_from:
        where.append(f"{column} >= %s")
        params.append(date_from)
    if date_to:
        where.append(f"{column} <= %s")
        params.append(date_to)
    return " AND ".join(where), params


def unlocked_sql(day: str) -> str:
    """SQL: the day `day` lies in no locked period."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {PeriodLock._meta.db_table} l "  # noqa: S608
        f"WHERE {day} >= l.date_from AND {day} <= l.date_to)"
    )


def repeats_from_facts(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """Set the repeat flag of the facts of the unlocked days in the range, set-based (one
    UPDATE … EXISTS over the place-and-category index): the same test as repeat_of."""
    fact_t = EventFact._meta.db_table
    days, params = day_where(f"{fact_t}.day", date_from, date_to)
    earlier = earlier_report_sql(
        "p",
        path=f"{fact_t}.region_path",
        category=f"{fact_t}.category",
        day=f"{fact_t}.day",
        event_id=f"{fact_t}.event_id",
    )
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {fact_t} SET repeat = EXISTS (SELECT 1 FROM {fact_t} p "  # noqa: S608
            f"WHERE {earlier}) WHERE {unlocked_sql(fact_t + '.day')} AND {days}",
            params,
        )
        return max(cur.rowcount, 0)


# ---- facts of many events, one by one ------------------------------------------------------

EVENT_FIELDS = (
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
    "resolution",
)


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def facts_from_events(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    batch: int = 5000,
    event_ids: list[int] | None = None,
) -> int:
    """Write the facts of the events reported on the unlocked days of the range (of the
    events `event_ids` only, when given), event by event (repeat flags not yet set); the
    caller has deleted the old facts (an event that has one keeps it)."""
    events = Event.objects.order_by()
    if event_ids is not None:
        events = events.filter(pk__in=event_ids)
    if date_from:
        events = events.filter(reported_at__gte=start_of(date_from))
    if date_to:
        events = events.filter(reported_at__lt=start_of(date_to + dt.timedelta(days=1)))
    locks = list(PeriodLock.objects.values_list("date_from", "date_to"))
    lookups = Lookups()
    lookups.load_categories()

    def write(rows: list[dict[str, Any]]) -> int:
        tokens = assignments_of([r["pk"] for r in rows])
        chunk = []
        for row in rows:
            values = fact_values({**row, "assignments": tokens.get(row["pk"])}, lookups)
            if not any(a <= values["day"] <= b for a, b in locks):
                chunk.append(EventFact(event_id=row["pk"], **values))
        EventFact.objects.bulk_create(chunk, ignore_conflicts=True)
        return len(chunk)

    written = 0
    rows: list[dict[str, Any]] = []
    for row in events.values(*EVENT_FIELDS).iterator(chunk_size=batch):
        rows.append(row)
        if len(rows) >= batch:
            written += write(rows)
            rows = []
    if rows:
        written += write(rows)
    return written
