"""Overdue sweep (once per order and deadline, with its deduction), deductions added and
cancelled, and the figures the assessment reads (`deductions_between`, `order_counts`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, Invalid
from pingan.rectification.deadlines import rectification_sweep
from pingan.rectification.models import Deduction, OrderTransition
from pingan.rectification.selectors import deductions_between, order_counts
from pingan.rectification.services import deduction_add, deduction_cancel
from pingan.rectification.tests.factories import (
    acknowledged,
    fire,
    inspector,
    new_order,
    passed,
    today,
)
from pingan.sla import services as sla

pytestmark = pytest.mark.django_db


def test_the_sweep_is_registered_on_the_sla_sweeper():
    assert sla.SWEEPS["rectification"] is rectification_sweep


def test_an_overdue_order_is_marked_once_with_one_deduction(cast):
    o = acknowledged(cast, new_order(cast, days=2))
    on_time = new_order(cast, days=9)
    hidden = new_order(cast, days=2, published=False)
    later = clock.now() + dt.timedelta(days=3)
    assert rectification_sweep(later) == {"overdue": 1}
    assert rectification_sweep(later + dt.timedelta(hours=5)) == {"overdue": 0}
    o.refresh_from_db()
    assert o.overdue and o.overdue_at == later
    d = Deduction.objects.get(order=o)
    assert (d.source_kind, d.points, d.order_deadline) == (
        "overdue_order",
        Decimal("0.50"),
        o.deadline,
    )
    assert not Deduction.objects.filter(order__in=[on_time, hidden]).exists()
    assert OrderTransition.objects.filter(order=o, action="overdue").count() == 1


def test_after_an_extension_a_new_deadline_can_be_missed_again(cast):
    o = acknowledged(cast, new_order(cast, days=1))
    later = clock.now() + dt.timedelta(days=2)
    rectification_sweep(later)
    with clock.frozen(later):
        new = today() + dt.timedelta(days=3)
        fire(o, cast.county_dispatcher, "extend", deadline=new.isoformat(), note="延期")
    o.refresh_from_db()
    assert not o.overdue
    assert rectification_sweep(later + dt.timedelta(days=1)) == {"overdue": 0}
    assert rectification_sweep(later + dt.timedelta(days=5)) == {"overdue": 1}
    assert Deduction.objects.filter(order=o, source_kind="overdue_order").count() == 2


def test_deduction_add_and_cancel(cast):
    d = deduction_add(
        actor=inspector(cast),
        unit_region_id=cast.town_b.pk,
        unit_department_id=None,
        points=Decimal("2"),
        reason="暗访发现综治中心无人值守",
        source_kind="inspection",
        source_id=5,
        source_label="2026年第四季度暗访",
        on=today(),
    )
    assert d.points == Decimal("2.00")
    with pytest.raises(Invalid):
        deduction_add(
            actor=cast.county_dispatcher,
            unit_region_id=None,
            unit_department_id=cast.police.pk,
            points=Decimal("-1"),
            reason="x",
            source_kind="other",
            source_id=None,
            source_label="",
            on=today(),
        )
    with pytest.raises(Forbidden):
        deduction_add(
            actor=cast.dispatcher,
            unit_region_id=cast.town_b.pk,
            unit_department_id=None,
            points=Decimal("1"),
            reason="x",
            source_kind="other",
            source_id=None,
            source_label="",
            on=today(),
        )
    assert list(deductions_between(date_from=today(), date_to=today())) == [d]
    with pytest.raises(Forbidden):
        deduction_cancel(actor=inspector(cast), deduction_id=d.pk, reason="申诉成立")
    deduction_cancel(actor=cast.county_dispatcher, deduction_id=d.pk, reason="申诉成立")
    with pytest.raises(Conflict):
        deduction_cancel(actor=cast.county_dispatcher, deduction_id=d.pk, reason="again")
    assert not deductions_between(date_from=today(), date_to=today()).exists()


def test_order_counts_per_unit_and_period(cast):
    a1 = passed(cast, new_order(cast))
    fire(a1, cast.county_dispatcher, "close_out")
    a2 = acknowledged(cast, new_order(cast, days=1))
    new_order(cast, unit="town_b")
    new_order(cast, published=False)  # not counted until published
    later = clock.now() + dt.timedelta(days=3)
    rectification_sweep(later)
    period = {"date_from": today(), "date_to": today() + dt.timedelta(days=3)}
    assert order_counts(unit_region_id=cast.town_a.pk, **period) == {
        "issued": 2,
        "closed": 1,
        "overdue": 1,
        "failed_rechecks": 0,
    }
    assert order_counts(**period)["issued"] == 3
    assert order_counts(unit_region_id=cast.town_b.pk, **period)["overdue"] == 0
    before = {"date_from": today() - dt.timedelta(days=30), "date_to": today() - dt.timedelta(1)}
    assert order_counts(unit_region_id=cast.town_a.pk, **before)["issued"] == 0
    assert Deduction.objects.filter(order=a2).count() == 1
