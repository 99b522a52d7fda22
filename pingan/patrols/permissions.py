"""Who sees which patrols: their own, and those in the regions they lead or oversee.
Built on the actor and the scope rules (`pingan.access`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pingan.access.actor import Actor, as_actor
from pingan.access.scope import visible_q
from pingan.org.choices import Role

OVERSEER_ROLES = frozenset({Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER})


def patrol_scope_q(actor: Actor | Any) -> Q:
    """Filter for the patrols the actor may see: their own, and those in the regions they
    hold as grid leader, dispatcher or leader. Anonymous: nothing."""
    return visible_q(
        as_actor(actor), path_field="region_path", roles=OVERSEER_ROLES, own_field="user"
    )


def can_oversee(actor: Actor | Any) -> bool:
    """Whether the actor oversees the patrols of some region (not only their own)."""
    return bool(as_actor(actor).paths(OVERSEER_ROLES))
