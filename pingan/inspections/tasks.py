"""Background work of the inspections app (django-tasks): the daily task generation."""

from __future__ import annotations

from django_tasks import task

from pingan.inspections.plans import tasks_generate


@task()
def inspection_tasks_generate() -> int:
    """Make the current periods' inspection tasks (idempotent); how many were made."""
    return tasks_generate().tasks
