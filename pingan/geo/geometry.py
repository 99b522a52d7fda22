"""GeoJSON helpers on shapely, and the checks of a place typed by a person (a point, a
polygon) before it is stored: 422 naming the field, in Chinese."""

from __future__ import annotations

import json
import math
from typing import Any

from django.utils.translation import gettext
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from pingan.core.errors import invalid

MAX_VERTICES = 5000


def to_shape(geojson: dict[str, Any]) -> BaseGeometry:
    """A shapely geometry from a GeoJSON geometry (or Feature)."""
    if geojson.get("type") == "Feature":
        geojson = geojson["geometry"]
    geom = shape(geojson)
    if not geom.is_valid:
        geom = geom.buffer(0)
    return geom


def representative_point(geojson: dict[str, Any]) -> tuple[float, float]:
    """(lat, lng) of a point guaranteed to lie inside the geometry."""
    p = to_shape(geojson).representative_point()
    return (round(p.y, 7), round(p.x, 7))


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


def vertices(geom: BaseGeometry) -> int:
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
    if vertices(geom) > MAX_VERTICES:
        raise invalid("area", gettext("范围的顶点过多（最多%(n)s个）") % {"n": MAX_VERTICES})
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise invalid("area", gettext("范围的坐标超出经纬度范围"))
    if not geom.is_valid:
        raise invalid("area", gettext("范围不是有效的多边形（边界自相交或未闭合）"))
    if geom.is_empty or geom.area == 0:
        raise invalid("area", gettext("范围为空"))
    return {"type": raw["type"], "coordinates": json.loads(json.dumps(raw["coordinates"]))}
