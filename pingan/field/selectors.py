"""Reads for the phone app, scoped to the acting grid worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.events.choices import Status, TrackingStatus
from pingan.events.models import Category, Event, EventTransition, TrackingCheck
from pingan.events.partitions import (
    closed_months_q,
    keys_q,
    open_months_q,
    reporter_months_q,
)
from pingan.events.permissions import event_scope_q
from pingan.events.selectors import newest_first_rows
from pingan.field.choices import SiteCheckStatus, TaskKind
from pingan.field.models import SiteCheck
from pingan.field.permissions import grid_scope_q
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.org.choices import GRID_ROLES


def grid_paths(actor: Actor | Any) -> list[str]:
    """Paths of the regions where the actor holds a grid role (the narrowest set)."""
    return as_actor(actor).paths(GRID_ROLES)


def user_grids(user: Actor | Any) -> list[Region]:
    """The grids in the regions where the actor holds a grid role."""
    actor = as_actor(user)
    if not grid_paths(actor):
        return []
    return list(Region.objects.filter(grid_scope_q(actor, "path"), level=Level.GRID))


# What the phone's answer reads of each event: its names, and the reporter for the masked
# contact (`events.contact.contact_masked`).
_BRIEF = ("category", "region", "reporter")


@dataclass
class Task:
    kind: str
    event: Event
    due_at: dt.datetime
    overdue: bool
    note: str = ""
    check_id: int | None = None

    @property
    def label(self) -> str:
        return str(TaskKind(self.kind).label)


def _day_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def task_list(*, user: Actor | Any, now: dt.datetime | None = None) -> list[Task]:
    """Today's work for a grid worker: results to verify, follow-up calls, on-site checks
    the centre asked for and tracking re-checks due; overdue first, then by due time."""
    now = now or clock.now()
    actor = as_actor(user)
    if not grid_paths(actor):
        return []
    scope = event_scope_q(actor) & grid_scope_q(actor)
    tasks: list[Task] = []
    verify_window = dt.timedelta(hours=float(settings.PINGAN_FIELD_VERIFY_HOURS))
    resolved = Q(status=Status.RESOLVED) & open_months_q([Status.RESOLVED])
    for e in Event.objects.filter(scope, resolved).select_related(*_BRIEF)[:200]:
        due = (e.resolved_at or e.reported_at) + verify_window
        tasks.append(Task(TaskKind.VERIFY, e, due, due < now))

    follow_days = int(settings.PINGAN_FIELD_FOLLOW_UP_DAYS)
    followed = EventTransition.objects.filter(event=OuterRef("pk"), action="follow_up")
    recent = now - dt.timedelta(days=30)
    for e in (
        Event.objects.filter(scope, closed_months_q(recent), status=Status.CLOSED)
        .filter(closed_at__gte=recent)
        .filter(resolved_on_site=False, reporter_id=actor.pk)
        .exclude(Exists(followed))
        .select_related(*_BRIEF)[:200]
    ):
        assert e.closed_at is not None  # filtered on closed_at__gte
        due = e.closed_at + dt.timedelta(days=follow_days)
        tasks.append(Task(TaskKind.FOLLOW_UP, e, due, due < now))

    # The checks first, then their events by their months: a join from a check to the
    # events would be planned over every monthly partition (docs/adr/0006-partitioning.md).
    checks = list(
        SiteCheck.objects.filter(grid_scope_q(actor), status=SiteCheckStatus.PENDING).filter(
            Q(assignee__isnull=True) | Q(assignee_id=actor.pk)
        )
    )
    today = timezone.localtime(now).date()
    rechecks = list(
        TrackingCheck.objects.filter(status=TrackingStatus.PENDING, due_on__lte=today).filter(
            Q(assignee_id=actor.pk) | Q(assignee__isnull=True)
        )
    )
    # A re-check nobody was named for is the grid's whose event the worker sees.
    unassigned = {t.event_id for t in rechecks if t.assignee_id is None}
    seen = set(
        Event.objects.filter(keys_q(unassigned)).filter(scope).values_list("pk", flat=True)
        if unassigned
        else ()
    )
    rechecks = [t for t in rechecks if t.assignee_id is not None or t.event_id in seen]
    wanted = {c.event_id for c in checks} | {t.event_id for t in rechecks}
    events = {
        e.pk: e
        for e in (Event.objects.filter(keys_q(wanted)).select_related(*_BRIEF) if wanted else ())
    }
    # (An event deleted between the two reads takes its checks with it: skip them.)
    for c in checks:
        if (event := events.get(c.event_id)) is not None:
            tasks.append(Task(TaskKind.SITE_CHECK, event, c.due_at, c.due_at < now, c.note, c.pk))
    for t in rechecks:
        if (event := events.get(t.event_id)) is not None:
            due = _day_end(t.due_on)
            tasks.append(Task(TaskKind.RECHECK, event, due, t.due_on < today, "", t.pk))
    tasks.sort(key=lambda t: (not t.overdue, t.due_at, t.event.pk))
    return tasks


def my_reports(*, user: Actor | Any, limit: int = 50) -> list[Event]:
    """The user's newest reports, from the months that hold them (the last few first)."""
    months = reporter_months_q(user.pk)
    if months is None:
        return []
    qs = Event.objects.filter(months, reporter_id=user.pk).select_related(*_BRIEF)
    return newest_first_rows(qs.order_by("-reported_at", "-id"), 0, limit)


def categories_for(user: Actor | Any) -> tuple[list[Category], list[int]]:
    """Active categories, and the leaves this user reported most (most used first)."""
    cats = list(Category.objects.filter(is_active=True).order_by("parent_id", "sort", "code"))
    # Only whether they reported at all: a grid worker's reports lie in most months, and
    # naming them costs PostgreSQL more planning than it saves.
    if reporter_months_q(user.pk) is None:
        return cats, []
    frequent = list(
        Event.objects.filter(reporter_id=user.pk)
        .values("category_id")
        .annotate(n=Count("id"))
        .order_by("-n", "category_id")
        .values_list("category_id", flat=True)[:8]
    )
    return cats, frequent
