"""The facts and rollups kept current inside the transaction that changes an event: the
receiver of the events app's synchronous `event_written` signal (ADR 0005)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from pingan.analytics import rollups
from pingan.analytics.facts import FACT_FIELDS, Lookups, fact_values, repeat_of
from pingan.analytics.locks import day_locked
from pingan.analytics.models import EventFact
from pingan.events.models import Event


def _refresh_next_repeat(event_id: int, fact: dict[str, Any]) -> None:
    """The event after `event_id` at the fact's place and category may have become (or
    stopped being) a repeat: bring its fact and rollup rows up to date."""
    window = settings.PINGAN_REPEAT_DAYS
    nxt = (
        EventFact.objects.filter(
            region_path=fact["region_path"],
            category=fact["category"],
            day__gte=fact["day"],
            day__lte=fact["day"] + dt.timedelta(days=window + 1),
        )
        .filter(Q(day__gt=fact["day"]) | Q(event_id__gt=event_id))
        .order_by("day", "event_id")
        .values("event_id", *FACT_FIELDS)
        .first()
    )
    if nxt is None:
        return
    next_id = nxt.pop("event_id")
    flag = repeat_of(next_id, nxt)
    if flag == nxt["repeat"] or day_locked(nxt["day"]):
        return
    rollups.apply(nxt, {**nxt, "repeat": flag})
    EventFact.objects.filter(pk=next_id).update(repeat=flag)


def rollup_event_written(*, event: Event, action: str = "", **_: Any) -> None:
    """Bring the event's fact and the rollups up to date; called inside the transaction
    that changed the event, so both commit or roll back with it. Events reported on a
    locked day keep the fact they had when the period was locked."""
    new = fact_values(event, Lookups())
    current = EventFact.objects.filter(pk=event.pk).values(*FACT_FIELDS).first()
    if day_locked(current["day"] if current else new["day"]):
        return
    place = ("region_path", "category", "day")
    moved = current is None or any(current[k] != new[k] for k in place)
    new["repeat"] = repeat_of(event.pk, new) if current is None or moved else current["repeat"]
    if current == new:
        return
    rollups.apply(current, new)
    # The event's row is locked by the transaction that changed it: the fact read above
    # is the one to replace (no savepoint and second read as update_or_create would do).
    if current is None:
        EventFact.objects.create(event_id=event.pk, **new)
    else:
        EventFact.objects.filter(pk=event.pk).update(**new)
    if moved:
        # The next report at the old place now follows another event, and the next at
        # the new place follows this one.
        if current is not None:
            _refresh_next_repeat(event.pk, current)
        _refresh_next_repeat(event.pk, new)


def on_event_written(sender: Any, **kwargs: Any) -> None:
    rollup_event_written(**kwargs)
