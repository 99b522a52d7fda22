"""Who sees and does what in emergency handling; built on the actor and the scope rules
(`pingan.access`), never on a path comparison of its own.

- Activations: the centre, leaders and grid staff whose regions contain the event's
  region (minus sensitivity labels they are not cleared for), everyone called up in one
  of its groups, its commander and whoever activated it.
- The plan library, the duty roster and the drills are read by every signed-in user
  (who to call, what to do: phones masked); they are written by the dispatchers and
  leaders ("the office") whose regions contain the record's region.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.access.scope import visible_q
from pingan.core.errors import Forbidden, NotFound
from pingan.emergency.models import Activation, ActivationGroup
from pingan.org.choices import Role

OFFICE_ROLES = (Role.DISPATCHER, Role.LEADER)

__all__ = [
    "OFFICE_ROLES",
    "access_activation",
    "activation_scope_q",
    "can_manage",
    "can_reveal_duty_phone",
    "member_groups_q",
    "require_manage",
]


def member_groups_q(actor: Actor) -> Q:
    """The groups the actor was called up in."""
    if actor.user is None:
        return Q(pk__in=[])
    return Q(people=actor.user)


def activation_scope_q(actor: Actor | Any) -> Q:
    """Filter for the activations the actor may see (module docstring)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    q = visible_q(actor, path_field="region_path", sensitivity_field="sensitivity")
    groups = ActivationGroup.objects.filter(member_groups_q(actor)).values("activation_id")
    return q | Q(pk__in=groups) | Q(commander_id=actor.user.pk) | Q(created_by_id=actor.user.pk)


def access_activation(actor: Actor | Any, activation_id: int) -> Activation:
    """The activation if the actor may see it; NotFound for missing and out of scope."""
    row = (
        Activation.objects.filter(activation_scope_q(actor), pk=activation_id)
        .select_related("plan", "region", "event", "commander")
        .first()
    )
    if row is None:
        raise NotFound(gettext("预案启动记录不存在"))
    return row


def can_manage(actor: Actor | Any, region_path: str) -> bool:
    """Whether the actor keeps plans, the roster and drills for the region at
    `region_path`: a dispatcher or leader whose region contains it."""
    return as_actor(actor).covers(region_path, OFFICE_ROLES)


def require_manage(actor: Actor, region_path: str, message: str) -> None:
    """403 with `message` unless the actor may manage records of that region."""
    if not actor.roles & set(OFFICE_ROLES):
        raise Forbidden(message)
    if not can_manage(actor, region_path):
        raise Forbidden(gettext("该区划不在您的管辖范围内"))


def can_reveal_duty_phone(actor: Actor | Any, region_path: str) -> bool:
    """Whether the actor may see a duty phone in full (audited): the office of a region
    containing the shift's, or the shift's own region's staff on duty elsewhere."""
    return can_manage(actor, region_path)
