"""Who may see and do what in the six systems, built on the actor and the scope rules
(`pingan.access`): leaders, grid leaders and dispatchers see the regions they hold; each
decision belongs to the roles named beside it, within their regions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from pingan.access.actor import Actor, as_actor
from pingan.org.choices import ADMIN_ROLES, Role

if TYPE_CHECKING:
    from pingan.events.models import Event
    from pingan.geo.models import Region
    from pingan.gridsys.models import Appeal

VIEW_ROLES = frozenset({Role.LEADER, Role.GRID_LEADER, Role.DISPATCHER})
MEETING_ROLES = frozenset({Role.LEADER, Role.GRID_LEADER, Role.DISPATCHER})
REVIEW_ROLES = frozenset({Role.LEADER, Role.DISPATCHER})
DECIDE_ROLES = frozenset({Role.LEADER})

__all__ = [
    "DECIDE_ROLES",
    "MEETING_ROLES",
    "REVIEW_ROLES",
    "VIEW_ROLES",
    "can_decide_appeal",
    "can_manage_officers",
    "can_publish_ranking",
    "can_record_meeting",
    "can_review_event",
    "can_view",
    "grid_scope_q",
    "meeting_scope_q",
    "officer_scope_q",
    "ranking_scope_q",
    "review_scope_q",
]


# ---- yes/no -----------------------------------------------------------------------------


def can_view(actor: Actor | Any) -> bool:
    """Whether the actor sees the six systems of some region (scores, meetings, reviews)."""
    return bool(as_actor(actor).paths(VIEW_ROLES))


def can_manage_officers(actor: Actor | Any, grid: Region) -> bool:
    """Attach or detach officers on `grid`: an administrator, or a leader over the grid."""
    actor = as_actor(actor)
    return actor.has_role(*ADMIN_ROLES) or actor.covers(grid.path, DECIDE_ROLES)


def can_record_meeting(actor: Actor | Any, region: Region) -> bool:
    """Record a work meeting of `region`: a leader, grid leader or dispatcher over it."""
    return as_actor(actor).covers(region.path, MEETING_ROLES)


def can_review_event(actor: Actor | Any, event: Event) -> bool:
    """Review a closed event after the fact (倒查): a leader or dispatcher over it."""
    return as_actor(actor).covers(event.region_path, REVIEW_ROLES)


def can_publish_ranking(actor: Actor | Any, town: Region) -> bool:
    """Publish the quarterly ranking of `town`: a leader over the town."""
    return as_actor(actor).covers(town.path, DECIDE_ROLES)


def can_decide_appeal(actor: Actor | Any, appeal: Appeal) -> bool:
    """Decide an appeal against a ranking warning: a leader over the ranking's town."""
    return as_actor(actor).covers(appeal.warning.entry.town.path, DECIDE_ROLES)


# ---- query filters ------------------------------------------------------------------------


def meeting_scope_q(actor: Actor | Any) -> Q:
    """Meetings held in the actor's regions."""
    return as_actor(actor).region_q("region_path", VIEW_ROLES)


def review_scope_q(actor: Actor | Any) -> Q:
    """After-the-fact reviews of events in the actor's regions."""
    return as_actor(actor).region_q("region_path", VIEW_ROLES)


def ranking_scope_q(actor: Actor | Any) -> Q:
    """Ranking entries of grids in the actor's regions."""
    return as_actor(actor).region_q("grid__path", VIEW_ROLES)


def officer_scope_q(actor: Actor | Any) -> Q:
    """Officers attached to grids in the actor's regions."""
    return as_actor(actor).region_q("grid__path", VIEW_ROLES)


def grid_scope_q(actor: Actor | Any) -> Q:
    """Regions (a `Region` query) in the actor's regions."""
    return as_actor(actor).region_q("path", VIEW_ROLES)
