"""The registers' map (docs/registry.md, "Map"): rental houses coloured by rating, key
places by kind, cameras, each a layer that can be switched off. Only what the actor may
see (the places selectors' scope), and no personal data in the map's JSON: a house is its
rating, kind, grid and whether its check is overdue — never its address, landlord or
tenants; a place its name and kind; a camera its code, name and kind."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import actor_of
from pingan.core.errors import Invalid
from pingan.places import selectors as psel
from pingan.places.choices import PlaceKind, Rating
from pingan.web.views.registry_common import region_param, top_region

LIMIT = 5_000  # points per layer (the rest: narrow the region)
RATING_COLOURS: dict[str, str] = {
    "green": "#2e7d32",
    "yellow": "#f9a825",
    "red": "#c62828",
    "": "#8c8c8c",
}
KIND_COLOURS: dict[str, str] = {
    PlaceKind.SCHOOL: "#1565c0",
    PlaceKind.HOSPITAL: "#00897b",
    PlaceKind.MARKET: "#6d4c41",
    PlaceKind.HAZCHEM: "#d84315",
    PlaceKind.CATERING: "#f57c00",
    PlaceKind.CROWDED: "#8e24aa",
    PlaceKind.ENTERPRISE: "#455a64",
    PlaceKind.SITE: "#795548",
    PlaceKind.SCENIC: "#43a047",
    PlaceKind.REALNAME: "#3949ab",
    PlaceKind.OTHER: "#9e9e9e",
}
CAMERA_COLOUR = "#263238"


def _point(lng: Any, lat: Any, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
        "properties": props,
    }


def map_layers(actor: Any, region: int | None) -> dict[str, Any]:
    """The three layers as GeoJSON FeatureCollections, each with `truncated` when it held
    more than LIMIT points."""
    houses = psel.rental_list(actor=actor, region=region).filter(
        lat__isnull=False, lng__isnull=False
    )
    overdue = set(
        psel.rental_list(actor=actor, region=region, overdue=True).values_list("pk", flat=True)[
            : LIMIT * 2
        ]
    )
    ratings = dict(Rating.choices)
    rows = list(
        houses.exclude(status="closed").values(
            "pk", "lat", "lng", "rating", "kind", "rooms", "region__name"
        )[: LIMIT + 1]
    )
    rental_features = [
        _point(
            r["lng"],
            r["lat"],
            {
                "id": r["pk"],
                "rating": r["rating"] or "unrated",
                "label": str(ratings.get(r["rating"], "")),
                "rooms": r["rooms"],
                "grid": r["region__name"],
                "overdue": r["pk"] in overdue,
                "colour": RATING_COLOURS.get(r["rating"], RATING_COLOURS[""]),
                "url": reverse("registry_rental", args=[r["pk"]]),
            },
        )
        for r in rows[:LIMIT]
    ]
    kinds = dict(PlaceKind.choices)
    prow = list(
        psel.place_list(actor=actor, region=region)
        .filter(lat__isnull=False, lng__isnull=False)
        .exclude(status="closed")
        .values("pk", "lat", "lng", "name", "kind")[: LIMIT + 1]
    )
    place_features = [
        _point(
            p["lng"],
            p["lat"],
            {
                "id": p["pk"],
                "name": p["name"],
                "kind": p["kind"],
                "label": str(kinds.get(p["kind"], "")),
                "colour": KIND_COLOURS.get(p["kind"], "#9e9e9e"),
                "url": reverse("registry_place", args=[p["pk"]]),
            },
        )
        for p in prow[:LIMIT]
    ]
    cameras, more = psel.camera_features(actor=actor, region=region, limit=LIMIT)
    for c in cameras:
        c["properties"]["colour"] = CAMERA_COLOUR
        c["properties"]["label"] = c["properties"].get("kind_label", "")
    return {
        "rentals": {
            "type": "FeatureCollection",
            "features": rental_features,
            "truncated": len(rows) > LIMIT,
        },
        "places": {
            "type": "FeatureCollection",
            "features": place_features,
            "truncated": len(prow) > LIMIT,
        },
        "cameras": {"type": "FeatureCollection", "features": cameras, "truncated": more},
    }


def _legend() -> dict[str, Any]:
    ratings = dict(Rating.choices)
    return {
        "rentals": [
            {"colour": RATING_COLOURS[k], "label": str(ratings[k])}
            for k in ("green", "yellow", "red", "")
        ],
        "places": [{"colour": KIND_COLOURS[k], "label": str(v)} for k, v in PlaceKind.choices],
        "cameras": [{"colour": CAMERA_COLOUR, "label": _("视频点位")}],
    }


@login_required
@require_http_methods(["GET"])
def registry_map(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        region = region_param(request.GET.get("region")) or top_region(actor)
    except Invalid as e:
        return render(
            request,
            "web/registry/map.html",
            {"nav_active": "registry", "error": e.message},
            status=422,
        )
    features_url = reverse("registry_map_features")
    if region is not None:
        features_url += f"?region={region.pk}"
    data = {
        "features_url": features_url,
        "tile_url": settings.PINGAN_MAP_TILE_URL,
        "legend": _legend(),
        "text": {
            "rentals": _("出租房"),
            "places": _("重点场所"),
            "cameras": _("视频点位"),
            "overdue": _("检查逾期"),
            "rooms": _("出租间数"),
            "truncated": _("点位过多，仅显示前 {n} 个，请缩小区划"),
            "open": _("查看"),
            "empty": _("该区划暂无可显示的点位"),
        },
        "limit": LIMIT,
    }
    return render(
        request,
        "web/registry/map.html",
        {"nav_active": "registry", "region": region, "map_data": data},
    )


@login_required
@require_http_methods(["GET"])
def registry_map_features(request: HttpRequest) -> HttpResponse:
    """The map's points (JSON): rental houses, places and cameras the actor may see."""
    actor = actor_of(request)
    try:
        region = region_param(request.GET.get("region"))
    except Invalid as e:
        return JsonResponse(
            {"error": {"code": "invalid", "message": e.message, "fields": e.fields}}, status=422
        )
    return JsonResponse(map_layers(actor, region.pk if region else None))
