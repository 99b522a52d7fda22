"""Writes for routing: dispatch an event as suggested, or as the dispatcher overrides."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core.errors import invalid
from pingan.events.models import Category, Event
from pingan.events.permissions import access_event
from pingan.events.services import event_transition
from pingan.geo.models import Region
from pingan.org.models import Department
from pingan.routing.models import RoutingRule
from pingan.routing.selectors import suggest


def _pk(value: Department | int | str) -> int | str:
    return value.pk if isinstance(value, Department) else value


def routing_rule_create(
    *,
    category: Category,
    region: Region,
    lead_department: Department,
    assisting_departments: Iterable[Department] = (),
    priority: int = 0,
    note: str = "",
    is_active: bool = True,
) -> RoutingRule:
    """Create a routing rule: `category` in `region`'s subtree → lead (+ assisting)."""
    assisting = [d for d in assisting_departments if d.pk != lead_department.pk]
    with transaction.atomic():
        rule = RoutingRule.objects.create(
            category=category,
            region=region,
            lead_department=lead_department,
            priority=priority,
            note=note,
            is_active=is_active,
        )
        rule.assisting_departments.set(assisting)
    return rule


def dispatch_suggested(
    *,
    actor: Actor | Any,
    event_id: int,
    lead_department: Department | int | None = None,
    assisting_departments: Iterable[Department | int] | None = None,
    note: str = "",
) -> Event:
    """Dispatch an accepted event to the suggested lead and assisting departments in one
    action (一键指令); `lead_department` / `assisting_departments` override the suggestion
    (an empty list means no assisting departments). Errors as `event_transition`."""
    actor = as_actor(actor)
    with transaction.atomic():
        event = access_event(actor, event_id)
        suggestion = suggest(event)
        lead: Any = _pk(lead_department) if lead_department is not None else None
        if lead is None and suggestion.lead is not None:
            lead = suggestion.lead.pk
        if lead is None:
            raise invalid("lead_department", gettext("没有匹配的分流规则，请选择主办部门"))
        if assisting_departments is None:
            assisting: list[Any] = [d.pk for d in suggestion.assisting if str(d.pk) != str(lead)]
        else:
            assisting = [_pk(d) for d in assisting_departments]
        overridden = (
            suggestion.lead is None
            or str(lead) != str(suggestion.lead.pk)
            or sorted(map(str, assisting)) != sorted(str(d.pk) for d in suggestion.assisting)
        )
        event = event_transition(
            actor=actor,
            event_id=event.pk,
            action="dispatch",
            payload={"lead_department": lead, "assisting_departments": assisting, "note": note},
        )
        actor.audit(
            "routing.dispatch",
            object_type="event",
            object_id=event.pk,
            detail={
                "rule": suggestion.rule.pk if suggestion.rule else None,
                "overridden": overridden,
            },
        )
    return event
