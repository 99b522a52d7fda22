"""GPS tracks without the database: packing points into bytes and summarising them.

A packed batch is three little-endian arrays one after another: `n` int64 times
(milliseconds since the Unix epoch), `n` float64 latitudes, `n` float64 longitudes;
24 bytes a point.
"""

from __future__ import annotations

import itertools
import math
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)

# A segment faster than this (m/s) is a GPS jump, not walking or riding: it adds no
# distance. 40 m/s is 144 km/h.
MAX_SPEED_MS = 40.0

Point = tuple[int, float, float]  # (ms since epoch, lat, lng)


def pack(points: Sequence[Point]) -> bytes:
    n = len(points)
    times = [p[0] for p in points]
    lats = [p[1] for p in points]
    lngs = [p[2] for p in points]
    return struct.pack(f"<{n}q{n}d{n}d", *times, *lats, *lngs)


def unpack(data: bytes | memoryview) -> list[Point]:
    raw = bytes(data)
    n = len(raw) // 24
    values = struct.unpack(f"<{n}q{n}d{n}d", raw)
    return list(zip(values[:n], values[n : 2 * n], values[2 * n :], strict=True))


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_m(points: Sequence[Point], *, max_speed: float = MAX_SPEED_MS) -> float:
    """Length of the track (points in time order); segments faster than `max_speed`
    are GPS jumps and count nothing."""
    total = 0.0
    for (t1, la1, ln1), (t2, la2, ln2) in itertools.pairwise(points):
        d = haversine_m(la1, ln1, la2, ln2)
        dt_s = (t2 - t1) / 1000
        if dt_s > 0 and d / dt_s > max_speed:
            continue
        total += d
    return total


@dataclass(frozen=True)
class Summary:
    distance_m: float
    grids: list[int]


def summarise(
    points: Iterable[Point], grids_of: Callable[[Sequence[Point]], Sequence[int | None]]
) -> Summary:
    """Distance and the grids covered (in the order first entered). `grids_of` maps the
    points (in time order) to their grid ids in one call."""
    ordered = sorted(points)
    grids: dict[int, None] = {}
    for gid in grids_of(ordered):
        if gid is not None:
            grids.setdefault(gid, None)
    return Summary(distance_m=distance_m(ordered), grids=list(grids))
