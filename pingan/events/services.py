"""Writes on events: reporting, the one transition service, system marks.

Every state change goes through `event_transition` (people: the case engine applying
`events.workflow`) or the `event_mark_*` functions (the sweeper). Each writes its timeline
row and audit row in the same transaction as the change and announces it with
`signals.event_changed` after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from pingan.access.actor import Actor
from pingan.cases import service as engine
from pingan.core import clock
from pingan.events import signals, workflow
from pingan.events.choices import DeadlineState, Status
from pingan.events.deadlines import on_time, stop_clocks
from pingan.events.kind import EVENTS
from pingan.events.models import Attachment, Event, EventTransition
from pingan.events.partitions import key_q
from pingan.events.reporting import REPORTING_ROLES, event_report, own_report_paths
from pingan.events.timeline import announce as _announce
from pingan.events.timeline import record_transition as _timeline
from pingan.geo.selectors import next_queue_up

__all__ = [
    "REPORTING_ROLES",
    "allowed_actions",
    "event_auto_escalate",
    "event_follow_outcome",
    "event_mark_deadline",
    "event_report",
    "event_transition",
    "own_report_paths",
]


def event_transition(
    *,
    actor: Actor | Any,
    event_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Fire `action` on the event as `actor` (an `Actor`; a user is resolved to one).
    404 out of scope, 403 not this role, 409 not from this state, 422 invalid fields;
    nothing is written unless all checks pass (`pingan.cases.service.transition`).
    A verification's on-site photos (uploaded before it, by the page or the API) go on
    its timeline row."""
    with transaction.atomic():
        event = engine.transition(
            EVENTS, actor=actor, case_id=event_id, action=action, payload=payload
        )
        if action == "verify":
            _link_verification_photos(event_id)
    return event


def _link_verification_photos(event_id: int) -> None:
    """The photos the verification counted (its timeline row's data) go on that row."""
    row = EventTransition.objects.filter(event_id=event_id).order_by("-at", "-id").first()
    ids = (row.data or {}).get("photos") if row is not None and row.action == "verify" else None
    if ids:
        Attachment.objects.filter(pk__in=ids, event_id=event_id, transition__isnull=True).update(
            transition=row
        )


def allowed_actions(actor: Actor | Any, event: Event) -> list[workflow.Transition]:
    """The rows `actor` may fire on `event` now (for buttons). Same checks as the service,
    without payload validation."""
    return engine.allowed(EVENTS, actor, event)


# ---- system marks (the sweeper) -------------------------------------------------------


def event_mark_deadline(*, event_id: int, state: str, now: dt.datetime | None = None) -> bool:
    """Mark an open event yellow or red. Returns True only for the caller whose conditional
    UPDATE changed the row, so concurrent sweepers never mark an event twice."""
    now = now or clock.now()
    if state == DeadlineState.OVERDUE:
        allowed_from = [DeadlineState.NORMAL, DeadlineState.WARNING, ""]
    elif state == DeadlineState.WARNING:
        allowed_from = [DeadlineState.NORMAL, ""]
    else:
        raise ValueError(state)
    with transaction.atomic():
        changed = (
            Event.objects.filter(key_q(pk=event_id))
            .filter(
                status__in=[Status.DISPATCHED, Status.IN_PROGRESS],
                deadline_state__in=allowed_from,
            )
            .update(deadline_state=state, updated_at=now)
        )
        if not changed:
            return False
        event = Event.objects.filter(key_q(pk=event_id)).get()
        action = "overdue" if state == DeadlineState.OVERDUE else "warning"
        signals.event_written.send(sender=Event, event=event, action=action)
        t = _timeline(
            event,
            action,
            event.status,
            event.status,
            None,
            "system",
            at=now,
            data={
                "due_at": event.due_at.isoformat() if event.due_at else None,
                "ack_due_at": event.ack_due_at.isoformat() if event.ack_due_at else None,
            },
        )
        _announce(event, action, t)
    return True


def event_auto_escalate(*, event_id: int) -> bool:
    """Move an overdue event to the next level's queue (policy: the category says so).
    Does nothing when it is already at the top or was escalated for this deadline."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update()
            .select_related("queue_region")
            .filter(key_q(pk=event_id))
            .get()
        )
        if event.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
            return False
        if event.timeline.filter(action="auto_escalate", at__gte=event.clock_started_at).exists():
            return False
        up = next_queue_up(event.queue_region)
        if up is None:
            return False
        old = event.queue_region
        event.queue_region = up
        event.save(update_fields=["queue_region", "updated_at"])
        t = _timeline(
            event,
            "auto_escalate",
            event.status,
            event.status,
            None,
            "system",
            note="超期未办结，自动提级",
            data={"from_queue": old.pk, "to_queue": up.pk},
        )
        _announce(event, "auto_escalate", t)
    return True


def event_follow_outcome(
    *,
    actor: Actor,
    event_id: int,
    resolution: str,
    referral: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """The event follows the outcome of the case another app took it over with (调解结果):
    `resolution` resolved / unresolved (with `referral`) moves an event still in the
    centre's or a department's hands to verification, as a lead's 办结反馈 would, with
    that outcome; an event already resolved or closed, or no `resolution` (withdrawn),
    only gets the timeline row. The caller (the case's service, inside its transition)
    has checked who acts; the event's own scope is not asked again."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(key_q(pk=event_id)).get()
        before = event.status
        now = clock.now()
        moves = bool(resolution) and before in (
            Status.REPORTED,
            Status.ACCEPTED,
            Status.DISPATCHED,
            Status.IN_PROGRESS,
        )
        if moves:
            event.accepted_at = event.accepted_at or now
            event.resolution, event.referral = resolution, referral
            event.resolved_at = now
            event.closed_on_time = on_time(event.due_at, now)
            event.status = Status.RESOLVED
            stop_clocks(event)
            event.save()
            signals.event_written.send(sender=Event, event=event, action="mediation_result")
        row = {**(data or {}), "resolution": resolution}
        if referral:
            row["referral"] = referral
        role = next(iter(sorted(actor.roles)), "system")
        t = _timeline(
            event,
            "mediation_result",
            before,
            event.status,
            actor.user,
            role,
            note=note,
            data=row,
            at=now,
        )
        actor.audit(
            "event.mediation_result",
            object_type="event",
            object_id=event.pk,
            detail={"from": before, "to": event.status},
        )
        _announce(event, "mediation_result", t)
    return event
