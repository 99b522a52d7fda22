"""转调解: a dispute event handed to mediation, and the event following the outcome."""

from __future__ import annotations

import pytest

from pingan.core.errors import Conflict, Forbidden, Invalid
from pingan.events.choices import Status as EventStatus
from pingan.events.models import Event
from pingan.events.services import event_report, event_transition
from pingan.mediation.choices import Channel, Status
from pingan.mediation.models import MediationCase
from pingan.mediation.services import mediation_case_from_event
from pingan.mediation.tests.factories import PARTIES, fire, mediation_cast


@pytest.fixture
def med(cast):
    return mediation_cast(cast)


def report(cast, category=None, **kw):
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker,
        category=(category or cast.neighbour).pk,
        description="两户因排水沟堵塞争吵",
        lat=lat,
        lng=lng,
        **kw,
    )
    return event


def refer(cast, event, user=None, **payload):
    body = {"parties": PARTIES, **payload}
    case, _ = mediation_case_from_event(
        actor=user or cast.dispatcher, event_id=event.pk, payload=body
    )
    return case


def test_referral_creates_the_linked_case_and_the_event_waits(cast, med):
    event = report(cast)
    case = refer(cast, event, committee=med.village.pk)
    assert case.event_id == event.pk and case.channel == Channel.EVENT
    assert case.status == Status.REGISTERED and case.committee == med.village
    assert case.summary == event.description and case.dispute_kind == "neighbour"
    assert case.region_id == event.region_id
    event.refresh_from_db()
    assert event.status == EventStatus.REPORTED
    row = event.timeline.last()
    assert row.action == "refer_mediation" and row.data["mediation_case"] == case.pk
    assert case.timeline.get().action == "register"
    # Once is enough while the case runs.
    with pytest.raises(Conflict):
        refer(cast, event)
    assert MediationCase.objects.count() == 1


def _mediate(cast, med, case):
    case = fire(case, cast.dispatcher, "accept")
    return fire(case, cast.dispatcher, "assign", committee=med.village.pk)


def test_success_resolves_the_event_which_then_goes_through_verification(cast, med):
    event = report(cast)
    case = _mediate(cast, med, refer(cast, event))
    fire(case, cast.dispatcher, "succeed", terms="互相谅解，共同清理", performance="at_once")
    event = Event.objects.get(pk=event.pk)
    assert event.status == EventStatus.RESOLVED
    assert event.resolution == "resolved" and event.referral == "" and event.resolved_at
    row = event.timeline.last()
    assert row.action == "mediation_result" and row.data["mediation_code"] == case.code
    event = event_transition(
        actor=cast.gridworker, event_id=event.pk, action="verify", payload={"passed": True}
    )
    assert event.status == EventStatus.CLOSED and event.resolution == "resolved"


def test_failure_leaves_the_event_unresolved_with_the_guidance(cast, med):
    event = report(cast)
    event = event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept")
    event = event_transition(
        actor=cast.dispatcher,
        event_id=event.pk,
        action="dispatch",
        payload={"lead_department": cast.police.pk},
    )
    event = event_transition(actor=cast.handler, event_id=event.pk, action="acknowledge")
    # The handling department refers it.
    case = _mediate(cast, med, refer(cast, event, cast.handler))
    fire(case, cast.dispatcher, "fail", note="赔偿金额分歧大", referral="litigation")
    event = Event.objects.get(pk=event.pk)
    assert event.status == EventStatus.RESOLVED
    assert event.resolution == "unresolved" and event.referral == "litigation"


def test_withdrawal_only_notes_it_on_the_event(cast, med):
    event = report(cast)
    case = refer(cast, event)
    fire(case, cast.dispatcher, "withdraw", note="双方自行和解")
    event = Event.objects.get(pk=event.pk)
    assert event.status == EventStatus.REPORTED and event.resolution == ""
    assert event.timeline.last().action == "mediation_result"


def test_only_disputes_by_the_centre_or_the_department_nothing_written_otherwise(cast, med):
    fire_event = report(cast, cast.fire, extra={"place_kind": "住宅"})
    with pytest.raises(Conflict):
        refer(cast, fire_event)
    event = report(cast)
    with pytest.raises(Forbidden):
        refer(cast, event, cast.gridworker)
    with pytest.raises(Invalid) as e:
        refer(cast, event, parties=[PARTIES[0]])
    assert list(e.value.fields) == ["parties"]
    assert MediationCase.objects.count() == 0
    assert not event.timeline.filter(action="refer_mediation").exists()


def test_the_dispute_figures_follow_the_mediation_and_equal_a_rebuild(cast, med):
    from django.utils import timezone

    from pingan.analytics.rebuild import rollup_rebuild
    from pingan.analytics.selectors import summary
    from pingan.core import clock

    failed, settled = report(cast), report(cast)
    case = _mediate(cast, med, refer(cast, failed))
    fire(case, cast.dispatcher, "fail", note="分歧大", referral="arbitration")
    case = _mediate(cast, med, refer(cast, settled))
    fire(case, cast.dispatcher, "succeed", terms="和解", performance="at_once")
    for e in (failed, settled):
        event_transition(
            actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
        )
    today = timezone.localdate(clock.now())

    def figures():
        s = summary(user=cast.leader, date_from=today, date_to=today)
        return s["dispute_closed"], s["dispute_resolved"]

    assert figures() == (2, 1)  # both closed, only the mediated agreement counts as 化解
    rollup_rebuild()
    assert figures() == (2, 1)
