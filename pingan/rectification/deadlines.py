"""The overdue sweep (docs/rectification.md, "Overdue"): a published order still owed by
its unit (issued or being rectified) whose deadline (a local date) has passed is marked
overdue (整改超期) once, and its owner unit loses the order's `deduction_points` (a
Deduction "overdue_order" carrying the missed deadline, unique per order and deadline).
The mark is a conditional UPDATE that succeeds for one caller only, so sweepers may run
at once; the unique constraint makes the deduction idempotent besides.

The sla app's sweeper runs `rectification_sweep` through its hook list
(`sla.services.SWEEPS`, filled by this app's `ready`): sla never imports this app.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pingan.core.batches import id_batches
from pingan.rectification.choices import DeductionSource
from pingan.rectification.deductions import deduct_for_order
from pingan.rectification.models import Deduction, OrderTransition, RectificationOrder
from pingan.rectification.workflow import OWING

BATCH = 500


def overdue_candidates(now: dt.datetime) -> QuerySet[RectificationOrder]:
    """Published orders owed by their unit, past their deadline, not yet marked (index
    `rectification_open_deadline`)."""
    return RectificationOrder.objects.filter(
        status__in=OWING,
        overdue=False,
        published=True,
        deadline__lt=timezone.localdate(now),
    )


def order_mark_overdue(*, order_id: int, now: dt.datetime) -> bool:
    """Mark one order overdue and deduct; True only for the caller whose UPDATE changed
    the row (and only once per order and deadline)."""
    today = timezone.localdate(now)
    with transaction.atomic():
        changed = RectificationOrder.objects.filter(
            pk=order_id, status__in=OWING, overdue=False, published=True, deadline__lt=today
        ).update(overdue=True, overdue_at=now)
        if not changed:
            return False
        order = RectificationOrder.objects.get(pk=order_id)
        already = Deduction.objects.filter(
            order=order,
            source_kind=DeductionSource.OVERDUE_ORDER,
            order_deadline=order.deadline,
        ).first()
        deduction = already or deduct_for_order(
            order,
            source_kind=DeductionSource.OVERDUE_ORDER,
            reason=gettext("整改通知%(code)s超过整改期限%(deadline)s未反馈")
            % {"code": order.code, "deadline": order.deadline.isoformat()},
            on=today,
            user=None,
            now=now,
        )
        OrderTransition.objects.create(
            order=order,
            action="overdue",
            from_status=order.status,
            to_status=order.status,
            actor=None,
            actor_role="system",
            data={
                "deadline": order.deadline.isoformat(),
                "deduction": deduction.pk,
                "points": str(deduction.points),
            },
            at=now,
        )
    return True


def rectification_sweep(now: dt.datetime) -> dict[str, int]:
    """Mark every overdue order exactly once; returns {"overdue": n}."""
    count = 0
    for ids in id_batches(overdue_candidates(now), BATCH):
        for pk in ids:
            count += order_mark_overdue(order_id=pk, now=now)
    return {"overdue": count}


def install() -> None:
    """Register the sweep on the sla app's sweeper (the app's `ready`)."""
    from pingan.sla import services as sla

    sla.SWEEPS["rectification"] = rectification_sweep
