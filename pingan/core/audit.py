"""Writing the audit trail. Call `record` inside the transaction of the act it records."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pingan.core import clock
from pingan.core.models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor: Any = None,
    username: str = "",
    object_type: str = "",
    object_id: object = "",
    result: str = "ok",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. `detail` must not hold personal data in plain text."""
    if actor is not None and getattr(actor, "pk", None) is None:
        actor = None
    return AuditEntry.objects.create(
        at=clock.now(),
        action=action,
        actor=actor,
        username=username or (actor.get_username() if actor is not None else ""),
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        result=result,
        ip=client_ip(request),
        detail=detail or {},
    )
