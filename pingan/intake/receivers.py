"""Listener of `events.signals.event_changed` (connected in IntakeConfig.ready)."""

from __future__ import annotations

import logging
from typing import Any

from pingan.intake import services
from pingan.notifications.services import NEWS_ACTIONS, news_events

log = logging.getLogger(__name__)


def on_event_changed(
    sender: Any,
    *,
    event_id: int,
    action: str,
    transition_id: int | None = None,
    **kwargs: Any,
) -> None:
    """Queue the channel's callback and the caller's SMS. The change is committed
    already: a failure here is logged, never raised into the request that made it."""
    try:
        services.order_callback(event_id=event_id, action=action, transition_id=transition_id)
    except Exception:
        log.exception("channel callback for %s on event %s failed", action, event_id)
    if action not in NEWS_ACTIONS:
        return
    try:
        for target in news_events(event_id=event_id, transition_id=transition_id):
            services.order_caller_tell(event_id=target, transition_id=transition_id)
    except Exception:
        log.exception("caller SMS for %s on event %s failed", action, event_id)
