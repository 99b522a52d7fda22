"""Scope rules on the actor: the building blocks of every app's `permissions.py`.

Naming: a check that answers yes/no for one object is `can_<verb>(actor, obj)`; a query
filter is `<things>_scope_q(actor)`; "which of the actor's memberships entitles them" is
`acting_membership`. The path rule itself lives in `pingan.geo.scope`; nothing else
compares region paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q

from pingan.access.actor import REGION_ROLES, Actor
from pingan.geo import scope as paths
from pingan.org.models import Membership

__all__ = [
    "REGION_ROLES",
    "memberships_covering",
    "visible_q",
]


def memberships_covering(
    actor: Actor, path: str | None, roles: Iterable[str] | None = REGION_ROLES
) -> list[Membership]:
    """The actor's memberships in `roles` whose region contains the region at `path`."""
    if path is None:
        return []
    return [
        m
        for m in actor.holding(roles)
        if m.region is not None and paths.within(path, (m.region.path,))
    ]


def visible_q(
    actor: Actor,
    *,
    path_field: str = "region_path",
    roles: Iterable[str] | None = REGION_ROLES,
    departments: Callable[[set[int]], Q] | None = None,
    own_field: str | None = None,
    sensitivity_field: str | None = None,
) -> Q:
    """The usual "what may this actor see" filter of a case kind:

    the rows in the actor's regions (`path_field`, for memberships in `roles`), or held by
    one of their departments (`departments(ids)` builds that filter, e.g. an active
    assignment), unless the row carries a sensitivity label (`sensitivity_field`) the
    actor is not cleared for; plus the rows the actor made themselves (`own_field`, a
    foreign key to the user), whatever their label. Anonymous: nothing."""
    if actor.user is None:
        return Q(pk__in=[])
    q = actor.region_q(path_field, roles)
    if departments is not None:
        ids = actor.department_ids()
        if ids:
            q |= departments(ids)
    if sensitivity_field is not None:
        labels = sorted(actor.clearances)
        visible = Q(**{sensitivity_field: ""})
        if labels:
            visible |= Q(**{f"{sensitivity_field}__in": labels})
        q &= visible
    if own_field is not None:
        q |= Q(**{f"{own_field}_id": actor.user.pk})
    return q
