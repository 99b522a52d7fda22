"""The rules of a centre's queue of reported events (待受理): the order in which a
dispatcher works them, the acceptance deadline (受理时限) per urgency and its light, how
long each has waited, the sorts a list may ask for, and the cheap "version" of a queue
that live pages poll, and which centres' queues a dispatcher works.

The queue is the events in status `reported`: a backlog (hundreds at a busy centre), found
through the `(status, reported_at)` and `(queue_region, status)` indexes and sorted in
memory by the database. Nothing here reads beyond that backlog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext

from pingan.cases import deadlines
from pingan.core import clock
from pingan.core.errors import invalid
from pingan.events import deadlines as event_deadlines
from pingan.events.choices import DeadlineState, Status, Urgency
from pingan.events.models import Event
from pingan.events.partitions import open_months_q
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.org.selectors import memberships_of

# Most urgent first: 特急, 紧急, 一般.
URGENCY_ORDER = (Urgency.CRITICAL, Urgency.URGENT, Urgency.NORMAL)
ALERT_URGENCIES = (Urgency.CRITICAL, Urgency.URGENT)

# The sorts a queue offers (`?sort=`), each a column and a direction; anything else is
# refused. "urgency" is the default: most urgent first, then the longest waiting.
SORT_COLUMNS = ("urgency", "waiting", "reported", "region", "category")
# "waiting_since" is when the event joined its list: its report for 待受理, its
# acceptance for 待派遣 (`waiting_since`).
_ORDERS: dict[str, tuple[str, ...]] = {
    "urgency": ("urgency_rank", "waiting_since", "id"),
    "-urgency": ("-urgency_rank", "waiting_since", "id"),
    "waiting": ("waiting_since", "id"),
    "-waiting": ("-waiting_since", "-id"),
    "reported": ("-reported_at", "-id"),
    "-reported": ("reported_at", "id"),
    "region": ("region_path", "urgency_rank", "waiting_since", "id"),
    "-region": ("-region_path", "urgency_rank", "waiting_since", "id"),
    "category": ("category__code", "urgency_rank", "waiting_since", "id"),
    "-category": ("-category__code", "urgency_rank", "waiting_since", "id"),
}
SORTS = tuple(_ORDERS)
DEFAULT_SORT = "urgency"
# The lists whose events form a bounded backlog, where any of the sorts is cheap.
QUEUE_STATUSES = frozenset({Status.REPORTED, Status.ACCEPTED})


def urgency_rank() -> Case:
    """0 for 特急, 1 for 紧急, 2 for 一般 (an expression to order by)."""
    return Case(
        *(When(urgency=u, then=Value(i)) for i, u in enumerate(URGENCY_ORDER)),
        default=Value(len(URGENCY_ORDER)),
        output_field=IntegerField(),
    )


def waiting_since() -> Case:
    """When each event started waiting in its list: its acceptance for an accepted event
    (待派遣), else its report (an expression to order by)."""
    return Case(
        When(status=Status.ACCEPTED, accepted_at__isnull=False, then=F("accepted_at")),
        default=F("reported_at"),
        output_field=DateTimeField(),
    )


def parse_sort(raw: str | None) -> str:
    """The sort asked for, or the default; an unknown value → Invalid naming `sort`."""
    value = (raw or "").strip()
    if not value:
        return DEFAULT_SORT
    if value not in _ORDERS:
        raise invalid("sort", gettext("不支持的排序：%(value)s") % {"value": value[:40]})
    return value


def is_queue(statuses: list[str] | tuple[str, ...]) -> bool:
    """Whether a list of these statuses is a queue (a bounded backlog that may be sorted)."""
    return bool(statuses) and set(statuses) <= QUEUE_STATUSES


def ordered(qs: QuerySet[Event], sort: str = DEFAULT_SORT) -> QuerySet[Event]:
    """`qs` in the order of `sort` (one of SORTS)."""
    return qs.annotate(urgency_rank=urgency_rank(), waiting_since=waiting_since()).order_by(
        *_ORDERS[sort]
    )


def next_sort(current: str, column: str) -> str:
    """The sort a click on `column`'s header asks for: the column, or reversed if it is
    the current one."""
    return f"-{column}" if current == column else column


def sort_links(current: str) -> dict[str, str]:
    """For each sortable column, the sort its header links to."""
    return {c: next_sort(current, c) for c in SORT_COLUMNS}


def dispatcher_centres(user: Any) -> list[Region]:
    """The centres whose queue the user works: the regions of their dispatcher roles,
    each once, in the order of their memberships (the workbench offers the first)."""
    seen: dict[int, Region] = {}
    for m in memberships_of(user):
        if m.role == Role.DISPATCHER and m.region is not None:
            seen.setdefault(m.region.pk, m.region)
    return list(seen.values())


# ---- the acceptance deadline -----------------------------------------------------------


def accept_hours(urgency: str) -> float:
    """Hours allowed to accept an event of this urgency (settings.PINGAN_ACCEPT_HOURS)."""
    table: dict[str, float] = settings.PINGAN_ACCEPT_HOURS
    return float(table.get(urgency, table.get(Urgency.NORMAL, 24)))


def counts_natural(urgency: str) -> bool:
    """Whether this urgency's acceptance time counts clock hours (else working hours):
    the same rule as its signing and handling deadlines (PINGAN_NATURAL_TIME_URGENCIES)."""
    return event_deadlines.natural_by_default(urgency)


def accept_due(event: Event) -> dt.datetime:
    """When the event's acceptance deadline runs out."""
    return deadlines.due(
        event.reported_at,
        accept_hours(event.urgency),
        "hours",
        natural=counts_natural(event.urgency),
    )


