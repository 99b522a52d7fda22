"""Who may see and do what in the six systems. Scope is a set of region paths."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pingan.org.choices import Role
from pingan.org.selectors import memberships_of

VIEW_ROLES = frozenset({Role.LEADER, Role.GRID_LEADER, Role.DISPATCHER})
MEETING_ROLES = frozenset({Role.LEADER, Role.GRID_LEADER, Role.DISPATCHER})
REVIEW_ROLES = frozenset({Role.LEADER, Role.DISPATCHER})
DECIDE_ROLES = frozenset({Role.LEADER})


def paths_for(user: Any, roles: frozenset[str] = VIEW_ROLES) -> list[str]:
    return sorted(
        {m.region.path for m in memberships_of(user) if m.role in roles and m.region is not None}
    )


def covers(user: Any, path: str, roles: frozenset[str]) -> bool:
    return any(path.startswith(p) for p in paths_for(user, roles))


def path_q(paths: list[str], field: str = "region_path") -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def can_view(user: Any) -> bool:
    return bool(paths_for(user))
