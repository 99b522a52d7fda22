"""Background tasks of the registers: a service call, nothing else. Run daily (cron or a
systemd timer: docs/registry.md, "Commands and tasks")."""

from __future__ import annotations

from django_tasks import task

from pingan.registry import retention, services


@task()
def registry_visit_tasks() -> dict[str, int]:
    """Missed visits marked, the next visit tasks created, expired permits marked
    (idempotent)."""
    return services.visit_tasks_generate()


@task()
def registry_anonymise() -> int:
    """Anonymise the people past the retention period; how many."""
    return retention.anonymise_due()


@task()
def registry_rollup_rebuild(region_id: int | None = None) -> int:
    """Recount the per-grid figures (of one region, or all); how many grids."""
    from pingan.geo.models import Region
    from pingan.registry import rollup

    region = Region.objects.get(pk=region_id) if region_id is not None else None
    return rollup.rebuild(region)
