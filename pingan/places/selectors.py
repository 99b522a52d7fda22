"""Reads on the places registers, always through the actor's scope (`permissions`), and
the answers' shapes: personal fields masked unless revealed by an audited service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import invalid
from pingan.core.pii import mask_address, mask_id_number, mask_name, mask_phone
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.places import rules
from pingan.places.choices import CameraKind, CameraStatus, ManagedModel
from pingan.places.models import (
    Camera,
    Place,
    PlaceCheck,
    RentalCheck,
    RentalHouse,
    Tenancy,
)
from pingan.places.permissions import (
    access_camera,
    access_place,
    access_rental,
    places_scope_q,
)
from pingan.registry.models import Person

# Overdue lists: never checked first (on every database), then the oldest check.
OVERDUE_ORDER = (F("last_check_on").asc(nulls_first=True), "registered_on", "id")


def today() -> dt.date:
    return timezone.localdate(clock.now())


def _region_filter(qs: QuerySet[Any], region: int | None, grid: int | None) -> QuerySet[Any]:
    """Rows in the subtree of `region` and / or in the grid `grid` (422 for an unknown
    region)."""
    if region is not None:
        row = Region.objects.filter(pk=region).only("path").first()
        if row is None:
            raise invalid("region", gettext("区划不存在"))
        qs = qs.filter(within_q("region_path", [row.path]))
    if grid is not None:
        qs = qs.filter(region_id=grid)
    return qs


# ---- rental houses ------------------------------------------------------------------------------


def rental_list(
    *,
    actor: Actor | Any,
    region: int | None = None,
    grid: int | None = None,
    kind: str | None = None,
    rating: str | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> QuerySet[RentalHouse]:
    """The houses the actor may see, newest registered first (the primary key's index
    serves the page without sorting the region's rows); `overdue`: those whose check is
    overdue today, never checked first (`rules.rentals_overdue_q`)."""
    qs = RentalHouse.objects.filter(places_scope_q(as_actor(actor))).select_related(
        "region", "landlord"
    )
    qs = _region_filter(qs, region, grid)
    if kind:
        qs = qs.filter(kind=kind)
    if rating is not None:
        qs = qs.filter(rating="" if rating == "unrated" else rating)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        return qs.filter(rules.rentals_overdue_q(today())).order_by(*OVERDUE_ORDER)
    return qs.order_by("-id")


def rental_detail(*, actor: Actor | Any, rental_id: int) -> RentalHouse:
    """One house with its current tenants and its last checks; NotFound out of scope."""
    house: RentalHouse = access_rental(actor, rental_id)
    return house


def rental_tenancies(house: RentalHouse, *, current_only: bool = True) -> list[Tenancy]:
    qs = house.tenancies.select_related("tenant")
    if current_only:
        qs = qs.filter(end__isnull=True)
    return list(qs.order_by("-start", "-id"))


def rental_checks(house: RentalHouse, limit: int = 20) -> list[RentalCheck]:
    return list(
        house.checks.select_related("by").prefetch_related("photos").order_by("-at", "-id")[:limit]
    )


def _person_dict(
    p: Person | None, *, reveal: bool, cleared: frozenset[str]
) -> dict[str, Any] | None:
    """A person as answers show them: masked, or in full after an audited reveal — but a
    person with a sensitivity label the actor is not cleared for stays masked."""
    if p is None:
        return None
    full = reveal and (not p.sensitivity or p.sensitivity in cleared)
    return {
        "id": p.pk,
        "name": p.name if full else mask_name(p.name),
        "phone": p.phone if full else mask_phone(p.phone),
        "id_number": p.id_number if full else mask_id_number(p.id_number),
    }


def due_on(obj: RentalHouse | Place) -> dt.date:
    days = (
        rules.rental_interval(obj.rating)
        if isinstance(obj, RentalHouse)
        else rules.place_interval(obj.kind)
    )
    return rules.next_due(obj.last_check_on, obj.registered_on, days)


def rental_dict(
    h: RentalHouse, *, reveal: bool = False, cleared: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A house as lists and answers show it (address and landlord masked unless
    revealed)."""
    due = due_on(h)
    return {
        "id": h.pk,
        "address": h.address if reveal else mask_address(h.address),
        "region": h.region_id,
        "region_name": h.region.name,
        "lat": h.lat,
        "lng": h.lng,
        "landlord": _person_dict(h.landlord, reveal=reveal, cleared=cleared),
        "rooms": h.rooms,
        "kind": h.kind,
        "kind_label": h.get_kind_display(),
        "managed": list(h.managed),
        "managed_labels": [str(ManagedModel(m).label) for m in h.managed],
        "status": h.status,
        "status_label": h.get_status_display(),
        "rating": h.rating or "unrated",
        "rating_label": h.get_rating_display(),
        "registered_on": h.registered_on,
        "last_check_on": h.last_check_on,
        "last_check_result": h.last_check_result,
        "last_hazards": h.last_hazards,
        "next_check_due": due,
        "overdue": h.status != "closed" and due < today(),
        "note": h.note,
        "created_at": h.created_at,
        "updated_at": h.updated_at,
    }


def tenancy_dict(
    t: Tenancy, *, reveal: bool = False, cleared: frozenset[str] = frozenset()
) -> dict[str, Any]:
    return {
        "id": t.pk,
        "tenant": _person_dict(t.tenant, reveal=reveal, cleared=cleared),
        "start": t.start,
        "end": t.end,
        "room": t.room,
    }


def check_dict(c: RentalCheck | PlaceCheck) -> dict[str, Any]:
    """A check as answers show it (the checker's name is staff, not personal data)."""
    out = {
        "id": c.pk,
        "items": dict(c.items),
        "result": c.result,
        "result_label": c.get_result_display(),
        "hazards": c.hazards,
        "hazard_note": c.hazard_note,
        "rectify_by": c.rectify_by,
        "note": c.note,
        "lat": c.lat,
        "lng": c.lng,
        "by": c.by_id,
        "by_name": c.by.display_name if c.by is not None else "",
        "at": c.at,
        "photos": [p.pk for p in c.photos.all()],
    }
    if isinstance(c, RentalCheck):
        out["rating"] = c.rating or ""
    else:
        out["records_kept"] = c.records_kept
    return out


# ---- places -------------------------------------------------------------------------------------


def place_list(
    *,
    actor: Actor | Any,
    region: int | None = None,
    grid: int | None = None,
    kind: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> QuerySet[Place]:
    """The places the actor may see, newest first; `overdue` as for rental houses
    (`rules.places_overdue_q`, intervals by kind)."""
    qs = Place.objects.filter(places_scope_q(as_actor(actor))).select_related("region")
    qs = _region_filter(qs, region, grid)
    if kind:
        qs = qs.filter(kind=kind)
    if sector:
        qs = qs.filter(sector=sector)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        return qs.filter(rules.places_overdue_q(today())).order_by(*OVERDUE_ORDER)
    return qs.order_by("-id")


def place_detail(*, actor: Actor | Any, place_id: int) -> Place:
    place: Place = access_place(actor, place_id)
    return place


def place_checks(place: Place, limit: int = 20) -> list[PlaceCheck]:
    return list(
        place.checks.select_related("by").prefetch_related("photos").order_by("-at", "-id")[:limit]
    )


def place_dict(p: Place, *, reveal: bool = False) -> dict[str, Any]:
    """A place as answers show it: the person in charge masked, and the address too when
    the owner is a person, unless revealed."""
    due = due_on(p)
    address = p.address if reveal or not p.owner_is_person else mask_address(p.address)
    return {
        "id": p.pk,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "name": p.name,
        "credit_code": p.credit_code,
        "address": address,
        "owner_is_person": p.owner_is_person,
        "manager_name": p.manager_name if reveal else mask_name(p.manager_name),
        "manager_phone": p.manager_phone if reveal else mask_phone(p.manager_phone),
        "sector": p.sector,
        "sector_name": rules.sector_name(p.sector) if p.sector else "",
        "region": p.region_id,
        "region_name": p.region.name,
        "lat": p.lat,
        "lng": p.lng,
        "status": p.status,
        "status_label": p.get_status_display(),
        "registered_on": p.registered_on,
        "last_check_on": p.last_check_on,
        "last_check_result": p.last_check_result,
        "last_hazards": p.last_hazards,
        "last_records_kept": p.last_records_kept,
        "next_check_due": due,
        "overdue": p.status != "closed" and due < today(),
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def sector_summary(*, actor: Actor | Any, region: int | None = None) -> list[dict[str, Any]]:
    """Per real-name sector: registered units (not closed), those checked, those whose
    last check found the real-name records kept, and the rate kept ÷ checked (0…1, None
    with nothing checked). One query."""
    qs = _region_filter(
        Place.objects.filter(places_scope_q(as_actor(actor))).exclude(sector=""), region, None
    ).exclude(status="closed")
    counts = {
        row["sector"]: row
        for row in qs.values("sector").annotate(
            units=Count("id"),
            checked=Count("id", filter=Q(last_records_kept__isnull=False)),
            kept=Count("id", filter=Q(last_records_kept=True)),
        )
    }
    out = []
    for code, name in rules.sectors():
        row = counts.get(code, {})
        units, checked, kept = row.get("units", 0), row.get("checked", 0), row.get("kept", 0)
        out.append(
            {
                "sector": code,
                "name": name,
                "units": units,
                "checked": checked,
                "kept": kept,
                "rate": round(kept / checked, 4) if checked else None,
            }
        )
    return out


# ---- cameras ------------------------------------------------------------------------------------


def camera_list(
    *,
    actor: Actor | Any,
    region: int | None = None,
    grid: int | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[Camera]:
    qs = Camera.objects.filter(places_scope_q(as_actor(actor))).select_related("region")
    qs = _region_filter(qs, region, grid)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("region_path", "code")


def camera_detail(*, actor: Actor | Any, camera_id: int) -> Camera:
    camera: Camera = access_camera(actor, camera_id)
    return camera


def camera_dict(c: Camera, distance: float | None = None) -> dict[str, Any]:
    out = {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "owner_unit": c.owner_unit,
        "link_name": c.link_name,
        "lat": c.lat,
        "lng": c.lng,
        "region": c.region_id,
        "region_name": c.region.name,
        "status": c.status,
        "status_label": c.get_status_display(),
    }
    if distance is not None:
        out["distance_m"] = round(distance, 1)
    return out


@dataclass(frozen=True)
class Near:
    camera: Camera
    distance_m: float


def cameras_near(
    lat: float,
    lng: float,
    *,
    radius_m: float | None = None,
    limit: int = 20,
    qs: QuerySet[Camera] | None = None,
) -> list[Near]:
    """The cameras (not removed) within `radius_m` of the point, nearest first: a
    bounding box on the indexed lat/lng, then the exact distance (haversine)."""
    radius = float(radius_m if radius_m is not None else rules.camera_radius_m())
    south, north, west, east = rules.bbox(lat, lng, radius)
    base = qs if qs is not None else Camera.objects.all()
    rows = (
        base.filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
        .exclude(status=CameraStatus.REMOVED)
        .select_related("region")
    )
    found = []
    for c in rows:
        d = rules.distance_m(lat, lng, c.lat, c.lng)  # type: ignore[arg-type]
        if d <= radius:
            found.append(Near(c, d))
    found.sort(key=lambda n: (n.distance_m, n.camera.pk))
    return found[:limit]


def cameras_near_event(event: Any, *, limit: int = 10) -> list[Near]:
    """ "Cameras near this event" for the event page: within `PINGAN_CAMERA_RADIUS_M` of
    its point, whoever's scope they are in (the page shows them to those who may see the
    event's exact point). None for an event without a point."""
    if event.lat is None or event.lng is None:
        return []
    return cameras_near(event.lat, event.lng, limit=limit)


def camera_features(
    *, actor: Actor | Any, region: int | None = None, kind: str | None = None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The map layer: the cameras the actor may see as GeoJSON Features (at most `limit`;
    the flag says whether there were more). Plain values, no model instances: a county's
    twenty thousand points are one light query."""
    qs = _region_filter(
        Camera.objects.filter(places_scope_q(as_actor(actor))), region, None
    ).exclude(status=CameraStatus.REMOVED)
    if kind:
        qs = qs.filter(kind=kind)
    rows = list(
        qs.filter(lat__isnull=False, lng__isnull=False)
        .order_by("id")
        .values_list("id", "code", "name", "kind", "status", "link_name", "lat", "lng")[: limit + 1]
    )
    kinds = {k: str(label) for k, label in CameraKind.choices}
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {
                "code": code,
                "name": name,
                "kind": k,
                "kind_label": kinds.get(k, k),
                "status": status,
                "link_name": link,
            },
        }
        for pk, code, name, k, status, link, lat, lng in rows[:limit]
    ]
    return features, len(rows) > limit


__all__ = [
    "Near",
    "camera_detail",
    "camera_dict",
    "camera_features",
    "camera_list",
    "cameras_near",
    "cameras_near_event",
    "check_dict",
    "place_checks",
    "place_detail",
    "place_dict",
    "place_list",
    "rental_checks",
    "rental_detail",
    "rental_dict",
    "rental_list",
    "rental_tenancies",
    "sector_summary",
    "tenancy_dict",
]
