"""Reads: a user's clearances, export requests to decide or to use.

Privacy sits below `pingan.access` (the actor reads its clearances here), so the checks
below take a user or an actor without importing it: `_memberships` reads an actor's
memberships as they are, a user's through `memberships_of`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from pingan.geo import scope
from pingan.org.choices import Role
from pingan.org.selectors import memberships_of
from pingan.privacy.choices import ExportStatus
from pingan.privacy.models import Clearance, ExportRequest

if TYPE_CHECKING:
    from pingan.org.models import Membership

APPROVER_ROLES = frozenset({Role.LEADER, Role.SEC_ADMIN})


def cleared_labels(user: Any) -> frozenset[str]:
    """Sensitivity labels `user` may see (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pingan_clearances", None)
    if cached is None:
        cached = frozenset(Clearance.objects.filter(user=user).values_list("label", flat=True))
        user._pingan_clearances = cached
    return cached  # type: ignore[no-any-return]


def _memberships(who: Any) -> Sequence[Membership]:
    """The memberships of an actor (`pingan.access.actor.Actor`, already loaded: a tuple)
    or of a user."""
    held = getattr(who, "memberships", None)
    if isinstance(held, tuple):
        return held
    return memberships_of(who)


def _region_paths(who: Any) -> list[str]:
    paths = []
    for m in _memberships(who):
        if m.region is not None:
            paths.append(m.region.path)
        elif m.department is not None and m.department.region is not None:
            paths.append(m.department.region.path)
    return paths


def can_decide_export(approver: Any, request: ExportRequest) -> bool:
    """Approve or reject `request` (an actor or a user): a second person, the security
    administrator, or a leader whose region contains the requester's region (or the
    region of the requester's department)."""
    if approver is None or approver.pk is None or approver.pk == request.requested_by_id:
        return False
    ms = _memberships(approver)
    if any(m.role == Role.SEC_ADMIN for m in ms):
        return True
    led = [m.region.path for m in ms if m.role == Role.LEADER and m.region is not None]
    return any(scope.within(p, led) for p in _region_paths(request.requested_by))


def can_approve_exports(who: Any) -> bool:
    """Whether `who` (an actor or a user) approves exports at all: a leader or the
    security administrator (which requests, `can_decide_export`)."""
    return any(m.role in APPROVER_ROLES for m in _memberships(who))


def export_requests_to_decide(*, user: Any) -> list[ExportRequest]:
    """Pending requests `user` (an actor or a user) may approve or reject."""
    if not can_approve_exports(user):
        return []
    pending = ExportRequest.objects.filter(status=ExportStatus.PENDING).select_related(
        "requested_by"
    )
    return [r for r in pending if can_decide_export(user, r)]


def export_requests_of(*, user: Any) -> QuerySet[ExportRequest]:
    """The requests `user` made, newest first."""
    return ExportRequest.objects.filter(requested_by_id=user.pk).select_related("decided_by")