def accept_warn_at(event: Event, due_at: dt.datetime) -> dt.datetime:
    """When its light turns yellow (PINGAN_WARNING_FRACTION of the time allowed)."""
    return deadlines.warning_at(event.reported_at, due_at, natural=counts_natural(event.urgency))


@dataclass(frozen=True)
class Waiting:
    """How long an event has waited in its list at a moment: a reported event since its
    report, with its acceptance clock; an accepted one (待派遣) since its acceptance, with
    no deadline (`due_at` None, `state` "")."""

    due_at: dt.datetime | None
    state: str  # DeadlineState: normal (green), warning (yellow), overdue (red); or ""
    minutes: int

    @property
    def text(self) -> str:
        """「已等待 X 分钟 / 小时 / 天」."""
        if self.minutes < 60:
            return gettext("已等待 %(n)d 分钟") % {"n": self.minutes}
        if self.minutes < 48 * 60:
            return gettext("已等待 %(n)d 小时") % {"n": self.minutes // 60}
        return gettext("已等待 %(n)d 天") % {"n": self.minutes // (24 * 60)}


def waiting(event: Event, now: dt.datetime | None = None) -> Waiting:
    """How long the event has waited and its acceptance light at `now`."""
    now = now or clock.now()
    due_at = accept_due(event)
    if now >= due_at:
        state = DeadlineState.OVERDUE
    elif now >= accept_warn_at(event, due_at):
        state = DeadlineState.WARNING
    else:
        state = DeadlineState.NORMAL
    minutes = max(int((now - event.reported_at).total_seconds() // 60), 0)
    return Waiting(due_at=due_at, state=str(state), minutes=minutes)


def waiting_dispatch(event: Event, now: dt.datetime | None = None) -> Waiting | None:
    """How long an accepted event has waited for its dispatch (since its acceptance);
    None without an acceptance time."""
    if event.accepted_at is None:
        return None
    now = now or clock.now()
    minutes = max(int((now - event.accepted_at).total_seconds() // 60), 0)
    return Waiting(due_at=None, state="", minutes=minutes)


def mark_rows(rows: Any, now: dt.datetime | None = None) -> None:
    """Give each event of `rows` its `waiting`: a reported one since its report, with its
    acceptance light; an accepted one since its acceptance; the others None."""
    now = now or clock.now()
    for e in rows:
        if e.status == Status.REPORTED:
            e.waiting = waiting(e, now)
        elif e.status == Status.ACCEPTED:
            e.waiting = waiting_dispatch(e, now)
        else:
            e.waiting = None


# ---- what live pages poll -----------------------------------------------------------------


def version(qs: QuerySet[Event]) -> str:
    """A short stamp that changes whenever the reported events of `qs` change: an event
    arrives (the highest id), leaves (the count) or is edited (the last change). One
    aggregate over the backlog."""
    reported = Q(status=Status.REPORTED) & open_months_q([Status.REPORTED])
    row = qs.filter(reported).aggregate(n=Count("pk"), top=Max("pk"), changed=Max("updated_at"))
    changed = row["changed"].timestamp() if row["changed"] else 0
    return f"{row['n']}-{row['top'] or 0}-{int(changed * 1000)}"


def alerts(qs: QuerySet[Event], limit: int = 20) -> list[Event]:
    """The reported 紧急/特急 events of `qs`, the newest first (what the alert banner names)."""
    return list(
        qs.select_related(None)
        .prefetch_related(None)
        .filter(
            Q(status=Status.REPORTED, urgency__in=ALERT_URGENCIES)
            & open_months_q([Status.REPORTED])
        )
        .order_by("-reported_at", "-id")
        .only("pk", "code", "title", "urgency", "reported_at")[:limit]
    )
