"""Around a major matter's place (checked by `geo.geometry.point_of` and `area_of` before
it is stored): the linking radius, and the geometry the linked events are tested against
(`risk.linking`)."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext
from shapely.geometry import Point, shape

from pingan.core.errors import invalid

MAX_RADIUS_M = 5000
DEFAULT_RADIUS_M = 500
# Metres per degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = 111_320.0
EARTH_RADIUS_M = 6_371_008.8


def radius_of(raw: Any) -> int:
    if raw in (None, ""):
        return DEFAULT_RADIUS_M
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid("radius_m", gettext("关联半径应为整数（米）")) from None
    if not 0 <= value <= MAX_RADIUS_M:
        raise invalid("radius_m", gettext("关联半径应在0到%(n)s米之间") % {"n": MAX_RADIUS_M})
    return value


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounds(
    *, lat: float | None, lng: float | None, area: dict[str, Any] | None, radius_m: int
) -> tuple[float, float, float, float] | None:
    """(min_lat, min_lng, max_lat, max_lng) holding the polygon and the circle of
    `radius_m` around the point; None without a place."""
    boxes: list[tuple[float, float, float, float]] = []
    if area is not None:
        minx, miny, maxx, maxy = shape(area).bounds
        boxes.append((miny, minx, maxy, maxx))
    if lat is not None and lng is not None:
        dlat = radius_m / METRES_PER_DEGREE
        dlng = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
        boxes.append((lat - dlat, lng - dlng, lat + dlat, lng + dlng))
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


class Near:
    """The exact test: inside the polygon (its boundary included) or within `radius_m`
    metres of the point. The polygon is prepared once for many points."""

    def __init__(
        self, *, lat: float | None, lng: float | None, area: dict[str, Any] | None, radius_m: int
    ) -> None:
        from shapely.prepared import prep

        self.lat, self.lng, self.radius_m = lat, lng, radius_m
        self.polygon = prep(shape(area)) if area is not None else None

    def __call__(self, lat: float, lng: float) -> bool:
        if self.polygon is not None and self.polygon.covers(Point(lng, lat)):
            return True
        if self.lat is None or self.lng is None:
            return False
        return distance_m(self.lat, self.lng, lat, lng) <= self.radius_m
