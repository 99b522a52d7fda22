"""Who sees which leads and who decides them, built on the actor and the scope rules
(`pingan.access`): dispatchers and leaders see the leads of their regions; only a
dispatcher over a lead's region confirms or dismisses it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from pingan.access.actor import Actor, as_actor
from pingan.org.choices import Role

if TYPE_CHECKING:
    from pingan.geo.models import Region
    from pingan.leads.models import Lead

VIEW_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
DECIDE_ROLES = frozenset({Role.DISPATCHER})


def lead_scope_q(actor: Actor | Any) -> Q:
    """Leads whose region lies in a region the actor holds as dispatcher or leader."""
    return as_actor(actor).region_q("region_path", VIEW_ROLES)


def can_decide_lead(actor: Actor | Any, lead: Lead) -> bool:
    """Confirm or dismiss `lead`: a dispatcher whose region contains the lead's. Leaders
    see the leads of their region but do not decide them."""
    return as_actor(actor).covers(lead.region_path, DECIDE_ROLES)


def can_enter_posts(actor: Actor | Any, region: Region) -> bool:
    """Enter posts (舆情) for `region`: a dispatcher whose region contains it."""
    return as_actor(actor).covers(region.path, DECIDE_ROLES)
