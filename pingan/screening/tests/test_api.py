"""The screening API: rounds, a round's summary, reports, dispositions; its 422s."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of
from pingan.events.models import Event
from pingan.screening import services
from pingan.screening.models import ScreeningItem
from pingan.screening.tests.factories import PARTIES, item, submit, village_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(db):
    def make(user):
        return ApiClient(Client(), token_issue(user=user))

    return make


def test_a_village_reports_and_reads_the_round(cast, api_as):
    found = village_round()
    api = api_as(cast.gridleader)
    r = api.post(f"/screenings/{found.pk}/reports", {"none_found": False, "items": [item()]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["summary"]["reported"] == 1 and body["summary"]["due"] == 1
    (mine,) = body["reports"]
    assert mine["mine"] and mine["unit_name"] == "城东社区"
    assert mine["items"][0]["kind_label"] == "矛盾纠纷"
    # The county sees both villages, one of them not reported yet (not due yet: waiting).
    county = api_as(cast.county_dispatcher).get(f"/screenings/{found.pk}").json()
    assert county["summary"]["due"] == 2 and county["summary"]["waiting"] == 1
    assert {r["unit_name"]: r["mine"] for r in county["reports"]} == {
        "城东社区": False,
        "通元村": False,
    }


def test_the_round_list_filters_and_pages(cast, api_as):
    village_round()
    village_round(past=True)
    api = api_as(cast.leader)
    body = api.get("/screenings", level="village", page_size=1).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["due"] == 2
    past = api.get("/screenings", level="village", status="open").json()["items"]
    assert {r["missing"] for r in past} == {0, 2}
    assert (
        api_as(cast.dispatcher_b).get("/screenings", level="village").json()["items"][0]["due"] == 1
    )
    assert api_as(cast.handler).get("/screenings").json()["count"] == 0
    for params, field in (
        ({"level": "grid"}, "level"),
        ({"status": "done"}, "status"),
        ({"region": 999999}, "region"),
        ({"date": "2026-13-01"}, "date"),
        ({"page": 0}, "page"),
        ({"page_size": 500}, "page_size"),
    ):
        r = api.get("/screenings", **params)
        assert r.status_code == 422, params
        assert field in error_of(r)["fields"], (params, error_of(r))


def test_the_round_list_costs_the_same_for_more_rounds(cast, api_as):
    api = api_as(cast.leader)
    village_round()
    api.get("/screenings")  # the token's first use is written once
    with CaptureQueriesContext(connection) as few:
        api.get("/screenings")
    village_round(past=True)
    services.rounds_generate(since=services.today().replace(day=1))
    with CaptureQueriesContext(connection) as many:
        body = api.get("/screenings").json()
    assert body["count"] > 3
    assert len(many) == len(few)


def test_bad_reports_are_422_naming_the_field(cast, api_as):
    found = village_round()
    api = api_as(cast.gridleader)
    for body, field in (
        ({"none_found": "yes"}, "none_found"),
        ({}, "none_found"),
        ({"none_found": False}, "items"),
        ({"none_found": False, "items": [item(kind="gossip")]}, "items[0].kind"),
        ({"none_found": False, "items": [item(parties_count="many")]}, "items.0.parties_count"),
        ({"none_found": False, "items": [{"kind": "risk"}]}, "items.0.summary"),
        ({"none_found": True, "items": [item()]}, "items"),
    ):
        r = api.post(f"/screenings/{found.pk}/reports", body)
        assert r.status_code == 422, (body, r.content)
        fields = error_of(r)["fields"]
        assert field in fields, (body, fields)
    assert ScreeningItem.objects.count() == 0


def test_reports_outside_the_scope(cast, api_as):
    found = village_round()
    assert (
        api_as(cast.handler)
        .post(f"/screenings/{found.pk}/reports", {"none_found": True})
        .status_code
        == 404
    )
    assert (
        api_as(cast.dispatcher)
        .post(f"/screenings/{found.pk}/reports", {"none_found": True})
        .status_code
        == 403
    )
    assert (
        api_as(cast.gridworker_b)
        .post(f"/screenings/{found.pk}/reports", {"none_found": True, "unit": cast.village_a.pk})
        .status_code
        == 403
    )
    assert api_as(cast.handler).get(f"/screenings/{found.pk}").status_code == 404


def test_a_closed_round_is_409(cast, api_as):
    found = village_round(past=True)
    services.rounds_close()
    r = api_as(cast.gridleader).post(f"/screenings/{found.pk}/reports", {"none_found": True})
    assert r.status_code == 409


def test_dispositions_through_the_api(cast, api_as):
    found = village_round()
    report = submit(cast, found, items=[item(), item(summary="讨薪苗头")])
    first, second = report.items.order_by("pk")
    api = api_as(cast.gridleader)
    r = api.post(
        f"/screenings/items/{first.pk}/disposition",
        {"disposition": "event", "category": cast.neighbour.pk},
    )
    assert r.status_code == 200, r.content
    assert r.json()["event_code"] == Event.objects.get().code
    r = api_as(cast.dispatcher).post(
        f"/screenings/items/{second.pk}/disposition",
        {"disposition": "mediation", "parties": PARTIES},
    )
    assert r.status_code == 200, r.content
    assert r.json()["case_code"].startswith("TJ-")
    again = api.post(f"/screenings/items/{first.pk}/disposition", {"disposition": "handled"})
    assert again.status_code == 409
    r = api.post(
        f"/screenings/items/{first.pk}/disposition", {"disposition": "event", "category": "x"}
    )
    assert r.status_code == 422 and "category" in error_of(r)["fields"]
    assert (
        api_as(cast.dispatcher_b)
        .post(f"/screenings/items/{first.pk}/disposition", {"disposition": "handled", "note": "x"})
        .status_code
        == 404
    )


def test_a_rounds_detail_costs_the_same_for_more_units_and_items(cast, api_as):
    from pingan.geo.services import region_upsert

    api = api_as(cast.county_dispatcher)
    found = village_round()
    submit(cast, found, items=[item()])
    api.get(f"/screenings/{found.pk}")  # the token's first use is written once
    with CaptureQueriesContext(connection) as few:
        api.get(f"/screenings/{found.pk}")
    for n in range(3):
        region_upsert(
            code=f"33042400100{n + 5}", name=f"新社区{n}", level="village", parent=cast.town_a
        )
    services.rounds_generate(on=found.period_start)
    submit(cast, found, items=[item(), item(), item(kind="risk")])
    with CaptureQueriesContext(connection) as many:
        body = api.get(f"/screenings/{found.pk}").json()
    assert body["summary"]["due"] == 5 and body["summary"]["items"] == 3
    assert len(many) == len(few)
