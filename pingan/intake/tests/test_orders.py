"""12345 and 110 work orders: intake by API, idempotency, keys limited to their channel,
withdrawal and reassignment by them, return by us, transfer of police matters to 110."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.core import clock
from pingan.events.models import Event
from pingan.events.services import event_transition
from pingan.intake.models import ExternalOrder, OrderAction
from pingan.intake.services import integration_key_issue, integration_setup
from pingan.intake.tests.conftest import MON
from pingan.notifications.models import Delivery

ORDER = {
    "order_no": "GD20260302-0001",
    "content": "武原街道城东小区3幢楼下夜间烧烤噪音扰民，多次协调无果",
    "category": "邻里纠纷",
    "caller_name": "王大明",
    "caller_phone": "13812345678",
    "address": "海盐县武原街道城东小区3幢",
    "deadline": "2026-03-09T17:00:00+08:00",
}


def post(client, key, path, body):
    headers = {"X-Api-Key": key} if key else {}
    return client.post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
    )


def get(client, key, path):
    return Client().get(f"/api/v1{path}", headers={"X-Api-Key": key})


def test_a_work_order_becomes_an_event_once(hotline, cast):
    _, key = hotline
    client = Client()
    with clock.frozen(MON):
        r = post(client, key, "/intake/orders", ORDER)
    assert r.status_code == 201, r.content
    body = r.json()
    event = Event.objects.get(code=body["event_code"])
    assert event.source == "hotline_12345"
    assert event.status == "reported" and body["status"] == "reported"
    assert event.category == cast.neighbour  # their category name matched our leaf
    assert event.reporter_phone == "13812345678" and event.reporter_name == "王大明"
    order = event.external_order
    assert (order.caller_name, order.caller_phone) == ("王大明", "13812345678")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT caller_name, caller_phone FROM intake_externalorder WHERE id = %s", [order.pk]
        )
        stored = cur.fetchone()
    assert "王大明" not in stored[0] and "13812345678" not in stored[1]  # encrypted at rest
    assert event.region == cast.county and event.queue_region == cast.county
    order = ExternalOrder.objects.get(event=event)
    assert order.order_no == ORDER["order_no"] and order.deadline.isoformat().startswith(
        "2026-03-09T09:00:00"
    )
    # The same order pushed again: the same event, nothing new.
    again = post(client, key, "/intake/orders", {**ORDER, "content": "重复推送"})
    assert again.status_code == 200
    assert again.json()["event_code"] == body["event_code"]
    assert Event.objects.count() == 1 and ExternalOrder.objects.count() == 1
    status = get(client, key, f"/intake/orders/{ORDER['order_no']}")
    assert status.status_code == 200 and status.json()["state"] == "received"


def test_coordinates_place_the_order_in_its_grid(hotline, cast):
    _, key = hotline
    lat, lng = cast.point_a1
    r = post(Client(), key, "/intake/orders", {**ORDER, "lat": lat, "lng": lng})
    assert r.status_code == 201
    assert Event.objects.get(code=r.json()["event_code"]).region == cast.grid_a1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content": ""}, "description"),
        ({"order_no": "  "}, "order_no"),
        ({"category_code": "no.such"}, "category_code"),
        ({"category_code": "dispute"}, "category_code"),  # not a leaf
        ({"urgency": "whenever"}, "urgency"),
        ({"deadline": "next week"}, "deadline"),
        ({"caller_phone": "1" * 30}, "caller_phone"),
    ],
)
def test_bad_orders_are_422_with_the_field_and_nothing_is_created(hotline, change, field):
    _, key = hotline
    r = post(Client(), key, "/intake/orders", {**ORDER, **change})
    assert r.status_code == 422, r.content
    assert field in r.json()["error"]["fields"]
    assert Event.objects.count() == 0 and ExternalOrder.objects.count() == 0


def test_an_unmappable_category_without_default_is_422(cast):
    integration = integration_setup(channel="police_110", region=cast.county)
    key = integration_key_issue(integration=integration)
    r = post(Client(), key, "/intake/orders", {**ORDER, "category": "非警务类-其他"})
    assert r.status_code == 422
    assert "category" in r.json()["error"]["fields"]


def test_each_key_is_limited_to_its_channel(hotline, police, cast):
    _, key_12345 = hotline
    _, key_110 = police
    assert post(Client(), None, "/intake/orders", ORDER).status_code == 401
    assert post(Client(), "not-a-key", "/intake/orders", ORDER).status_code == 401
    open311 = integration_setup(channel="open311", region=cast.county)
    key_open311 = integration_key_issue(integration=open311)
    assert post(Client(), key_open311, "/intake/orders", ORDER).status_code == 401
    # A staff bearer token is not an integration key either.
    token = token_issue(user=cast.county_dispatcher)
    r = Client().post(
        "/api/v1/intake/orders",
        json.dumps(ORDER),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 401
    assert post(Client(), key_12345, "/intake/orders", ORDER).status_code == 201
    # 110 neither sees nor touches 12345's order; the same number at 110 is its own order.
    assert get(Client(), key_110, f"/intake/orders/{ORDER['order_no']}").status_code == 404
    r = post(
        Client(),
        key_110,
        f"/intake/orders/{ORDER['order_no']}/withdraw",
        {"kind": "withdraw", "note": "x"},
    )
    assert r.status_code == 404
    r = post(Client(), key_110, "/intake/orders", {**ORDER, "category_code": "dispute.neighbour"})
    assert r.status_code == 201
    assert Event.objects.get(code=r.json()["event_code"]).source == "police_110"
    assert ExternalOrder.objects.count() == 2


def test_a_revoked_key_is_refused(hotline):
    integration, key = hotline
    integration.keys.update(revoked_at=MON)
    assert post(Client(), key, "/intake/orders", ORDER).status_code == 401


def test_withdrawal_before_acceptance_closes_the_event(hotline, django_capture_on_commit_callbacks):
    _, key = hotline
    client = Client()
    code = post(client, key, "/intake/orders", ORDER).json()["event_code"]
    path = f"/intake/orders/{ORDER['order_no']}/withdraw"
    assert post(client, key, path, {"kind": "withdraw", "note": ""}).status_code == 422
    assert post(client, key, path, {"kind": "cancel", "note": "x"}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, key, path, {"kind": "withdraw", "note": "市民已撤诉"})
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    event = Event.objects.get(code=code)
    assert event.status == "rejected"
    assert "12345热线撤单：市民已撤诉" in event.timeline.get(action="reject").note
    assert OrderAction.objects.get().kind == "withdraw"
    assert post(client, key, path, {"kind": "reassign", "note": "again"}).status_code == 409


def test_reassignment_of_an_accepted_order_leaves_the_decision_to_the_centre(
    hotline, cast, receiver, django_capture_on_commit_callbacks
):
    _, key = hotline
    hook = receiver()
    integration_setup(channel="hotline_12345", region=cast.county, callback_url=hook.url)
    client = Client()
    code = post(client, key, "/intake/orders", ORDER).json()["event_code"]
    event = Event.objects.get(code=code)
    with django_capture_on_commit_callbacks(execute=True):
        event_transition(actor=cast.county_dispatcher, event_id=event.pk, action="accept")
    assert Delivery.objects.filter(channel="webhook").count() == 1
    path = f"/intake/orders/{ORDER['order_no']}/withdraw"
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, key, path, {"kind": "reassign", "note": "改派至县住建局"})
    assert r.json()["state"] == "reassigned"
    event.refresh_from_db()
    assert event.status == "accepted"
    assert event.timeline.filter(action="comment", note__contains="改派").exists()
    # The order is no longer theirs to follow: no callback for later transitions.
    with django_capture_on_commit_callbacks(execute=True):
        event_transition(
            actor=cast.county_dispatcher,
            event_id=event.pk,
            action="dispatch",
            payload={"lead_department": cast.housing.pk},
        )
    assert Delivery.objects.filter(channel="webhook").count() == 1


def test_our_rejection_is_a_return_sent_back_to_12345(
    hotline, cast, receiver, django_capture_on_commit_callbacks
):
    hook = receiver()
    integration_setup(channel="hotline_12345", region=cast.county, callback_url=hook.url)
    _, key = hotline
    code = post(Client(), key, "/intake/orders", ORDER).json()["event_code"]
    event = Event.objects.get(code=code)
    with django_capture_on_commit_callbacks(execute=True):
        event_transition(
            actor=cast.county_dispatcher,
            event_id=event.pk,
            action="reject",
            payload={
                "note": "不属本县管辖，请改派",
                "public_reply": "该事项属平湖市管辖，请向平湖市反映（13912345678）。",
            },
        )
    order = ExternalOrder.objects.get(event=event)
    assert order.state == "returned"
    assert OrderAction.objects.get(order=order).kind == "return"
    assert len(hook.delivered) == 1
    payload = json.loads(hook.delivered[0][1])
    assert payload["type"] == "return" and payload["order_no"] == ORDER["order_no"]
    assert payload["note"] == "不属本县管辖，请改派" and payload["status"] == "rejected"
    # What 12345 may tell the caller (or publish): the public reply, masked.
    assert payload["public_reply"] == "该事项属平湖市管辖，请向平湖市反映（139****5678）。"


def _bearer(user):
    return {"Authorization": f"Bearer {token_issue(user=user)}"}


def test_police_matters_are_transferred_to_110(
    hotline, cast, receiver, django_capture_on_commit_callbacks
):
    hook_110 = receiver()
    _, key = hotline
    code = post(Client(), key, "/intake/orders", ORDER).json()["event_code"]
    event = Event.objects.get(code=code)
    path = f"/api/v1/events/{event.pk}/transfer-110"
    body = json.dumps({"reason": "涉嫌打架斗殴，属治安案件"})
    headers = _bearer(cast.county_dispatcher)
    # Not configured yet: 409 and nothing changes.
    r = Client().post(path, body, content_type="application/json", headers=headers)
    assert r.status_code == 409
    integration_setup(channel="police_110", region=cast.county, callback_url=hook_110.url)
    # A handler may not; a dispatcher of the other town does not even see it.
    r = Client().post(path, body, content_type="application/json", headers=_bearer(cast.handler))
    assert r.status_code in (403, 404)
    r = Client().post(
        path, body, content_type="application/json", headers=_bearer(cast.dispatcher_b)
    )
    assert r.status_code == 404
    r = Client().post(
        path, json.dumps({"reason": " "}), content_type="application/json", headers=headers
    )
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    event.refresh_from_db()
    assert event.status == "reported"
    with django_capture_on_commit_callbacks(execute=True):
        r = Client().post(path, body, content_type="application/json", headers=headers)
    assert r.status_code == 200, r.content
    event.refresh_from_db()
    assert event.status == "rejected"
    assert OrderAction.objects.filter(event=event, kind="transfer_110").count() == 1
    sent = [json.loads(b) for _, b, _ in hook_110.delivered]
    assert len(sent) == 1
    assert sent[0]["type"] == "transfer" and sent[0]["event_code"] == code
    assert sent[0]["caller_phone"] == "13812345678"  # 110 needs the contact
    assert sent[0]["reason"] == "涉嫌打架斗殴，属治安案件"
    # The reporter hears only that it went to 110, not the dispatcher's reason.
    rejected = event.timeline.get(action="reject")
    assert rejected.public_reply == "您反映的问题属公安管辖，已移交110处理。"
    assert "打架" not in rejected.public_reply
    # Once closed here it cannot be transferred again.
    r = Client().post(path, body, content_type="application/json", headers=headers)
    assert r.status_code == 409
