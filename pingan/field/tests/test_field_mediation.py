"""就地调解 from the phone: `POST /api/v1/field/mediations` writes the dispute event and
the ended mediation case together, once per client_uuid, masked in the answer."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from pingan.core import clock
from pingan.events.choices import Resolution, Status
from pingan.events.models import Event
from pingan.field.models import FieldReport
from pingan.mediation.models import MediationCase, MediationSession, MonthlyRollup, Party
from pingan.mediation.tests.factories import mediation_cast
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert

pytestmark = pytest.mark.django_db

PARTIES = [
    {"role": "applicant", "name": "王小明", "phone": "13812345678"},
    {"role": "respondent", "name": "李大华", "phone": "13987654321"},
]


def _body(cast, **kw):
    lat, lng = cast.point_a1
    body = {
        "client_uuid": str(uuid.uuid4()),
        "category": cast.neighbour.pk,
        "description": "两户因楼道堆物争吵",
        "lat": lat,
        "lng": lng,
        "accuracy_m": 8.0,
        "parties": PARTIES,
        "outcome": "succeeded",
        "terms": "李大华当日清理楼道杂物，双方互谅互让",
    }
    body.update(kw)
    return body


def test_agreement_on_site_makes_a_settled_event_and_a_succeeded_case_once(cast, api_as):
    committees = mediation_cast(cast)
    api = api_as(cast.gridworker)
    body = _body(cast)
    first = api.post("/field/mediations", body)
    again = api.post("/field/mediations", body)
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json() == again.json()
    out = first.json()
    assert out["status"] == "succeeded" and out["channel"] == "on_site"
    # Masked like every answer.
    names = {p["name"] for p in out["parties"]}
    assert names == {"王**", "李**"}
    assert all("****" in p["phone"] for p in out["parties"])
    assert "13812345678" not in first.content.decode()

    event = Event.objects.get()
    assert event.client_uuid == uuid.UUID(body["client_uuid"])
    assert event.status == Status.CLOSED and event.resolved_on_site
    assert event.resolution == Resolution.RESOLVED
    assert out["event"]["id"] == event.pk
    case = MediationCase.objects.get()
    assert case.event_id == event.pk and case.created_by_id == cast.gridworker.pk
    assert case.agreement_terms == body["terms"] and case.performance == "at_once"
    assert case.committee == committees.village  # the village's committee follows it up
    assert case.ended_at is not None
    assert Party.objects.filter(case=case).count() == 2
    assert MediationSession.objects.filter(case=case).count() == 1
    actions = list(case.timeline.values_list("action", flat=True))
    assert actions == ["register", "accept", "session", "succeed"]
    # The figures count it as an agreement, not as an open case.
    (row,) = MonthlyRollup.objects.filter(region_path="330424/", dim="channel", value="on_site")
    assert (row.n, row.succeeded, row.open) == (1, 1, 0)


def test_failed_mediation_leaves_the_event_with_the_centre(cast, api_as):
    api = api_as(cast.gridworker)
    r = api.post(
        "/field/mediations",
        _body(cast, outcome="failed", terms="", reason="双方分歧较大", referral="litigation"),
    )
    assert r.status_code == 201, r.content
    case = MediationCase.objects.get()
    assert (case.status, case.failure_reason, case.referral) == (
        "failed",
        "双方分歧较大",
        "litigation",
    )
    assert case.event.status == Status.REPORTED and not case.event.resolved_on_site


def test_made_offline_hours_ago_is_accepted_as_reports_are(cast, api_as):
    api = api_as(cast.gridworker)
    made = (clock.now() - dt.timedelta(hours=30)).replace(microsecond=0)
    r = api.post("/field/mediations", _body(cast, made_at=made.isoformat()))
    assert r.status_code == 201, r.content
    case = MediationCase.objects.get()
    assert case.sessions.get().at == made  # when the parties met
    assert FieldReport.objects.get(event=case.event).made_at == made
    # A phone whose clock runs ahead is not refused: its time counts as now.
    ahead = (clock.now() + dt.timedelta(hours=3)).isoformat()
    r = api.post("/field/mediations", _body(cast, made_at=ahead))
    assert r.status_code == 201, r.content
    latest = MediationCase.objects.order_by("-id").first()
    assert latest.sessions.get().at <= clock.now()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"terms": ""}, "terms"),
        ({"outcome": "failed", "reason": ""}, "reason"),
        ({"outcome": "failed", "reason": "不同意", "referral": "court"}, "referral"),
        ({"parties": [PARTIES[0]]}, "parties"),
        ({"parties": [PARTIES[0], {**PARTIES[1], "phone": "12345"}]}, "parties[1].phone"),
        ({"performance": "by_date"}, "performance_due"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(cast, api_as, change, field):
    api = api_as(cast.gridworker)
    r = api.post("/field/mediations", _body(cast, **change))
    assert r.status_code == 422, r.content
    assert field in r.json()["error"]["fields"]
    assert not Event.objects.exists() and not MediationCase.objects.exists()


def test_only_disputes_are_mediated_on_site(cast, api_as):
    api = api_as(cast.gridworker)
    r = api.post(
        "/field/mediations", _body(cast, category=cast.fire.pk, extra={"place_kind": "住宅"})
    )
    assert r.status_code == 422
    assert "category" in r.json()["error"]["fields"]
    assert not Event.objects.exists()


def test_someone_elses_uuid_is_a_conflict_and_a_handler_may_not(cast, api_as):
    body = _body(cast)
    assert api_as(cast.gridworker).post("/field/mediations", body).status_code == 201
    other = user_upsert(username="gw2", name="陈网格")
    membership_grant(user=other, role=Role.GRID_WORKER, region=cast.grid_a1)
    assert api_as(other).post("/field/mediations", body).status_code == 409
    r = api_as(cast.handler).post("/field/mediations", _body(cast))
    assert r.status_code == 403
    assert MediationCase.objects.count() == 1


def test_a_failed_case_is_closed_before_the_centre_refers_its_event(cast, api_as):
    from pingan.core.errors import Conflict
    from pingan.mediation.services import mediation_case_from_event, mediation_transition

    mediation_cast(cast)
    r = api_as(cast.gridworker).post(
        "/field/mediations", _body(cast, outcome="failed", reason="双方分歧较大")
    )
    assert r.status_code == 201, r.content
    case = MediationCase.objects.get()
    payload = {"parties": PARTIES}
    with pytest.raises(Conflict):
        mediation_case_from_event(actor=cast.dispatcher, event_id=case.event_id, payload=payload)
    mediation_transition(actor=cast.dispatcher, case_id=case.pk, action="close")
    referred, created = mediation_case_from_event(
        actor=cast.dispatcher, event_id=case.event_id, payload=payload
    )
    assert created and referred.channel == "event" and referred.event_id == case.event_id
