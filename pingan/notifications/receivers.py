"""Listeners of `events.signals.event_changed` (connected in NotificationsConfig.ready)."""

from __future__ import annotations

import logging
from typing import Any

from pingan.notifications import services

log = logging.getLogger(__name__)


def on_event_changed(
    sender: Any,
    *,
    event_id: int,
    action: str,
    transition_id: int | None = None,
    variant: str = "",
    **kwargs: Any,
) -> None:
    """Notify the people concerned by a timeline row. The change is already committed, so
    a failure here is logged, never raised into the request that made the change."""
    try:
        services.notify_event_change(
            event_id=event_id, action=action, transition_id=transition_id, variant=variant or ""
        )
    except Exception:
        log.exception("notifying %s on event %s failed", action, event_id)
