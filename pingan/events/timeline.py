"""The event's timeline rows and the announcement after commit, for every writer of
events (the case engine, reporting, the sweeper's marks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from pingan.core import clock
from pingan.core.mute import is_muted
from pingan.events import signals
from pingan.events.models import Event, EventTransition
from pingan.org.models import Department


def record_transition(
    event: Event,
    action: str,
    from_status: str,
    to_status: str,
    user: Any,
    role: str,
    *,
    note: str = "",
    public_reply: str = "",
    department: Department | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> EventTransition:
    return EventTransition.objects.create(
        event=event,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=user if getattr(user, "pk", None) else None,
        actor_role=role,
        department=department,
        note=note,
        public_reply=public_reply,
        data=data or {},
        at=at or clock.now(),
    )


def announce(
    event: Event, action: str, transition: EventTransition | None = None, **extra: Any
) -> None:
    """After commit, tell the listening apps (`signals.event_changed`): from the task
    worker, so that what the answer does not need (triage's duplicate check and risk
    alerts, notifications, channel callbacks, SMS) costs the request nothing but one
    queue row. Inside `core.mute.muted()` (the demo replaying history) the signal is sent
    in this thread as before, where the listeners can see the mute."""
    event_id = event.pk
    transition_id = transition.pk if transition else None
    variant = str(extra.get("variant") or "")

    def send() -> None:
        signals.event_changed.send(
            sender=Event, event_id=event_id, action=action, transition_id=transition_id, **extra
        )

    def enqueue() -> None:
        from pingan.events.tasks import event_changed_send

        event_changed_send.enqueue(event_id, action, transition_id, variant)

    transaction.on_commit(send if is_muted() else enqueue)
