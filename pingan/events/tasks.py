"""Background work of the events app: ids in, send the signal, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.events import signals
from pingan.events.models import Event


@task()
def event_changed_send(
    event_id: int, action: str, transition_id: int | None = None, variant: str = ""
) -> None:
    """Tell the listening apps (notifications, triage, the channels' callbacks and SMS)
    of a committed timeline row, in the task worker (`timeline.announce`)."""
    extra = {"variant": variant} if variant else {}
    signals.event_changed.send(
        sender=Event, event_id=event_id, action=action, transition_id=transition_id, **extra
    )
