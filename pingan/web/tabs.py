"""The work lists' tabs (issue 17): each tab's events come from one function, so a tab's
count and the list it opens cannot disagree.

The handler's tabs follow the department's assignment and the event:

- 待签收: the assignment waits to be acknowledged;
- 办理中: acknowledged, not yet resolved;
- 超期: still to do (either of the above) and past its deadline;
- 已反馈待核查: the department has resolved its part; the event is not finished yet (the
  centre still has to verify it, or the lead department is still working). A failed
  verification sends it back to 办理中;
- 已办结: the department has resolved its part and the event is finished.

`tab_events` is the list and `tab_count` counts exactly that queryset (up to a cap).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.events.choices import AssignmentStatus, DeadlineState, Status
from pingan.events.models import CLOCKED_STATUSES, OPEN_STATUSES, Event
from pingan.events.partitions import open_months_q
from pingan.events.selectors import EventFilters, deadline_q, event_list
from pingan.geo import scope
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.selectors import region_list
from pingan.org.choices import Role

# Tab counts stop here and show "2000+": the done tab of a busy department would
# otherwise count every event it ever finished on each page view.
TAB_COUNT_CAP = 2_000


@dataclass(frozen=True)
class Tab:
    """One tab of a work list: a key for the URL, a label, and the filters it adds."""

    key: str
    label: Any
    status: tuple[str, ...] = ()
    assignment_status: tuple[str, ...] = ()
    deadline_state: str = ""


ACTIVE_ASSIGNMENT = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED)
FINISHED_STATUSES = tuple(s for s in Status.values if s not in OPEN_STATUSES)

QUEUE_TABS = (
    Tab("reported", gettext_lazy("待受理"), status=(Status.REPORTED,)),
    Tab("accepted", gettext_lazy("已受理待派遣"), status=(Status.ACCEPTED,)),
    Tab("handling", gettext_lazy("办理中"), status=(Status.DISPATCHED, Status.IN_PROGRESS)),
    Tab("resolved", gettext_lazy("待核查"), status=(Status.RESOLVED,)),
    Tab("overdue", gettext_lazy("超期"), deadline_state=DeadlineState.OVERDUE),
)
INBOX_TABS = (
    Tab("pending", gettext_lazy("待签收"), assignment_status=(AssignmentStatus.DISPATCHED,)),
    Tab("doing", gettext_lazy("办理中"), assignment_status=(AssignmentStatus.ACKNOWLEDGED,)),
    Tab(
        "overdue",
        gettext_lazy("超期"),
        assignment_status=ACTIVE_ASSIGNMENT,
        deadline_state=DeadlineState.OVERDUE,
    ),
    Tab(
        "feedback",
        gettext_lazy("已反馈待核查"),
        assignment_status=(AssignmentStatus.RESOLVED,),
        status=tuple(OPEN_STATUSES),
    ),
    Tab(
        "done",
        gettext_lazy("已办结"),
        assignment_status=(AssignmentStatus.RESOLVED,),
        status=FINISHED_STATUSES,
    ),
)


def pick(tabs: tuple[Tab, ...], key: str | None) -> Tab:
    """The tab named `key`, else the first."""
    return next((t for t in tabs if t.key == key), tabs[0])


def tab_filters(base: EventFilters, tab: Tab) -> EventFilters:
    """`base` narrowed to the tab (the tab's conditions replace the same filters of `base`)."""
    changes: dict[str, Any] = {}
    if tab.status:
        changes["status"] = list(tab.status)
    if tab.assignment_status:
        changes["assignment_status"] = list(tab.assignment_status)
    if tab.deadline_state:
        changes["deadline_state"] = tab.deadline_state
    return dataclasses.replace(base, **changes)


def tab_events(user: Any, base: EventFilters, tab: Tab) -> QuerySet[Event]:
    """The events the tab lists for `user` (scoped, newest first)."""
    return event_list(user=user, filters=tab_filters(base, tab))


def _event_q(tab: Tab, now: Any) -> Q | None:
    """The tab's own conditions as one Q on the event's columns (None when the tab
    follows assignments: those need their own subquery)."""
    if tab.assignment_status:
        return None
    q = Q()
    if tab.status:
        q &= Q(status__in=tab.status)
    if tab.deadline_state:
        q &= deadline_q(tab.deadline_state, now)
    return q


def tab_counts(
    user: Any, base: EventFilters, tabs: tuple[Tab, ...], cap: int | None = TAB_COUNT_CAP
) -> list[int]:
    """`tab_count` of each tab, in one statement when the tabs filter on the event alone
    and `base` sets none of their filters (the dispatcher's queue: one grouped count over
    the queue's events instead of one COUNT per tab, each planned over every partition of
    the events table; docs/performance.md). The same numbers as `tab_count` (a test
    compares them), capped the same way."""
    now = clock.now()
    conds = [_event_q(t, now) for t in tabs]
    own = base.status or base.assignment_status or base.deadline_state
    if own or any(c is None for c in conds):
        return [tab_count(user, base, t, cap) for t in tabs]
    wanted = [c for c in conds if c is not None]
    union = Q()
    for c in wanted:
        union |= c
    # The months holding events of the tabs' statuses (every status when a tab names none).
    statuses: set[str] = set()
    for t in tabs:
        statuses |= set(t.status or (CLOCKED_STATUSES if t.deadline_state else Status.values))
    union &= open_months_q(statuses)
    row = (
        event_list(user=user, filters=base)
        .order_by()
        .filter(union)
        .aggregate(**{f"t{i}": Count("pk", filter=c) for i, c in enumerate(wanted)})
    )
    return [row[f"t{i}"] if cap is None else min(row[f"t{i}"], cap + 1) for i in range(len(tabs))]


def tab_count(user: Any, base: EventFilters, tab: Tab, cap: int | None = TAB_COUNT_CAP) -> int:
    """How many events `tab_events` lists; with `cap`, at most cap + 1 (one LIMITed
    subquery, shown as "2000+")."""
    qs = tab_events(user, base, tab).order_by().values("pk")
    if cap is not None:
        return qs[: cap + 1].count()
    return qs.count()


# ---- the 镇街 filter ------------------------------------------------------------------

# Every role but the handler's (scoped by department) has a territory to filter within.
_TERRITORY_ROLES = frozenset(Role.values) - {Role.HANDLER}


def filter_towns(actor: Actor | Any) -> list[Region]:
    """The towns a list's 镇街 filter offers: those where the actor can see events. A user
    with a department (a handler, whatever else they hold) sees that department's events
    in every town: every town. Otherwise the towns inside or above their regions (a town
    dispatcher: its town; a county user: every town of the county)."""
    actor = as_actor(actor)
    towns = list(region_list(level=Level.TOWN))
    paths = actor.paths(_TERRITORY_ROLES)
    if not paths or actor.department_ids():
        return towns
    return [t for t in towns if scope.overlaps(t.path, paths)]
