"""Background tasks of the notifications app: ids in, a service call, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.notifications import services


@task()
def deliver(delivery_id: int) -> bool:
    """Send one outbox row (enqueued on commit when it is created)."""
    return services.delivery_send(delivery_id=delivery_id)


@task()
def send_pending() -> int:
    """Send every outbox row that is due (new or due for a retry)."""
    return services.send_pending()
