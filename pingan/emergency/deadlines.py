"""The emergency sweep (docs/emergency.md, "Deadlines"): a group whose lead has not
acknowledged by `ack_due_at` is escalated (签收超时), a task not done by its `due_at` is
marked overdue (任务超期). Each mark is a conditional UPDATE that succeeds for one caller
only, so any number of sweepers may run at once; the winner writes the activation's
timeline row (no actor) and tells the commander, whoever activated and the duty officers
(`emergency.notify`). Natural time throughout: an emergency runs day and night.

The sla app's sweeper runs `emergency_sweep` through its hook list (`sla.services.SWEEPS`,
filled by this app's `ready`): sla sits below emergency and never imports it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from pingan.core.batches import id_batches
from pingan.emergency import notify
from pingan.emergency.models import ActivationGroup, ActivationTask, ActivationTransition
from pingan.emergency.workflow import OPEN

BATCH = 500


def unacked_candidates(now: dt.datetime) -> QuerySet[ActivationGroup]:
    """Groups of running activations past their acknowledgement deadline, not yet
    acknowledged nor escalated (index `emergency_group_unacked`)."""
    return ActivationGroup.objects.filter(
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
        ack_due_at__lt=now,
        activation__status__in=OPEN,
    )


def overdue_task_candidates(now: dt.datetime) -> QuerySet[ActivationTask]:
    """Open tasks of running activations past their deadline, not yet marked."""
    return ActivationTask.objects.filter(
        done_at__isnull=True,
        overdue_at__isnull=True,
        due_at__lt=now,
        group__activation__status__in=OPEN,
    )


def _row(activation_id: int, status: str, action: str, data: dict[str, object], now: dt.datetime):  # type: ignore[no-untyped-def]
    return ActivationTransition.objects.create(
        activation_id=activation_id,
        action=action,
        from_status=status,
        to_status=status,
        actor=None,
        actor_role="system",
        data=data,
        at=now,
    )


def group_escalate(*, group_id: int, now: dt.datetime) -> bool:
    """Mark one group 签收超时; True only for the caller whose UPDATE changed the row."""
    with transaction.atomic():
        changed = ActivationGroup.objects.filter(
            pk=group_id,
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
            ack_due_at__lt=now,
        ).update(escalated_at=now)
        if not changed:
            return False
        group = ActivationGroup.objects.select_related(
            "activation__plan",
            "activation__event",
            "activation__region",
            "activation__commander",
            "activation__created_by",
        ).get(pk=group_id)
        a = group.activation
        row = _row(
            a.pk,
            a.status,
            "ack_overdue",
            {
                "group": group.pk,
                "group_name": group.name,
                "ack_due_at": group.ack_due_at.isoformat(),
            },
            now,
        )
        notify.ack_overdue(group, row)
    return True


def task_mark_overdue(*, task_id: int, now: dt.datetime) -> bool:
    """Mark one task 任务超期; True only for the caller whose UPDATE changed the row."""
    with transaction.atomic():
        changed = ActivationTask.objects.filter(
            pk=task_id, done_at__isnull=True, overdue_at__isnull=True, due_at__lt=now
        ).update(overdue_at=now)
        if not changed:
            return False
        task = ActivationTask.objects.select_related(
            "group__activation__plan",
            "group__activation__event",
            "group__activation__region",
            "group__activation__commander",
            "group__activation__created_by",
        ).get(pk=task_id)
        a = task.group.activation
        row = _row(
            a.pk,
            a.status,
            "task_overdue",
            {"task": task.pk, "title": task.title, "group": task.group_id},
            now,
        )
        notify.task_overdue(task, row)
    return True


def emergency_sweep(now: dt.datetime) -> dict[str, int]:
    """Escalate every group past its acknowledgement deadline and mark every task past
    its deadline, each exactly once; returns the counts {"escalated", "overdue"}."""
    counts = {"escalated": 0, "overdue": 0}
    for ids in id_batches(unacked_candidates(now), BATCH):
        for pk in ids:
            counts["escalated"] += group_escalate(group_id=pk, now=now)
    for ids in id_batches(overdue_task_candidates(now), BATCH):
        for pk in ids:
            counts["overdue"] += task_mark_overdue(task_id=pk, now=now)
    return counts


def install() -> None:
    """Register the sweep on the sla app's sweeper (the app's `ready`)."""
    from pingan.sla import services as sla

    sla.SWEEPS["emergency"] = emergency_sweep
