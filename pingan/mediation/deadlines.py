"""The mediation case's deadline light and its sweep (docs/mediation.md, "Deadlines and
notifications").

A case's term runs from 受理 (`accept`) to its end (调解成功、调解不成、撤回); the kind
sets `deadline_state` when the clock starts (正常), moves (延期: as it stands then) or
stops (cleared), through `clock_state`. The sweeper marks a running case 临期 once past
`warn_at` and 超期 once past `due_at`, each with a conditional UPDATE that succeeds for
one caller only (as `events.services.event_mark_deadline` does for events), so any
number of sweepers may run at once; each mark writes a system timeline row, and the
超期 one tells the case's mediators (`mediation.notify`).

The sla app's sweeper runs `mediation_sweep` through its hook list (`sla.services.SWEEPS`,
filled by this app's `ready`): sla sits below mediation and never imports it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet

from pingan.cases.table import CLOCK_MOVE, CLOCK_START, CLOCK_STOP, Transition
from pingan.core.batches import id_batches
from pingan.events.choices import DeadlineState
from pingan.mediation import notify
from pingan.mediation.choices import Status
from pingan.mediation.models import MediationCase, MediationTransition

# The states whose clock runs (the open ones after acceptance).
CLOCKED = (Status.ACCEPTED, Status.MEDIATING)
BATCH = 500


def state_at(case: MediationCase, now: dt.datetime) -> str:
    """正常 / 临期 / 超期 for a case whose clock runs at `now`, else ""."""
    if case.status not in CLOCKED or case.due_at is None:
        return ""
    if now > case.due_at:
        return DeadlineState.OVERDUE
    if case.warn_at is not None and now >= case.warn_at:
        return DeadlineState.WARNING
    return DeadlineState.NORMAL


def clock_state(case: MediationCase, row: Transition, now: dt.datetime) -> None:
    """The light after a transition that moves the clock (the kind's `apply_clock`):
    started green, moved to what the new deadline says, cleared when it stops."""
    if row.clock == CLOCK_START:
        case.deadline_state = DeadlineState.NORMAL
    elif row.clock == CLOCK_MOVE:
        case.deadline_state = state_at(case, now) or DeadlineState.NORMAL
    elif row.clock == CLOCK_STOP:
        case.deadline_state = ""


def overdue_candidates(now: dt.datetime) -> QuerySet[MediationCase]:
    """Running cases past their deadline and not yet red (index `mediation_open_due`)."""
    return MediationCase.objects.filter(status__in=CLOCKED, due_at__lt=now).exclude(
        deadline_state=DeadlineState.OVERDUE
    )


def warning_candidates(now: dt.datetime) -> QuerySet[MediationCase]:
    """Running cases past their warning moment and still green (`mediation_open_warn`)."""
    return MediationCase.objects.filter(
        status__in=CLOCKED,
        warn_at__lte=now,
        deadline_state__in=[DeadlineState.NORMAL, ""],
    )


def mediation_mark_deadline(*, case_id: int, state: str, now: dt.datetime) -> bool:
    """Mark a running case 临期 or 超期. True only for the caller whose conditional UPDATE
    changed the row; that caller writes the timeline row (action `warning` / `overdue`,
    no actor) and, for 超期, tells the case's mediators."""
    if state == DeadlineState.OVERDUE:
        allowed_from = [DeadlineState.NORMAL, DeadlineState.WARNING, ""]
        moment = Q(due_at__lt=now)
    elif state == DeadlineState.WARNING:
        allowed_from = [DeadlineState.NORMAL, ""]
        moment = Q(warn_at__lte=now)
    else:
        raise ValueError(state)
    with transaction.atomic():
        changed = (
            MediationCase.objects.filter(
                moment, pk=case_id, status__in=CLOCKED, deadline_state__in=allowed_from
            )
            # A queryset update: `updated_at` (auto_now) is not touched, as for events.
            .update(deadline_state=state)
        )
        if not changed:
            return False
        case = MediationCase.objects.select_related("committee", "mediator").get(pk=case_id)
        row = MediationTransition.objects.create(
            case=case,
            action="overdue" if state == DeadlineState.OVERDUE else "warning",
            from_status=case.status,
            to_status=case.status,
            actor=None,
            actor_role="system",
            data={
                "due_at": case.due_at.isoformat() if case.due_at else None,
                "warn_at": case.warn_at.isoformat() if case.warn_at else None,
            },
            at=now,
        )
        if state == DeadlineState.OVERDUE:
            notify.overdue(case, row)
    return True


def mediation_sweep(now: dt.datetime) -> dict[str, int]:
    """Mark every running case past its deadline (超期) or its warning moment (临期)
    exactly once, red first (a case past its deadline is never marked yellow on the
    way); returns the counts {"warned", "overdue"}."""
    counts = {"warned": 0, "overdue": 0}
    for ids in id_batches(overdue_candidates(now), BATCH):
        for case_id in ids:
            if mediation_mark_deadline(case_id=case_id, state=DeadlineState.OVERDUE, now=now):
                counts["overdue"] += 1
    for ids in id_batches(warning_candidates(now), BATCH):
        for case_id in ids:
            if mediation_mark_deadline(case_id=case_id, state=DeadlineState.WARNING, now=now):
                counts["warned"] += 1
    return counts


def install() -> None:
    """Register the sweep on the sla app's sweeper (the app's `ready`)."""
    from pingan.sla import services as sla

    sla.SWEEPS["mediation"] = mediation_sweep
