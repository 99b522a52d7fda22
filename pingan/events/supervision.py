"""督办件: supervision orders on events, issued with the `supervise` action and answered
with `reply_supervision` (`events.workflow`).

Levels: 一般督办 (`normal`) and 重点督办 (`key`), each with a reply allowance in working days
(settings.PINGAN_SUPERVISION_REPLY_DAYS, default normal 3, key 1). An order is open until
its department answers; "overdue" is an open order past `reply_due_at`, read from the
time at each query, never written: no sweeper pass or write per order is needed, and the
count is one range of the partial index on open orders (region, due time).

The list and the counts are scoped like the event list: the actor's regions, the orders
addressed to their departments, and only the labels they are cleared for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from pingan.access.actor import Actor, as_actor
from pingan.access.scope import visible_q
from pingan.cases import deadlines as cases_deadlines
from pingan.core import clock
from pingan.events.models import Event, Supervision, SupervisionLevel, SupervisionStatus
from pingan.geo.scope import within_q
from pingan.org.choices import Role
from pingan.org.models import Department

OVERDUE = "overdue"
STATES = (SupervisionStatus.OPEN.value, SupervisionStatus.REPLIED.value, OVERDUE)


def reply_days(level: str) -> int:
    """The reply allowance of a level in working days (a level the setting leaves out: 3)."""
    return int(settings.PINGAN_SUPERVISION_REPLY_DAYS.get(level, 3))


def reply_due(level: str, now: dt.datetime, days: int | None = None) -> dt.datetime:
    """When an order issued `now` must be answered: the close of the `days`-th working day
    (the level's allowance unless given)."""
    return cases_deadlines.due(now, float(days or reply_days(level)), "days")


def supervision_issue(
    *,
    event: Event,
    level: str,
    note: str,
    user: Any,
    department: Department | None,
    now: dt.datetime,
    days: int | None = None,
) -> Supervision:
    """Write one order (inside the `supervise` transition)."""
    return Supervision.objects.create(
        event=event,
        level=level,
        note=note,
        issued_by=user,
        issued_at=now,
        department=department,
        reply_due_at=reply_due(level, now, days),
        region_path=event.region_path,
        sensitivity=event.sensitivity or "",
    )


def supervision_retarget(event: Event, departments: list[Department], to: Department | None) -> int:
    """Open orders addressed to departments that no longer hold the event (改派, 撤销协办)
    go to `to` (the lead now; None: the centre), so that someone can still answer them."""
    return Supervision.objects.filter(
        event=event, status=SupervisionStatus.OPEN, department__in=departments
    ).update(department=to)


def answerable(actor: Actor | Any, event: Event, membership: Any = None) -> list[Supervision]:
    """The open orders on `event` the actor may answer, oldest first: those addressed to
    one of their departments (as a handler) or, addressed to no department, to the centre
    (as a dispatcher; the `reply_supervision` row checks the queue scope)."""
    actor = as_actor(actor)
    role = getattr(membership, "role", None)
    q = Q(pk__in=[])
    departments = actor.department_ids()
    if departments and role in (None, Role.HANDLER):
        q |= Q(department_id__in=departments)
    if Role.DISPATCHER in actor.roles and role in (None, Role.DISPATCHER):
        q |= Q(department__isnull=True)
    return list(
        Supervision.objects.filter(q, event=event, status=SupervisionStatus.OPEN)
        .select_related("department")
        .order_by("issued_at", "id")
    )


# ---- reads ------------------------------------------------------------------------------


def supervision_scope_q(actor: Actor | Any) -> Q:
    """The orders the actor may see (as `events.permissions.event_scope_q` for events)."""
    return visible_q(
        as_actor(actor),
        path_field="region_path",
        departments=lambda ids: Q(department_id__in=ids),
        sensitivity_field="sensitivity",
    )


def state_of(order: Supervision, now: dt.datetime | None = None) -> str:
    """open / replied / overdue (open past its reply deadline)."""
    if order.status == SupervisionStatus.OPEN and order.reply_due_at < (now or clock.now()):
        return OVERDUE
    return str(order.status)


def _state_q(state: str, now: dt.datetime) -> Q:
    if state == OVERDUE:
        return Q(status=SupervisionStatus.OPEN, reply_due_at__lt=now)
    if state == SupervisionStatus.OPEN:
        return Q(status=SupervisionStatus.OPEN, reply_due_at__gte=now)
    if state == SupervisionStatus.REPLIED:
        return Q(status=SupervisionStatus.REPLIED)
    return Q()


def supervision_list(
    actor: Actor | Any, *, state: str = "", level: str = "", now: dt.datetime | None = None
) -> QuerySet[Supervision]:
    """The orders in the actor's scope, newest first, filtered by state (open, replied,
    overdue) and level; unknown filter values are ignored."""
    now = now or clock.now()
    qs = Supervision.objects.filter(supervision_scope_q(actor))
    if state in STATES:
        qs = qs.filter(_state_q(state, now))
    if level in SupervisionLevel.values:
        qs = qs.filter(level=level)
    return qs.select_related("event", "department", "issued_by", "replied_by").order_by(
        "-issued_at", "-id"
    )


@dataclass(frozen=True)
class SupervisionCounts:
    open: int  # not yet answered (overdue ones included)
    overdue: int  # not answered and past the reply deadline

    def as_dict(self) -> dict[str, int]:
        return {"open": self.open, "overdue": self.overdue}


def supervision_counts(
    actor: Actor | Any, *, now: dt.datetime | None = None, within: str = ""
) -> SupervisionCounts:
    """The open and overdue orders in the actor's scope (workbench, dashboard, briefing),
    optionally only on events within a region (`within`, its materialised path): one
    aggregate over the open orders."""
    now = now or clock.now()
    qs = Supervision.objects.filter(supervision_scope_q(actor), status=SupervisionStatus.OPEN)
    if within:
        qs = qs.filter(within_q("region_path", [within]))
    row = qs.aggregate(n=Count("pk"), late=Count("pk", filter=Q(reply_due_at__lt=now)))
    return SupervisionCounts(open=row["n"] or 0, overdue=row["late"] or 0)
