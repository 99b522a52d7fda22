"""The emergency API: 启动预案 through the event's endpoint (422s naming the field), the
activation's own endpoints, the duty roster by date, plans and drills."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of
from pingan.core import clock
from pingan.core.audit import AuditEntry
from pingan.emergency.models import Activation
from pingan.emergency.tests.factories import activate, duty_now, urgent_event, wage_plan


@pytest.fixture
def api_as(db):
    def make(user):
        return ApiClient(Client(), token_issue(user=user))

    return make


def test_activate_plan_through_the_events_endpoint(cast, api_as):
    plan = wage_plan(cast)
    event = urgent_event(cast)
    api = api_as(cast.dispatcher)
    r = api.act(event.pk, "activate_plan", plan=plan.pk, level="IV")
    assert r.status_code == 200, r.content
    a = Activation.objects.get(event=event)
    listed = api.get("/emergency/activations", event=event.pk).json()
    assert [i["id"] for i in listed["items"]] == [a.pk]
    detail = api.get(f"/emergency/activations/{a.pk}").json()
    assert [g["name"] for g in detail["groups"]] == ["谈判组", "安抚组", "现场对接组"]
    assert detail["response_times"][0]["key"] == "to_activation"
    assert {x["action"] for x in detail["allowed_actions"]} >= {"arrive", "stand_down"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"plan": 999999, "level": "IV"}, "plan"), ({"level": "II"}, "level")],
)
def test_activate_plan_errors_are_422_naming_the_field(cast, api_as, fields, field):
    plan = wage_plan(cast)
    event = urgent_event(cast)
    fields = {"plan": plan.pk, **fields}
    r = api_as(cast.dispatcher).act(event.pk, "activate_plan", **fields)
    assert r.status_code == 422
    assert field in error_of(r)["fields"]
    assert not Activation.objects.exists()


def test_activation_transitions_and_reports(cast, api_as):
    a = activate(cast, wage_plan(cast))
    api = api_as(cast.dispatcher)
    r = api.post(f"/emergency/activations/{a.pk}/transitions", {"action": "arrive"})
    assert r.status_code == 200 and r.json()["status"] == "on_site"
    r = api.post(f"/emergency/activations/{a.pk}/reports", {"text": "现场30人", "people_count": 30})
    assert r.status_code == 201 and r.json()["reports"][0]["people_count"] == 30
    r = api.post(
        f"/emergency/activations/{a.pk}/transitions", {"action": "stand_down", "summary": "已平息"}
    )
    assert r.status_code == 422 and "lessons" in error_of(r)["fields"]
    # A grid worker of the region may report the situation but not stand the response down.
    gw = api_as(cast.gridworker)
    assert (
        gw.post(f"/emergency/activations/{a.pk}/reports", {"text": "人群散去"}).status_code == 201
    )
    r = gw.post(
        f"/emergency/activations/{a.pk}/transitions",
        {"action": "stand_down", "summary": "x", "lessons": "y"},
    )
    assert r.status_code == 403
    # Town B does not see it at all.
    assert api_as(cast.dispatcher_b).get(f"/emergency/activations/{a.pk}").status_code == 404


def test_a_member_sees_his_tasks_and_acknowledges(cast, api_as):
    a = activate(cast, wage_plan(cast))
    api = api_as(cast.handler_market)
    mine = api.get("/emergency/tasks/mine").json()
    assert [g["group_name"] for g in mine] == ["安抚组"]
    r = api.post(
        f"/emergency/activations/{a.pk}/transitions",
        {"action": "acknowledge", "group": mine[0]["group"]},
    )
    assert r.status_code == 200
    task = mine[0]["tasks"][0]["id"]
    r = api.post(
        f"/emergency/activations/{a.pk}/transitions", {"action": "task_done", "task": task}
    )
    assert r.status_code == 200
    done = next(g for g in r.json()["groups"] if g["name"] == "安抚组")
    assert done["acknowledged_by"] == cast.handler_market.pk and done["tasks"][0]["done_at"]


def test_duty_by_date_masks_phones_and_reveal_is_audited(cast, api_as):
    duty = duty_now(cast)
    api = api_as(cast.gridworker)
    r = api.get("/duty", date=duty.date.isoformat())
    assert r.status_code == 200
    shifts = r.json()["shifts"]
    assert {s["user"] for s in shifts} == {
        duty.town_leader.pk,
        duty.town_officer.pk,
        duty.county_officer.pk,
    }
    officer = next(s for s in shifts if s["user"] == duty.town_officer.pk)
    assert officer["phone"] != "13900001111" and officer["phone"].endswith("1111")
    other_day = (duty.date + dt.timedelta(days=3)).isoformat()
    assert api.get("/duty", date=other_day).json()["shifts"] == []
    assert api.get(f"/duty/{officer['id']}/phone").status_code == 403
    r = api_as(cast.dispatcher).get(f"/duty/{officer['id']}/phone")
    assert r.status_code == 200 and r.json()["phone"] == "13900001111"
    assert AuditEntry.objects.filter(action="pii.unmask", object_type="duty_shift").count() == 2


def test_duty_editing_is_for_the_office_of_the_region(cast, api_as):
    today = timezone.localdate(clock.now()).isoformat()
    body = {
        "date": today,
        "shift": "day",
        "region": cast.town_a.pk,
        "user": cast.gridworker.pk,
        "role": "officer",
    }
    assert api_as(cast.gridworker).post("/duty", body).status_code == 403
    assert api_as(cast.dispatcher_b).post("/duty", body).status_code == 403
    r = api_as(cast.dispatcher).post("/duty", body)
    assert r.status_code == 201 and r.json()["level"] == "town"
    assert api_as(cast.dispatcher).post("/duty", body).status_code == 409
    r = api_as(cast.dispatcher).post("/duty", {**body, "region": cast.village_a.pk})
    assert r.status_code == 422 and "region" in error_of(r)["fields"]
    r = api_as(cast.dispatcher).post("/duty", {**body, "shift": "evening"})
    assert r.status_code == 422 and "shift" in error_of(r)["fields"]


def test_plans_are_created_by_the_office_and_read_by_everyone(cast, api_as):
    body = {
        "name": "防汛防台应急预案",
        "kind": "natural_disaster",
        "levels": ["I", "II", "III", "IV"],
        "region": cast.county.pk,
        "groups": [
            {
                "name": "转移安置组",
                "lead_department": cast.housing.pk,
                "tasks": [{"title": "转移危旧房群众", "minutes": 180}],
            }
        ],
        "steps": ["发布预警", "转移人员"],
    }
    assert api_as(cast.dispatcher).post("/emergency/plans", body).status_code == 403
    r = api_as(cast.county_dispatcher).post("/emergency/plans", body)
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["groups"][0]["tasks"] == [{"title": "转移危旧房群众", "minutes": 180}]
    r = api_as(cast.county_dispatcher).post("/emergency/plans", {**body, "levels": ["V"]})
    assert r.status_code == 422 and "levels" in error_of(r)["fields"]
    got = api_as(cast.handler).get(f"/emergency/plans/{plan['id']}")
    assert got.status_code == 200 and got.json()["steps"] == ["发布预警", "转移人员"]


def test_drills_planned_then_held(cast, api_as):
    plan = wage_plan(cast)
    api = api_as(cast.county_dispatcher)
    today = timezone.localdate(clock.now())
    r = api.post(
        "/emergency/drills",
        {
            "plan": plan.pk,
            "title": "讨薪处置演练",
            "region": cast.county.pk,
            "planned_on": today.isoformat(),
        },
    )
    assert r.status_code == 201
    drill = r.json()["id"]
    r = api.post(
        f"/emergency/drills/{drill}/record",
        {"held_on": today.isoformat(), "participants": 40, "findings": ""},
    )
    assert r.status_code == 422 and "findings" in error_of(r)["fields"]
    r = api.post(
        f"/emergency/drills/{drill}/record",
        {
            "held_on": today.isoformat(),
            "participants": 40,
            "units": "县公安局",
            "findings": "对话组到场偏慢",
        },
    )
    assert r.status_code == 200 and r.json()["state"] == "held"
    assert api.post(f"/emergency/drills/{drill}/record", {"held": False}).status_code == 409
    listed = api_as(cast.gridworker).get("/emergency/drills", state="held").json()
    assert [d["id"] for d in listed] == [drill]
