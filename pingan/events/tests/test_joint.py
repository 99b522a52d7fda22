"""Joint handling (组团跨界处置, issue 17): the lead's 办结反馈 waits for every assisting
department's 协办反馈; each assisting department signs and reports on its own; the centre
may do without one with a reason; nothing stays open on a settled event."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from pingan.core.errors import Conflict, Invalid
from pingan.core.models import AuditEntry
from pingan.events.choices import AssignmentRole, AssignmentStatus, Status
from pingan.events.models import Assignment, Event
from pingan.events.services import allowed_actions, event_transition
from pingan.sla.tests.helpers import act, at, dispatched

MON = at(2026, 3, 2, 9)  # 邻里纠纷: handle by Mon 03-09 17:30 (5 working days)


def joint(cast, when=MON):
    """Dispatched to the police (lead) with the market supervisors assisting; the police
    have signed, so the event is in handling."""
    e = dispatched(cast, when, assisting=[cast.market])
    return act(cast.handler, e, "acknowledge", when)


def actions(user, event) -> dict[str, str]:
    fresh = Event.objects.get(pk=event.pk)
    return {r.action: r.display_label for r in allowed_actions(user, fresh)}


def status_of(event, department) -> str:
    return Assignment.objects.get(event=event, department=department).status


def page(client, user, event) -> str:
    client.force_login(user)
    r = client.get(reverse("event_detail", args=[event.pk]))
    assert r.status_code == 200
    return r.content.decode()


def test_the_lead_result_waits_for_the_assisting_feedback(cast, client):
    e = joint(cast)
    e = act(
        cast.handler,
        e,
        "resolve",
        at(2026, 3, 3, 10),
        result="已调解，双方和解",
        resolution="resolved",
    )
    # The lead's part is done; the event is still in handling, waiting for the market.
    assert e.status == Status.IN_PROGRESS
    assert e.resolved_at is None and e.closed_on_time is None
    assert status_of(e, cast.police) == AssignmentStatus.RESOLVED
    assert status_of(e, cast.market) == AssignmentStatus.DISPATCHED
    row = e.timeline.get(action="resolve")
    assert row.data["waiting_for_names"] == ["县市场监管局"]
    html = page(client, cast.dispatcher, e)
    waiting = re.search(r'data-testid="waiting-assist">(.*?)</p>', html)
    assert waiting and "等待协办反馈" in waiting.group(1)
    assert "县市场监管局（待签收）" in waiting.group(1)
    # No verification yet: the grid worker has nothing to verify.
    assert "verify" not in actions(cast.gridworker, e)

    # The market signs, then reports: the event moves to verification by itself.
    assert actions(cast.handler_market, e).get("acknowledge") == "签收"
    e = act(cast.handler_market, e, "acknowledge", at(2026, 3, 3, 11))
    assert actions(cast.handler_market, e).get("resolve") == "协办反馈"
    e = act(cast.handler_market, e, "resolve", at(2026, 3, 4, 9), result="已核查商户证照")
    assert e.status == Status.RESOLVED
    assert e.resolved_at == at(2026, 3, 4, 9)
    assert e.closed_on_time is True
    last = e.timeline.order_by("-id").first()
    assert (last.from_status, last.to_status) == (Status.IN_PROGRESS, Status.RESOLVED)
    assert last.data["lead_result"] == "已调解，双方和解"
    assert not e.assignments.filter(status__in=["dispatched", "acknowledged"]).exists()
    assert "verify" in actions(cast.gridworker, e)


def test_without_assisting_departments_the_lead_result_moves_the_event_at_once(cast):
    e = dispatched(cast, MON)
    act(cast.handler, e, "acknowledge", MON)
    e = act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    assert e.status == Status.RESOLVED and e.closed_on_time is True


def test_the_assisting_department_sees_sign_and_its_own_feedback_label(cast, client):
    e = dispatched(cast, MON, assisting=[cast.market])
    # Before anyone signs, and after the lead signed, and after the lead reported.
    assert actions(cast.handler_market, e).get("acknowledge") == "签收"
    e = act(cast.handler, e, "acknowledge", MON)
    html = page(client, cast.handler_market, e)
    assert 'data-action="acknowledge"' in html
    e = act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    html = page(client, cast.handler_market, e)
    assert 'data-action="acknowledge"' in html
    # An assisting department neither asks for more time nor reports before signing.
    got = actions(cast.handler_market, e)
    assert "extend" not in got and "resolve" not in got
    with pytest.raises(Conflict):
        event_transition(
            actor=cast.handler_market, event_id=e.pk, action="resolve", payload={"result": "x"}
        )
    e = act(cast.handler_market, e, "acknowledge", MON)
    html = page(client, cast.handler_market, e)
    assert re.search(r'data-action="resolve"[^>]*>协办反馈</a>', html, re.S)
    client.force_login(cast.handler_market)
    form = client.get(reverse("event_action", args=[e.pk, "resolve"])).content.decode()
    assert "<h3>协办反馈</h3>" in form and "确认协办反馈" in form
    act(cast.handler_market, e, "resolve", MON, result="已核查商户证照")
    html = page(client, cast.dispatcher, e)
    labels = re.findall(
        r'data-action="resolve">\s*<div class="ev-step-head">\s*<time>[^<]*</time>\s*'
        r'<strong class="ev-step-label">([^<]*)</strong>',
        html,
    )
    # A dispute: the lead's row names the outcome it gave (issue 18).
    assert labels == ["办结反馈 · 已解决（化解）", "协办反馈"]


def test_the_assisting_department_may_report_before_the_lead(cast):
    e = joint(cast)
    act(cast.handler_market, e, "acknowledge", MON)
    e = act(cast.handler_market, e, "resolve", MON, result="已协助")
    assert e.status == Status.IN_PROGRESS
    e = act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    assert e.status == Status.RESOLVED
    assert not e.timeline.get(action="resolve", department=cast.police).data.get("waiting_for")


def test_the_centre_waives_a_missing_feedback_with_a_reason(cast):
    e = joint(cast)
    e = act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    assert actions(cast.dispatcher, e).get("waive_assist") == "免除协办反馈"
    before = (Event.objects.get(pk=e.pk).status, e.timeline.count())
    with pytest.raises(Invalid) as err:
        act(cast.dispatcher, e, "waive_assist", MON, department=cast.market.pk)
    assert "note" in err.value.fields
    with pytest.raises(Invalid) as err:
        act(cast.dispatcher, e, "waive_assist", MON, department=cast.housing.pk, note="无需")
    assert "department" in err.value.fields
    assert (Event.objects.get(pk=e.pk).status, e.timeline.count()) == before
    assert status_of(e, cast.market) == AssignmentStatus.DISPATCHED

    e = act(
        cast.dispatcher,
        e,
        "waive_assist",
        at(2026, 3, 10, 9),
        department=cast.market.pk,
        note="市场监管局未反馈，主办结果已足以核查",
    )
    assert e.status == Status.RESOLVED
    assert status_of(e, cast.market) == AssignmentStatus.CANCELLED
    row = e.timeline.get(action="waive_assist")
    assert row.note == "市场监管局未反馈，主办结果已足以核查"
    assert row.department_id == cast.market.pk and row.to_status == Status.RESOLVED
    # The result came in (by the waiver) after the handling deadline.
    assert e.closed_on_time is False
    assert AuditEntry.objects.filter(action="event.waive_assist", object_id=str(e.pk)).exists()


def test_waiving_one_of_two_assisting_departments_keeps_waiting_for_the_other(cast):
    e = dispatched(cast, MON, assisting=[cast.market, cast.housing])
    act(cast.handler, e, "acknowledge", MON)
    e = act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    e = act(cast.dispatcher, e, "waive_assist", MON, department=cast.market.pk, note="无需")
    assert e.status == Status.IN_PROGRESS
    assert status_of(e, cast.housing) == AssignmentStatus.DISPATCHED
    e = act(cast.dispatcher, e, "waive_assist", MON, department=cast.housing.pk, note="无需")
    assert e.status == Status.RESOLVED


def test_the_last_assisting_department_returning_moves_the_event(cast):
    e = joint(cast)
    e = act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    e = act(cast.handler_market, e, "return", MON, note="不属本部门职责")
    assert e.status == Status.RESOLVED
    assert status_of(e, cast.market) == AssignmentStatus.RETURNED


def test_on_time_means_the_whole_result_came_in_by_the_deadline(cast):
    e = joint(cast)
    e = act(cast.handler, e, "resolve", at(2026, 3, 3, 9), result="已调解", resolution="resolved")
    act(cast.handler_market, e, "acknowledge", at(2026, 3, 3, 9))
    # The handling deadline was Mon 03-09 17:30; the market reports on Tuesday.
    e = act(cast.handler_market, e, "resolve", at(2026, 3, 10, 9), result="已协助")
    assert e.status == Status.RESOLVED and e.closed_on_time is False


def test_no_assignment_stays_open_on_a_closed_event(cast):
    e = dispatched(cast, MON)
    act(cast.handler, e, "acknowledge", MON)
    e = act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    # An assisting part added while the event waits for verification.
    Assignment.objects.create(
        event=e, department=cast.market, role=AssignmentRole.ASSIST, dispatched_at=MON
    )
    e = act(cast.gridworker, e, "verify", MON, passed=True)
    assert e.status == Status.CLOSED
    assert status_of(e, cast.market) == AssignmentStatus.CANCELLED


def test_the_migration_closes_assignments_left_open_on_settled_events(cast):
    e = joint(cast)
    Event.objects.filter(pk=e.pk).update(status=Status.CLOSED)
    open_one = dispatched(cast, MON, assisting=[cast.market])
    migration = importlib.import_module("pingan.events.migrations.0012_joint_clock_verify")
    migration.cancel_open_assignments_on_settled_events(apps, None)
    assert set(e.assignments.values_list("status", flat=True)) == {AssignmentStatus.CANCELLED}
    assert status_of(open_one, cast.market) == AssignmentStatus.DISPATCHED


def test_the_lead_returning_cancels_every_part(cast):
    e = joint(cast)
    e = act(cast.handler, e, "return", MON, note="不属本部门")
    assert e.status == Status.ACCEPTED
    assert not e.assignments.filter(status__in=["dispatched", "acknowledged"]).exists()


def test_the_centre_waives_through_the_page(cast, client):
    e = joint(cast)
    act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    client.force_login(cast.dispatcher)
    url = reverse("event_action", args=[e.pk, "waive_assist"])
    form = client.get(url).content.decode()
    assert "<h3>免除协办反馈</h3>" in form
    assert f'<option value="{cast.market.pk}"' in form and "免除理由 *" in form
    r = client.post(url, {"department": str(cast.market.pk), "note": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    assert Event.objects.get(pk=e.pk).status == Status.IN_PROGRESS
    r = client.post(url, {"department": str(cast.market.pk), "note": "协办部门已撤场，无需反馈"})
    assert r.status_code == 302
    assert Event.objects.get(pk=e.pk).status == Status.RESOLVED
