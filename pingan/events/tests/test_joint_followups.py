"""Joint handling, the follow-ups: whichever row completes the result (the lead's 办结反馈,
or the last assisting part reporting, returning, waived or removed after it) tells the
verifiers and shows the citizen the same step; removing the last assisting part moves the
event like waiving it; a 更正回访 is no second 回访 for the citizen."""

from __future__ import annotations

import pytest

from pingan.citizen.selectors import progress
from pingan.citizen.services import citizen_report_submit
from pingan.core import clock
from pingan.core.errors import Invalid
from pingan.events.choices import AssignmentStatus, Status
from pingan.events.models import Assignment, Event
from pingan.events.services import event_report, event_transition
from pingan.intake.services import integration_setup
from pingan.notifications.models import Notification
from pingan.open311.selectors import requests_by_ids
from pingan.open311.tests.test_open311 import _submit, key  # noqa: F401 (fixture)
from pingan.sla.tests.helpers import at

MON = at(2026, 3, 2, 9)
LEAD_REPLY = "已调解，双方达成和解；如有疑问请拨打13912345678。"
LEAD_REPLY_MASKED = "已调解，双方达成和解；如有疑问请拨打139****5678。"


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """A transition with its on-commit callbacks run (the notifications listen there)."""

    def run(user, event, action, when=MON, **payload):
        with clock.frozen(when), django_capture_on_commit_callbacks(execute=True):
            return event_transition(actor=user, event_id=event.pk, action=action, payload=payload)

    return run


def told(event, kind) -> set[str]:
    return set(
        Notification.objects.filter(event=event, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def waiting(cast, act, event, *, assisting, reply=""):
    """Dispatched by town A's centre to the police (lead) with `assisting`; the police
    signed and reported (while the assisting departments are still open, if any)."""
    act(cast.dispatcher, event, "accept")
    act(
        cast.dispatcher,
        event,
        "dispatch",
        lead_department=cast.police.pk,
        assisting_departments=[d.pk for d in assisting],
    )
    act(cast.handler, event, "acknowledge")
    extra = {"public_reply": reply} if reply else {}
    e = act(
        cast.handler,
        event,
        "resolve",
        at(2026, 3, 3, 10),
        result="已调解",
        **extra,
        resolution="resolved",
    )
    assert e.status == (Status.IN_PROGRESS if assisting else Status.RESOLVED)
    return e


def reported(cast, act):
    with clock.frozen(MON):
        e, _ = event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description="城东小区3幢楼道堆放杂物，邻居争吵",
            lat=cast.point_a1[0],
            lng=cast.point_a1[1],
        )
    return e


def finish_market(cast, act, e, how):
    """The market supervisors' part ends `how`; returns the event and the row's action."""
    when = at(2026, 3, 4, 9)
    if how == "resolve":
        act(cast.handler_market, e, "acknowledge", when)
        return act(cast.handler_market, e, "resolve", when, result="已核查证照"), "resolve"
    if how == "return":
        return act(cast.handler_market, e, "return", when, note="不属本部门职责"), "return"
    note = "无需协办"
    return act(cast.dispatcher, e, how, when, department=cast.market.pk, note=note), how


# ---- 1. the verifiers are told ---------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "variant", "expected"),
    [
        ("resolve", "assist_last", {"gw", "disp-a"}),
        ("return", "assist_last", {"gw", "disp-a"}),
        ("waive_assist", "last", {"gw"}),  # the centre did it: not told of its own act
        ("remove_assist", "last", {"gw", "h-market"}),
    ],
)
def test_the_last_assisting_part_tells_the_verifiers(cast, act, how, variant, expected):
    e = waiting(cast, act, reported(cast, act), assisting=[cast.market])
    # The lead's result waits: no one is asked to verify yet.
    assert told(e, "resolve") == set()
    e, action = finish_market(cast, act, e, how)
    assert e.status == Status.RESOLVED
    row = e.timeline.order_by("-id").first()
    assert (row.action, row.to_status) == (action, Status.RESOLVED)
    assert told(e, action) == expected
    n = Notification.objects.get(event=e, kind=action, recipient=cast.gridworker)
    assert n.title == f"事件已办结反馈，待核查：{e.code} {e.title}"


def test_an_assisting_return_before_the_lead_result_tells_no_verifier(cast, act):
    e = reported(cast, act)
    act(cast.dispatcher, e, "accept")
    act(
        cast.dispatcher,
        e,
        "dispatch",
        lead_department=cast.police.pk,
        assisting_departments=[cast.market.pk],
    )
    act(cast.handler_market, e, "return", note="不属本部门职责")
    assert told(e, "return") == {"disp-a"}
    n = Notification.objects.get(event=e, kind="return")
    assert n.title.startswith("事件被退回：")


# ---- 2. removing the last assisting part ------------------------------------------------


