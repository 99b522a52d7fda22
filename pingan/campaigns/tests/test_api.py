"""The API: /api/v1/campaigns and /api/v1/listings (docs/campaigns.md, "API")."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of, report
from pingan.campaigns.models import Campaign, ListedItem
from pingan.campaigns.tests.factories import at_state, new_campaign, new_listing, today


@pytest.fixture
def api_as(db):
    def make(user):
        return ApiClient(Client(), token_issue(user=user))

    return make


def campaign_body(cast, **kw):
    out = {
        "name": "「清风」行动",
        "kind": "crackdown",
        "starts_on": today().isoformat(),
        "ends_on": (today() + dt.timedelta(days=60)).isoformat(),
        "areas": [cast.town_a.pk],
        "categories": [cast.dispute.pk],
        "targets": [{"metric": "events", "label": "排查线索", "target": 2}],
    }
    out.update(kw)
    return out


def send(api, method, path, data=None):
    return api.client.generic(
        method,
        f"/api/v1{path}",
        json.dumps(data or {}),
        content_type="application/json",
        headers=api.headers,
    )


def test_create_activate_progress_and_close(cast, api_as):
    api = api_as(cast.county_dispatcher)
    r = api.post("/campaigns", campaign_body(cast))
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["area_names"] == ["武原街道"]
    r = send(api, "PATCH", f"/campaigns/{cid}", {"name": "「清风」专项行动"})
    assert r.json()["name"] == "「清风」专项行动"
    assert api.post(f"/campaigns/{cid}/activate").json()["status"] == "active"
    assert send(api, "PATCH", f"/campaigns/{cid}", {"name": "x"}).status_code == 409
    e = report(cast, reporter_phone="13812345678", title="张三13812345678家门口纠纷")
    got = api.get(f"/campaigns/{cid}").json()["progress"][0]
    assert (got["actual"], got["target"], got["text"]) == (1, 2, "50.00%（1/2）")
    events = api.get(f"/campaigns/{cid}/events").json()
    assert events["count"] == 1 and events["items"][0]["id"] == e.pk
    assert "13812345678" not in json.dumps(events, ensure_ascii=False)
    r = api.post(f"/campaigns/{cid}/close", {"summary": ""})
    assert r.status_code == 422 and "summary" in error_of(r)["fields"]
    assert api.post(f"/campaigns/{cid}/close", {"summary": "成效明显"}).json()["status"] == "closed"
    r = api.get(f"/campaigns/{cid}/report.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "x"}, "kind"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"areas": [999999]}, "areas"),
        ({"targets": [{"metric": "nope", "target": 1}]}, "targets"),
        ({"name": " "}, "name"),
    ],
)
def test_campaign_fields_422(cast, api_as, change, field):
    r = api_as(cast.county_dispatcher).post("/campaigns", campaign_body(cast, **change))
    assert r.status_code == 422 and field in error_of(r)["fields"]
    assert not Campaign.objects.exists()


def test_others_may_not_create_and_town_b_gets_404(cast, api_as):
    for user in (cast.dispatcher, cast.leader, cast.handler):
        assert api_as(user).post("/campaigns", campaign_body(cast)).status_code == 403
    c = new_campaign(cast)
    assert api_as(cast.dispatcher_b).get(f"/campaigns/{c.pk}").status_code == 404
    assert api_as(cast.dispatcher).get(f"/campaigns/{c.pk}").status_code == 200
    assert (
        api_as(cast.dispatcher).post(f"/campaigns/{c.pk}/close", {"summary": "x"}).status_code
        == 403
    )


def test_hand_tagging_through_the_api(cast, api_as):
    c = new_campaign(cast)
    outside = report(cast, point="point_b1", user=cast.gridworker_b)
    api = api_as(cast.county_dispatcher)
    assert api.post(f"/campaigns/{c.pk}/events", {"event": outside.pk}).status_code == 201
    assert api.post(f"/campaigns/{c.pk}/events", {"event": outside.pk}).status_code == 409
    r = api.post(f"/campaigns/{c.pk}/events", {"event": 999999})
    assert r.status_code == 422 and "event" in error_of(r)["fields"]
    items = api.get(f"/campaigns/{c.pk}/events").json()["items"]
    assert [(i["id"], i["by_hand"]) for i in items] == [(outside.pk, True)]
    assert send(api, "DELETE", f"/campaigns/{c.pk}/events/{outside.pk}").status_code == 200
    assert send(api, "DELETE", f"/campaigns/{c.pk}/events/{outside.pk}").status_code == 404
    entered = c.targets.get(metric="entered")
    r = api.post(f"/campaigns/{c.pk}/targets/{entered.pk}/value", {"value": 40, "note": "汇总"})
    row = next(t for t in r.json()["progress"] if t["metric"] == "entered")
    assert row["text"] == "40.00%（40/100）"


def listing_body(cast, **kw):
    lat, lng = cast.point_a1
    out = {
        "kind": "prominent_problem",
        "name": "城东片区电动车违规充电",
        "region": cast.grid_a1.pk,
        "lat": lat,
        "lng": lng,
        "unit_region": cast.town_a.pk,
        "responsible_title": "街道主任",
        "target": "飞线充电清零",
        "deadline": (today() + dt.timedelta(days=60)).isoformat(),
    }
    out.update(kw)
    return out


def test_listing_create_detail_progress_transitions_and_map(cast, api_as):
    office = api_as(cast.county_dispatcher)
    r = office.post("/listings", listing_body(cast))
    assert r.status_code == 201, r.content
    lid = r.json()["id"]
    town = api_as(cast.dispatcher)
    r = town.post(f"/listings/{lid}/transitions", {"action": "start"})
    assert r.json()["status"] == "rectifying"
    r = town.post(f"/listings/{lid}/progress", {"text": "清理飞线38处"})
    assert r.status_code == 201 and r.json()["progress"][0]["text"] == "清理飞线38处"
    assert {a["action"] for a in r.json()["allowed_actions"]} == {"report", "request_acceptance"}
    r = office.post(
        f"/listings/{lid}/transitions", {"action": "extend", "deadline": "2000-01-01", "note": "x"}
    )
    assert r.status_code == 422 and "deadline" in error_of(r)["fields"]
    assert (
        office.post(f"/listings/{lid}/transitions", {"action": "accept", "note": "x"}).status_code
        == 409
    )
    assert (
        town.post(f"/listings/{lid}/transitions", {"action": "cancel", "note": "x"}).status_code
        == 403
    )
    geo = town.get("/listings/map.geojson").json()
    assert geo["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in geo["features"]] == [lid]
    assert geo["features"][0]["geometry"]["type"] == "Point"
    assert api_as(cast.dispatcher_b).get("/listings/map.geojson").json()["features"] == []
    assert api_as(cast.dispatcher_b).get(f"/listings/{lid}").status_code == 404
    assert (
        api_as(cast.dispatcher_b).post(f"/listings/{lid}/progress", {"text": "x"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "x"}, "kind"),
        ({"unit_department": 1}, "unit_region"),  # both units
        ({"unit_region": None}, "unit_region"),  # neither
        ({"unit_region": 1}, "unit_region"),  # the county is no town
        ({"lat": 95.0}, "lat"),
        ({"deadline": "2000-01-01"}, "deadline"),
        ({"target": ""}, "target"),
        ({"campaign": 999999}, "campaign"),
        ({"area": {"type": "Point", "coordinates": [1, 2]}}, "area"),
    ],
)
def test_listing_fields_422(cast, api_as, change, field):
    body = listing_body(cast, **change)
    if field == "unit_region" and change.get("unit_region") == 1:
        body["unit_region"] = cast.county.pk
    if "unit_department" in change:
        body["unit_department"] = cast.market.pk
    r = api_as(cast.county_dispatcher).post("/listings", body)
    assert r.status_code == 422, r.content
    assert field in error_of(r)["fields"]
    assert not ListedItem.objects.exists()


def test_listing_filters(cast, api_as):
    late = new_listing(
        cast,
        listed_on=(today() - dt.timedelta(days=40)).isoformat(),
        deadline=(today() - dt.timedelta(days=2)).isoformat(),
    )
    at_state(cast, "rectifying", kind="prominent_problem")
    api = api_as(cast.leader)
    assert api.get("/listings").json()["count"] == 2
    assert [i["id"] for i in api.get("/listings", overdue="true").json()["items"]] == [late.pk]
    assert api.get("/listings", kind="prominent_problem").json()["count"] == 1
    assert api.get("/listings", status="rectifying").json()["count"] == 1
    r = api.get("/listings", status="bogus")
    assert r.status_code == 422 and "status" in error_of(r)["fields"]
    assert api.get("/listings", region=cast.town_b.pk).json()["count"] == 0
