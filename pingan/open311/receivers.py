"""Listener of `events.signals.event_changed` (connected in Open311Config.ready)."""

from __future__ import annotations

import logging
from typing import Any

from pingan.notifications.services import NEWS_ACTIONS, news_events
from pingan.open311 import services

log = logging.getLogger(__name__)


def on_event_changed(
    sender: Any, *, event_id: int, action: str, transition_id: int | None = None, **kwargs: Any
) -> None:
    """Tell the requester by SMS (when they gave a mobile number) when their request is
    merged, closed or not taken in. The change is committed already: a failure is only logged."""
    if action not in NEWS_ACTIONS:
        return
    try:
        for target in news_events(event_id=event_id, transition_id=transition_id):
            services.open311_requester_tell(event_id=target, transition_id=transition_id)
    except Exception:
        log.exception("Open311 SMS for %s on event %s failed", action, event_id)
