"""Listener of `events.signals.event_changed`: triage every newly reported event."""

from __future__ import annotations

from typing import Any

from pingan.notifications.services import is_muted
from pingan.triage import services


def on_event_changed(sender: Any, *, event_id: int, action: str, **kwargs: Any) -> None:
    """After a report is committed: risk alerts, duplicate candidates, suggestions.
    Failures are logged inside `services.intake`, never raised into the request. Skipped
    while notifications are muted (the demo generator replaying history)."""
    if action == "report" and not is_muted():
        services.intake(event_id=event_id)
