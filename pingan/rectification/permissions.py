"""Who sees which rectification orders and who issues them; built on the actor and the
scope rules (`pingan.access`, `pingan.geo.scope`), never on a path comparison of its own.

- The county's Ping'an office (a dispatcher whose region is a county or above) sees every
  order in its region, published or not, and runs them (issue, re-check, close, extend,
  cancel, publish).
- A town's dispatchers see the published orders whose owner unit is their town; a
  department's handlers the published orders whose owner unit is their department.
- Leaders read the published orders in their region (where the problem is, or whose owner
  town lies in it).
- Inspectors (督查员) see the orders they watch (they found the problem), published or not.
Out of scope is the same 404 as missing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core.errors import NotFound
from pingan.geo.choices import Level
from pingan.geo.scope import narrowest, within, within_q
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.rectification.models import RectificationOrder

OFFICE_LEVELS = frozenset({Level.COUNTY, Level.CITY})

__all__ = [
    "access_order",
    "can_issue",
    "is_office",
    "is_unit",
    "office_paths",
    "order_scope_q",
    "orders_in_scope",
]


def is_office(membership: Membership, region_path: str | None = None) -> bool:
    """Whether `membership` is the county's Ping'an office (over `region_path` when given)."""
    region = membership.region
    return (
        membership.role == Role.DISPATCHER
        and region is not None
        and region.level in OFFICE_LEVELS
        and (region_path is None or within(region_path, (region.path,)))
    )


def office_paths(actor: Actor) -> list[str]:
    return narrowest(
        m.region.path for m in actor.holding((Role.DISPATCHER,)) if m.region and is_office(m)
    )


def _inspector_paths(actor: Actor) -> list[str]:
    return narrowest(m.region.path for m in actor.holding((Role.INSPECTOR,)) if m.region)


def can_issue(actor: Actor, region_path: str) -> str | None:
    """The role under which `actor` may issue an order (or a deduction) in the region at
    `region_path`: the office, or an inspector whose region covers it; the system acts as
    "system". None: not allowed."""
    if actor.user is None:
        return "system" if actor.name else None
    if within(region_path, office_paths(actor)):
        return Role.DISPATCHER
    if within(region_path, _inspector_paths(actor)):
        return Role.INSPECTOR
    return None


def is_unit(membership: Membership, order: RectificationOrder) -> bool:
    """Whether `membership` answers for the order's owner unit: a dispatcher of the owner
    town or a handler of the owner department."""
    if membership.role == Role.DISPATCHER and order.unit_region_id is not None:
        return membership.region_id == order.unit_region_id
    if membership.role == Role.HANDLER and order.unit_department_id is not None:
        return membership.department_id == order.unit_department_id
    return False


def order_scope_q(actor: Actor | Any) -> Q:
    """Filter for the orders the actor may see (module docstring)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    q = within_q("region_path", office_paths(actor))
    published = Q(published=True)
    towns = [
        m.region.path
        for m in actor.holding((Role.DISPATCHER,))
        if m.region is not None and not is_office(m)
    ]
    if towns:
        q |= published & within_q("unit_region_path", towns)
    departments = actor.department_ids()
    if departments:
        q |= published & Q(unit_department_id__in=sorted(departments))
    leaders = actor.paths((Role.LEADER,))
    if leaders:
        q |= published & (within_q("region_path", leaders) | within_q("unit_region_path", leaders))
    if Role.INSPECTOR in actor.roles:
        watched = RectificationOrder.watchers.through.objects.filter(user_id=actor.user.pk)
        q |= Q(pk__in=watched.values("rectificationorder_id"))
    return q


def orders_in_scope(actor: Actor | Any) -> QuerySet[RectificationOrder]:
    return RectificationOrder.objects.filter(order_scope_q(actor))


def access_order(actor: Actor | Any, order_id: int) -> RectificationOrder:
    """The order if the actor may see it; NotFound for missing and out of scope alike."""
    order = (
        orders_in_scope(actor)
        .select_related("region", "unit_region", "unit_department", "campaign", "created_by")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(gettext("整改通知不存在"))
    return order
