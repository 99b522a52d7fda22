"""The deadline sweeper: marks clocked events yellow (warning) and red (overdue),
escalates overdue events whose category says so, and reminds grid workers of
long-term tracking re-checks that have come due.

Marks go through `events.services.event_mark_deadline`, a conditional UPDATE that
succeeds for one caller only, so any number of sweepers may run at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db.models import Q, QuerySet

from pingan.core import clock
from pingan.core.batches import id_batches
from pingan.events.choices import DeadlineState, Status
from pingan.events.models import CLOCKED_STATUSES, Event
from pingan.events.partitions import key_q
from pingan.events.services import event_auto_escalate, event_mark_deadline
from pingan.notifications.services import tracking_reminders
from pingan.sla.models import SweepRun

log = logging.getLogger(__name__)

BATCH = 500

# The sweeps of apps above sla (their deadlines on their own cases), registered by each
# app at start-up (mediation: `mediation.deadlines.install`), since sla never imports
# them. Each is called with the sweep's moment after the events' marks and returns its
# counts ({"warned": n, "overdue": n}), which are logged, not added to the events' run.
SWEEPS: dict[str, Callable[[dt.datetime], dict[str, int]]] = {}


def overdue_candidates(now: dt.datetime) -> list[QuerySet[Event]]:
    """Clocked events past a deadline and not yet red: one query per partial index
    (handling deadline over dispatched / in progress; acknowledge deadline over
    dispatched)."""
    not_red = ~Q(deadline_state=DeadlineState.OVERDUE)
    return [
        Event.objects.filter(not_red, status__in=CLOCKED_STATUSES, due_at__lt=now),
        Event.objects.filter(not_red, status=Status.DISPATCHED, ack_due_at__lt=now),
    ]


def warning_candidates(now: dt.datetime) -> QuerySet[Event]:
    """Clocked events past their warning moment and still green."""
    return Event.objects.filter(
        status__in=CLOCKED_STATUSES,
        deadline_state__in=[DeadlineState.NORMAL, ""],
        warn_at__lte=now,
    )


def _escalates(event_id: int) -> bool:
    return Event.objects.filter(key_q(pk=event_id), category__escalate_on_overdue=True).exists()


def sweep(now: dt.datetime | None = None) -> SweepRun:
    """Mark every clocked event that has passed its deadline (red) or its warning moment
    (yellow) exactly once, escalate the newly red ones whose category asks for it, remind
    the assignees of due tracking re-checks; returns the run's record. `now` defaults to
    clock.now(); when given, the whole sweep happens at that moment."""
    if now is None:
        return _sweep(clock.now())
    with clock.frozen(now):
        return _sweep(now)


def _sweep(now: dt.datetime) -> SweepRun:
    run = SweepRun.objects.create(started_at=now)
    # Red first: an event past its deadline is never marked yellow on the way.
    for qs in overdue_candidates(now):
        for ids in id_batches(qs, BATCH):
            for event_id in ids:
                if not event_mark_deadline(event_id=event_id, state=DeadlineState.OVERDUE, now=now):
                    continue
                run.overdue += 1
                if _escalates(event_id) and event_auto_escalate(event_id=event_id):
                    run.escalated += 1
    for ids in id_batches(warning_candidates(now), BATCH):
        for event_id in ids:
            if event_mark_deadline(event_id=event_id, state=DeadlineState.WARNING, now=now):
                run.warned += 1
    run.reminded = tracking_reminders(now=now)
    for name, extra in SWEEPS.items():
        counts = extra(now)
        if any(counts.values()):
            log.info("sweep %s: %s", name, counts)
    run.finished_at = clock.now()
    run.save(update_fields=["warned", "overdue", "escalated", "reminded", "finished_at"])
    if run.warned or run.overdue or run.escalated or run.reminded:
        log.info(
            "sweep: %s warned, %s overdue, %s escalated, %s reminded",
            run.warned,
            run.overdue,
            run.escalated,
            run.reminded,
        )
    return run
