"""Who sees and runs campaigns and listed items; built on the actor and the scope rules
(`pingan.access`, `pingan.geo.scope`), never on a path comparison of its own.

- The county's Ping'an office (a dispatcher whose region is a county or above, over the
  campaign's or item's region) creates and runs campaigns and listed items.
- Campaigns: the office and the leaders over the campaign's region see every campaign
  (drafts included); once active, the dispatchers and leaders of the areas (a town in
  the areas, or any town when the campaign has none) and the departments' handlers of
  that region see it too.
- Listed items: the staff whose regions cover the item's place or its owner town, the
  owner department's handlers, and whoever listed it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.access.scope import visible_q
from pingan.campaigns.choices import CampaignStatus
from pingan.campaigns.models import Campaign, ListedItem
from pingan.core.errors import NotFound
from pingan.geo.choices import Level
from pingan.geo.scope import within, within_q
from pingan.org.choices import Role
from pingan.org.models import Department, Membership

OFFICE_LEVELS = frozenset({Level.COUNTY, Level.CITY})
OFFICE_ROLES = (Role.DISPATCHER,)
STAFF_ROLES = (Role.DISPATCHER, Role.LEADER)

__all__ = [
    "access_campaign",
    "access_listing",
    "ancestor_paths",
    "campaign_scope_q",
    "is_office",
    "is_unit",
    "listing_scope_q",
    "office_memberships",
]


def ancestor_paths(path: str) -> list[str]:
    """`330424/330424001/` → ["330424/", "330424/330424001/"]: the paths of the regions
    that contain it, itself included (in the same form as the path)."""
    lead = "/" if path.startswith("/") else ""
    parts = [p for p in path.split("/") if p]
    return [lead + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def is_office(membership: Membership, region_path: str) -> bool:
    """Whether `membership` is the Ping'an office (a county dispatcher) over `region_path`."""
    region = membership.region
    return (
        membership.role in OFFICE_ROLES
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


# ---- campaigns ----------------------------------------------------------------------------


def campaign_scope_q(actor: Actor | Any) -> Q:
    """Filter for the campaigns the actor may see (module docstring)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    staff = actor.paths(STAFF_ROLES)
    q = within_q("region_path", staff)  # the office and leaders over the campaign
    above = sorted({a for p in staff for a in ancestor_paths(p)})
    seen_later = Q(pk__in=[])
    if staff:
        in_areas = Campaign.objects.filter(
            within_q("areas__path", staff) | Q(areas__path__in=above)
        ).values("pk")
        seen_later |= Q(pk__in=in_areas) | (Q(areas__isnull=True) & Q(region_path__in=above))
    departments = actor.department_ids()
    if departments:
        dept_paths = Department.objects.filter(
            pk__in=departments, region__isnull=False
        ).values_list("region__path", flat=True)
        above_dept = sorted({a for p in dept_paths for a in ancestor_paths(p)})
        seen_later |= Q(region_path__in=above_dept)
    q |= seen_later & ~Q(status=CampaignStatus.DRAFT)
    return Q(pk__in=Campaign.objects.filter(q).values("pk"))


def access_campaign(actor: Actor | Any, campaign_id: int) -> Campaign:
    """The campaign if the actor may see it; NotFound for missing and out of scope alike."""
    campaign = (
        Campaign.objects.filter(campaign_scope_q(actor))
        .select_related("region", "created_by")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise NotFound(gettext("专项行动不存在"))
    return campaign


# ---- listed items ---------------------------------------------------------------------------


def _held(ids: set[int]) -> Q:
    return Q(unit_department_id__in=ids)


def listing_scope_q(actor: Actor | Any) -> Q:
    """Filter for the listed items the actor may see (module docstring)."""
    actor = as_actor(actor)
    q = visible_q(actor, path_field="region_path", departments=_held, own_field="created_by")
    if actor.user is not None:
        q |= within_q("unit_region__path", actor.paths())
    return q


def access_listing(actor: Actor | Any, listing_id: int) -> ListedItem:
    """The listed item if the actor may see it; NotFound for missing and out of scope."""
    item = (
        ListedItem.objects.filter(listing_scope_q(actor))
        .select_related("region", "unit_region", "unit_department", "campaign", "created_by")
        .filter(pk=listing_id)
        .first()
    )
    if item is None:
        raise NotFound(gettext("挂牌整治项不存在"))
    return item


def is_unit(membership: Membership, item: ListedItem) -> bool:
    """Whether `membership` answers for the item as its owner unit: a dispatcher or leader
    of the owner town (or a region inside it), or a handler of the owner department."""
    if item.unit_department_id is not None:
        return membership.role == Role.HANDLER and membership.department_id == (
            item.unit_department_id
        )
    unit = item.unit_region
    region = membership.region
    return (
        membership.role in STAFF_ROLES
        and unit is not None
        and region is not None
        and within(region.path, (unit.path,))
    )
