"""Background work of the field app: ids in, call a service."""

from __future__ import annotations

from django_tasks import task

from pingan.field.evidence import evidence_check


@task()
def evidence_check_photo(attachment_id: int) -> int:
    """The evidence checks of a stored report photo; returns the flags raised."""
    return len(evidence_check(attachment_id=attachment_id))
