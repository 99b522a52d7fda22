"""Writes on the region tree."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pingan.geo import locator, scope
from pingan.geo.models import Region


def region_upsert(
    *,
    code: str,
    name: str,
    level: str,
    parent: Region | None = None,
    geometry: dict[str, Any] | None = None,
    is_special: bool = False,
) -> tuple[Region, bool]:
    """Create or update a region by code; returns (region, created). Saving a region moves
    its subtree's paths when its parent changed."""
    with transaction.atomic():
        region = Region.objects.select_for_update().filter(code=code).first()
        created = region is None
        if region is None:
            region = Region(code=code)
        old_path = region.path
        changed = (
            created
            or region.name != name
            or region.level != level
            or region.parent_id != (parent.pk if parent else None)
            or (geometry is not None and region.geometry != geometry)
            or region.is_special != is_special
        )
        if not changed:
            return region, False
        region.name = name
        region.level = level
        region.parent = parent
        region.is_special = is_special
        if geometry is not None:
            region.geometry = geometry
        region.save()
        if old_path and old_path != region.path:
            for child in (
                Region.objects.filter(scope.within_q("path", (old_path,)))
                .exclude(pk=region.pk)
                .order_by("depth")
            ):
                child.save()
    if geometry is not None:
        locator.invalidate()
    return region, created
