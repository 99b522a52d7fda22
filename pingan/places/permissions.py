"""Who sees and changes which rental houses, places and cameras, and who may reveal the
personal data on them; built on the actor (`pingan.access`), never on a path comparison
of its own. docs/places.md, "Who may".

- Reading: as events, by region: a grid worker her grids, a grid leader his village, a
  town's dispatchers and leaders the town, the county's the county. Departments'
  handlers and the administrators see none of it (404).
- Registering and changing houses and places, and checking them: grid workers, grid
  leaders and dispatchers in their regions. Cameras: dispatchers in their regions.
- Revealing the address, the landlord, the tenants and the person in charge: the grid
  workers and leaders who visit (their regions) and the dispatchers of the region;
  leaders see masked values only. Every reveal is audited (`services`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from pingan.access.actor import REGION_ROLES, Actor, as_actor
from pingan.access.scope import visible_q
from pingan.core.errors import Forbidden, NotFound, invalid
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.places.models import Camera, Place, RentalHouse

__all__ = [
    "CAMERA_ROLES",
    "READ_ROLES",
    "UNMASK_ROLES",
    "WRITE_ROLES",
    "access_camera",
    "access_place",
    "access_rental",
    "can_unmask",
    "can_write",
    "places_scope_q",
    "writing_role",
]

READ_ROLES = REGION_ROLES
WRITE_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER})
CAMERA_ROLES = frozenset({Role.DISPATCHER})
UNMASK_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER})


def places_scope_q(actor: Actor | Any) -> Q:
    """Filter for the houses, places or cameras (any model with `region_path`) the actor
    may see."""
    return visible_q(as_actor(actor), path_field="region_path", roles=READ_ROLES)


def can_write(actor: Actor | Any, region_path: str, roles: frozenset[str] = WRITE_ROLES) -> bool:
    """Whether the actor holds one of `roles` over the region at `region_path`."""
    return as_actor(actor).covers(region_path, roles)


def can_unmask(actor: Actor | Any, region_path: str) -> bool:
    """Whether the actor may reveal the personal data of a record at `region_path`."""
    return as_actor(actor).covers(region_path, UNMASK_ROLES)


def writing_role(actor: Actor, region: Region, roles: frozenset[str] = WRITE_ROLES) -> str:
    """The role that lets `actor` register a record in `region`: 403 without any of
    `roles`, 422 naming `region` when none covers it."""
    if not actor.roles & roles:
        raise Forbidden(gettext("当前角色不能登记或修改此类信息"))
    for role in sorted(roles):
        if role in actor.roles and actor.covers(region.path, (role,)):
            return role
    raise invalid("region", gettext("所在区划不在您的辖区内"))


def _access(model: Any, actor: Actor | Any, pk: int, message: str, *, for_update: bool) -> Any:
    qs = model.objects.filter(places_scope_q(actor), pk=pk).select_related("region")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    row = qs.first()
    if row is None:
        raise NotFound(message)
    return row


def access_rental(actor: Actor | Any, rental_id: int, *, for_update: bool = False) -> Any:
    """The rental house if the actor may see it; NotFound for missing and out of scope."""
    return _access(RentalHouse, actor, rental_id, gettext("出租房不存在"), for_update=for_update)


def access_place(actor: Actor | Any, place_id: int, *, for_update: bool = False) -> Any:
    """The place if the actor may see it; NotFound for missing and out of scope."""
    return _access(Place, actor, place_id, gettext("场所不存在"), for_update=for_update)


def access_camera(actor: Actor | Any, camera_id: int, *, for_update: bool = False) -> Any:
    """The camera if the actor may see it; NotFound for missing and out of scope."""
    return _access(Camera, actor, camera_id, gettext("视频点位不存在"), for_update=for_update)
