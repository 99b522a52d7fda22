"""受理并派遣 in one step, 改派 and 协办 changes after dispatch, and 会商 in two steps."""

from __future__ import annotations

import pytest
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.core.errors import Conflict, Invalid
from pingan.events.choices import AssignmentRole, AssignmentStatus, Status
from pingan.events.models import Assignment, Consultation, ConsultationStatus, Event
from pingan.events.services import allowed_actions
from pingan.events.workflow import fresh_deadlines
from pingan.notifications.models import Notification
from pingan.sla.tests.helpers import act, at, report

# A Monday in June 2026 (a working day), 10:00 local time.
MON = at(2026, 6, 1, 10)


def _dispatched(cast, *, assisting=()):
    e = report(cast, MON)
    return act(
        cast.dispatcher,
        e,
        "accept_dispatch",
        MON,
        lead_department=cast.police.pk,
        assisting_departments=[d.pk for d in assisting],
    )


def _active(e):
    return {
        (a.department_id, a.role)
        for a in Assignment.objects.filter(event=e, status__in=["dispatched", "acknowledged"])
    }


def _told(e, action):
    return set(
        Notification.objects.filter(event_id=e.pk, kind=action).values_list(
            "recipient__username", flat=True
        )
    )


def test_accept_dispatch_accepts_and_dispatches_in_one_step(
    cast, django_capture_on_commit_callbacks
):
    e = report(cast, MON)
    with django_capture_on_commit_callbacks(execute=True):
        e = act(
            cast.dispatcher,
            e,
            "accept_dispatch",
            MON,
            lead_department=cast.police.pk,
            assisting_departments=[cast.market.pk],
            note="一步派遣",
        )
    assert e.status == Status.DISPATCHED
    assert e.accepted_at == MON and e.dispatched_at == MON
    assert e.ack_due_at is not None and e.due_at is not None
    assert (e.ack_due_at, e.due_at) == fresh_deadlines(e, MON)
    assert _active(e) == {
        (cast.police.pk, AssignmentRole.LEAD),
        (cast.market.pk, AssignmentRole.ASSIST),
    }
    row = e.timeline.order_by("-id").first()
    assert (row.action, row.from_status, row.to_status) == (
        "accept_dispatch",
        "reported",
        "dispatched",
    )
    # Both departments are told of the new assignment.
    assert _told(e, "accept_dispatch") == {"h-police", "h-market"}


def test_accept_dispatch_is_offered_to_the_centre_only_while_reported(cast):
    e = report(cast, MON)
    assert "accept_dispatch" in {r.action for r in allowed_actions(cast.dispatcher, e)}
    assert "accept_dispatch" not in {r.action for r in allowed_actions(cast.handler, e)}
    e = act(cast.dispatcher, e, "accept", MON)
    assert "accept_dispatch" not in {r.action for r in allowed_actions(cast.dispatcher, e)}


def test_reassign_moves_the_lead_with_fresh_deadlines(cast, django_capture_on_commit_callbacks):
    e = _dispatched(cast, assisting=[cast.market])
    e = act(cast.handler, e, "acknowledge", MON)
    assert e.status == Status.IN_PROGRESS
    later = at(2026, 6, 2, 15)
    with django_capture_on_commit_callbacks(execute=True):
        e = act(
            cast.dispatcher, e, "reassign", later, lead_department=cast.housing.pk, note="职能不符"
        )
    assert e.status == Status.DISPATCHED
    assert e.lead_department_id == cast.housing.pk
    assert (e.ack_due_at, e.due_at) == fresh_deadlines(e, later)
    old = Assignment.objects.get(event=e, department=cast.police)
    assert old.status == AssignmentStatus.CANCELLED
    new = Assignment.objects.get(event=e, department=cast.housing, status="dispatched")
    assert new.role == AssignmentRole.LEAD and new.due_at == e.due_at
    # The assisting department carries on.
    assert (cast.market.pk, AssignmentRole.ASSIST) in _active(e)
    assert _told(e, "reassign") >= {"h-police", "h-housing"}
    # The new lead must acknowledge before the event is in progress again.
    e = act(cast.handler_housing, e, "acknowledge", later)
    assert e.status == Status.IN_PROGRESS


