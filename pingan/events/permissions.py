"""Who sees which events, and who may fire which transition. The one place for both."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from pingan.core.errors import NotFound
from pingan.events import workflow
from pingan.events.models import Assignment, Event
from pingan.events.partitions import key_q
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.org.selectors import memberships_of
from pingan.privacy.selectors import cleared_labels

REGION_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER})


def event_scope_q(user: Any) -> Q:
    """Filter for the events `user` may see: their regions' subtrees, their departments'
    assignments (past and present), and what they reported themselves. Events carrying
    a sensitivity label drop out unless `user` holds that clearance (or reported them)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    own = Q(reporter_id=user.pk)
    q = Q(pk__in=[])
    paths = set()
    departments = set()
    for m in memberships_of(user):
        if m.role in REGION_ROLES and m.region is not None:
            paths.add(m.region.path)
        if m.role == Role.HANDLER and m.department_id is not None:
            departments.add(m.department_id)
    # A path inside another path adds nothing.
    for path in sorted(paths, key=len):
        if not any(path.startswith(p) and p != path for p in paths):
            q |= Q(region_path__startswith=path)
    if departments:
        q |= Q(
            Exists(Assignment.objects.filter(event=OuterRef("pk"), department_id__in=departments))
        )
    labels = cleared_labels(user)
    visible = Q(sensitivity="") | Q(sensitivity__in=sorted(labels)) if labels else Q(sensitivity="")
    return own | (q & visible)


def events_in_scope(user: Any) -> QuerySet[Event]:
    return Event.objects.filter(event_scope_q(user))


def access_event(user: Any, event_id: int, *, for_update: bool = False) -> Event:
    """The event if `user` may see it; NotFound for missing and out of scope alike."""
    qs = events_in_scope(user)
    if for_update:
        # Lock only the event row (the scope filter may join assignments).
        if not qs.filter(key_q(pk=event_id)).exists():
            raise NotFound(gettext("事件不存在"))
        return Event.objects.select_for_update().filter(key_q(pk=event_id)).get()
    event = (
        qs.select_related("category", "region", "queue_region", "lead_department", "reporter")
        .filter(key_q(pk=event_id))
        .first()
    )
    if event is None:
        raise NotFound(gettext("事件不存在"))
    return event


def _membership_covers(
    m: Membership, scope: str, event: Event, active_departments: set[int]
) -> bool:
    if scope == workflow.REGION:
        return m.region is not None and event.region_path.startswith(m.region.path)
    if scope == workflow.QUEUE:
        return m.region is not None and (event.queue_region.path.startswith(m.region.path))
    if scope == workflow.ASSIGNMENT:
        return m.department_id is not None and m.department_id in active_departments
    return False


def active_department_ids(event: Event) -> set[int]:
    return set(
        event.assignments.filter(status__in=["dispatched", "acknowledged"]).values_list(
            "department_id", flat=True
        )
    )


def acting_membership(
    user: Any, row: workflow.Transition, event: Event, active_departments: set[int] | None = None
) -> Membership | None:
    """The membership that entitles `user` to fire `row` on `event`, or None."""
    if active_departments is None:
        active_departments = active_department_ids(event)
    for m in memberships_of(user):
        for role, scope in row.who:
            if m.role == role and _membership_covers(m, scope, event, active_departments):
                return m
    return None


def may_unmask(user: Any, event: Event) -> bool:
    """Whether `user` may reveal the reporter's contact on `event` (one audited action):
    a dispatcher whose region contains the event, or a handler of a department holding an
    active assignment. Leaders, grid staff and administrators see masked values only."""
    departments: set[int] | None = None
    for m in memberships_of(user):
        if (
            m.role == Role.DISPATCHER
            and m.region is not None
            and event.region_path.startswith(m.region.path)
        ):
            return True
        if m.role == Role.HANDLER and m.department_id is not None:
            if departments is None:
                departments = active_department_ids(event)
            if m.department_id in departments:
                return True
    return False
