"""The mediation deadline light and its sweep (run by the sla sweeper), and the mediators'
notifications of assignments and overdue cases."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.core import clock
from pingan.events.choices import DeadlineState
from pingan.mediation.deadlines import mediation_mark_deadline, mediation_sweep
from pingan.mediation.models import MediationCase
from pingan.mediation.tests.factories import fire, mediation_cast, new_case
from pingan.notifications.models import Notification
from pingan.sla import services as sla

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def med(cast):
    return mediation_cast(cast)


@pytest.fixture
def running(cast, med):
    """A case accepted on a Monday and assigned to the village committee's mediator."""
    case = new_case(cast, committee=med.village.pk)
    with clock.frozen(MONDAY):
        fire(case, cast.dispatcher, "accept")
        fire(
            case,
            cast.dispatcher,
            "assign",
            committee=med.village.pk,
            mediator=med.village_mediator.pk,
        )
    return MediationCase.objects.get(pk=case.pk)


def marks(case):
    return [
        a for a in case.timeline.values_list("action", flat=True) if a in ("warning", "overdue")
    ]


def inbox(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_the_sla_sweeper_marks_cases_yellow_then_red_once(running, cast, med):
    assert running.deadline_state == DeadlineState.NORMAL
    assert running.warn_at is not None and running.due_at is not None
    assert "mediation" in sla.SWEEPS

    sla.sweep(running.warn_at - SECOND)
    running.refresh_from_db()
    assert running.deadline_state == DeadlineState.NORMAL and marks(running) == []

    sla.sweep(running.warn_at + SECOND)
    sla.sweep(running.warn_at + 2 * SECOND)
    running.refresh_from_db()
    assert running.deadline_state == DeadlineState.WARNING
    assert marks(running) == ["warning"]
    assert inbox(med.village_mediator.user, "mediation_overdue") == []

    sla.sweep(running.due_at + SECOND)
    sla.sweep(running.due_at + 2 * SECOND)
    running.refresh_from_db()
    assert running.deadline_state == DeadlineState.OVERDUE
    assert marks(running) == ["warning", "overdue"]
    row = running.timeline.get(action="overdue")
    assert row.actor is None and row.from_status == row.to_status == "mediating"

    told = inbox(med.village_mediator.user, "mediation_overdue")
    assert len(told) == 1 and running.code in told[0].title
    assert "王小明" not in told[0].title + told[0].body  # no party in an inbox
    assert inbox(med.stranger.user, "mediation_overdue") == []
    assert inbox(med.town_mediator.user, "mediation_overdue") == []


def test_a_case_past_its_deadline_goes_red_without_yellow(running):
    counts = mediation_sweep(running.due_at + SECOND)
    assert counts == {"warned": 0, "overdue": 1}
    running.refresh_from_db()
    assert marks(running) == ["overdue"]


def test_only_one_caller_marks(running):
    at = running.due_at + SECOND
    assert mediation_mark_deadline(case_id=running.pk, state=DeadlineState.OVERDUE, now=at)
    assert not mediation_mark_deadline(case_id=running.pk, state=DeadlineState.OVERDUE, now=at)
    assert not mediation_mark_deadline(case_id=running.pk, state=DeadlineState.WARNING, now=at)
    # Not before the moment either.
    other = MediationCase.objects.filter(pk=running.pk)
    other.update(deadline_state=DeadlineState.NORMAL)
    early = running.warn_at - SECOND
    assert not mediation_mark_deadline(case_id=running.pk, state=DeadlineState.WARNING, now=early)


def test_extension_and_the_end_of_mediation_move_the_light(running, cast, med):
    mediation_sweep(running.due_at + SECOND)
    with clock.frozen(running.due_at + 2 * SECOND):
        case = fire(running, cast.dispatcher, "extend", days=10, note="当事人外出务工")
    assert case.deadline_state in (DeadlineState.NORMAL, DeadlineState.WARNING)
    assert case.due_at > running.due_at
    with clock.frozen(running.due_at + 3 * SECOND):
        case = fire(
            case, med.village_mediator.user, "succeed", terms="赔偿800元", performance="at_once"
        )
    assert case.deadline_state == ""
    assert mediation_sweep(case.due_at + dt.timedelta(days=60)) == {"warned": 0, "overdue": 0}


def test_an_assignment_tells_the_mediator_but_not_who_assigned(cast, med):
    case = new_case(cast, committee=med.village.pk)
    fire(case, cast.dispatcher, "accept")
    fire(
        case, cast.dispatcher, "assign", committee=med.village.pk, mediator=med.village_mediator.pk
    )
    told = inbox(med.village_mediator.user, "mediation_assign")
    assert len(told) == 1 and case.code in told[0].title
    assert "邻里纠纷" in told[0].body and "王小明" not in told[0].body
    assert inbox(cast.dispatcher, "mediation_assign") == []

    # Escalated to the town committee without a named mediator: its mediators with an
    # account are told; the village mediator who escalated it is not told again.
    fire(case, med.village_mediator.user, "escalate", committee=med.town.pk, note="案情复杂")
    assert len(inbox(med.town_mediator.user, "mediation_assign")) == 1
    assert len(inbox(med.village_mediator.user, "mediation_assign")) == 1


def test_a_mediator_assigning_to_themselves_is_not_told(cast, med):
    mediator = med.village_mediator.user
    case = new_case(cast, mediator, committee=med.village.pk)
    fire(case, mediator, "accept")
    fire(case, mediator, "assign", committee=med.village.pk, mediator=med.village_mediator.pk)
    assert inbox(mediator, "mediation_assign") == []
