"""Reading rectification orders and deductions.

`order_list` and `order_state_counts` are scoped by the actor; `deductions_between` and
`order_counts` are system reads for the assessment (the caller scopes), as
/tmp contracts name them: unpublished (暗访) orders and their deductions count only once
published; cancelled deductions never count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from pingan.access.actor import Actor, as_actor
from pingan.rectification.choices import DeductionSource, Status
from pingan.rectification.models import Deduction, RectificationOrder
from pingan.rectification.permissions import orders_in_scope

__all__ = [
    "deduction_totals",
    "deductions_between",
    "deductions_in_scope",
    "order_counts",
    "order_list",
    "order_state_counts",
]


def order_list(
    actor: Actor | Any,
    *,
    status: str = "",
    unit_region_id: int | None = None,
    unit_department_id: int | None = None,
    overdue: bool | None = None,
    campaign_id: int | None = None,
    source_kind: str = "",
    source_id: int | None = None,
) -> QuerySet[RectificationOrder]:
    """The orders the actor may see, filtered; newest first."""
    qs = orders_in_scope(as_actor(actor)).select_related(
        "region", "unit_region", "unit_department", "campaign"
    )
    if status:
        qs = qs.filter(status=status)
    if unit_region_id is not None:
        qs = qs.filter(unit_region_id=unit_region_id)
    if unit_department_id is not None:
        qs = qs.filter(unit_department_id=unit_department_id)
    if overdue is not None:
        qs = qs.filter(overdue=overdue)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if source_kind:
        qs = qs.filter(source_kind=source_kind)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    return qs.order_by("-issued_at", "-id")


def order_state_counts(qs: QuerySet[RectificationOrder]) -> dict[str, int]:
    """How many of `qs` are in each state (every state named, zeros included)."""
    rows = dict(
        qs.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {value: rows.get(value, 0) for value in Status.values}


def _published() -> Q:
    return Q(order__isnull=True) | Q(order__published=True)


def deductions_between(
    *, date_from: dt.date, date_to: dt.date, published_only: bool = True
) -> QuerySet[Deduction]:
    """The deductions dated from `date_from` to `date_to` (inclusive), not cancelled; with
    `published_only`, those of unpublished orders left out. No scope: the caller scopes."""
    qs = Deduction.objects.filter(on__gte=date_from, on__lte=date_to, cancelled=False)
    if published_only:
        qs = qs.filter(_published())
    return qs.select_related("unit_region", "unit_department", "order")


def _unit_q(prefix: str, unit_region_id: int | None, unit_department_id: int | None) -> Q:
    q = Q()
    if unit_region_id is not None:
        q &= Q(**{f"{prefix}unit_region_id": unit_region_id})
    if unit_department_id is not None:
        q &= Q(**{f"{prefix}unit_department_id": unit_department_id})
    return q


def order_counts(
    *,
    unit_region_id: int | None = None,
    unit_department_id: int | None = None,
    date_from: dt.date,
    date_to: dt.date,
) -> dict[str, int]:
    """For one unit (or every unit when neither id is given), over published orders:
    `issued` (issued in the period), `closed` (销号 in the period), `overdue` (overdue
    marks in the period, i.e. overdue deductions not cancelled) and `failed_rechecks`
    (failed re-checks in the period, likewise). Dates are local dates, inclusive."""
    unit = _unit_q("", unit_region_id, unit_department_id)
    orders = RectificationOrder.objects.filter(unit, published=True)
    issued = orders.filter(issued_at__date__gte=date_from, issued_at__date__lte=date_to).count()
    closed = orders.filter(
        status=Status.CLOSED, closed_at__date__gte=date_from, closed_at__date__lte=date_to
    ).count()
    marks = dict(
        deductions_between(date_from=date_from, date_to=date_to)
        .filter(unit, order__isnull=False)
        .filter(source_kind__in=[DeductionSource.OVERDUE_ORDER, DeductionSource.FAILED_RECHECK])
        .order_by()
        .values_list("source_kind")
        .annotate(n=Count("id"))
        .values_list("source_kind", "n")
    )
    return {
        "issued": issued,
        "closed": closed,
        "overdue": marks.get(DeductionSource.OVERDUE_ORDER, 0),
        "failed_rechecks": marks.get(DeductionSource.FAILED_RECHECK, 0),
    }


def deduction_totals(qs: QuerySet[Deduction]) -> list[dict[str, Any]]:
    """Per unit: the unit's ids and name, the number of deductions and their points
    (largest total first)."""
    rows = (
        qs.order_by()
        .values(
            "unit_region_id", "unit_region__name", "unit_department_id", "unit_department__name"
        )
        .annotate(n=Count("id"), points=Sum("points"))
    )
    out = [
        {
            "unit_region_id": r["unit_region_id"],
            "unit_department_id": r["unit_department_id"],
            "unit_name": r["unit_region__name"] or r["unit_department__name"] or "",
            "count": r["n"],
            "points": Decimal(r["points"] or 0).quantize(Decimal("0.01")),
        }
        for r in rows
    ]
    out.sort(key=lambda r: (-r["points"], r["unit_name"]))
    return out


def deductions_in_scope(actor: Actor | Any) -> QuerySet[Deduction]:
    """The deductions the actor may read: the office and leaders those of the units in
    their regions (towns within, departments of regions within), a town's dispatchers
    their town's, a department's handlers their department's, an inspector those they
    made or of the orders they watch. Deductions of unpublished orders: the office and
    inspectors only."""
    from pingan.geo.scope import within_q
    from pingan.org.choices import Role
    from pingan.rectification.permissions import is_office, office_paths

    actor = as_actor(actor)
    if actor.user is None:
        return Deduction.objects.none()
    office = office_paths(actor)
    q_all = within_q("unit_region__path", office) | within_q(
        "unit_department__region__path", office
    )
    leaders = actor.paths((Role.LEADER,))
    q_pub = within_q("unit_region__path", leaders) | within_q(
        "unit_department__region__path", leaders
    )
    towns = [
        m.region_id
        for m in actor.holding((Role.DISPATCHER,))
        if m.region_id is not None and not is_office(m)
    ]
    if towns:
        q_pub |= Q(unit_region_id__in=towns)
    departments = actor.department_ids()
    if departments:
        q_pub |= Q(unit_department_id__in=sorted(departments))
    if Role.INSPECTOR in actor.roles:
        watched = RectificationOrder.watchers.through.objects.filter(user_id=actor.user.pk)
        q_all |= Q(created_by_id=actor.user.pk) | Q(
            order_id__in=watched.values("rectificationorder_id")
        )
    return Deduction.objects.filter(q_all | (q_pub & _published())).select_related(
        "unit_region", "unit_department", "order"
    )