def test_removing_the_last_assisting_part_moves_the_event_to_verification(cast, act):
    e = waiting(cast, act, reported(cast, act), assisting=[cast.market, cast.housing])
    # One of two removed: the event still waits for the other.
    e = act(cast.dispatcher, e, "remove_assist", department=cast.housing.pk, note="不涉及")
    assert e.status == Status.IN_PROGRESS and e.resolved_at is None
    # A bad department changes nothing.
    with pytest.raises(Invalid) as err:
        act(cast.dispatcher, e, "remove_assist", department=cast.police.pk, note="x")
    assert "department" in err.value.fields
    assert Event.objects.get(pk=e.pk).status == Status.IN_PROGRESS
    # The last one removed: the lead's result stands, the event goes to 待核查.
    when = at(2026, 3, 4, 9)
    e = act(cast.dispatcher, e, "remove_assist", when, department=cast.market.pk, note="不涉及")
    assert e.status == Status.RESOLVED
    assert e.resolved_at == when and e.closed_on_time is True
    row = e.timeline.order_by("-id").first()
    assert row.data["lead_result"] == "已调解"
    assert not Assignment.objects.filter(
        event=e, status__in=[AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED]
    ).exists()
    e = act(cast.gridworker, e, "verify", passed=True)
    assert e.status == Status.CLOSED


def test_removing_an_assisting_part_before_the_lead_result_keeps_the_event_in_handling(cast, act):
    e = reported(cast, act)
    act(cast.dispatcher, e, "accept")
    act(
        cast.dispatcher,
        e,
        "dispatch",
        lead_department=cast.police.pk,
        assisting_departments=[cast.market.pk],
    )
    act(cast.handler, e, "acknowledge")
    e = act(cast.dispatcher, e, "remove_assist", department=cast.market.pk, note="不涉及")
    assert e.status == Status.IN_PROGRESS and e.resolved_at is None
    assert told(e, "remove_assist") == {"h-market"}
    # The lead's own result then moves the event at once.
    e = act(cast.handler, e, "resolve", result="已调解", resolution="resolved")
    assert e.status == Status.RESOLVED


# ---- 3. what the citizen sees -------------------------------------------------------------


def citizen_event(cast):
    integration_setup(channel="citizen", region=cast.county)
    with clock.frozen(MON):
        report = citizen_report_submit(
            actor=None,
            phone="13800001111",
            description="楼道堆放杂物",
            category=cast.neighbour.pk,
            lat=cast.point_a1[0],
            lng=cast.point_a1[1],
        )
    return report


def steps(report) -> list[tuple[str, str]]:
    report.refresh_from_db()
    return [(s["label"], s["reply"]) for s in progress(report)]


@pytest.mark.parametrize("how", ["resolve", "return", "waive_assist", "remove_assist"])
def test_the_citizen_sees_one_result_step_with_the_lead_reply(cast, act, how):
    report = citizen_event(cast)
    e = Event.objects.get(pk=report.event_id)
    e = waiting(cast, act, e, assisting=[cast.market], reply=LEAD_REPLY)
    # Waiting for the market: nothing new for the citizen yet.
    assert [label for label, _ in steps(report)][-1] == "部门已签收，正在处置"
    e, _ = finish_market(cast, act, e, how)
    assert e.status == Status.RESOLVED
    assert steps(report)[-1] == ("部门已反馈处置结果", LEAD_REPLY_MASKED)
    labels = [label for label, _ in steps(report)]
    assert labels.count("部门已反馈处置结果") == 1
    assert "13912345678" not in str(steps(report))


def test_a_corrected_follow_up_is_no_second_follow_up_for_the_citizen(cast, act):
    report = citizen_event(cast)
    e = Event.objects.get(pk=report.event_id)
    e = waiting(cast, act, e, assisting=[], reply=LEAD_REPLY)
    assert e.status == Status.RESOLVED  # nothing to wait for
    act(cast.gridworker, e, "verify", at(2026, 3, 4, 9), passed=True)
    act(cast.dispatcher, e, "follow_up", at(2026, 3, 4, 10), satisfaction="dissatisfied")
    before = steps(report)
    assert [label for label, _ in before][-2:] == ["已核查", "已回访"]
    when = at(2026, 3, 4, 11)
    act(cast.dispatcher, e, "follow_up", when, satisfaction="satisfied", note="录入有误")
    assert Event.objects.get(pk=e.pk).satisfaction == "satisfied"
    assert steps(report) == before


def test_open311_status_notes_keep_the_lead_reply_through_joint_handling(cast, act, key):  # noqa: F811
    rid = _submit(key, cast, MON)
    e = Event.objects.get(code=rid)
    u = cast.county_dispatcher
    act(u, e, "accept")
    act(u, e, "dispatch", lead_department=cast.police.pk, assisting_departments=[cast.market.pk])
    act(cast.handler, e, "acknowledge")
    act(cast.handler, e, "resolve", result="已调解", public_reply=LEAD_REPLY, resolution="resolved")

    def notes() -> str:
        (row,) = requests_by_ids([rid])
        return getattr(row, "public_reply", None) or ""

    assert notes() == LEAD_REPLY_MASKED
    e = act(u, e, "waive_assist", department=cast.market.pk, note="无需协办")
    assert e.status == Status.RESOLVED
    assert notes() == LEAD_REPLY_MASKED
    act(u, e, "verify", passed=True)
    act(u, e, "follow_up", satisfaction="dissatisfied")
    act(u, e, "follow_up", satisfaction="satisfied", note="录入有误")
    assert notes() == LEAD_REPLY_MASKED
