"""Background import: id in, call the service."""

from __future__ import annotations

from django_tasks import task

from pingan.importer import services


@task()
def run_import(job_id: int) -> int:
    """Run an import job; returns the number of rows processed."""
    return services.import_job_run(job_id=job_id).processed