def test_reassign_to_an_assisting_department_promotes_it(cast):
    e = _dispatched(cast, assisting=[cast.market])
    e = act(
        cast.dispatcher, e, "reassign", MON, lead_department=cast.market.pk, note="改由市监主办"
    )
    assert _active(e) == {(cast.market.pk, AssignmentRole.LEAD)}


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({"lead_department": 999999, "note": "改派"}, "lead_department", "部门不存在或已停用"),
        ({"lead_department": "police", "note": "改派"}, "lead_department", "部门编号应为整数"),
        (
            {"lead_department": "SAME", "note": "改派"},
            "lead_department",
            "新主办部门与原主办部门相同",
        ),
        ({"lead_department": "HOUSING"}, "note", "请填写说明"),
    ],
)
def test_reassign_refuses_bad_input_and_changes_nothing(cast, payload, field, reason):
    e = _dispatched(cast)
    ids = {"SAME": cast.police.pk, "HOUSING": cast.housing.pk}
    payload = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    before = (_active(e), e.timeline.count(), Event.objects.get(pk=e.pk).due_at)
    with pytest.raises(Invalid) as err:
        act(cast.dispatcher, e, "reassign", MON, **payload)
    assert err.value.fields == {field: reason}
    assert (_active(e), e.timeline.count(), Event.objects.get(pk=e.pk).due_at) == before


def test_add_and_remove_assisting_departments(cast, django_capture_on_commit_callbacks):
    e = _dispatched(cast)
    with django_capture_on_commit_callbacks(execute=True):
        e = act(cast.dispatcher, e, "add_assist", MON, department=cast.market.pk, note="协助核实")
    assert (cast.market.pk, AssignmentRole.ASSIST) in _active(e)
    added = Assignment.objects.get(event=e, department=cast.market, status="dispatched")
    assert added.due_at == e.due_at and added.ack_due_at is not None
    assert _told(e, "add_assist") == {"h-market"}
    # The added department now sees and acknowledges its part.
    act(cast.handler_market, e, "acknowledge", MON)

    with django_capture_on_commit_callbacks(execute=True):
        e = act(
            cast.dispatcher, e, "remove_assist", MON, department=cast.market.pk, note="无需协办"
        )
    assert _active(e) == {(cast.police.pk, AssignmentRole.LEAD)}
    assert Assignment.objects.get(event=e, department=cast.market).status == "cancelled"
    assert _told(e, "remove_assist") == {"h-market"}
    assert e.status == Status.DISPATCHED


@pytest.mark.parametrize(
    ("action", "dept", "reason"),
    [
        ("add_assist", "police", "协办部门不能与主办部门相同"),
        ("add_assist", "market", "该部门已在协办本事件"),
        ("add_assist", None, "部门不存在或已停用"),
        ("remove_assist", "housing", "该部门不是本事件的在办协办部门"),
        ("remove_assist", "police", "该部门不是本事件的在办协办部门"),
    ],
)
def test_assist_changes_refuse_bad_input_and_change_nothing(cast, action, dept, reason):
    e = _dispatched(cast, assisting=[cast.market])
    pk = getattr(cast, dept).pk if dept else 424242
    before = (_active(e), e.timeline.count())
    with pytest.raises(Invalid) as err:
        act(cast.dispatcher, e, action, MON, department=pk, note="调整")
    assert err.value.fields == {"department": reason}
    assert (_active(e), e.timeline.count()) == before


