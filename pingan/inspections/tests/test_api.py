"""The inspections API: submit idempotent by client_uuid (201 then 200), 422 with the
field, my tasks with their checklist, 暗访 hidden from the town until published, the
通报 .docx."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core import clock
from pingan.inspections.plans import tasks_generate
from pingan.inspections.tests.factories import checklist, inspector, plan

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _answers(kind: str, failed: tuple[str, ...] = ()) -> list[dict[str, str]]:
    return [
        {"item": i.code, "result": "problem" if i.code in failed else "ok"}
        for i in checklist(kind).items.all()
    ]


def test_submit_twice_answers_201_then_200_with_the_same_inspection(cast):
    c = _client(inspector(cast))
    body = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "supervision",
        "unit_region": cast.town_a.pk,
        "answers": _answers("supervision", ("P06",)),
        "lat": 30.525,
        "lng": 120.945,
    }
    first = c.post("/api/v1/inspections", body, content_type="application/json")
    again = c.post("/api/v1/inspections", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    out = first.json()
    assert out["problems"] == 1 and out["findings"] == 1
    assert out["inspectors"] == ["督**"]  # 督查甲, masked


def test_a_bad_answer_is_422_with_the_field(cast):
    c = _client(inspector(cast))
    body = {
        "kind": "supervision",
        "unit_region": cast.town_a.pk,
        "answers": [{"item": "P01", "result": "bad"}],
    }
    r = c.post("/api/v1/inspections", body, content_type="application/json")
    assert r.status_code == 422
    assert "answers" in r.json()["error"]["fields"]


def test_my_tasks_come_with_their_checklist(cast):
    insp = inspector(cast)
    from pingan.inspections.periods import today

    plan(cast, year=today().year, inspectors=[insp], towns=[cast.town_a, cast.town_b])
    tasks_generate()
    rows = _client(insp).get("/api/v1/inspections/tasks").json()
    assert sorted(r["unit_name"] for r in rows) == ["武原街道", "通元镇"]
    assert [i["code"] for i in rows[0]["checklist"]["items"]][:2] == ["P01", "P02"]
    assert _client(cast.dispatcher).get("/api/v1/inspections/tasks?mine=false").json() == []


def test_unannounced_is_hidden_from_the_town_until_the_office_publishes(cast):
    insp = inspector(cast)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "unannounced",
        "unit_region": cast.town_a.pk,
        "answers": _answers("unannounced", ("U01",)),
    }
    made = _client(insp).post("/api/v1/inspections", body, content_type="application/json")
    pk = made.json()["id"]
    town = _client(cast.dispatcher)
    assert town.get(f"/api/v1/inspections/{pk}").status_code == 404
    assert town.get("/api/v1/inspections").json()["count"] == 0
    assert _client(insp).post(f"/api/v1/inspections/{pk}/publish").status_code == 403
    published = _client(cast.county_dispatcher).post(f"/api/v1/inspections/{pk}/publish")
    assert published.status_code == 200 and published.json()["deducted"] == "1.00"
    assert town.get(f"/api/v1/inspections/{pk}").status_code == 200


def test_order_and_report(cast):
    insp = inspector(cast)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "supervision",
        "unit_region": cast.town_a.pk,
        "answers": _answers("supervision", ("P05",)),
    }
    c = _client(insp)
    i = c.post("/api/v1/inspections", body, content_type="application/json").json()
    fid = i["finding_list"][0]["id"]
    later = (timezone.localdate(clock.now()) + dt.timedelta(days=20)).isoformat()
    r = c.post(
        f"/api/v1/inspections/{i['id']}/findings/{fid}/order",
        {"deadline": later},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["order"] is not None
    again = c.post(
        f"/api/v1/inspections/{i['id']}/findings/{fid}/order",
        {"deadline": later},
        content_type="application/json",
    )
    assert again.status_code == 409
    doc = _client(cast.dispatcher).get(f"/api/v1/inspections/{i['id']}/report.docx")
    assert doc.status_code == 200
    assert doc["Content-Type"].startswith("application/vnd.openxmlformats")
    assert doc.content[:2] == b"PK"


def test_pages_answer_for_the_office_and_refuse_others(cast):
    insp = inspector(cast)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "supervision",
        "unit_region": cast.town_a.pk,
        "answers": _answers("supervision", ("P05",)),
    }
    pk = (
        _client(insp)
        .post("/api/v1/inspections", body, content_type="application/json")
        .json()["id"]
    )
    office = _client(cast.county_dispatcher)
    page = office.get(f"/inspections/{pk}/")
    assert page.status_code == 200 and "下发整改" in page.content.decode()
    assert office.get("/inspections/").status_code == 200
    assert office.get("/inspections/plans/new/").status_code == 200
    assert _client(cast.dispatcher_b).get(f"/inspections/{pk}/").status_code == 404
    assert _client(cast.dispatcher).get("/inspections/plans/new/").status_code == 403
    made = office.post(
        "/inspections/plans/new/",
        {
            "name": "测试计划",
            "level": "county_leader",
            "kind": "supervision",
            "frequency": "quarterly",
            "year": "2026",
            "towns": [cast.town_a.pk],
            "inspectors": [insp.pk],
        },
    )
    assert made.status_code == 302


def test_an_inspector_signing_in_lands_on_the_inspections(cast):
    from django.test import Client

    from pingan.inspections.tests.factories import inspector as _inspector

    c = Client()
    c.force_login(_inspector(cast))
    page = c.get("/")
    assert page.status_code == 302 and page["Location"] == "/inspections/"
    hub = c.get("/construction/").content.decode()
    assert "/inspections/" in hub and "/rectifications/" in hub and "/assessment/" not in hub
