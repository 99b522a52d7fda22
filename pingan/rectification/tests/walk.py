"""The rectification order's part of the permission walk (pingan/cases/tests/test_walk.py):
one user per role, one order in each state a row starts from, "nothing changed". The
orders belong to the police (the walk's handler answers for them) and are watched by the
walk's inspector."""

from __future__ import annotations

from typing import Any

from pingan.events.tests import walk as event_walk
from pingan.org.choices import Role
from pingan.rectification.models import Deduction, Evidence, OrderTransition, RectificationOrder
from pingan.rectification.tests.factories import (
    acknowledged,
    inspector,
    new_order,
    passed,
    submitted,
)


def people(cast: Any) -> dict[str, Any]:
    """The event's people; the dispatcher is the county's (the office); an inspector."""
    out = event_walk.people(cast)
    out[Role.DISPATCHER] = cast.county_dispatcher
    out[Role.INSPECTOR] = inspector(cast)
    return out


def build(cast: Any) -> dict[str, RectificationOrder]:
    def order() -> RectificationOrder:
        return new_order(cast, unit="police")

    return {
        "issued": order(),
        "rectifying": acknowledged(cast, order()),
        "submitted": submitted(cast, order()),
        "passed": passed(cast, order()),
    }


_PREFERENCE = ["rectifying", "submitted", "passed", "issued"]


def case_for(row: Any, built: dict[str, RectificationOrder]) -> RectificationOrder:
    for state in _PREFERENCE:
        if state in row.sources:
            return built[state]
    raise AssertionError(f"no order built for {row.action}")


def payload_for(row: Any) -> dict[str, Any]:
    if row.action == "recheck":
        return {"passed": row.variant == "passed"}
    return {}


def snapshot(order: RectificationOrder) -> tuple[Any, ...]:
    fresh = RectificationOrder.objects.get(pk=order.pk)
    return (
        fresh.status,
        fresh.deadline,
        fresh.failed_rechecks,
        OrderTransition.objects.filter(order=order).count(),
        Evidence.objects.filter(order=order).count(),
        Deduction.objects.filter(order=order).count(),
    )
