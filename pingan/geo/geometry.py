"""GeoJSON helpers on shapely."""

from __future__ import annotations

from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry


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
