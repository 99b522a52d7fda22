"""Background tasks of the shared kernel: a service call, nothing else."""

from __future__ import annotations

from django_tasks import task

from pingan.core import audit


@task()
def audit_purge() -> int:
    """Delete audit rows past the retention (at least 183 days); returns how many."""
    return audit.purge(actor="task audit_purge")


@task()
def audit_verify() -> dict[str, object]:
    """Verify the audit chain; the problems found, for the operator's monitoring."""
    result = audit.verify()
    return {"ok": result.ok, "checked": result.checked,
            "problems": [p.message for p in result.problems]}  # fmt: skip
