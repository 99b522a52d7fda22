"""The rectification API: issuing by hand (201, 403, 422), the list with its filters and
counts per state, one order, transitions (answer = the order as GET returns it),
evidence upload, deductions per unit and year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of
from pingan.core import clock
from pingan.rectification.deadlines import rectification_sweep
from pingan.rectification.tests.factories import acknowledged, inspector, new_order, png, today


@pytest.fixture
def api_as(db):
    def make(user):
        return ApiClient(Client(), token_issue(user=user))

    return make


def body(cast, **kw):
    out = {
        "title": "视频监控点位损坏",
        "requirement": "一周内修复并接入平台",
        "evidence_required": "修复后截图",
        "deadline": (today() + dt.timedelta(days=7)).isoformat(),
        "region": cast.village_a.pk,
        "unit": f"region:{cast.town_a.pk}",
        "deduction_points": "1.5",
    }
    out.update(kw)
    return out


def test_the_office_issues_an_order_and_the_town_sees_it(cast, api_as):
    r = api_as(cast.county_dispatcher).post("/rectifications", body(cast))
    assert r.status_code == 201, r.content
    got = r.json()
    assert got["code"].startswith("ZG-330424-") and got["status"] == "issued"
    assert got["unit"] == f"region:{cast.town_a.pk}" and got["deduction_points"] == "1.50"
    r = api_as(cast.dispatcher).get(f"/rectifications/{got['id']}")
    assert r.status_code == 200
    assert [a["action"] for a in r.json()["allowed_actions"]] == ["acknowledge"]
    assert api_as(cast.dispatcher_b).get(f"/rectifications/{got['id']}").status_code == 404


def test_issuing_is_refused_to_the_town_and_checked_per_field(cast, api_as):
    r = api_as(cast.dispatcher).post("/rectifications", body(cast))
    assert r.status_code == 403
    r = api_as(cast.county_dispatcher).post("/rectifications", body(cast, unit="town:1"))
    assert r.status_code == 422 and "unit" in error_of(r)["fields"]
    r = api_as(cast.county_dispatcher).post(
        "/rectifications", body(cast, deadline=(today() - dt.timedelta(days=1)).isoformat())
    )
    assert r.status_code == 422 and "deadline" in error_of(r)["fields"]


def test_list_filters_and_counts(cast, api_as):
    a = new_order(cast)
    b = acknowledged(cast, new_order(cast, unit="police", days=1))
    rectification_sweep(clock.now() + dt.timedelta(days=3))
    api = api_as(cast.county_dispatcher)
    r = api.get("/rectifications")
    assert r.json()["count"] == 2
    assert r.json()["by_status"]["issued"] == 1 and r.json()["by_status"]["rectifying"] == 1
    assert [o["id"] for o in api.get("/rectifications", overdue="true").json()["items"]] == [b.pk]
    assert [o["id"] for o in api.get("/rectifications", status="issued").json()["items"]] == [a.pk]
    got = api.get("/rectifications", unit=f"department:{cast.police.pk}").json()["items"]
    assert [o["id"] for o in got] == [b.pk]
    assert api_as(cast.dispatcher).get("/rectifications").json()["count"] == 1
    assert api.get("/rectifications", status="nope").status_code == 422


def test_transitions_and_evidence_through_the_api(cast, api_as):
    o = new_order(cast)
    town = api_as(cast.dispatcher)
    r = town.post(f"/rectifications/{o.pk}/transitions", {"action": "acknowledge"})
    assert r.status_code == 200 and r.json()["status"] == "rectifying"
    r = town.post(f"/rectifications/{o.pk}/transitions", {"action": "submit", "result": "已清理"})
    assert r.status_code == 422 and "evidence" in error_of(r)["fields"]
    upload = SimpleUploadedFile("after.png", png(), content_type="image/png")
    r = town.client.post(
        f"/api/v1/rectifications/{o.pk}/evidence",
        {"file": upload, "note": "清理后"},
        headers=town.headers,
    )
    assert r.status_code == 201, r.content
    assert [e["content_type"] for e in r.json()["evidence"]] == ["image/png"]
    r = town.post(f"/rectifications/{o.pk}/transitions", {"action": "submit", "result": "已清理"})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = town.post(f"/rectifications/{o.pk}/transitions", {"action": "recheck", "passed": True})
    assert r.status_code == 403
    insp = api_as(inspector(cast))
    r = insp.post(
        f"/rectifications/{o.pk}/transitions",
        {"action": "recheck", "passed": False, "note": "未整改到位"},
    )
    assert r.status_code == 422 and "deadline" in error_of(r)["fields"]
    r = insp.post(
        f"/rectifications/{o.pk}/transitions",
        {
            "action": "recheck",
            "passed": False,
            "note": "未整改到位",
            "deadline": (today() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert r.status_code == 200 and r.json()["failed_rechecks"] == 1
    assert r.json()["status"] == "rectifying"


def test_deductions_per_unit_and_year_and_cancel(cast, api_as):
    acknowledged(cast, new_order(cast, days=1))
    acknowledged(cast, new_order(cast, unit="town_b", days=1))
    rectification_sweep(clock.now() + dt.timedelta(days=2))
    year = (today() + dt.timedelta(days=2)).year
    office = api_as(cast.county_dispatcher)
    got = office.get("/rectifications/deductions", year=year).json()
    assert sorted(t["unit_name"] for t in got["totals"]) == ["武原街道", "通元镇"]
    assert all(t["points"] == "0.50" and t["count"] == 1 for t in got["totals"])
    town = api_as(cast.dispatcher).get("/rectifications/deductions", year=year).json()
    assert [d["unit_name"] for d in town["items"]] == ["武原街道"]
    target = town["items"][0]["id"]
    r = api_as(cast.dispatcher).post(
        f"/rectifications/deductions/{target}/cancel", {"reason": "申诉成立"}
    )
    assert r.status_code == 403
    r = office.post(f"/rectifications/deductions/{target}/cancel", {"reason": "申诉成立"})
    assert r.status_code == 200 and r.json()["cancelled"] is True
    got = office.get("/rectifications/deductions", year=year).json()
    assert [t["unit_name"] for t in got["totals"]] == ["通元镇"]
