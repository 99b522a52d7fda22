"""Our status pushed back to 12345 through the outbox, with retries."""

from __future__ import annotations

import datetime as dt
import json

from pingan.core import clock
from pingan.events.services import event_transition
from pingan.intake.services import integration_setup, order_receive, order_withdraw
from pingan.intake.tests.conftest import MON
from pingan.notifications.models import Delivery
from pingan.notifications.services import send_pending, webhook_signature


def _order(integration, capture, **kw):
    with clock.frozen(MON), capture(execute=True):
        order, _ = order_receive(
            actor=integration.acting_user,
            integration=integration,
            order_no=kw.pop("order_no", "GD-1"),
            content="城东小区3幢夜间烧烤噪音扰民",
            caller_phone="13812345678",
            **kw,
        )
    return order


def _act(capture, user, event, action, when=MON, **payload):
    with clock.frozen(when), capture(execute=True):
        return event_transition(actor=user, event_id=event.pk, action=action, payload=payload)


def test_a_callback_whose_receiver_fails_twice_is_delivered_once_on_the_third_try(
    cast, hotline, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    hook = receiver(failures=2)
    integration = integration_setup(
        channel="hotline_12345", region=cast.county, callback_url=hook.url, callback_secret="k"
    )
    order = _order(integration, capture)
    mine = Delivery.objects.filter(channel="webhook", target=str(integration.callback_id))
    assert mine.count() == 0  # their own order is not reported back to them
    _act(capture, cast.county_dispatcher, order.event, "accept")
    d = mine.get()
    assert (d.state, d.attempts) == ("pending", 1)  # first try at once: HTTP 500
    with clock.frozen(MON + dt.timedelta(seconds=60)):
        assert send_pending() == 0  # second try: 500 again
    d.refresh_from_db()
    assert (d.state, d.attempts) == ("pending", 2)
    with clock.frozen(MON + dt.timedelta(seconds=179)):
        assert send_pending() == 0  # not due yet
    with clock.frozen(MON + dt.timedelta(seconds=180)):
        assert send_pending() == 1  # third try: delivered
    with clock.frozen(MON + dt.timedelta(days=1)):
        send_pending()  # the hour's e-mail digests go now; the callback never again
    assert mine.count() == 1
    d.refresh_from_db()
    assert (d.state, d.attempts) == ("sent", 3)
    assert len(hook.posts) == 3 and len(hook.delivered) == 1
    headers, body, _ = hook.delivered[0]
    assert headers["X-Pingan-Signature"] == webhook_signature("k", body)
    payload = json.loads(body)
    assert payload["order_no"] == "GD-1" and payload["event_code"] == order.event.code
    assert payload["type"] == "status" and payload["status"] == "accepted"


def test_every_state_change_is_sent_and_notes_are_not(
    cast, hotline, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    hook = receiver()
    integration = integration_setup(
        channel="hotline_12345", region=cast.county, callback_url=hook.url
    )
    order = _order(integration, capture, category_code="dispute.neighbour")
    e = order.event
    _act(capture, cast.county_dispatcher, e, "accept")
    _act(capture, cast.county_dispatcher, e, "comment", note="电话联系来电人")
    _act(capture, cast.county_dispatcher, e, "dispatch", lead_department=cast.police.pk)
    _act(capture, cast.handler, e, "acknowledge")
    _act(capture, cast.handler, e, "resolve", result="已约谈烧烤店主，夜间停止营业")
    _act(capture, cast.county_dispatcher, e, "verify", passed=True)
    _act(capture, cast.county_dispatcher, e, "follow_up", satisfaction="satisfied")
    sent = [json.loads(b) for _, b, _ in hook.delivered]
    assert [p["action"] for p in sent] == [
        "accept",
        "dispatch",
        "acknowledge",
        "resolve",
        "verify",
        "follow_up",
    ]
    assert sent[1]["department"] == "县公安局"
    assert sent[3]["result"] == "已约谈烧烤店主，夜间停止营业"
    assert sent[4]["status"] == "closed"
    assert sent[5]["satisfaction"] == "satisfied"
    # Another channel's events are never sent to 12345.
    assert all(p["order_no"] == "GD-1" for p in sent)


def test_events_of_other_channels_do_not_reach_the_callback(
    cast, hotline, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    hook = receiver()
    integration_setup(channel="hotline_12345", region=cast.county, callback_url=hook.url)
    from pingan.events.services import event_report

    with capture(execute=True):
        e, _ = event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description="网格员巡查发现",
            lat=cast.point_a1[0],
            lng=cast.point_a1[1],
        )
    _act(capture, cast.dispatcher, e, "accept")
    assert Delivery.objects.filter(channel="webhook").count() == 0 and hook.posts == []


def test_the_caller_hears_by_sms_when_the_order_is_closed(
    cast, hotline, receiver, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    gateway = receiver()
    settings.PINGAN_SMS_GATEWAY_URL = gateway.url
    integration, _ = hotline
    order = _order(integration, capture, category_code="dispute.neighbour")
    e = order.event
    _act(capture, cast.county_dispatcher, e, "accept")
    _act(capture, cast.county_dispatcher, e, "dispatch", lead_department=cast.police.pk)
    _act(capture, cast.handler, e, "acknowledge")
    _act(capture, cast.handler, e, "resolve", result="已约谈烧烤店主")
    assert gateway.posts == []
    _act(capture, cast.county_dispatcher, e, "verify", passed=True)
    (sms,) = [json.loads(b) for _, b, _ in gateway.delivered]
    assert sms["mobile"] == "13812345678"
    assert sms["content"] == "您反映的问题（12345工单号GD-1）已办结，感谢您的反映。"


def test_the_caller_of_a_withdrawn_order_hears_nothing_from_us(
    cast, hotline, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    settings.PINGAN_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    integration, _ = hotline
    order = _order(integration, capture, category_code="dispute.neighbour")
    e = order.event
    _act(capture, cast.county_dispatcher, e, "accept")
    with clock.frozen(MON), capture(execute=True):
        order_withdraw(
            actor=integration.acting_user,
            integration=integration,
            order_no="GD-1",
            kind="withdraw",
            note="已由12345办结",
        )
    _act(capture, cast.county_dispatcher, e, "dispatch", lead_department=cast.police.pk)
    _act(capture, cast.handler, e, "acknowledge")
    _act(capture, cast.handler, e, "resolve", result="已约谈烧烤店主")
    _act(capture, cast.county_dispatcher, e, "verify", passed=True)
    assert e.timeline.filter(action="verify").exists()
    assert not Delivery.objects.filter(channel="sms").exists()  # 12345 tells its caller
