"""The major matter's loop on the case engine: register → assess → grade → decide → track
→ close, who may do what, and what is refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core import clock
from pingan.core.audit import AuditEntry
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.risk.models import MajorMatter, MatterTransition, RiskMeasure
from pingan.risk.permissions import matters_in_scope
from pingan.risk.selectors import matter_list
from pingan.risk.tests.factories import assessed, decided, fire, measured, new_matter, today

pytestmark = pytest.mark.django_db


def test_the_full_loop_with_a_third_party_assessment_and_a_measure_done_on_time(cast):
    d = cast.county_dispatcher
    m = new_matter(cast)
    assert m.code.startswith("WP-330424-")
    m = fire(m, d, "start")
    m = fire(
        m,
        cast.handler,  # the owner department records a step
        "record_step",
        step_kind="third_party",
        held_on=today().isoformat(),
        body="浙江某社会风险评估中心",
        summary="评估报告认为风险可控",
    )
    m = fire(m, d, "grade", grade="medium", reasons="补偿标准存在争议")
    measure_id = measured(cast, m, department=cast.market)
    m = fire(m, cast.leader, "decide", decision="conditional", note="落实措施后实施")
    m = fire(m, d, "start_tracking")
    # The market handler now sees the matter (a measure of theirs) and marks it done.
    assert matters_in_scope(cast.handler_market).filter(pk=m.pk).exists()
    m = fire(m, cast.handler_market, "measure_done", measure_id=measure_id, note="已完成入户")
    m = fire(m, cast.handler, "track_note", note="施工队进场，群众情绪平稳")
    m = fire(m, d, "close")

    m.refresh_from_db()
    assert (m.status, m.grade, m.decision) == ("closed", "medium", "conditional")
    assert m.graded_at and m.decided_at and m.closed_at
    done = RiskMeasure.objects.get(pk=measure_id)
    assert done.on_time is True and done.done_at is not None
    actions = list(MatterTransition.objects.filter(matter=m).values_list("action", flat=True))
    assert actions == [
        "register",
        "start",
        "record_step",
        "grade",
        "add_measure",
        "decide",
        "start_tracking",
        "measure_done",
        "track_note",
        "close",
    ]
    audited = set(
        AuditEntry.objects.filter(object_type="risk", object_id=str(m.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"risk.register", "risk.grade", "risk.decide", "risk.close"} <= audited


def test_a_measure_done_after_its_deadline_is_late(cast):
    m = assessed(cast, new_matter(cast))
    measure_id = measured(cast, m, days=1)
    decided(cast, m)
    later = clock.now() + dt.timedelta(days=3)
    with clock.frozen(later):
        fire(m, cast.handler, "measure_done", measure_id=measure_id)
    assert RiskMeasure.objects.get(pk=measure_id).on_time is False


def test_grading_needs_a_recorded_step_and_nothing_is_written(cast):
    d = cast.county_dispatcher
    m = fire(new_matter(cast), d, "start")
    with pytest.raises(Conflict):
        fire(m, d, "grade", grade="high", reasons="x")
    m.refresh_from_db()
    assert (m.status, m.grade) == ("assessing", "")
    assert MatterTransition.objects.filter(matter=m).count() == 2


def test_a_third_party_step_names_its_body(cast):
    m = fire(new_matter(cast), cast.county_dispatcher, "start")
    with pytest.raises(Invalid) as e:
        fire(
            m,
            cast.county_dispatcher,
            "record_step",
            step_kind="third_party",
            held_on=today().isoformat(),
            summary="报告",
        )
    assert "body" in e.value.fields
    assert m.steps.count() == 0


def test_a_step_in_the_future_is_refused(cast):
    m = fire(new_matter(cast), cast.county_dispatcher, "start")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(Invalid) as e:
        fire(
            m,
            cast.county_dispatcher,
            "record_step",
            step_kind="hearing",
            held_on=tomorrow,
            summary="听证",
        )
    assert "held_on" in e.value.fields


def test_conditional_implementation_needs_measures(cast):
    m = assessed(cast, new_matter(cast))
    with pytest.raises(Conflict):
        fire(m, cast.leader, "decide", decision="conditional", note="附条件")
    m.refresh_from_db()
    assert m.status == "graded"


def test_closing_waits_for_every_measure(cast):
    m = assessed(cast, new_matter(cast))
    measured(cast, m)
    m = fire(decided(cast, m), cast.county_dispatcher, "start_tracking")
    with pytest.raises(Conflict):
        fire(m, cast.county_dispatcher, "close")


def test_a_matter_going_ahead_is_tracked_before_closing(cast):
    m = decided(cast, assessed(cast, new_matter(cast)))
    with pytest.raises(Conflict):
        fire(m, cast.county_dispatcher, "close")


def test_a_rejected_matter_closes_after_the_decision(cast):
    m = decided(cast, assessed(cast, new_matter(cast), grade="high"), "reject")
    m = fire(m, cast.county_dispatcher, "close")
    assert m.status == "closed"


def test_a_postponed_matter_is_assessed_again_from_scratch(cast):
    m = decided(cast, assessed(cast, new_matter(cast), grade="high"), "postpone")
    m = fire(m, cast.county_dispatcher, "reassess", note="补偿方案已调整")
    m.refresh_from_db()
    assert (m.status, m.grade, m.decision, m.graded_at) == ("assessing", "", "", None)
    row = MatterTransition.objects.filter(matter=m, action="reassess").get()
    assert row.data == {"old_grade": "high", "old_decision": "postpone"}


def test_only_postponed_matters_are_reassessed(cast):
    m = decided(cast, assessed(cast, new_matter(cast)))
    with pytest.raises(Conflict):
        fire(m, cast.county_dispatcher, "reassess", note="再评")


def test_withdrawal_needs_a_reason(cast):
    m = new_matter(cast)
    with pytest.raises(Invalid):
        fire(m, cast.county_dispatcher, "withdraw")
    m = fire(m, cast.county_dispatcher, "withdraw", note="项目取消")
    assert m.status == "withdrawn" and m.closed_at is not None


def test_the_town_dispatcher_is_not_the_office(cast):
    m = new_matter(cast)
    with pytest.raises(Forbidden):
        fire(m, cast.dispatcher, "start")  # sees it (town A), is not the county office
    with pytest.raises(NotFound):
        fire(m, cast.dispatcher_b, "start")  # town B: does not see it


def test_the_leader_decides_but_does_not_grade(cast):
    m = fire(new_matter(cast), cast.county_dispatcher, "start")
    fire(
        m,
        cast.county_dispatcher,
        "record_step",
        step_kind="legality",
        held_on=today().isoformat(),
        summary="合法性审查通过",
    )
    with pytest.raises(Forbidden):
        fire(m, cast.leader, "grade", grade="low", reasons="x")
    m = fire(m, cast.county_dispatcher, "grade", grade="low", reasons="风险较小")
    m = fire(m, cast.leader, "decide", decision="implement", note="同意实施")
    assert m.decision == "implement"


def test_a_handler_marks_only_his_departments_measures(cast):
    m = assessed(cast, new_matter(cast))
    market_measure = measured(cast, m, department=cast.market)
    decided(cast, m)
    with pytest.raises(Forbidden):
        fire(m, cast.handler, "measure_done", measure_id=market_measure)
    assert RiskMeasure.objects.get(pk=market_measure).done_at is None


def test_a_measure_of_another_matter_is_refused(cast):
    a = assessed(cast, new_matter(cast))
    b = assessed(cast, new_matter(cast))
    other = measured(cast, b)
    decided(cast, a)
    with pytest.raises(Invalid) as e:
        fire(a, cast.county_dispatcher, "measure_done", measure_id=other)
    assert "measure_id" in e.value.fields


def test_a_measure_owner_must_belong_to_the_department(cast):
    m = assessed(cast, new_matter(cast))
    with pytest.raises(Invalid) as e:
        fire(
            m,
            cast.county_dispatcher,
            "add_measure",
            measure="稳控",
            owner_department=cast.police.pk,
            owner_user=cast.handler_market.pk,
            deadline=today().isoformat(),
        )
    assert "owner_user" in e.value.fields
    fire(
        m,
        cast.county_dispatcher,
        "add_measure",
        measure="稳控",
        owner_department=cast.police.pk,
        owner_user=cast.handler.pk,
        deadline=today().isoformat(),
    )
    assert m.measures.get().owner_user == cast.handler


def test_who_sees_a_matter(cast):
    m = new_matter(cast)
    seen_by = {
        name
        for name in (
            "county_dispatcher",
            "dispatcher",
            "dispatcher_b",
            "leader",
            "leader_b",
            "gridworker",
            "gridworker_b",
            "handler",
            "handler_market",
            "sysadmin",
        )
        if matters_in_scope(getattr(cast, name)).filter(pk=m.pk).exists()
    }
    assert seen_by == {"county_dispatcher", "dispatcher", "leader", "gridworker", "handler"}


def test_a_sensitive_matter_is_hidden_from_the_uncleared(cast):
    m = new_matter(cast, sensitivity="stability")
    assert not matters_in_scope(cast.leader).filter(pk=m.pk).exists()
    assert matters_in_scope(cast.county_dispatcher).filter(pk=m.pk).exists()  # registered it


def test_only_the_county_office_registers(cast):
    with pytest.raises(Forbidden):
        new_matter(cast, actor=cast.dispatcher)
    with pytest.raises(Forbidden):
        new_matter(cast, actor=cast.handler)
    assert new_matter(cast, actor=cast.leader).created_by == cast.leader
    assert MajorMatter.objects.count() == 1


def test_the_register_list_costs_one_query_whatever_its_length(cast, django_assert_num_queries):
    for _ in range(3):
        m = assessed(cast, new_matter(cast))
        measured(cast, m)
    from pingan.access.actor import Actor

    actor = Actor.for_user(cast.county_dispatcher)
    with django_assert_num_queries(1):
        rows = list(matter_list(actor=actor))
    assert len(rows) == 3
    assert all(r.measure_count == 1 and r.step_count == 1 for r in rows)


def test_the_measure_done_button_shows_for_the_department_with_an_open_measure(cast):
    from pingan.cases.service import allowed
    from pingan.risk.kind import RISK

    m = assessed(cast, new_matter(cast))
    police = measured(cast, m)
    measured(cast, m, department=cast.market)
    m = decided(cast, m)
    fire(m, cast.handler, "measure_done", measure_id=police)

    def can(user):
        return "measure_done" in {r.action for r in allowed(RISK, user, m)}

    assert can(cast.handler_market) and can(cast.county_dispatcher)
    assert not can(cast.handler)  # the police's measure is done
