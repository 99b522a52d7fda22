"""Finding duplicate candidates for one event (reads only).

The query is bounded by design so that it stays fast with millions of events: exact
`region_path` values of the event's grid and its neighbours plus a time window use the
events (region_path, reported_at) index as a range scan, newest first, capped; the same
phone uses triage's (digest, reported_at) index. Text similarity is computed in Python
on at most `cap` rows.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models.functions import Substr
from shapely import STRtree

from pingan.events.choices import Status
from pingan.events.models import Event
from pingan.geo.choices import Level
from pingan.geo.geometry import to_shape
from pingan.geo.locator import grid_stamp
from pingan.geo.models import Region
from pingan.triage.text import containment, jaccard, shingles

NEIGHBOUR_TOLERANCE_DEG = 0.0005  # about 50 m: polygons this close count as neighbours
# Texts are compared on their first characters (read from the database already cut):
# enough to recognise a matter, and the check's cost does not grow with long texts.
COMPARE_CHARS = 300
_CHECK_EVERY_S = 5.0  # how often the grids' stamp is read


@dataclass
class Found:
    event_id: int
    score: float
    reasons: list[str] = field(default_factory=list)


def similarity(a: str, b: str) -> float:
    """Text similarity in 0..1 from character bigrams: Jaccard blended with containment
    (a short report inside a longer one of the same matter still scores high)."""
    sa, sb = shingles(a), shingles(b)
    return round(0.5 * jaccard(sa, sb) + 0.5 * containment(sa, sb), 4)


class _Neighbours:
    """Region paths of a grid and the grids touching it, cached per process and rebuilt
    when the grids change (`geo.locator.grid_stamp`, checked at most every few seconds),
    not on a timer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = 0.0
        self.stamp: tuple[object, int, int] | None = None
        self.paths: dict[int, list[str]] = {}
        self.children: dict[int | None, list[str]] = {}

    def _build(self) -> None:
        grids = list(
            Region.objects.filter(level=Level.GRID).values_list(
                "id", "path", "parent_id", "geometry"
            )
        )
        siblings: dict[int | None, list[str]] = {}
        for _pk, path, parent, _geom in grids:
            siblings.setdefault(parent, []).append(path)
        with_geom = [(pk, path, to_shape(g)) for pk, path, _parent, g in grids if g]
        tree = STRtree([s for _pk, _path, s in with_geom]) if with_geom else None
        # A grid with a polygon: itself and the grids whose polygons touch it (within the
        # tolerance). Without a polygon: the grids of the same village.
        paths: dict[int, list[str]] = {}
        for pk, path, parent, _geom in grids:
            paths[pk] = sorted(set(siblings.get(parent, [])) | {path})
        if tree is not None:
            for pk, path, shape in with_geom:
                hits = tree.query(shape.buffer(NEIGHBOUR_TOLERANCE_DEG), predicate="intersects")
                paths[pk] = sorted({path} | {with_geom[int(h)][1] for h in hits})
        self.paths = paths
        self.children = siblings

    def of(self, region: Region) -> list[str]:
        with self.lock:
            now = time.monotonic()
            unknown_grid = region.pk not in self.paths and region.level == Level.GRID
            if not self.paths or unknown_grid or now - self.checked_at > _CHECK_EVERY_S:
                self.checked_at = now
                stamp = grid_stamp()
                if stamp != self.stamp or not self.paths:
                    self._build()
                    self.stamp = stamp
            if region.pk in self.paths:
                return self.paths[region.pk]
            # An event placed on a village (no grid): the village and its grids.
            return [region.path, *self.children.get(region.pk, [])]


_neighbours = _Neighbours()


def invalidate() -> None:
    """Forget the neighbour cache (tests)."""
    _neighbours.paths = {}
    _neighbours.stamp = None


def find(event: Event, *, phone_key: str = "") -> list[Found]:
    """Earlier or simultaneous events that may report the same matter, best first."""
    from pingan.triage.models import PhoneKey

    window = dt.timedelta(days=settings.PINGAN_DUPLICATE_WINDOW_DAYS)
    cap = settings.PINGAN_DUPLICATE_CAP
    threshold = settings.PINGAN_DUPLICATE_THRESHOLD
    start, end = event.reported_at - window, event.reported_at + dt.timedelta(hours=1)
    paths = _neighbours.of(event.region)
    # Merged and rejected events are left out in the query, so that they do not use up
    # the cap; the `reported_at` bound also lets PostgreSQL read only the window's monthly
    # partitions (docs/adr/0006-partitioning.md).
    live = Event.objects.filter(reported_at__gte=start, reported_at__lte=end).exclude(
        status__in=(Status.MERGED, Status.REJECTED)
    )
    rows = list(
        live.filter(region_path__in=paths)
        .exclude(pk=event.pk)
        .order_by("-reported_at")
        .annotate(head=Substr("description", 1, COMPARE_CHARS))
        .values_list("id", "title", "head", "region_path")[:cap]
    )
    phone_ids: set[int] = set()
    if phone_key:
        phone_ids = set(
            PhoneKey.objects.filter(digest=phone_key, reported_at__gte=start, reported_at__lte=end)
            .exclude(event_id=event.pk)
            .order_by("-reported_at")
            .values_list("event_id", flat=True)[:cap]
        )
        missing = phone_ids - {r[0] for r in rows}
        if missing:
            rows += list(
                live.filter(pk__in=missing)
                .annotate(head=Substr("description", 1, COMPARE_CHARS))
                .values_list("id", "title", "head", "region_path")
            )
    text = f"{event.title}\n{event.description[:COMPARE_CHARS]}"
    mine = shingles(text)
    out = []
    for pk, title, description, path in rows:
        theirs = shingles(f"{title}\n{description}")
        score = round(0.5 * jaccard(mine, theirs) + 0.5 * containment(mine, theirs), 4)
        reasons = []
        if score >= threshold:
            reasons.append("text")
        if pk in phone_ids:
            reasons.append("phone")
        if not reasons:
            continue
        if path == event.region_path:
            reasons.append("same_grid")
        out.append(Found(event_id=pk, score=score, reasons=reasons))
    out.sort(key=lambda f: (-f.score, f.event_id))
    return out[: settings.PINGAN_DUPLICATE_SHOW]
