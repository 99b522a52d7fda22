"""Point → grid lookup with a shapely STRtree.

The tree is built once per process and rebuilt when any grid polygon changed (the
newest `geometry_updated_at` and the grid count are checked with one indexed query,
at most every few seconds).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from shapely import STRtree
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from pingan.geo.choices import Level
from pingan.geo.geometry import to_shape
from pingan.geo.models import Region

_CHECK_EVERY_S = 5.0


@dataclass
class _Index:
    stamp: tuple[object, int, int]
    tree: STRtree
    shapes: list[BaseGeometry]
    ids: list[int]
    # Each drawn grid's polygon as GeoJSON text, ready to be spliced into a response.
    geojson: dict[int, str]


_lock = threading.Lock()
_index: _Index | None = None
_checked_at = 0.0


def grid_stamp() -> tuple[object, int, int]:
    """What changes when a grid polygon is drawn, redrawn or removed or a grid is added:
    the newest `geometry_updated_at`, the number of grids and of grids with a polygon
    (one indexed query). Caches built from the grids compare it to know they are stale."""
    agg = Region.objects.filter(level=Level.GRID).aggregate(
        latest=Max("geometry_updated_at"),
        n=Count("id"),
        drawn=Count("id", filter=Q(geometry__isnull=False)),
    )
    return (agg["latest"], agg["n"], agg["drawn"])


def _build(stamp: tuple[object, int, int]) -> _Index:
    shapes: list[BaseGeometry] = []
    ids: list[int] = []
    geojson: dict[int, str] = {}
    rows = Region.objects.filter(level=Level.GRID, geometry__isnull=False).values_list(
        "id", "geometry"
    )
    for pk, geom in rows.iterator(chunk_size=2000):
        if not geom:
            continue
        shapes.append(to_shape(geom))
        ids.append(pk)
        geojson[pk] = json.dumps(geom, ensure_ascii=False, separators=(",", ":"))
    return _Index(stamp=stamp, tree=STRtree(shapes), shapes=shapes, ids=ids, geojson=geojson)


def _current(force_check: bool = False) -> _Index:
    global _index, _checked_at
    now = time.monotonic()
    with _lock:
        if _index is None or force_check or now - _checked_at > _CHECK_EVERY_S:
            stamp = grid_stamp()
            _checked_at = now
            if _index is None or _index.stamp != stamp:
                _index = _build(stamp)
        return _index


def invalidate() -> None:
    """Force a staleness check on the next lookup (called when a polygon is saved)."""
    global _checked_at
    _checked_at = 0.0


def grid_id_at(lat: float, lng: float) -> int | None:
    """Id of the grid whose polygon contains the point, or None.

    Where special grids overlap ordinary ones, the special grid wins (it was drawn for
    the park or market on purpose); among equals, the smallest polygon.
    """
    index = _current()
    if not index.ids:
        return None
    point = Point(lng, lat)
    hits = index.tree.query(point, predicate="intersects")
    if len(hits) == 0:
        return None
    if len(hits) == 1:
        return index.ids[int(hits[0])]
    candidates = [int(h) for h in hits]
    special = set(
        Region.objects.filter(
            id__in=[index.ids[h] for h in candidates], is_special=True
        ).values_list("id", flat=True)
    )
    candidates.sort(key=lambda h: (index.ids[h] not in special, index.shapes[h].area))
    return index.ids[candidates[0]]


def grid_ids_containing(lat: float, lng: float) -> list[int]:
    """Ids of every grid whose polygon contains the point (overlapping special grids and
    the ordinary grid under them alike); `grid_id_at` picks one of them."""
    index = _current()
    if not index.ids:
        return []
    hits = index.tree.query(Point(lng, lat), predicate="intersects")
    return sorted(index.ids[int(h)] for h in hits)


def polygons_json(grid_ids: list[int]) -> dict[int, str]:
    """The drawn polygons of these grids as GeoJSON text (from the same per-process
    index, so a map of a county's grids serialises no geometry per request)."""
    geojson = _current().geojson
    return {pk: geojson[pk] for pk in grid_ids if pk in geojson}
