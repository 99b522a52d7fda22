"""Reporting, listing, reading and moving events through the API."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from pingan.api.tests.helpers import dispatched_to_police, error_of, report
from pingan.core import clock
from pingan.events.models import Event, EventTransition
from pingan.events.services import event_transition

CONTRACT_FIELDS = {
    "id",
    "code",
    "title",
    "description",
    "status",
    "category",
    "source",
    "region",
    "lat",
    "lng",
    "reported_at",
    "closed_at",
    "due_at",
    "deadline_state",
    "lead_department",
    "assisting_departments",
    "satisfaction",
}


def new_event(cast, **kw):
    lat, lng = cast.point_a1
    body = {"category": cast.neighbour.pk, "description": "楼道堆物引发邻里争吵", "lat": lat}
    body["lng"] = lng
    body.update(kw)
    return body


# ---- reporting ------------------------------------------------------------------------


def test_report_with_coordinates_finds_the_grid(cast, api_as):
    r = api_as(cast.gridworker).post("/events", new_event(cast, title="楼道堆物"))
    assert r.status_code == 201
    body = r.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["region"] == cast.grid_a1.pk
    assert body["status"] == "reported"
    assert body["title"] == "楼道堆物"
    assert body["satisfaction"] is None
    assert body["deadline_state"] is None
    assert body["assisting_departments"] == []
    assert body["code"].startswith("330424-")
    # Times are ISO 8601 with an offset.
    assert dt.datetime.fromisoformat(body["reported_at"]).utcoffset() is not None
    assert [t["action"] for t in body["timeline"]] == ["report"]
    assert Event.objects.get(pk=body["id"]).reporter == cast.gridworker


def test_report_by_region_without_coordinates(cast, api_as):
    body = new_event(cast, region=cast.grid_b1.pk, source="hotline_12345")
    del body["lat"], body["lng"]
    r = api_as(cast.county_dispatcher).post("/events", body)
    assert r.status_code == 201
    assert r.json()["region"] == cast.grid_b1.pk
    assert r.json()["source"] == "hotline_12345"


def test_same_client_uuid_twice_gives_the_first_event(cast, api_as):
    api = api_as(cast.gridworker)
    key = str(uuid.uuid4())
    first = api.post("/events", new_event(cast, client_uuid=key))
    again = api.post("/events", new_event(cast, client_uuid=key, description="重复提交"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["description"] == "楼道堆物引发邻里争吵"
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": None}, "description"),
        ({"category": 999999}, "category"),
        ({"category": "邻里"}, "category"),
        ({"lat": "north"}, "lat"),
        ({"lat": 95.0}, "lat"),
        ({"lng": None}, "lng"),
        ({"source": "rumour"}, "source"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"lat": 10.0, "lng": 10.0}, "lat"),  # outside every grid, no region
    ],
)
def test_invalid_report_is_422_naming_the_field_and_writes_nothing(cast, api_as, change, field):
    r = api_as(cast.gridworker).post("/events", new_event(cast, **change))
    assert r.status_code == 422, r.json()
    err = error_of(r)
    assert err["code"] == "invalid"
    assert field in err["fields"]
    assert err["fields"][field]  # a reason, in Chinese
    assert not Event.objects.exists()
    assert not EventTransition.objects.exists()


def test_missing_required_extra_field_is_named(cast, api_as):
    r = api_as(cast.gridworker).post("/events", new_event(cast, category=cast.fire.pk))
    assert r.status_code == 422
    assert error_of(r)["fields"] == {"extra.place_kind": "请填写场所类型"}
    assert not Event.objects.exists()


def test_parent_category_is_refused(cast, api_as):
    r = api_as(cast.gridworker).post("/events", new_event(cast, category=cast.dispute.pk))
    assert error_of(r)["fields"]["category"] == "请选择具体的小类"


def test_invalid_json_body_is_422(cast, api_as):
    r = api_as(cast.gridworker).post("/events", raw="{not json")
    assert r.status_code == 422
    assert "body" in error_of(r)["fields"]
    assert not Event.objects.exists()


def test_role_that_cannot_report_gets_403(cast, api_as):
    r = api_as(cast.handler).post("/events", new_event(cast))
    assert r.status_code == 403
    assert error_of(r)["code"] == "forbidden"
    assert not Event.objects.exists()


# ---- list -----------------------------------------------------------------------------


def test_list_shape_and_scope(cast, api_as):
    a1 = report(cast)
    report(cast, point="point_b1", user=cast.gridworker_b)
    body = api_as(cast.dispatcher).get("/events").json()
    assert set(body) >= {"items", "count", "page"}
    assert body["count"] == 1 and body["page"] == 1
    assert [e["id"] for e in body["items"]] == [a1.pk]
    assert set(body["items"][0]) >= CONTRACT_FIELDS
    assert api_as(cast.county_dispatcher).get("/events").json()["count"] == 2


def test_list_filters(cast, api_as):
    a1 = report(cast, description="楼道里堆着旧沙发")
    a2 = report(cast, point="point_a2", source="hotline_12345")
    b1 = report(
        cast,
        point="point_b1",
        user=cast.gridworker_b,
        category=cast.fire.pk,
        extra={"place_kind": "商铺"},
    )
    event_transition(actor=cast.county_dispatcher, event_id=a2.pk, action="accept")
    api = api_as(cast.county_dispatcher)

    def ids(**params):
        r = api.get("/events", **params)
        assert r.status_code == 200, r.json()
        return {e["id"] for e in r.json()["items"]}

    assert ids(region=cast.town_a.pk) == {a1.pk, a2.pk}  # the region and all below it
    assert ids(region=cast.grid_a2.pk) == {a2.pk}
    assert ids(status="accepted") == {a2.pk}
    assert ids(status="reported,accepted") == {a1.pk, a2.pk, b1.pk}
    assert ids(category=cast.hazard.pk) == {b1.pk}  # a parent covers its children
    assert ids(category=cast.neighbour.pk) == {a1.pk, a2.pk}
    assert ids(source="hotline_12345") == {a2.pk}
    assert ids(q="旧沙发") == {a1.pk}
    assert ids(q=b1.code) == {b1.pk}
    today = timezone.localdate().isoformat()
    assert ids(reported_from=today, reported_to=today) == {a1.pk, a2.pk, b1.pk}
    assert ids(reported_to="2000-01-01") == set()


def test_deadline_state_filter_and_field(cast, api_as):
    e = dispatched_to_police(cast)
    api = api_as(cast.dispatcher)
    assert api.get("/events", deadline_state="normal").json()["count"] == 1
    assert api.get("/events", deadline_state="overdue").json()["count"] == 0
    with clock.frozen(e.due_at + dt.timedelta(hours=1)):
        body = api.get("/events", deadline_state="overdue").json()
        assert [i["id"] for i in body["items"]] == [e.pk]
        assert body["items"][0]["deadline_state"] == "overdue"
        assert api.get(f"/events/{e.pk}").json()["deadline_state"] == "overdue"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"source": "rumour"}, "source"),
        ({"reported_from": "2026-13-01"}, "reported_from"),
        ({"reported_from": "2026-02-01", "reported_to": "2026-01-01"}, "reported_to"),
        ({"deadline_state": "purple"}, "deadline_state"),
        ({"page": 0}, "page"),
        ({"page_size": 201}, "page_size"),
        ({"region": "town"}, "region"),
    ],
)
def test_bad_list_parameters_are_422(cast, api_as, params, field):
    r = api_as(cast.dispatcher).get("/events", **params)
    assert r.status_code == 422
    assert field in error_of(r)["fields"]


def test_pagination(cast, api_as):
    made = [report(cast, description=f"第{i}件") for i in range(5)]
    api = api_as(cast.dispatcher)
    page1 = api.get("/events", page_size=2).json()
    page3 = api.get("/events", page_size=2, page=3).json()
    assert page1["count"] == 5 and page3["count"] == 5
    assert [e["id"] for e in page1["items"]] == [made[4].pk, made[3].pk]  # newest first
    assert [e["id"] for e in page3["items"]] == [made[0].pk]
    assert page3["page"] == 3
    assert api.get("/events", page=9).json()["items"] == []
    assert api.get("/events", page_size=200).status_code == 200
    assert page1["count_capped"] is False


def test_count_stops_at_the_cap_and_says_so(cast, api_as, monkeypatch):
    from pingan.api.v1 import events as events_api

    made = [report(cast, description=f"第{i}件") for i in range(4)]
    monkeypatch.setattr(events_api, "API_COUNT_CAP", 3)
    api = api_as(cast.dispatcher)
    body = api.get("/events", page_size=2, page=2).json()
    assert (body["count"], body["count_capped"]) == (3, True)
    # Pages past the counted events still answer: the fourth event is on page 2.
    assert [e["id"] for e in body["items"]] == [made[1].pk, made[0].pk]
    narrowed = api.get("/events", q="第2件").json()
    assert (narrowed["count"], narrowed["count_capped"]) == (1, False)


def test_list_runs_a_fixed_number_of_queries(cast, api_as, django_assert_max_num_queries):
    def joint(i):
        e = report(cast, description=f"第{i}件")
        event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
        event_transition(
            actor=cast.dispatcher,
            event_id=e.pk,
            action="dispatch",
            payload={"lead_department": cast.police.pk, "assisting_departments": [cast.market.pk]},
        )

    for i in range(3):
        joint(i)
    api = api_as(cast.dispatcher)
    api.get("/events")  # warm-up
    # The rows are asked of the recent months first, then (too few there) the page's ids
    # of the whole table and those events (on PostgreSQL with one read of the key table
    # for their months): two or three statements more than a plain read, none per row.
    with django_assert_max_num_queries(11) as few:
        r = api.get("/events", region=cast.town_a.pk)
    assert r.json()["count"] == 3
    assert r.json()["items"][0]["assisting_departments"] == [cast.market.pk]
    for i in range(10):
        joint(10 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = api.get("/events", region=cast.town_a.pk)
    assert r.json()["count"] == 13
    assert all(e["lead_department_name"] == "县公安局" for e in r.json()["items"])


# ---- detail and transitions -----------------------------------------------------------


def test_detail_has_timeline_and_assignments(cast, api_as):
    e = dispatched_to_police(cast)
    r = api_as(cast.handler).get(f"/events/{e.pk}")
    assert r.status_code == 200
    body = r.json()
    assert [t["action"] for t in body["timeline"]] == ["report", "accept", "dispatch"]
    assert set(body["timeline"][1]) >= {"action", "from_status", "to_status", "actor", "note", "at"}
    assert body["timeline"][1]["from_status"] == "reported"
    assert body["timeline"][1]["to_status"] == "accepted"
    assert body["timeline"][1]["actor"] == cast.dispatcher.pk
    assert [(a["department"], a["role"], a["status"]) for a in body["assignments"]] == [
        (cast.police.pk, "lead", "dispatched")
    ]
    assert body["lead_department"] == cast.police.pk
    assert body["deadline_state"] == "normal"
    assert {a["action"] for a in body["allowed_actions"]} >= {"acknowledge", "return"}


def test_unknown_event_is_404(cast, api_as):
    api = api_as(cast.county_dispatcher)
    assert error_of(api.get("/events/424242"))["code"] == "not_found"
    r = api.act(424242, "accept")
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


def test_the_closed_loop_through_the_api(cast, api_as):
    gw, disp = api_as(cast.gridworker), api_as(cast.dispatcher)
    police, market = api_as(cast.handler), api_as(cast.handler_market)
    eid = gw.post("/events", new_event(cast)).json()["id"]

    def ok(api, action, **fields):
        r = api.act(eid, action, **fields)
        assert r.status_code == 200, r.json()
        return r.json()

    assert ok(disp, "accept")["status"] == "accepted"
    ok(disp, "consult", participants=["派出所", "社区"], conclusion="先调解")
    body = ok(
        disp,
        "dispatch",
        lead_department=cast.police.pk,
        assisting_departments=[cast.market.pk],
        note="请联合处置",
    )
    assert body["status"] == "dispatched"
    assert body["assisting_departments"] == [cast.market.pk]
    assert body["due_at"] is not None
    assert ok(market, "acknowledge")["status"] == "dispatched"
    assert ok(police, "acknowledge")["status"] == "in_progress"
    ok(disp, "remind", note="请尽快")
    ok(api_as(cast.leader), "supervise", note="县领导督办")
    ok(police, "extend", days=3, note="需协调业主")
    ok(disp, "decide_extension", approve=True)
    ok(market, "resolve", result="已检查商铺")
    assert ok(police, "resolve", result="双方和解")["status"] == "resolved"
    body = ok(gw, "verify", passed=False, note="杂物未清")
    assert body["status"] == "in_progress"
    ok(police, "resolve", result="杂物已清")
    assert ok(gw, "verify", passed=True)["status"] == "closed"
    body = ok(disp, "follow_up", satisfaction="basically_satisfied")
    assert body["satisfaction"] == "basically_satisfied"
    assert body["closed_at"] is not None
    assert ok(disp, "reopen", note="群众反映复发")["status"] == "in_progress"
    ok(gw, "comment", note="已到现场查看")
    actions = [t["action"] for t in body["timeline"]]
    assert actions[:4] == ["report", "accept", "consult", "dispatch"]


@pytest.mark.parametrize(
    ("action", "fields", "target"),
    [
        ("reject", {"note": "不属于受理范围"}, "rejected"),
        ("escalate", {"note": "涉及多个镇"}, "reported"),
        ("resolve_on_site", {"result": "现场劝解"}, "closed"),
    ],
)
def test_actions_from_reported(cast, api_as, action, fields, target):
    e = report(cast)
    actor = cast.gridworker if action == "resolve_on_site" else cast.dispatcher
    r = api_as(actor).act(e.pk, action, **fields)
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == target


def test_merge_and_return(cast, api_as):
    master, dup = report(cast), report(cast)
    disp = api_as(cast.dispatcher)
    r = disp.act(dup.pk, "merge", master=master.pk)
    assert (r.status_code, r.json()["status"], r.json()["master"]) == (200, "merged", master.pk)
    e = dispatched_to_police(cast)
    r = api_as(cast.handler).act(e.pk, "return", note="不属于本部门职责")
    assert (r.status_code, r.json()["status"]) == (200, "accepted")
    assert r.json()["lead_department"] is None


def test_impossible_transition_is_409_and_changes_nothing(cast, api_as):
    e = report(cast)
    before = EventTransition.objects.count()
    r = api_as(cast.dispatcher).act(e.pk, "dispatch", lead_department=cast.police.pk)
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "conflict"
    assert "待受理" in err["message"]
    e.refresh_from_db()
    assert e.status == "reported" and e.lead_department_id is None
    assert EventTransition.objects.count() == before
    assert not e.assignments.exists()


def test_transition_with_missing_field_is_422_and_changes_nothing(cast, api_as):
    e = report(cast)
    disp = api_as(cast.dispatcher)
    r = disp.act(e.pk, "reject")
    assert r.status_code == 422
    assert error_of(r)["fields"] == {"note": "请填写说明"}
    r = disp.act(e.pk, "reject", note=5)
    assert "note" in error_of(r)["fields"]
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    r = disp.act(e.pk, "dispatch", lead_department=999999)
    assert error_of(r)["fields"] == {"lead_department": "部门不存在或已停用"}
    r = disp.act(e.pk, "launch")
    assert "action" in error_of(r)["fields"]
    e.refresh_from_db()
    assert e.status == "accepted"
    assert list(e.timeline.values_list("action", flat=True)) == ["report", "accept"]


def test_follow_up_satisfaction_must_be_a_known_value(cast, api_as):
    e = report(cast)
    event_transition(
        actor=cast.gridworker, event_id=e.pk, action="resolve_on_site", payload={"result": "ok"}
    )
    r = api_as(cast.dispatcher).act(e.pk, "follow_up", satisfaction="thrilled")
    assert r.status_code == 422
    assert "satisfaction" in error_of(r)["fields"]
