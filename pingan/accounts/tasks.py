"""Background tasks of the accounts app: a service call, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.accounts import services


@task()
def disable_unused_accounts() -> list[str]:
    """Disable accounts unused for `PINGAN_DORMANT_DAYS` (90) days; returns the usernames."""
    return services.accounts_disable_unused()
