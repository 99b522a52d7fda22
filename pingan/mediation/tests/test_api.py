"""The mediation API: cases, transitions, parties' reveal, committees, 转调解 on events."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of, report
from pingan.core.audit import AuditEntry
from pingan.events.models import Event
from pingan.mediation.models import MediationCase
from pingan.mediation.tests.factories import PARTIES, fire, mediation_cast, new_case


@pytest.fixture
def med(cast):
    return mediation_cast(cast)


@pytest.fixture
def api_as(db):
    def make(user):
        return ApiClient(Client(), token_issue(user=user))

    return make


def body(cast, **kw):
    out = {
        "summary": "邻里因排水沟堵塞发生纠纷",
        "region": cast.grid_a1.pk,
        "parties": PARTIES,
        "dispute_kind": "neighbour",
        "amount": "800",
    }
    out.update(kw)
    return out


def test_register_read_and_move_a_case_with_parties_masked(cast, med, api_as):
    api = api_as(cast.dispatcher)
    r = api.post("/mediation/cases", body(cast, committee=med.village.pk))
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["status"] == "registered" and case["committee"] == med.village.pk
    applicant = next(p for p in case["parties"] if p["role"] == "applicant")
    assert applicant["name"] == "王**" and applicant["phone"] == "138****5678"
    assert applicant["id_number"] == "110105********002X"
    assert "海滨路18号" not in applicant["address"]
    assert {a["action"] for a in case["allowed_actions"]} >= {"accept", "reject", "withdraw"}

    r = api.post(f"/mediation/cases/{case['id']}/transitions", {"action": "accept"})
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["due_at"]
    r = api.post(
        f"/mediation/cases/{case['id']}/transitions",
        {"action": "assign", "committee": med.village.pk, "mediator": med.village_mediator.pk},
    )
    assert r.json()["mediator_name"] == "陈调解"
    r = api.get(f"/mediation/cases/{case['id']}")
    assert [t["action"] for t in r.json()["timeline"]] == ["register", "accept", "assign"]
    r = api.get("/mediation/cases", status="mediating")
    assert [c["id"] for c in r.json()["items"]] == [case["id"]]


def test_bad_input_is_422_with_the_field_and_nothing_written(cast, med, api_as):
    api = api_as(cast.dispatcher)
    r = api.post("/mediation/cases", body(cast, parties=[PARTIES[0]]))
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"parties"}
    r = api.post(
        "/mediation/cases", body(cast, parties=[{**PARTIES[0], "phone": "12345"}, PARTIES[1]])
    )
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"parties[0].phone"}
    assert "电话" in error_of(r)["fields"]["parties[0].phone"]
    assert MediationCase.objects.count() == 0
    case = new_case(cast)
    r = api.post(f"/mediation/cases/{case.pk}/transitions", {"action": "reject"})
    assert r.status_code == 422 and error_of(r)["fields"] == {"note": "请填写说明"}
    r = api.post(f"/mediation/cases/{case.pk}/transitions", {"action": "succeed"})
    assert r.status_code == 409
    assert MediationCase.objects.get(pk=case.pk).status == "registered"


def test_same_client_uuid_returns_the_first_case(cast, med, api_as):
    api = api_as(cast.dispatcher)
    key = "0b6c3d55-2f0e-4f7a-9a77-5c1d2e3f4a5b"
    first = api.post("/mediation/cases", body(cast, client_uuid=key))
    again = api.post("/mediation/cases", body(cast, client_uuid=key))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and MediationCase.objects.count() == 1


def test_strangers_get_404_and_leaders_see_masked_only(cast, med, api_as):
    case = new_case(cast)
    for stranger in (cast.dispatcher_b, cast.leader_b, med.stranger.user, cast.handler):
        api = api_as(stranger)
        assert api.get(f"/mediation/cases/{case.pk}").status_code == 404
        assert (
            api.post(f"/mediation/cases/{case.pk}/transitions", {"action": "accept"}).status_code
            == 404
        )
        assert api.get("/mediation/cases").json()["count"] == 0
    leader = api_as(cast.leader)
    assert leader.get(f"/mediation/cases/{case.pk}").status_code == 200
    assert leader.get(f"/mediation/cases/{case.pk}/parties").status_code == 403
    assert (
        leader.post(f"/mediation/cases/{case.pk}/transitions", {"action": "accept"}).status_code
        == 403
    )


def test_mediators_see_their_committees_cases_and_reveal_is_audited(cast, med, api_as):
    at_village = new_case(cast, committee=med.village.pk)
    new_case(cast, committee=med.town.pk)
    api = api_as(med.village_mediator.user)
    listed = api.get("/mediation/cases").json()
    assert [c["id"] for c in listed["items"]] == [at_village.pk]
    r = api.get(f"/mediation/cases/{at_village.pk}/parties")
    assert r.status_code == 200 and r["Cache-Control"].startswith("max-age=0")
    names = {p["name"] for p in r.json()["parties"]}
    assert names == {"王小明", "李大华"}
    row = AuditEntry.objects.filter(action="pii.unmask", object_type="mediation").get()
    assert row.object_id == str(at_village.pk) and row.result == "ok"


@override_settings(PINGAN_MEDIATION_JUDICIAL_VISIBLE_TO_CENTRE=False)
def test_judicial_committee_cases_hidden_from_the_centre_when_configured(cast, med, api_as):
    case = fire(new_case(cast), cast.dispatcher, "accept")
    case = fire(case, cast.dispatcher, "refer", committee=med.judicial.pk, note="诉前调解")
    # The dispatcher registered it (so still sees it) but may no longer act as the centre.
    assert (
        api_as(cast.dispatcher)
        .post(
            f"/mediation/cases/{case.pk}/transitions",
            {"action": "assign", "committee": med.judicial.pk},
        )
        .status_code
        == 403
    )
    assert api_as(cast.leader).get(f"/mediation/cases/{case.pk}").status_code == 404
    judge = api_as(med.judge.user)
    r = judge.post(
        f"/mediation/cases/{case.pk}/transitions",
        {"action": "assign", "committee": med.judicial.pk},
    )
    assert r.status_code == 200 and r.json()["status"] == "mediating"


def test_committees_with_five_haves_and_masked_mediators(cast, med, api_as):
    r = api_as(cast.gridworker).get("/mediation/committees")
    assert r.status_code == 200
    by_name = {c["name"]: c for c in r.json()}
    # A village's grid worker sees their village's committee and those above it.
    assert "城东社区人民调解委员会" in by_name and "县矛盾纠纷联合调解中心" in by_name
    assert "通元村人民调解委员会" not in by_name
    village = by_name["城东社区人民调解委员会"]
    assert [k["item"] for k in village["five_haves"]] == [
        "place",
        "sign",
        "seal",
        "system",
        "records",
    ]
    assert {m["phone"] for m in village["mediators"]} <= {"137****1111", ""}
    assert by_name["县矛盾纠纷联合调解中心"]["is_gold_room"] is True


def test_refer_mediation_on_the_event_endpoint_returns_the_new_case(cast, med, api_as):
    event = report(cast)
    api = api_as(cast.dispatcher)
    r = api.act(event.pk, "refer_mediation", parties=PARTIES, committee=med.village.pk)
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["event"] == event.pk and case["code"].startswith("TJ-")
    assert Event.objects.get(pk=event.pk).timeline.last().action == "refer_mediation"
    r = api.act(event.pk, "refer_mediation", parties=[PARTIES[0]])
    assert r.status_code == 409  # already referred
    other = report(cast)
    r = api.act(other.pk, "refer_mediation", parties=[PARTIES[0]])
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"parties"}
    # Other actions still answer the event.
    r = api.act(other.pk, "accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"


def test_the_list_costs_the_same_queries_for_more_cases(cast, med, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(cast.dispatcher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/mediation/cases").status_code == 200
        return len(ctx.captured_queries)

    new_case(cast, committee=med.village.pk)
    queries()  # the token's first use is written once
    few = queries()
    for _ in range(4):
        new_case(cast, committee=med.town.pk)
    assert queries() == few
