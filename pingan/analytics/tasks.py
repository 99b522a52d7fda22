"""Background tasks of the analytics app: ids in, a service call, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.analytics import services


@task()
def run_export(job_id: int) -> int:
    """Write a large export's file; returns the rows written."""
    return services.export_job_run(job_id=job_id).done


@task()
def rebuild_rollups() -> dict[str, int]:
    """Recount every unlocked day's facts and rollups from the events."""
    return services.rollup_rebuild()
