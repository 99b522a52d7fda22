"""Background tasks of the sla app: a service call, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.sla import services


@task()
def sweep_deadlines() -> dict[str, int]:
    """Run the deadline sweeper once; returns what it marked."""
    run = services.sweep()
    return {
        "run": run.pk,
        "warned": run.warned,
        "overdue": run.overdue,
        "escalated": run.escalated,
        "reminded": run.reminded,
    }
