"""Listener of `events.signals.event_changed` (connected in EmergencyConfig.ready, ahead
of the other listeners): an urgent event reported tells the duty officers first."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

from pingan.core import clock
from pingan.core.mute import is_muted
from pingan.emergency import notify
from pingan.events.models import Event
from pingan.events.partitions import key_q

log = logging.getLogger(__name__)


def on_event_changed(
    sender: Any, *, event_id: int, action: str, transition_id: int | None = None, **kwargs: Any
) -> None:
    """A new urgent event: its duty officers are told. The change is committed; a failure
    here is logged, never raised into the task that sends the signal."""
    if action != "report" or is_muted():
        return
    try:
        event = Event.objects.select_related("region").filter(key_q(pk=event_id)).first()
        if event is not None:
            notify.urgent_event(event, clock.now())
    except Exception:
        log.exception("telling the duty officers of event %s failed", event_id)


def connect_first(signal: Signal, receiver: Any, dispatch_uid: str) -> None:
    """Connect `receiver` and move it ahead of the receivers connected before it: the
    duty officers are told before the listeners of lower apps tell the others. Django
    calls receivers in the order of its `receivers` list; this keeps that list's shape."""
    signal.connect(receiver, dispatch_uid=dispatch_uid, weak=False)
    with signal.lock:
        mine = [r for r in signal.receivers if r[0][0] == dispatch_uid]
        rest = [r for r in signal.receivers if r[0][0] != dispatch_uid]
        signal.receivers[:] = mine + rest
        signal.sender_receivers_cache.clear()
