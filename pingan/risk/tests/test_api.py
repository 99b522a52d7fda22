"""The risk API: the register with filters, registering (201, 403, 422 per field), one
matter with its linked events, PATCH, transitions and the figures."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of, report
from pingan.conftest import square
from pingan.risk.models import MajorMatter, MatterTransition
from pingan.risk.tests.factories import assessed, decided, measured, new_matter, today


@pytest.fixture
def api_as(db):
    def make(user):
        return ApiClient(Client(), token_issue(user=user))

    return make


def body(cast, **kw):
    lat, lng = cast.point_a1
    out = {
        "title": "海滨路拓宽工程",
        "kind": "project",
        "owner_department": cast.housing.pk,
        "region": cast.village_a.pk,
        "lat": lat,
        "lng": lng,
        "radius_m": 300,
        "people_affected": 80,
        "planned_on": today().isoformat(),
    }
    out.update(kw)
    return out


def patch(api, path, data):
    return api.client.patch(
        f"/api/v1{path}", json.dumps(data), content_type="application/json", headers=api.headers
    )


def test_the_county_office_registers_a_matter(cast, api_as):
    r = api_as(cast.county_dispatcher).post("/risk/matters", body(cast))
    assert r.status_code == 201, r.content
    got = r.json()
    assert got["status"] == "registered" and got["code"].startswith("WP-330424-")
    assert got["owner_department_name"] == "县住建局"
    assert [a["action"] for a in got["allowed_actions"]] == ["start", "withdraw"]
    assert got["linked"] == {
        "has_place": True,
        "events": 0,
        "disputes": 0,
        "capped": False,
        "latest": [],
        "latest_disputes": [],
    }


@pytest.mark.parametrize(
    "who, status", [("dispatcher", 403), ("gridworker", 403), ("handler", 403)]
)
def test_others_may_not_register(cast, api_as, who, status):
    r = api_as(getattr(cast, who)).post("/risk/matters", body(cast))
    assert r.status_code == status
    assert MajorMatter.objects.count() == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"kind": "mine"}, "kind"),
        ({"owner_department": 999999}, "owner_department"),
        ({"region": 999999}, "region"),
        ({"lat": 95.0}, "lat"),
        ({"lng": None}, "lng"),
        ({"radius_m": 9000}, "radius_m"),
        ({"people_affected": -1}, "people_affected"),
        ({"area": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}, "area"),
        ({"sensitivity": "secret"}, "sensitivity"),
    ],
)
def test_bad_fields_get_422_naming_the_field(cast, api_as, change, field):
    r = api_as(cast.county_dispatcher).post("/risk/matters", body(cast, **change))
    assert r.status_code == 422, r.content
    err = error_of(r)
    assert field in err["fields"], err
    assert MajorMatter.objects.count() == 0


def test_the_list_filters_by_grade_decision_kind_and_region(cast, api_as):
    high = decided(cast, assessed(cast, new_matter(cast), grade="high"), "postpone")
    low = assessed(
        cast,
        new_matter(cast, kind="policy", region=cast.town_b.pk, lat=None, lng=None),
        grade="low",
    )
    new_matter(cast)
    api = api_as(cast.county_dispatcher)
    assert api.get("/risk/matters").json()["count"] == 3
    assert [i["id"] for i in api.get("/risk/matters", grade="high").json()["items"]] == [high.pk]
    assert [i["id"] for i in api.get("/risk/matters", decision="postpone").json()["items"]] == [
        high.pk
    ]
    assert [i["id"] for i in api.get("/risk/matters", kind="policy").json()["items"]] == [low.pk]
    assert api.get("/risk/matters", region=cast.town_b.pk).json()["count"] == 1
    assert error_of(api.get("/risk/matters", grade="huge"))["fields"].keys() == {"grade"}
    # Town B's dispatcher sees town B's matter only.
    assert [i["id"] for i in api_as(cast.dispatcher_b).get("/risk/matters").json()["items"]] == [
        low.pk
    ]


def test_the_detail_shows_linked_events_masked(cast, api_as):
    report(
        cast, reporter_phone="13812345678", reporter_name="张三", address="城东社区海滨路18号3幢"
    )
    m = new_matter(cast)
    got = api_as(cast.county_dispatcher).get(f"/risk/matters/{m.pk}").json()
    assert got["linked"]["events"] == 1 and got["linked"]["disputes"] == 1
    row = got["linked"]["latest"][0]
    assert row["is_dispute"] is True
    assert "13812345678" not in json.dumps(got, ensure_ascii=False)
    assert "海滨路18号" not in row["address"]
    assert "reporter_name" not in row


def test_out_of_scope_is_404(cast, api_as):
    m = new_matter(cast)
    assert api_as(cast.dispatcher_b).get(f"/risk/matters/{m.pk}").status_code == 404


def test_transitions_answer_the_detail_and_refuse_with_nothing_written(cast, api_as):
    m = new_matter(cast)
    api = api_as(cast.county_dispatcher)
    url = f"/risk/matters/{m.pk}/transitions"
    r = api.post(url, {"action": "start"})
    assert r.status_code == 200 and r.json()["status"] == "assessing"
    r = api.post(url, {"action": "grade", "grade": "high", "reasons": "x"})
    assert r.status_code == 409
    r = api.post(
        url,
        {
            "action": "record_step",
            "step_kind": "poll",
            "held_on": today().isoformat(),
            "summary": "s",
        },
    )
    assert r.status_code == 422 and "step_kind" in error_of(r)["fields"]
    r = api.post(url, {"action": "record_step", "step_kind": "expert", "summary": "s"})
    assert r.status_code == 422 and "held_on" in error_of(r)["fields"]
    r = api.post(
        url,
        {
            "action": "record_step",
            "step_kind": "expert",
            "held_on": today().isoformat(),
            "summary": "专家论证可行",
        },
    )
    assert r.status_code == 200 and r.json()["steps"][0]["kind"] == "expert"
    assert (
        api_as(cast.leader)
        .post(url, {"action": "grade", "grade": "low", "reasons": "x"})
        .status_code
        == 403
    )
    assert MatterTransition.objects.filter(matter=m).count() == 3


def test_patch_changes_only_what_is_sent(cast, api_as):
    m = new_matter(cast)
    api = api_as(cast.county_dispatcher)
    r = patch(api, f"/risk/matters/{m.pk}", {"people_affected": 500, "area": square(120.94, 30.52)})
    assert r.status_code == 200, r.content
    got = r.json()
    assert got["people_affected"] == 500 and got["area"]["type"] == "Polygon"
    assert got["title"] == "城东社区旧城改造征收"
    row = MatterTransition.objects.filter(matter=m, action="update").get()
    assert row.data == {"fields": ["area", "people_affected"]}
    assert patch(api, f"/risk/matters/{m.pk}", {"radius_m": -5}).status_code == 422
    assert patch(api_as(cast.leader_b), f"/risk/matters/{m.pk}", {"title": "x"}).status_code == 404
    assert patch(api_as(cast.handler), f"/risk/matters/{m.pk}", {"title": "x"}).status_code == 403
    assert patch(api, f"/risk/matters/{m.pk}", {"grade": "high"}).status_code == 422


def test_the_figures(cast, api_as):
    m = assessed(cast, new_matter(cast), grade="high")
    measured(cast, m, days=0)
    decided(cast, m, "conditional")
    got = api_as(cast.county_dispatcher).get("/risk/stats").json()
    assert (got["registered"], got["assessed"], got["decided"]) == (1, 1, 1)
    assert got["by_grade"] == {"high": 1, "medium": 0, "low": 0}
    assert got["by_decision"]["conditional"] == 1
    assert got["measures_due"] == 0 and got["on_time_rate_text"] == "—"
    assert got["measures_pending"] == 1
    r = api_as(cast.county_dispatcher).get(
        "/risk/stats", date_from="2026-02-01", date_to="2026-01-01"
    )
    assert r.status_code == 422
