"""Reads of the intake app, scoped to the acting user through the events scope filter."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pingan.access.actor import Actor, as_actor
from pingan.events.choices import Status
from pingan.events.models import Event
from pingan.events.partitions import key_q
from pingan.events.permissions import event_scope_q
from pingan.intake.choices import Channel
from pingan.intake.models import ExternalOrder, Integration, OrderAction
from pingan.org.choices import Role


def orders_for(*, user: Actor | Any, channel: str = "", state: str = "") -> QuerySet[ExternalOrder]:
    """Work orders from 12345 and 110 whose events the user may see, newest first."""
    events = Event.objects.filter(event_scope_q(user)).values("pk")
    qs = ExternalOrder.objects.filter(event__in=events).select_related(
        "integration", "event", "event__lead_department"
    )
    if channel:
        qs = qs.filter(integration__channel=channel)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-received_at", "-id")


def actions_for(*, user: Actor | Any, event_id: int) -> list[OrderAction]:
    """The withdrawals, returns and transfers recorded on one event in the user's scope."""
    if not Event.objects.filter(event_scope_q(user), key_q(pk=event_id)).exists():
        return []
    return list(OrderAction.objects.filter(event_id=event_id).select_related("actor"))


def can_transfer_110(actor: Actor | Any, event: Event) -> bool:
    """Whether the actor is a dispatcher whose region contains the event's (the role and
    scope the transfer to 110 requires)."""
    return as_actor(actor).covers(event.region_path, (Role.DISPATCHER,))


def transfer_110_offered(actor: Actor | Any, event: Event) -> bool:
    """Whether the event page offers this actor the transfer to 110: a dispatcher over the
    event, the event not yet accepted, and 110 linked with a callback address."""
    if event.status != Status.REPORTED or not can_transfer_110(actor, event):
        return False
    return Integration.objects.filter(
        channel=Channel.POLICE_110, is_active=True, callback__isnull=False
    ).exists()
