"""Who sees which major matters and who registers them; built on the actor and the scope
rules (`pingan.access`), never on a path comparison of its own.

- The centres (受理员) and leaders (领导) see the matters in their regions, the grid staff
  the matters in their grids and villages (they run the public-opinion surveys).
- A department's handlers see the matters it answers for and those where it owns a
  measure.
- Whoever registered a matter sees it. Matters with a sensitivity label drop out for
  those not cleared for it (the registrar excepted).
- The county's Ping'an office (a dispatcher or leader whose region is a county or above,
  containing the matter) registers matters; the workflow's `office` scope is the same.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.access.scope import visible_q
from pingan.core.errors import NotFound
from pingan.geo.choices import Level
from pingan.geo.scope import within
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.risk.models import MajorMatter, RiskMeasure

# The levels of the office that registers and decides (稳评 is a county-level procedure).
OFFICE_LEVELS = frozenset({Level.COUNTY, Level.CITY})
OFFICE_ROLES = (Role.DISPATCHER, Role.LEADER)

__all__ = [
    "OFFICE_ROLES",
    "access_matter",
    "is_office",
    "matter_scope_q",
    "matters_in_scope",
    "office_memberships",
]


def _held(ids: set[int]) -> Q:
    measures = RiskMeasure.objects.filter(owner_department_id__in=ids).values("matter_id")
    return Q(owner_department_id__in=ids) | Q(pk__in=measures)


def matter_scope_q(actor: Actor | Any) -> Q:
    """Filter for the matters the actor may see (module docstring)."""
    return visible_q(
        as_actor(actor),
        path_field="region_path",
        departments=_held,
        own_field="created_by",
        sensitivity_field="sensitivity",
    )


def matters_in_scope(actor: Actor | Any) -> QuerySet[MajorMatter]:
    return MajorMatter.objects.filter(matter_scope_q(actor))


def access_matter(actor: Actor | Any, matter_id: int) -> MajorMatter:
    """The matter if the actor may see it; NotFound for missing and out of scope alike."""
    matter = (
        matters_in_scope(actor)
        .select_related("region", "owner_department", "created_by")
        .filter(pk=matter_id)
        .first()
    )
    if matter is None:
        raise NotFound(gettext("重大事项不存在"))
    return matter


def is_office(membership: Membership, region_path: str, roles: Any = OFFICE_ROLES) -> bool:
    """Whether `membership` is the Ping'an office over the region at `region_path`."""
    region = membership.region
    return (
        membership.role in roles
        and region is not None
        and region.level in OFFICE_LEVELS
        and within(region_path, (region.path,))
    )


def office_memberships(actor: Actor | Any, region_path: str | None = None) -> list[Membership]:
    """The actor's office memberships (over `region_path` when given)."""
    actor = as_actor(actor)
    return [
        m
        for m in actor.holding(OFFICE_ROLES)
        if m.region is not None
        and m.region.level in OFFICE_LEVELS
        and (region_path is None or within(region_path, (m.region.path,)))
    ]
