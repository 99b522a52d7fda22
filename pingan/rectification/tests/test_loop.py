"""The rectification order's loop on the case engine: 下发 → 签收 → 反馈 → 复查 → 销号, the
failed re-check and its deduction, who sees what, and what is refused with nothing
written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pingan.core.audit import AuditEntry
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.rectification.models import Deduction, OrderTransition
from pingan.rectification.permissions import access_order, orders_in_scope
from pingan.rectification.services import orders_publish
from pingan.rectification.tests.factories import (
    acknowledged,
    fire,
    inspector,
    new_order,
    photo,
    submitted,
    today,
)

pytestmark = pytest.mark.django_db


def test_the_full_loop_issue_acknowledge_submit_recheck_close(cast):
    o = new_order(cast)
    assert o.code.startswith(f"ZG-330424-{today():%Y}-")
    assert o.status == "issued" and o.published
    o = fire(o, cast.dispatcher, "acknowledge")
    assert o.acknowledged_at is not None
    ev = photo(o, cast.dispatcher)
    assert ev.content_type == "image/png" and ev.round == 0
    o = fire(o, cast.dispatcher, "submit", result="已清理")
    assert (o.status, o.result) == ("submitted", "已清理")
    o = fire(o, inspector(cast), "recheck", passed=True, note="现场核实已整改")
    assert o.status == "passed"
    o = fire(o, cast.county_dispatcher, "close_out")
    o.refresh_from_db()
    assert o.status == "closed" and o.closed_at is not None
    actions = list(OrderTransition.objects.filter(order=o).values_list("action", flat=True))
    assert actions == ["issue", "acknowledge", "evidence", "submit", "recheck", "close_out"]
    audited = set(
        AuditEntry.objects.filter(object_type="rectification", object_id=str(o.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"rectification.issue", "rectification.submit", "rectification.close_out"} <= audited
    assert not Deduction.objects.filter(order=o).exists()


def test_a_failed_recheck_sends_it_back_with_a_new_deadline_and_a_deduction(cast):
    o = submitted(cast, new_order(cast))
    new = today() + dt.timedelta(days=5)
    with pytest.raises(Invalid) as err:  # a new deadline is required when not passed
        fire(o, cast.county_dispatcher, "recheck", passed=False, note="仍有杂物")
    assert "deadline" in err.value.fields
    o = fire(
        o,
        cast.county_dispatcher,
        "recheck",
        passed=False,
        note="仍有杂物",
        deadline=new.isoformat(),
    )
    o.refresh_from_db()
    assert (o.status, o.failed_rechecks, o.deadline) == ("rectifying", 1, new)
    d = Deduction.objects.get(order=o)
    assert (d.source_kind, d.points, d.unit_region_id) == (
        "failed_recheck",
        Decimal("0.50"),
        cast.town_a.pk,
    )
    # The next submission needs evidence of its own round.
    with pytest.raises(Invalid) as err:
        fire(o, cast.dispatcher, "submit", result="再次清理")
    assert "evidence" in err.value.fields
    photo(o, cast.dispatcher)
    o = fire(o, cast.dispatcher, "submit", result="再次清理")
    assert o.status == "submitted"


def test_submit_refuses_a_missing_result_or_evidence_with_nothing_written(cast):
    o = acknowledged(cast, new_order(cast))
    rows = OrderTransition.objects.filter(order=o).count()
    with pytest.raises(Invalid) as err:
        fire(o, cast.dispatcher, "submit")
    assert "result" in err.value.fields
    with pytest.raises(Invalid) as err:
        fire(o, cast.dispatcher, "submit", result="已清理")
    assert "evidence" in err.value.fields
    o.refresh_from_db()
    assert o.status == "rectifying"
    assert OrderTransition.objects.filter(order=o).count() == rows
    # An order without an evidence requirement needs only the result.
    plain = acknowledged(cast, new_order(cast, evidence_required=""))
    assert fire(plain, cast.dispatcher, "submit", result="已清理").status == "submitted"


def test_evidence_must_be_a_photo_or_a_pdf_from_the_owner_unit(cast):
    o = acknowledged(cast, new_order(cast))
    from pingan.rectification.services import evidence_add

    with pytest.raises(Invalid):
        evidence_add(actor=cast.dispatcher, order_id=o.pk, upload=b"=cmd|' /C calc'!A0")
    pdf = evidence_add(
        actor=cast.dispatcher, order_id=o.pk, upload=b"%PDF-1.4\n%%EOF", name="a.pdf"
    )
    assert pdf.content_type == "application/pdf"
    with pytest.raises(Forbidden):  # the office sees it but is not the unit
        evidence_add(actor=cast.county_dispatcher, order_id=o.pk, upload=b"%PDF-1.4\n")
    with pytest.raises(NotFound):  # town B does not see it
        evidence_add(actor=cast.dispatcher_b, order_id=o.pk, upload=b"%PDF-1.4\n")


def test_scope_unit_b_404_leader_reads_inspector_sees_what_they_watch(cast):
    o = new_order(cast)
    dept = new_order(cast, unit="police")
    other = inspector(cast, "insp2")
    assert set(orders_in_scope(cast.dispatcher).values_list("pk", flat=True)) == {o.pk}
    assert set(orders_in_scope(cast.handler).values_list("pk", flat=True)) == {dept.pk}
    assert set(orders_in_scope(cast.leader).values_list("pk", flat=True)) == {o.pk, dept.pk}
    assert set(orders_in_scope(inspector(cast)).values_list("pk", flat=True)) == {o.pk, dept.pk}
    for who in (cast.dispatcher_b, cast.handler_market, other, cast.gridworker, cast.leader_b):
        with pytest.raises(NotFound):
            access_order(who, o.pk)
    with pytest.raises(NotFound):
        fire(o, cast.dispatcher_b, "acknowledge")
    with pytest.raises(Forbidden):  # the leader reads but does not act
        fire(o, cast.leader, "acknowledge")
    with pytest.raises(Forbidden):  # the town's dispatcher may not close out
        fire(o, cast.dispatcher, "cancel", note="x")


def test_an_unpublished_order_is_invisible_to_the_unit_until_published(cast):
    o = new_order(cast, published=False, source_kind="inspection", source_id=77)
    assert not orders_in_scope(cast.dispatcher).filter(pk=o.pk).exists()
    assert not orders_in_scope(cast.leader).filter(pk=o.pk).exists()
    assert orders_in_scope(cast.county_dispatcher).filter(pk=o.pk).exists()
    assert orders_in_scope(inspector(cast)).filter(pk=o.pk).exists()
    with pytest.raises(NotFound):
        fire(o, cast.dispatcher, "acknowledge")
    with pytest.raises(Forbidden):
        orders_publish(actor=cast.dispatcher, source_kind="inspection", source_id=77)
    assert orders_publish(actor=cast.county_dispatcher, source_kind="inspection", source_id=77) == 1
    assert orders_publish(actor=cast.county_dispatcher, source_kind="inspection", source_id=77) == 0
    assert orders_in_scope(cast.dispatcher).filter(pk=o.pk).exists()
    assert fire(o, cast.dispatcher, "acknowledge").status == "rectifying"


def test_issue_validates_before_writing_and_only_the_office_or_an_inspector_issues(cast):
    from pingan.rectification.models import RectificationOrder

    with pytest.raises(Invalid) as err:
        new_order(cast, unit_department_id=cast.police.pk)  # two units
    assert "unit" in err.value.fields
    with pytest.raises(Invalid) as err:
        new_order(cast, unit="village_a")
    assert "unit_region" in err.value.fields
    with pytest.raises(Invalid) as err:
        new_order(cast, deadline=today() - dt.timedelta(days=1))
    assert "deadline" in err.value.fields
    with pytest.raises(Invalid) as err:
        new_order(cast, deduction_points=Decimal("0"))
    assert "deduction_points" in err.value.fields
    with pytest.raises(Forbidden):
        new_order(cast, actor=cast.dispatcher)
    assert not RectificationOrder.objects.exists()
    by_inspector = new_order(cast, actor=inspector(cast, "insp3"), watchers=())
    assert list(by_inspector.watchers.values_list("username", flat=True)) == ["insp3"]


def test_extend_and_cancel_by_the_office_only(cast):
    o = acknowledged(cast, new_order(cast))
    later = o.deadline + dt.timedelta(days=7)
    with pytest.raises(Invalid):
        fire(o, cast.county_dispatcher, "extend", deadline=o.deadline.isoformat(), note="x")
    o = fire(o, cast.county_dispatcher, "extend", deadline=later.isoformat(), note="雨季施工")
    assert o.deadline == later
    with pytest.raises(Forbidden):
        fire(o, cast.dispatcher, "extend", deadline=later.isoformat(), note="x")
    o = fire(o, cast.county_dispatcher, "cancel", note="重复下发")
    assert o.status == "cancelled"
    with pytest.raises(Conflict):
        fire(o, cast.county_dispatcher, "cancel", note="again")
