"""Figures of the places registers per child region, for the dashboard and the map
(docs/places.md, "Figures"): rental houses by rating and with overdue checks, places by
kind and with overdue checks, cameras. Three queries whatever the number of children."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from pingan.access.actor import Actor, as_actor
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.places import rules
from pingan.places.choices import CameraStatus, PlaceKind, Rating
from pingan.places.models import Camera, Place, RentalHouse
from pingan.places.permissions import places_scope_q
from pingan.places.selectors import today

__all__ = ["counts"]


def _by_child(
    qs: QuerySet[Any], region: Region, children: list[Region]
) -> tuple[QuerySet[Any], dict[Any, int]]:
    """`qs` annotated with `child` (a key naming the child region holding each row), and
    the child region's id by key. Children whose paths have one length (the usual case:
    towns of a county, villages of a town) are told apart by the first characters of the
    row's path, an index-friendly GROUP BY; otherwise by a CASE over their paths."""
    lengths = {len(c.path) for c in children}
    if len(lengths) == 1:
        qs = qs.filter(within_q("region_path", [region.path])).annotate(
            child=Substr("region_path", 1, lengths.pop())
        )
        return qs, {c.path: c.pk for c in children}
    whens = [When(within_q("region_path", [c.path]), then=Value(c.pk)) for c in children]
    qs = qs.annotate(child=Case(*whens, default=None, output_field=IntegerField())).filter(
        child__isnull=False
    )
    return qs, {c.pk: c.pk for c in children}


def counts(actor: Actor | Any, region: Region) -> list[dict[str, Any]]:
    """One row per child region of `region` (a grid: the grid itself), counting what the
    actor may see: `rentals` {green, yellow, red, unrated, total}, `rentals_overdue`,
    `places` {kind: n, total}, `places_overdue`, `cameras` (not removed)."""
    actor = as_actor(actor)
    children = list(region.children.order_by("code"))
    if not children:
        children = [region]
    scope = places_scope_q(actor)
    day = today()
    rows: dict[int, dict[str, Any]] = {
        c.pk: {
            "region": c.pk,
            "name": c.name,
            "level": c.level,
            "rentals": {"green": 0, "yellow": 0, "red": 0, "unrated": 0, "total": 0},
            "rentals_overdue": 0,
            "places": {**{k: 0 for k in PlaceKind.values}, "total": 0},
            "places_overdue": 0,
            "cameras": 0,
        }
        for c in children
    }
    houses, key = _by_child(
        RentalHouse.objects.filter(scope).exclude(status="closed"), region, children
    )
    for r in houses.values("child").annotate(
        total=Count("id"),
        green=Count("id", filter=Q(rating=Rating.GREEN)),
        yellow=Count("id", filter=Q(rating=Rating.YELLOW)),
        red=Count("id", filter=Q(rating=Rating.RED)),
        unrated=Count("id", filter=Q(rating=Rating.UNRATED)),
        overdue=Count("id", filter=rules.rentals_overdue_q(day)),
    ):
        if r["child"] not in key:
            continue
        row = rows[key[r["child"]]]
        row["rentals"] = {k: r[k] for k in ("green", "yellow", "red", "unrated", "total")}
        row["rentals_overdue"] = r["overdue"]
    places, key = _by_child(Place.objects.filter(scope).exclude(status="closed"), region, children)
    for r in places.values("child", "kind").annotate(
        n=Count("id"), overdue=Count("id", filter=rules.places_overdue_q(day))
    ):
        if r["child"] not in key:
            continue
        row = rows[key[r["child"]]]
        row["places"][r["kind"]] = r["n"]
        row["places"]["total"] += r["n"]
        row["places_overdue"] += r["overdue"]
    cameras, key = _by_child(
        Camera.objects.filter(scope).exclude(status=CameraStatus.REMOVED), region, children
    )
    for r in cameras.values("child").annotate(n=Count("id")):
        if r["child"] in key:
            rows[key[r["child"]]]["cameras"] = r["n"]
    return [rows[c.pk] for c in children]