def test_api_answers_422_with_the_field_and_the_chinese_reason(cast):
    e = _dispatched(cast)
    client = Client()
    headers = {"Authorization": f"Bearer {token_issue(user=cast.dispatcher)}"}
    r = client.post(
        f"/api/v1/events/{e.pk}/transitions",
        {"action": "add_assist", "department": cast.police.pk, "note": "协办"},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"department": "协办部门不能与主办部门相同"}
    r = client.post(
        f"/api/v1/events/{e.pk}/transitions",
        {"action": "reassign", "lead_department": cast.housing.pk, "note": "职能不符"},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "dispatched"


def test_handlers_cannot_reassign(cast):
    e = _dispatched(cast)
    assert "reassign" not in {r.action for r in allowed_actions(cast.handler, e)}
    assert {"reassign", "add_assist"} <= {r.action for r in allowed_actions(cast.dispatcher, e)}
    # Nothing to remove yet.
    assert "remove_assist" not in {r.action for r in allowed_actions(cast.dispatcher, e)}


# ---- 会商 -------------------------------------------------------------------------------


def test_consultation_in_two_steps(cast, django_capture_on_commit_callbacks):
    e = act(cast.dispatcher, report(cast, MON), "accept", MON)
    with django_capture_on_commit_callbacks(execute=True):
        act(
            cast.leader,
            e,
            "consult",
            MON,
            invited_departments=[cast.police.pk, cast.market.pk],
            topic="楼道堆物责任归属",
            scheduled_at="2026-06-02T09:30",
        )
    c = Consultation.objects.get(event=e)
    assert c.status == ConsultationStatus.INVITED
    assert set(c.invited_departments.values_list("pk", flat=True)) == {
        cast.police.pk,
        cast.market.pk,
    }
    assert c.scheduled_at == at(2026, 6, 2, 9, 30)
    # The invited departments' handlers are told, though they hold no assignment.
    assert _told(e, "consult") == {"h-police", "h-market"}
    assert "conclude_consult" in {r.action for r in allowed_actions(cast.dispatcher, e)}

    act(
        cast.dispatcher,
        e,
        "conclude_consult",
        MON,
        participants=["县公安局", "县市场监管局"],
        conclusion="由市监局主办，公安协办",
        suggested_lead=cast.market.pk,
        suggested_assisting=[cast.police.pk],
    )
    c.refresh_from_db()
    assert c.status == ConsultationStatus.CONCLUDED
    assert c.participants == "县公安局、县市场监管局"
    assert c.suggested_lead_id == cast.market.pk
    assert list(c.suggested_assisting.values_list("pk", flat=True)) == [cast.police.pk]
    assert "conclude_consult" not in {r.action for r in allowed_actions(cast.dispatcher, e)}
    with pytest.raises(Conflict):
        act(cast.dispatcher, e, "conclude_consult", MON, participants="各方", conclusion="再议")


def test_consultation_refuses_bad_input(cast):
    e = act(cast.dispatcher, report(cast, MON), "accept", MON)
    with pytest.raises(Invalid) as err:
        act(cast.leader, e, "consult", MON, invited_departments=[424242], topic="议题")
    assert err.value.fields == {"invited_departments": "部门不存在或已停用"}
    with pytest.raises(Invalid) as err:
        act(cast.leader, e, "consult", MON, invited_departments=[cast.police.pk])
    assert err.value.fields == {"topic": "请填写会商议题"}
    with pytest.raises(Invalid) as err:
        act(
            cast.leader,
            e,
            "consult",
            MON,
            invited_departments=[cast.police.pk],
            topic="议题",
            scheduled_at="明天上午",
        )
    assert set(err.value.fields) == {"scheduled_at"}
    assert not Consultation.objects.filter(event=e).exists()


def test_the_one_step_consultation_payload_still_works(cast):
    e = act(cast.dispatcher, report(cast, MON), "accept", MON)
    act(cast.dispatcher, e, "consult", MON, participants=["派出所", "社区"], conclusion="先调解")
    c = Consultation.objects.get(event=e)
    assert c.status == ConsultationStatus.CONCLUDED
    assert (c.participants, c.conclusion) == ("派出所、社区", "先调解")
