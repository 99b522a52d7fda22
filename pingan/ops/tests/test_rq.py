"""The task queue on Redis (RQ): the same task code as the database queue, enqueued on
commit by the same services, run by an RQ worker. Needs the local Redis at 127.0.0.1:6379
(started by `make services`); uses its database 15 only."""

from __future__ import annotations

import pytest
import redis
from django.contrib import admin
from django_tasks import task_backends
from rq import Queue, SimpleWorker

from pingan.core import clock
from pingan.events.choices import DeadlineState
from pingan.events.models import Event
from pingan.notifications.models import Delivery, WebhookEndpoint
from pingan.ops.tests.test_faults import MON, Receiver, free_port, report
from pingan.sla.tasks import sweep_deadlines
from pingan.sla.tests.helpers import at, dispatched

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def rq_queue(settings, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    conn = redis.Redis.from_url(REDIS_URL)
    conn.ping()  # fails loudly when Redis is not running: `make services` starts it
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq"]
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    queue = Queue("default", connection=conn)
    queue.empty()
    yield queue
    queue.empty()
    conn.close()
    # django_rq registered its models on the global admin site when it was installed; the
    # settings go back after this test, and the admin of a later test must not list an
    # app that is no longer installed ("No installed app with label 'django_rq'").
    for model in [m for m in admin.site._registry if m._meta.app_label == "django_rq"]:
        admin.site.unregister(model)


def run_worker(queue: Queue) -> None:
    from django_tasks_rq.backend import Job

    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(
        burst=True, with_scheduler=False
    )


def test_the_backend_in_use_is_rq(rq_queue):
    assert type(task_backends["default"]).__name__ == "RQBackend"


def test_a_webhook_is_delivered_by_an_rq_worker(cast, rq_queue, django_capture_on_commit_callbacks):
    receiver = Receiver(free_port())
    try:
        WebhookEndpoint.objects.create(
            name="网格群", url=f"http://127.0.0.1:{receiver.server.server_address[1]}/"
        )
        event = report(cast, MON, django_capture_on_commit_callbacks)
        # The report's listeners are one job in Redis (events.tasks.event_changed_send),
        # enqueued on commit: nothing is notified in the request.
        assert rq_queue.count == 1 and not Delivery.objects.exists()
        # The worker runs it within the report's hour (a digest is sent once its hour is over).
        with clock.frozen(MON), django_capture_on_commit_callbacks(execute=True):
            run_worker(rq_queue)
        webhook = Delivery.objects.get(channel="webhook")
        # The deliveries are enqueued in Redis in their turn, not sent yet (the
        # dispatchers' hourly e-mail digests are sent by the sweeper once the hour is
        # over, not enqueued).
        assert rq_queue.count == Delivery.objects.exclude(payload__has_key="digest").count()
        assert webhook.state == "pending" and receiver.posts == []
        run_worker(rq_queue)
    finally:
        receiver.stop()
    webhook.refresh_from_db()
    assert (webhook.state, webhook.attempts) == ("sent", 1)
    assert [p["event_id"] for p in receiver.posts] == [event.pk]
    assert rq_queue.count == 0


def test_the_sweeper_task_runs_on_rq_with_its_result_kept(cast, rq_queue):
    e = dispatched(cast, MON)
    result = sweep_deadlines.enqueue()
    assert result.status == "READY"
    with clock.frozen(at(2026, 3, 10, 9)):
        run_worker(rq_queue)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value["overdue"] == 1
    assert Event.objects.get(pk=e.pk).deadline_state == DeadlineState.OVERDUE
