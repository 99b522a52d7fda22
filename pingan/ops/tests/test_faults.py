"""Faults: the database going away mid-request or for a while (PostgreSQL), a task
killed halfway, a webhook receiver down for minutes. Nothing half-applies, nothing is
lost, nothing happens twice, and service resumes without anyone restarting it."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading

import pytest
from django.db import connection
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.conftest import on_postgres
from pingan.core import audit, clock
from pingan.core.models import AuditEntry
from pingan.events.models import Event, EventTransition
from pingan.events.services import event_report
from pingan.notifications import services as notify
from pingan.notifications.models import Delivery, WebhookEndpoint
from pingan.sla import services as sla
from pingan.sla.tests.helpers import at, dispatched

MON = at(2026, 3, 2, 9)


def needs_postgres(fn):
    fn = pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL: server sessions")(fn)
    return pytest.mark.postgres_only(fn)


class Killed(BaseException):
    """Raised where a worker would die: not an Exception, so nothing catches it."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """A webhook receiver that records every POST and counts effects once per
    X-Pingan-Delivery (the idempotency key a real receiver must honour)."""

    def __init__(self, port: int) -> None:
        self.posts: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.posts.append({"id": self.headers["X-Pingan-Delivery"], **body})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def effects(self) -> dict[str, dict]:
        return {p["id"]: p for p in self.posts}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def no_proxy(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def report(cast, when, django_capture_on_commit_callbacks, text="楼道堆放杂物"):
    lat, lng = cast.point_a1
    with clock.frozen(when), django_capture_on_commit_callbacks(execute=True):
        return event_report(
            actor=cast.gridworker, category=cast.neighbour.pk, description=text, lat=lat, lng=lng
        )[0]


# ---- a webhook receiver down for minutes -------------------------------------------------


def test_receiver_down_for_minutes_gets_every_message_exactly_once_afterwards(
    cast, no_proxy, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens: connection refused
    WebhookEndpoint.objects.create(name="指挥中心大屏", url=f"http://127.0.0.1:{port}/hook")
    events = [
        report(cast, MON + dt.timedelta(seconds=i), django_capture_on_commit_callbacks, f"事件{i}")
        for i in range(3)
    ]
    rows = Delivery.objects.filter(channel="webhook")
    # Each was tried at once (on commit) and failed; the first retry after 60 s fails too.
    assert [(d.state, d.attempts) for d in rows] == [("pending", 1)] * 3
    with clock.frozen(MON + dt.timedelta(seconds=65)):
        assert notify.send_pending() == 0
    assert {d.attempts for d in rows.all()} == {2}

    receiver = Receiver(port)  # back after about a minute and a half
    try:
        with clock.frozen(MON + dt.timedelta(seconds=100)):
            assert notify.send_pending() == 0  # not due yet: backoff 120 s after try 2
        with clock.frozen(MON + dt.timedelta(seconds=190)):
            assert notify.send_pending() == 3
        with clock.frozen(MON + dt.timedelta(days=1)):
            # Only the dispatchers' hourly e-mail digests are left to go.
            sent = notify.send_pending()
            assert sent == Delivery.objects.filter(payload__has_key="digest").count()
    finally:
        receiver.stop()
    assert len(receiver.posts) == 3
    assert sorted(p["event_id"] for p in receiver.posts) == sorted(e.pk for e in events)
    assert {d.state for d in rows.all()} == {"sent"}


# ---- a task killed halfway -------------------------------------------------------------


def test_delivery_killed_after_sending_is_retried_and_takes_effect_once(
    cast, no_proxy, monkeypatch, django_capture_on_commit_callbacks
):
    receiver = Receiver(free_port())
    try:
        WebhookEndpoint.objects.create(
            name="网格群", url=f"http://127.0.0.1:{receiver.server.server_address[1]}/"
        )
        real_send = notify._send

        def send_then_die(delivery):
            real_send(delivery)  # the receiver has the message...
            raise Killed  # ...and the worker dies before recording it

        monkeypatch.setattr(notify, "_send", send_then_die)
        # The immediate backend records the task as failed; a real worker just dies.
        report(cast, MON, django_capture_on_commit_callbacks)
        d = Delivery.objects.get(channel="webhook")
        # Every delivery sent at once (the webhook) was claimed by the dead worker; the
        # dispatchers' e-mails wait for their hour's digest.
        at_once = Delivery.objects.exclude(payload__has_key="digest")
        assert set(at_once.values_list("state", flat=True)) == {"sending"}
        monkeypatch.setattr(notify, "_send", real_send)
        with clock.frozen(MON + dt.timedelta(minutes=1)):
            assert notify.send_pending() == 0  # the claim still holds
        with clock.frozen(MON + notify.CLAIM_FOR + dt.timedelta(seconds=1)):
            # The claims expired: each is retried.
            assert notify.send_pending() == at_once.count()
        with clock.frozen(MON + dt.timedelta(days=1)):
            # The digests go when their hour is over; nothing sent at once goes again.
            assert notify.send_pending() == Delivery.objects.count() - at_once.count()
    finally:
        receiver.stop()
    d.refresh_from_db()
    assert (d.state, d.attempts) == ("sent", 1)
    # Delivered at least once, with one delivery id: the receiver's effect happens once.
    assert len(receiver.posts) == 2
    assert list(receiver.effects()) == [str(d.pk)]


def test_sweep_killed_halfway_marks_each_event_exactly_once_when_run_again(cast, monkeypatch):
    events = [dispatched(cast, MON) for _ in range(5)]
    real_mark = sla.event_mark_deadline
    calls = {"n": 0}

    def mark_then_die(**kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed
        return real_mark(**kw)

    monkeypatch.setattr(sla, "event_mark_deadline", mark_then_die)
    with pytest.raises(Killed):
        sla.sweep(at(2026, 3, 10, 9))
    monkeypatch.setattr(sla, "event_mark_deadline", real_mark)
    marked = EventTransition.objects.filter(event__in=events, action="overdue").count()
    assert marked == 2
    run = sla.sweep(at(2026, 3, 10, 9, 1))
    assert run.overdue == 3
    for e in events:
        assert EventTransition.objects.filter(event=e, action="overdue").count() == 1


# ---- the database going away (PostgreSQL) -------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_connection_cut_mid_transition_answers_503_and_applies_nothing(cast, client, monkeypatch):
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker, category=cast.neighbour.pk, description="噪音扰民", lat=lat, lng=lng
    )
    token = token_issue(user=cast.dispatcher)
    headers = {"Authorization": f"Bearer {token}"}
    audit_rows = AuditEntry.objects.count()
    real_record = audit.record

    def server_restarts_then_record(**kw):
        # The server ends this session, as a restart does, in the middle of the transaction.
        with connection.cursor() as c:
            c.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real_record(**kw)

    monkeypatch.setattr(audit, "record", server_restarts_then_record)
    r = client.post(
        f"/api/v1/events/{event.pk}/transitions",
        {"action": "accept"},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 503
    assert r["Retry-After"] == "10"
    assert r.json()["error"]["code"] == "unavailable"
    monkeypatch.setattr(audit, "record", real_record)

    # Nothing half-applied: state, timeline and audit are as before.
    event.refresh_from_db()
    assert event.status == "reported"
    assert not EventTransition.objects.filter(event=event, action="accept").exists()
    assert AuditEntry.objects.count() == audit_rows

    # The next request gets a fresh connection by itself and succeeds.
    r = client.post(
        f"/api/v1/events/{event.pk}/transitions",
        {"action": "accept"},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200, r.content
    assert Event.objects.get(pk=event.pk).status == "accepted"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_database_unreachable_answers_503_everywhere_then_resumes(cast):
    # As in production: an exception that middleware met is answered, not re-raised.
    client = Client(raise_request_exception=False)
    client.force_login(cast.dispatcher)
    token = token_issue(user=cast.dispatcher)
    assert client.get("/events/").status_code == 200
    settings_dict = connection.settings_dict
    real_port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = str(free_port())  # the server is gone
    try:
        page = client.get("/events/")
        api = client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"})
        ready = Client().get("/readyz")  # a load balancer: no session cookie
    finally:
        connection.close()
        settings_dict["PORT"] = real_port
    assert page.status_code == 503 and page["Retry-After"] == "10"
    assert "服务暂时不可用" in page.content.decode()
    assert api.status_code == 503 and api.json()["error"]["code"] == "unavailable"
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
    # The server is back: the same client carries on without a restart of anything.
    assert client.get("/events/").status_code == 200
    assert Client().get("/readyz").json()["status"] == "ready"
