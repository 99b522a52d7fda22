"""Who sees which events, and who may fire which transition. The one place for both,
built on the actor and the scope rules (`pingan.access`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import REGION_ROLES, Actor, as_actor
from pingan.access.scope import memberships_covering, visible_q
from pingan.core.errors import NotFound
from pingan.events.models import Assignment, Event
from pingan.events.partitions import key_q
from pingan.org.choices import Role

__all__ = ["REGION_ROLES", "access_event", "can_unmask", "event_scope_q", "events_in_scope"]


def _assigned(departments: set[int]) -> Q:
    return Q(Exists(Assignment.objects.filter(event=OuterRef("pk"), department_id__in=departments)))


def event_scope_q(actor: Actor | Any) -> Q:
    """Filter for the events the actor may see: their regions' subtrees, their departments'
    assignments (past and present), and what they reported themselves. Events carrying
    a sensitivity label drop out unless the actor holds that clearance (or reported them)."""
    return visible_q(
        as_actor(actor),
        path_field="region_path",
        departments=_assigned,
        own_field="reporter",
        sensitivity_field="sensitivity",
    )


def events_in_scope(actor: Actor | Any) -> QuerySet[Event]:
    return Event.objects.filter(event_scope_q(actor))


# What a transition's rules and its answer read of the event's relations.
EVENT_RELATED = ("category", "region", "queue_region", "lead_department", "reporter")


def access_event(actor: Actor | Any, event_id: int, *, for_update: bool = False) -> Event:
    """The event if the actor may see it; NotFound for missing and out of scope alike.
    `for_update`: its row locked (`SELECT … FOR UPDATE OF` the event only), inside a
    transaction; one statement either way."""
    qs = events_in_scope(actor)
    if for_update:
        # Only the event's row is locked, not the rows joined for its relations (the
        # scope's department test is an EXISTS, not a join).
        qs = qs.select_for_update(of=("self",))
    event = qs.select_related(*EVENT_RELATED).filter(key_q(pk=event_id)).first()
    if event is None:
        raise NotFound(gettext("事件不存在"))
    return event


def active_department_ids(event: Event) -> set[int]:
    return set(
        event.assignments.filter(status__in=["dispatched", "acknowledged"]).values_list(
            "department_id", flat=True
        )
    )


def can_unmask(actor: Actor | Any, event: Event) -> bool:
    """Whether the actor may reveal the reporter's contact on `event` (one audited action):
    a dispatcher whose region contains the event, or a handler of a department holding an
    active assignment. Leaders, grid staff and administrators see masked values only."""
    actor = as_actor(actor)
    if memberships_covering(actor, event.region_path, (Role.DISPATCHER,)):
        return True
    departments = actor.department_ids()
    return bool(departments and departments & active_department_ids(event))
