"""The phone app's API: reports, photos with evidence checks, idempotent actions, tasks."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from pingan.api.tests.helpers import dispatched_to_police, report
from pingan.core import clock
from pingan.events.choices import Status
from pingan.events.models import Attachment, Event, EventTransition, TrackingCheck
from pingan.events.services import event_transition
from pingan.field.models import EvidenceFlag, FieldReport

pytestmark = pytest.mark.django_db


def _jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 130, 140)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = "p.jpg"
    return buf


def _upload(api, event_id, **form):
    data = {"file": _jpeg(), "client_uuid": str(uuid.uuid4()), "kind": "report", **form}
    return api.client.post(f"/api/v1/field/events/{event_id}/photos", data, headers=api.headers)


def _report_body(cast, **kw):
    lat, lng = cast.point_a1
    body = {
        "client_uuid": str(uuid.uuid4()),
        "category": cast.neighbour.pk,
        "description": "城东小区3幢楼道堆放杂物",
        "lat": lat,
        "lng": lng,
        "accuracy_m": 12.5,
    }
    body.update(kw)
    return body


def test_report_is_idempotent_and_keeps_phone_facts(cast, api_as):
    api = api_as(cast.gridworker)
    made = (clock.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    body = _report_body(cast, made_at=made.isoformat())
    first = api.post("/field/reports", body)
    again = api.post("/field/reports", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    event = Event.objects.get()
    assert event.region_id == cast.grid_a1.pk
    fr = FieldReport.objects.get(event=event)
    assert (fr.accuracy_m, fr.made_at) == (12.5, made)


def test_report_settled_on_site_in_one_go(cast, api_as):
    api = api_as(cast.gridworker)
    r = api.post("/field/reports", _report_body(cast, settle_result="当场劝解，双方和好"))
    assert r.status_code == 201, r.content
    assert r.json()["status"] == Status.CLOSED and r.json()["resolved_on_site"] is True


def test_bad_report_changes_nothing(cast, api_as):
    api = api_as(cast.gridworker)
    r = api.post("/field/reports", _report_body(cast, category=cast.fire.pk))  # extra missing
    assert r.status_code == 422
    assert "extra.place_kind" in r.json()["error"]["fields"]
    assert not Event.objects.exists() and not FieldReport.objects.exists()


def test_photo_far_old_and_outside_grid_is_flagged(cast, api_as, settings):
    settings.PINGAN_EVIDENCE_MAX_AGE_HOURS = 6
    settings.PINGAN_EVIDENCE_MAX_DISTANCE_M = 300
    api = api_as(cast.gridworker)
    event_id = api.post("/field/reports", _report_body(cast)).json()["id"]
    # Taken 8 hours ago, 0.01° east: in grid a2, ~958 m away.
    taken = (clock.now() - dt.timedelta(hours=8)).isoformat()
    lat, lng = cast.point_a2
    r = _upload(api, event_id, taken_at=taken, lat=lat, lng=lng)
    assert r.status_code == 201, r.content
    assert sorted(r.json()["flags"]) == ["outside_grid", "too_far", "too_old"]
    # A fresh photo from the spot is clean.
    lat, lng = cast.point_a1
    r = _upload(api, event_id, taken_at=clock.now().isoformat(), lat=lat + 0.0005, lng=lng)
    assert r.json()["flags"] == []
    # The dispatcher sees the flags on the event; a stranger gets 404.
    flags = api_as(cast.dispatcher).get(f"/events/{event_id}/evidence-flags").json()
    assert {f["reason"] for f in flags} == {"outside_grid", "too_far", "too_old"}
    assert api_as(cast.dispatcher_b).get(f"/events/{event_id}/evidence-flags").status_code == 404


def test_thresholds_are_settings(cast, api_as, settings):
    settings.PINGAN_EVIDENCE_MAX_AGE_HOURS = 10
    settings.PINGAN_EVIDENCE_MAX_DISTANCE_M = 2000
    api = api_as(cast.gridworker)
    event_id = api.post("/field/reports", _report_body(cast)).json()["id"]
    lat, lng = cast.point_a1
    taken = (clock.now() - dt.timedelta(hours=8)).isoformat()
    r = _upload(api, event_id, taken_at=taken, lat=lat, lng=lng + 0.004)  # ~383 m, same grid
    assert r.json()["flags"] == []
    assert not EvidenceFlag.objects.exists()


def test_photo_retry_attaches_once(cast, api_as):
    api = api_as(cast.gridworker)
    event_id = api.post("/field/reports", _report_body(cast)).json()["id"]
    cu = str(uuid.uuid4())
    assert _upload(api, event_id, client_uuid=cu).status_code == 201
    assert _upload(api, event_id, client_uuid=cu).status_code == 200
    assert Attachment.objects.filter(event_id=event_id).count() == 1


def _resolved(cast):
    e = dispatched_to_police(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    event_transition(
        actor=cast.handler, event_id=e.pk, action="resolve", payload={"result": "已清理"}
    )
    return e


def test_verify_from_phone_fires_once(cast, api_as):
    e = _resolved(cast)
    api = api_as(cast.gridworker)
    body = {"client_uuid": str(uuid.uuid4()), "event": e.pk, "action": "verify", "passed": True}
    first = api.post("/field/actions", body)
    again = api.post("/field/actions", body)  # the first answer was lost
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["status"] == Status.CLOSED
    assert EventTransition.objects.filter(event=e, action="verify").count() == 1


def test_refused_action_keeps_nothing(cast, api_as):
    e = dispatched_to_police(cast)
    api = api_as(cast.gridworker)
    body = {"client_uuid": str(uuid.uuid4()), "event": e.pk, "action": "verify", "passed": True}
    assert api.post("/field/actions", body).status_code == 409  # not resolved yet
    # Nothing was kept for that uuid: once the result is in, the same item goes through.
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    event_transition(
        actor=cast.handler, event_id=e.pk, action="resolve", payload={"result": "已清理"}
    )
    assert api.post("/field/actions", body).status_code == 201
    assert api.post("/field/actions", {**body, "action": "accept"}).status_code == 200
    assert Event.objects.get(pk=e.pk).status == Status.CLOSED


def test_tasks_overdue_first(cast, api_as, settings):
    settings.PINGAN_FIELD_VERIFY_HOURS = 24
    old = _resolved(cast)
    new = _resolved(cast)
    Event.objects.filter(pk=old.pk).update(resolved_at=clock.now() - dt.timedelta(hours=30))
    # The centre asks for an on-site check, due in 2 hours.
    r = api_as(cast.dispatcher).post(
        f"/events/{report(cast).pk}/site-checks",
        {
            "note": "请到现场核实是否仍有堆放",
            "due_at": (clock.now() + dt.timedelta(hours=2)).isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    check_id = r.json()["id"]
    tasks = api_as(cast.gridworker).get("/field/tasks").json()
    kinds = [(t["kind"], t["event"]["id"], t["overdue"]) for t in tasks]
    assert kinds[0] == ("verify", old.pk, True)
    assert ("verify", new.pk, False) in kinds
    assert any(k == "site_check" for k, _, _ in kinds)
    # The grid worker of town B has none of these.
    assert api_as(cast.gridworker_b).get("/field/tasks").json() == []
    # Done from the phone, the check leaves the list.
    site_task = next(t for t in tasks if t["kind"] == "site_check")
    done = api_as(cast.gridworker).post(
        "/field/actions",
        {
            "client_uuid": str(uuid.uuid4()),
            "event": site_task["event"]["id"],
            "action": "site_check",
            "check": check_id,
            "result": "已清理完毕",
        },
    )
    assert done.status_code == 201, done.content
    left = api_as(cast.gridworker).get("/field/tasks").json()
    assert not any(t["kind"] == "site_check" for t in left)


def test_due_tracking_rechecks_are_the_named_workers_or_else_the_grids(cast, api_as):
    e = _resolved(cast)
    event_transition(
        actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
    )
    event_transition(
        actor=cast.dispatcher, event_id=e.pk, action="track", payload={"intervals": [7, 30, 90]}
    )
    grids, named, later = e.tracking_checks.order_by("due_on")
    today = timezone.localdate(clock.now())
    TrackingCheck.objects.filter(pk=grids.pk).update(due_on=today - dt.timedelta(days=1),
                                                     assignee=None)  # fmt: skip
    TrackingCheck.objects.filter(pk=named.pk).update(due_on=today, assignee=cast.gridworker_b)

    def rechecks(user):
        tasks = api_as(user).get("/field/tasks").json()
        return [
            (t["check"], t["event"]["id"], t["overdue"]) for t in tasks if t["kind"] == "recheck"
        ]

    # Nobody named: the grid worker who sees the event; the one named, wherever they work;
    # a re-check not yet due, nobody.
    assert rechecks(cast.gridworker) == [(grids.pk, e.pk, True)]
    assert rechecks(cast.gridworker_b) == [(named.pk, e.pk, False)]
    assert later.pk not in {c for c, _, _ in rechecks(cast.gridworker)}


def test_bootstrap_lists_frequent_categories_first(cast, api_as):
    report(cast)
    report(cast)
    body = api_as(cast.gridworker).get("/field/bootstrap").json()
    assert body["frequent"] == [cast.neighbour.pk]
    assert [g["id"] for g in body["grids"]] == [cast.grid_a1.pk]
    assert {c["id"] for c in body["categories"]} >= {cast.neighbour.pk, cast.fire.pk}


def test_dispatcher_sees_flags_on_the_event_page(cast, api_as, settings):
    from django.test import Client

    settings.PINGAN_EVIDENCE_MAX_AGE_HOURS = 1
    api = api_as(cast.gridworker)
    event_id = api.post("/field/reports", _report_body(cast)).json()["id"]
    _upload(api, event_id, taken_at=(clock.now() - dt.timedelta(hours=3)).isoformat())
    c = Client()
    c.force_login(cast.dispatcher)
    page = c.get(f"/events/{event_id}/").content.decode()
    assert 'data-reason="too_old"' in page and "拍摄于上报前3.0小时" in page


def test_phone_clock_ahead_does_not_fail_the_queue(cast, api_as):
    api = api_as(cast.gridworker)
    ahead = (clock.now() + dt.timedelta(hours=3)).isoformat()
    r = api.post("/field/reports", _report_body(cast, made_at=ahead))
    assert r.status_code == 201, r.content
    assert FieldReport.objects.get().made_at <= clock.now()


def test_settle_own_report_on_site_later(cast, api_as):
    e = report(cast)
    api = api_as(cast.gridworker)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "event": e.pk,
        "action": "resolve_on_site",
        "result": "已协调双方清理楼道",
    }
    assert api.post("/field/actions", body).json()["status"] == Status.CLOSED
    assert api.post("/field/actions", body).status_code == 200
    assert Event.objects.get(pk=e.pk).resolved_on_site is True


def test_my_reports_name_the_phone_report_by_its_client_uuid(cast, api_as):
    """The phone merges its queue with the server's list by client_uuid: the report it
    sent is named by its uuid, answered with the code the confirmation shows, and listed
    once however often it was sent."""
    api = api_as(cast.gridworker)
    body = _report_body(cast)
    sent = api.post("/field/reports", body).json()
    api.post("/field/reports", body)  # the answer was lost: the phone sends it again
    mine = api.get("/field/my-reports").json()
    assert [(r["client_uuid"], r["code"], r["status_label"]) for r in mine] == [
        (body["client_uuid"], sent["code"], "待受理")
    ]
    assert sent["code"] == Event.objects.get().code
