"""`manage.py rollup rebuild`: the facts, repeat flags and every rollup table recounted
from the events, in one transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from pingan.analytics import rollups
from pingan.analytics.facts import facts_from_events, repeats_from_facts
from pingan.analytics.facts_sql import facts_from_events_sql
from pingan.analytics.models import EventFact, PeriodLock


def rollup_rebuild(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    batch: int = 5000,
    sql: bool = False,
) -> dict[str, int]:
    """Recompute the facts of the unlocked days in [date_from, date_to] (all days when
    open) from the events, and the rollups from the facts. One transaction. The
    PINGAN_REPEAT_DAYS days after date_to are recounted too: whether their events are
    repeat reports depends on the events of the range. `sql`: derive the facts in one
    INSERT … SELECT (PostgreSQL; the same figures, far faster for millions of events)."""
    if date_to is not None:
        date_to += dt.timedelta(days=settings.PINGAN_REPEAT_DAYS)
    facts = EventFact.objects.exclude(
        Exists(
            PeriodLock.objects.filter(date_from__lte=OuterRef("day"), date_to__gte=OuterRef("day"))
        )
    )
    if date_from:
        facts = facts.filter(day__gte=date_from)
    if date_to:
        facts = facts.filter(day__lte=date_to)
    with transaction.atomic():
        facts.delete()
        if sql and connection.vendor == "postgresql":
            written = facts_from_events_sql(date_from=date_from, date_to=date_to)
        else:
            written = facts_from_events(date_from=date_from, date_to=date_to, batch=batch)
        repeats_from_facts(date_from=date_from, date_to=date_to)
        rows = rollups.rebuild(date_from=date_from, date_to=date_to)
    return {"facts": written, "rollups": rows[rollups.DAILY]}


def rollup_events_added(*, event_ids: list[int]) -> int:
    """The facts of events written in bulk without the workflow (the importer): derived
    here, inside the caller's transaction; their repeat flags and the rollups follow with
    `rollup_days_recount` over the days they fall on. Events on locked days get none."""
    return facts_from_events(event_ids=event_ids)


def rollup_days_recount(*, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """The repeat flags of the facts and every rollup row recounted for the unlocked days
    from date_from to date_to and the PINGAN_REPEAT_DAYS after (whose repeat flags depend
    on them), from the facts as they stand. One transaction; the cost is that of the
    facts of those days, not of the whole history."""
    last = date_to + dt.timedelta(days=settings.PINGAN_REPEAT_DAYS)
    with transaction.atomic():
        repeats_from_facts(date_from=date_from, date_to=last)
        rows = rollups.rebuild(date_from=date_from, date_to=last)
    return {"rollups": rows[rollups.DAILY]}
