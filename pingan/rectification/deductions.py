"""Writing a deduction row (扣分), for the services, the workflow and the overdue sweep; the
checks of who may deduct live in `services.deduction_add`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pingan.rectification.choices import DeductionSource
from pingan.rectification.models import Deduction, RectificationOrder


def order_label(order: RectificationOrder) -> str:
    return f"{order.code} {order.title}"[:200]


def deduct_for_order(
    order: RectificationOrder,
    *,
    source_kind: str,
    reason: str,
    on: dt.date,
    user: Any,
    now: dt.datetime,
) -> Deduction:
    """The order's owner unit loses the order's `deduction_points` (overdue or failed
    re-check); the overdue deduction carries the deadline it missed (unique per order)."""
    return Deduction.objects.create(
        unit_region_id=order.unit_region_id,
        unit_department_id=order.unit_department_id,
        points=Decimal(order.deduction_points),
        reason=reason[:500],
        source_kind=source_kind,
        source_id=order.pk,
        source_label=order_label(order),
        order=order,
        order_deadline=order.deadline if source_kind == DeductionSource.OVERDUE_ORDER else None,
        on=on,
        created_by=user,
        created_at=now,
    )
