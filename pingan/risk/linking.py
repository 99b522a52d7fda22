"""The events near a major matter (docs/risk.md, "Linked events"): those reported within
its polygon or within its radius of its point, from `PINGAN_RISK_LINK_DAYS` (365) days
before the matter was registered, among the events the viewer may see
(`events.permissions.event_scope_q`); the disputes (矛盾纠纷 categories) among them.

A bounding box in SQL first (the polygon's bounds and the circle's), then the exact test
with shapely and the haversine distance on the candidates' coordinates only; the latest
events are loaded in one query. Three queries whatever the number of events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from pingan.access.actor import Actor, as_actor
from pingan.events.models import Category, Event
from pingan.events.permissions import event_scope_q
from pingan.risk import place
from pingan.risk.models import MajorMatter

LATEST = 10
# Beyond this many candidates in the box the counts stop (`capped`): a box that large is
# a matter drawn over a whole town.
MAX_CANDIDATES = 50_000


def link_days() -> int:
    return int(getattr(settings, "PINGAN_RISK_LINK_DAYS", 365))


@dataclass
class Linked:
    """The events linked to one matter, as the viewer may see them."""

    events: int = 0
    disputes: int = 0
    latest: list[Event] = field(default_factory=list)
    latest_disputes: list[Event] = field(default_factory=list)
    capped: bool = False
    has_place: bool = True


def dispute_category_ids() -> set[int]:
    """The categories that are, or lie under, the dispute category (`Category.is_dispute`)."""
    return {c.pk for c in Category.objects.select_related("parent") if c.is_dispute}


def linked_events(*, actor: Actor | Any, matter: MajorMatter, latest: int = LATEST) -> Linked:
    """Counts of the linked events and disputes, and the latest `latest` of each."""
    box = place.bounds(lat=matter.lat, lng=matter.lng, area=matter.area, radius_m=matter.radius_m)
    if box is None:
        return Linked(has_place=False)
    min_lat, min_lng, max_lat, max_lng = box
    since = matter.created_at - dt.timedelta(days=link_days())
    near = place.Near(lat=matter.lat, lng=matter.lng, area=matter.area, radius_m=matter.radius_m)
    disputes = dispute_category_ids()
    rows = (
        Event.objects.filter(event_scope_q(as_actor(actor)))
        .filter(
            reported_at__gte=since,
            lat__gte=min_lat,
            lat__lte=max_lat,
            lng__gte=min_lng,
            lng__lte=max_lng,
        )
        .order_by("-reported_at", "-id")
        .values_list("id", "lat", "lng", "category_id")[: MAX_CANDIDATES + 1]
    )
    out = Linked()
    chosen: list[int] = []
    chosen_disputes: list[int] = []
    for n, (pk, lat, lng, category_id) in enumerate(rows):
        if n == MAX_CANDIDATES:
            out.capped = True
            break
        if lat is None or lng is None or not near(lat, lng):
            continue
        out.events += 1
        if len(chosen) < latest:
            chosen.append(pk)
        if category_id in disputes:
            out.disputes += 1
            if len(chosen_disputes) < latest:
                chosen_disputes.append(pk)
    wanted = set(chosen) | set(chosen_disputes)
    if wanted:
        loaded = {
            e.pk: e
            for e in Event.objects.filter(pk__in=wanted).select_related("category", "region")
        }
        out.latest = [loaded[pk] for pk in chosen if pk in loaded]
        out.latest_disputes = [loaded[pk] for pk in chosen_disputes if pk in loaded]
    return out
