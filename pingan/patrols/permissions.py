"""Who sees which patrols: their own, and those in the regions they lead or oversee."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pingan.org.choices import Role
from pingan.org.selectors import memberships_of

OVERSEER_ROLES = frozenset({Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER})


def patrol_scope_q(user: Any) -> Q:
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(user_id=user.pk)
    for m in memberships_of(user):
        if m.role in OVERSEER_ROLES and m.region is not None:
            q |= Q(region_path__startswith=m.region.path)
    return q


def can_oversee(user: Any) -> bool:
    return any(m.role in OVERSEER_ROLES and m.region is not None for m in memberships_of(user))
