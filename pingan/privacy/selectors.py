"""Reads: a user's clearances, export requests to decide or to use."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pingan.org.choices import Role
from pingan.org.selectors import memberships_of
from pingan.privacy.choices import ExportStatus
from pingan.privacy.models import Clearance, ExportRequest


def cleared_labels(user: Any) -> frozenset[str]:
    """Sensitivity labels `user` may see (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pingan_clearances", None)
    if cached is None:
        cached = frozenset(Clearance.objects.filter(user=user).values_list("label", flat=True))
        user._pingan_clearances = cached
    return cached  # type: ignore[no-any-return]


def _region_paths(user: Any) -> list[str]:
    paths = []
    for m in memberships_of(user):
        if m.region is not None:
            paths.append(m.region.path)
        elif m.department is not None and m.department.region is not None:
            paths.append(m.department.region.path)
    return paths


def may_decide_export(approver: Any, request: ExportRequest) -> bool:
    """A second person: the security administrator, or a leader whose region contains
    the requester's region (or the region of the requester's department)."""
    if approver is None or approver.pk == request.requested_by_id:
        return False
    ms = memberships_of(approver)
    if any(m.role == Role.SEC_ADMIN for m in ms):
        return True
    wanted = _region_paths(request.requested_by)
    return any(
        m.role == Role.LEADER
        and m.region is not None
        and any(p.startswith(m.region.path) for p in wanted)
        for m in ms
    )


def is_export_approver(user: Any) -> bool:
    return any(m.role in (Role.LEADER, Role.SEC_ADMIN) for m in memberships_of(user))


def export_requests_to_decide(*, user: Any) -> list[ExportRequest]:
    """Pending requests `user` may approve or reject."""
    if not is_export_approver(user):
        return []
    pending = ExportRequest.objects.filter(status=ExportStatus.PENDING).select_related(
        "requested_by"
    )
    return [r for r in pending if may_decide_export(user, r)]


def export_requests_of(*, user: Any) -> QuerySet[ExportRequest]:
    """The requests `user` made, newest first."""
    return ExportRequest.objects.filter(requested_by_id=user.pk).select_related("decided_by")
