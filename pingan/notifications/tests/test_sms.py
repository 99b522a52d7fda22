"""SMS to the citizen who reported an event: through the outbox like webhooks (retried,
sent once), kept unsent without a gateway, the number encrypted and never in the text."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection

from pingan.core import clock
from pingan.notifications.models import Delivery
from pingan.notifications.services import delivery_retry, reporter_tell, send_pending
from pingan.notifications.tests.conftest import MON
from pingan.notifications.tests.receiver import Receiver

PHONE = "13912345678"


@pytest.fixture
def gateway(monkeypatch, settings):
    """The local receiver as the SMS gateway."""
    made: list[Receiver] = []

    def make(failures: int = 0) -> Receiver:
        r = Receiver(failures, path="/sms")
        r.thread.start()
        made.append(r)
        settings.PINGAN_SMS_GATEWAY_URL = r.url
        settings.PINGAN_SMS_GATEWAY_KEY = "sms-key"
        return r

    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    yield make
    for r in made:
        r.server.shutdown()
        r.server.server_close()


def closed_event(loop, phone=PHONE, when=MON):
    """An event with a reporter phone, taken to closed; returns it and its closing row."""
    c = loop.cast
    e = loop.dispatched(reporter_phone=phone, when=when)
    loop.act(c.handler, e, "acknowledge", when)
    loop.act(c.handler, e, "resolve", when, result="已清理")
    e = loop.act(c.dispatcher, e, "verify", when, passed=True)
    return e, e.timeline.get(action="verify")


def test_a_gateway_failing_twice_delivers_the_sms_once_on_the_third_try(loop, gateway):
    sms = gateway(failures=2)
    e, row = closed_event(loop)
    d = loop.committed(
        reporter_tell, MON, event_id=e.pk, transition_id=row.pk, ref="查询码AB23CD45"
    )
    assert d is not None
    d.refresh_from_db()  # first try at once (after commit): HTTP 500
    assert (d.channel, d.target, d.state, d.attempts) == ("sms", f"e{e.pk}", "pending", 1)
    assert d.last_error == "RuntimeError: HTTP 500"
    with clock.frozen(MON + dt.timedelta(seconds=60)):
        assert send_pending() == 0  # second try: 500 again
    with clock.frozen(MON + dt.timedelta(seconds=180)):
        assert send_pending() == 1  # third try: delivered
        assert send_pending() == 0
        # The same row again creates nothing and sends nothing.
        assert reporter_tell(event_id=e.pk, transition_id=row.pk, ref="查询码AB23CD45") == d
    d.refresh_from_db()
    assert (d.state, d.attempts) == ("sent", 3)
    assert len(sms.posts) == 3 and len(sms.delivered) == 1
    headers, body, _ = sms.delivered[0]
    assert headers["Authorization"] == "Bearer sms-key"
    message = json.loads(body)
    assert message["mobile"] == PHONE and message["msg_id"] == f"pingan-{d.pk}"
    assert {json.loads(p[1])["msg_id"] for p in sms.posts} == {f"pingan-{d.pk}"}
    assert message["content"] == "您反映的问题（查询码AB23CD45）已办结，感谢您的反映。"
    assert PHONE not in json.dumps(d.payload) and PHONE not in d.target
    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM notifications_delivery WHERE id = %s", [d.pk])
        assert PHONE not in cur.fetchone()[0]  # encrypted at rest


def test_without_a_gateway_the_sms_is_kept_unsent_and_sent_on_retry(loop, gateway, settings):
    e, row = closed_event(loop)
    d = loop.committed(reporter_tell, MON, event_id=e.pk, transition_id=row.pk, ref="编号X")
    assert d is not None and d.state == "unsent" and d.attempts == 0
    assert "未配置短信网关" in d.last_error
    with clock.frozen(MON + dt.timedelta(days=1)):
        send_pending()  # the day's e-mail digests go; the SMS is not picked up while unsent
    d.refresh_from_db()
    assert (d.state, d.attempts) == ("unsent", 0)
    sms = gateway(failures=0)
    assert delivery_retry(ids=[d.pk]) == 1
    assert send_pending() == 1
    d.refresh_from_db()
    assert d.state == "sent" and len(sms.delivered) == 1


def test_a_gateway_answering_an_error_code_is_a_failure(loop, gateway, settings):
    sms = gateway(failures=0)
    settings.PINGAN_SMS_SIGN = "海盐平安"
    sms.answer = b'{"code": 4085, "msg": "13912345678 over limit"}'
    e, row = closed_event(loop)
    d = loop.committed(reporter_tell, MON, event_id=e.pk, transition_id=row.pk, ref="编号X")
    d.refresh_from_db()
    assert d.state == "pending" and d.last_error == "RuntimeError: gateway refused: code 4085"
    assert json.loads(sms.posts[0][1])["content"].startswith("【海盐平安】您反映的问题（编号X）")


def test_no_sms_without_a_mobile_number_or_for_other_rows(loop, gateway):
    gateway(failures=0)
    e, row = closed_event(loop, phone="")
    assert reporter_tell(event_id=e.pk, transition_id=row.pk, ref="编号X") is None
    landline, row = closed_event(loop, phone="0573-86012345")
    assert reporter_tell(event_id=landline.pk, transition_id=row.pk, ref="编号X") is None
    accepted = landline.timeline.get(action="accept")
    assert reporter_tell(event_id=landline.pk, transition_id=accepted.pk, ref="编号X") is None
    assert not Delivery.objects.filter(channel="sms").exists()


def test_the_back_office_shows_the_number_masked(loop):
    from django.test import Client

    e, row = closed_event(loop)
    d = loop.committed(reporter_tell, MON, event_id=e.pk, transition_id=row.pk, ref="编号X")
    client = Client()
    client.force_login(loop.cast.sysadmin)
    page = client.get(f"/admin/notifications/delivery/{d.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "139****5678" in text and PHONE not in text
    assert "未发送（未配置短信网关）" in text
