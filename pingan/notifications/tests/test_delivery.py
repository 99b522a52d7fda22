"""The outbox: webhooks retried with backoff until delivered, never delivered twice."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pingan.core import clock
from pingan.notifications.models import Delivery, WebhookEndpoint
from pingan.notifications.services import (
    delivery_retry,
    delivery_send,
    send_pending,
    webhook_signature,
)
from pingan.notifications.tasks import deliver
from pingan.notifications.tests.conftest import MON
from pingan.notifications.tests.receiver import Receiver


@pytest.fixture
def receiver(monkeypatch):
    def make(failures: int) -> Receiver:
        r = Receiver(failures)
        r.thread.start()
        made.append(r)
        return r

    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    made: list[Receiver] = []
    yield make
    for r in made:
        r.server.shutdown()
        r.server.server_close()


def test_failing_webhook_is_delivered_once_on_the_third_try(loop, receiver):
    hook = receiver(failures=2)
    WebhookEndpoint.objects.create(
        name="网格群机器人", url=hook.url, secret="s3cret", actions=["report"]
    )
    e = loop.report()  # first try at once (after commit): HTTP 500
    d = Delivery.objects.get(channel="webhook")
    assert (d.state, d.attempts) == ("pending", 1)
    assert "500" in d.last_error
    assert d.next_attempt_at == MON + dt.timedelta(seconds=60)
    with clock.frozen(MON + dt.timedelta(seconds=59)):
        assert send_pending() == 0  # not due yet
    with clock.frozen(MON + dt.timedelta(seconds=60)):
        assert send_pending() == 0  # second try: 500 again
    d.refresh_from_db()
    assert (d.state, d.attempts) == ("pending", 2)
    assert d.next_attempt_at == MON + dt.timedelta(seconds=60 + 120)
    with clock.frozen(MON + dt.timedelta(seconds=180)):
        assert send_pending() == 1  # third try: delivered
    d.refresh_from_db()
    assert (d.state, d.attempts, d.last_error) == ("sent", 3, "")
    assert len(hook.posts) == 3 and len(hook.delivered) == 1
    headers, body, _ = hook.delivered[0]
    payload = json.loads(body)
    assert payload["code"] == e.code and payload["title"] == e.title
    assert payload["action"] == "report" and payload["status"] == "reported"
    assert payload["link"].endswith(f"/events/{e.pk}/")
    assert dt.datetime.fromisoformat(payload["time"]) == MON
    assert headers["X-Pingan-Signature"] == webhook_signature("s3cret", body)


def test_a_cause_is_never_delivered_twice_even_if_the_task_runs_twice(loop, receiver):
    hook = receiver(failures=0)
    WebhookEndpoint.objects.create(name="全部动作", url=hook.url)
    loop.report()
    d = Delivery.objects.get(channel="webhook")
    assert d.state == "sent"
    assert deliver.enqueue(d.pk).return_value is False
    with clock.frozen(MON + dt.timedelta(days=1)):
        assert delivery_send(delivery_id=d.pk) is False
        # Only the dispatcher's e-mail digest of the hour is due; the webhook is not.
        assert send_pending() == 1
        assert Delivery.objects.get(pk=d.pk).attempts == 1
    # The same timeline row announced again creates no second delivery.
    from pingan.notifications.services import notify_event_change

    t = d.cause.removeprefix("t")
    notify_event_change(event_id=d.payload["event_id"], action="report", transition_id=int(t))
    assert Delivery.objects.filter(channel="webhook").count() == 1
    assert len(hook.posts) == 1
    assert "X-Pingan-Signature" not in hook.posts[0][0]  # no secret, no signature


def test_a_row_claimed_by_another_worker_is_left_alone_until_the_claim_expires(loop, receiver):
    hook = receiver(failures=0)
    endpoint = WebhookEndpoint.objects.create(name="全部动作", url=hook.url)
    Delivery.objects.create(
        channel="webhook",
        target=str(endpoint.pk),
        cause="t999",
        payload={"code": "X"},
        state="sending",
        next_attempt_at=MON,
        claimed_until=MON + dt.timedelta(minutes=5),
    )
    with clock.frozen(MON + dt.timedelta(minutes=1)):
        assert send_pending() == 0
    assert hook.posts == []
    # The other worker died: once its claim expires the row is sent.
    with clock.frozen(MON + dt.timedelta(minutes=6)):
        assert send_pending() == 1
    assert len(hook.delivered) == 1


def test_webhook_subscriptions_filter_actions(loop, receiver):
    hook = receiver(failures=0)
    WebhookEndpoint.objects.create(name="派遣", url=hook.url, actions=["dispatch"])
    WebhookEndpoint.objects.create(name="停用", url=hook.url, is_active=False)
    loop.dispatched()
    actions = [json.loads(body)["action"] for _, body, _ in hook.posts]
    assert actions == ["dispatch"]


def test_delivery_is_given_up_after_the_maximum_attempts(loop, receiver, settings):
    settings.PINGAN_NOTIFY_MAX_ATTEMPTS = 2
    hook = receiver(failures=100)
    WebhookEndpoint.objects.create(name="坏的", url=hook.url, actions=["report"])
    loop.report()
    with clock.frozen(MON + dt.timedelta(minutes=1)):
        send_pending()
    d = Delivery.objects.get(channel="webhook")
    assert (d.state, d.attempts) == ("failed", 2)
    with clock.frozen(MON + dt.timedelta(days=1)):
        send_pending()  # the hour's e-mail digest; the webhook was given up
    assert len(hook.posts) == 2
    # An operator retries it from the admin once the receiver is fixed.
    hook.failures = 0
    with clock.frozen(MON + dt.timedelta(days=1)):
        assert delivery_retry(ids=[d.pk]) == 1
        assert send_pending() == 1
    assert len(hook.delivered) == 1


def test_a_disabled_endpoint_gets_nothing(loop, receiver):
    hook = receiver(failures=1)
    endpoint = WebhookEndpoint.objects.create(name="临时", url=hook.url, actions=["report"])
    loop.report()
    endpoint.is_active = False
    endpoint.save()
    with clock.frozen(MON + dt.timedelta(minutes=1)):
        assert send_pending() == 0
    assert len(hook.posts) == 1
    assert "disabled" in Delivery.objects.get(channel="webhook").last_error
