"""Who may ask for and carry out on-site checks, and which grids a grid worker works in;
built on the actor and the scope rules (`pingan.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from pingan.access.actor import Actor, as_actor
from pingan.org.choices import GRID_ROLES, Role

if TYPE_CHECKING:
    from pingan.events.models import Event
    from pingan.field.models import SiteCheck


def can_request_site_check(actor: Actor | Any, event: Event) -> bool:
    """Ask the event's grid to check something on site: a dispatcher over the event."""
    return as_actor(actor).covers(event.region_path, (Role.DISPATCHER,))


def can_do_site_check(actor: Actor | Any, check: SiteCheck) -> bool:
    """Record what was found on site: a grid worker or grid leader over the check's grid."""
    return as_actor(actor).covers(check.region_path, GRID_ROLES)


def grid_scope_q(actor: Actor | Any, field: str = "region_path") -> Q:
    """Rows whose path column `field` lies in the regions the actor holds a grid role in
    (the grid worker's own patch: their events, checks and grids)."""
    return as_actor(actor).region_q(field, GRID_ROLES)
