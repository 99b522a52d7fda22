"""Reads of the region tree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pingan.geo import scope
from pingan.geo.choices import Level
from pingan.geo.models import Region


def region_ancestors(region: Region) -> list[Region]:
    """The region's ancestors and itself, from the root down (one query)."""
    return list(Region.objects.filter(code__in=region.ancestor_codes()).order_by("depth"))


def region_ancestor_at(region: Region, level: str) -> Region | None:
    """The ancestor (or the region itself) at `level`, or None."""
    if region.level == level:
        return region
    return Region.objects.filter(code__in=region.ancestor_codes(), level=level).first()


def region_subtree(region: Region) -> QuerySet[Region]:
    """The region and every region below it."""
    return Region.objects.filter(scope.within_q("path", (region.path,)))


def region_list(
    *, user: Any = None, parent: int | None = None, level: str | None = None
) -> QuerySet[Region]:
    """Regions filtered by parent and level. The tree itself is public within the system:
    every signed-in user may read names, codes and boundaries."""
    qs = Region.objects.all()
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("path")


def queue_region_for(region: Region) -> Region:
    """The centre whose queue receives events reported in `region`: its town's centre,
    or the county's for regions above town level."""
    if region.level in (Level.TOWN, Level.COUNTY, Level.CITY):
        return region
    town = region_ancestor_at(region, Level.TOWN)
    if town is not None:
        return town
    return region_ancestors(region)[0]


def next_queue_up(queue_region: Region) -> Region | None:
    """The next level's centre above `queue_region` (town → county), or None at the top."""
    if queue_region.parent_id is None:
        return None
    parent = Region.objects.get(pk=queue_region.parent_id)
    while parent.level in (Level.VILLAGE, Level.GRID) and parent.parent_id:
        parent = Region.objects.get(pk=parent.parent_id)
    return parent


def county_code_of(region: Region) -> str:
    """Code of the county the region lies in (its root code when it has no county)."""
    county = region_ancestor_at(region, Level.COUNTY)
    return county.code if county else region.ancestor_codes()[0]


def region_exists(region_id: int) -> bool:
    """Whether a region with this id exists (regions are public administrative divisions)."""
    return Region.objects.filter(pk=region_id).exists()
