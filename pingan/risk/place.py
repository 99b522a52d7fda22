"""Where a major matter is: a point, a polygon, or both, checked before they are stored,
and the geometry the linked events are tested against (`risk.linking`)."""

from __future__ import annotations

import json
import math
from typing import Any

from django.utils.translation import gettext
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from pingan.core.errors import invalid

MAX_VERTICES = 5000
MAX_RADIUS_M = 5000
DEFAULT_RADIUS_M = 500
# Metres per degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = 111_320.0
EARTH_RADIUS_M = 6_371_008.8


def point_of(lat: Any, lng: Any) -> tuple[float | None, float | None]:
    """(lat, lng) as floats, both or neither; 422 naming the field otherwise."""
    if lat in (None, "") and lng in (None, ""):
        return None, None
    if lat in (None, ""):
        raise invalid("lat", gettext("请同时填写纬度和经度"))
    if lng in (None, ""):
        raise invalid("lng", gettext("请同时填写纬度和经度"))
    try:
        y, x = float(lat), float(lng)
    except (TypeError, ValueError):
        raise invalid("lat", gettext("经纬度应为数字")) from None
    if not (math.isfinite(y) and -90 <= y <= 90):
        raise invalid("lat", gettext("纬度应在-90到90之间"))
    if not (math.isfinite(x) and -180 <= x <= 180):
        raise invalid("lng", gettext("经度应在-180到180之间"))
    return y, x


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


def _vertices(geom: BaseGeometry) -> int:
    polys = getattr(geom, "geoms", None) or [geom]
    return sum(len(p.exterior.coords) + sum(len(r.coords) for r in p.interiors) for p in polys)


def area_of(raw: Any) -> dict[str, Any] | None:
    """The polygon as a GeoJSON geometry (Polygon or MultiPolygon; a Feature's geometry is
    taken), checked with shapely: valid rings, no self-intersection, coordinates in
    range. Accepts a dict or its JSON text; None when empty. 422 on `area` otherwise."""
    if raw in (None, "", {}):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise invalid("area", gettext("范围应为GeoJSON格式的多边形")) from None
    if not isinstance(raw, dict):
        raise invalid("area", gettext("范围应为GeoJSON格式的多边形"))
    if raw.get("type") == "Feature":
        raw = raw.get("geometry") or {}
    if raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise invalid("area", gettext("范围应为多边形（Polygon 或 MultiPolygon）"))
    try:
        geom = shape(raw)
    except Exception:  # noqa: BLE001 - shapely raises several kinds for broken input
        raise invalid("area", gettext("范围应为GeoJSON格式的多边形")) from None
    if _vertices(geom) > MAX_VERTICES:
        raise invalid("area", gettext("范围的顶点过多（最多%(n)s个）") % {"n": MAX_VERTICES})
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise invalid("area", gettext("范围的坐标超出经纬度范围"))
    if not geom.is_valid:
        raise invalid("area", gettext("范围不是有效的多边形（边界自相交或未闭合）"))
    if geom.is_empty or geom.area == 0:
        raise invalid("area", gettext("范围为空"))
    return {"type": raw["type"], "coordinates": json.loads(json.dumps(raw["coordinates"]))}


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
