"""Listener of `events.signals.event_changed` (connected in CitizenConfig.ready)."""

from __future__ import annotations

import logging
from typing import Any

from pingan.citizen import services
from pingan.notifications.services import NEWS_ACTIONS, news_events

log = logging.getLogger(__name__)


def on_event_changed(
    sender: Any, *, event_id: int, action: str, transition_id: int | None = None, **kwargs: Any
) -> None:
    """Tell the citizen by SMS when their matter is merged, closed or not taken in, or the
    matter theirs was merged into is closed. The change is committed already: a failure
    here is logged, never raised into the request."""
    if action not in NEWS_ACTIONS:
        return
    try:
        for target in news_events(event_id=event_id, transition_id=transition_id):
            services.citizen_tell(event_id=target, transition_id=transition_id)
    except Exception:
        log.exception("citizen SMS for %s on event %s failed", action, event_id)
