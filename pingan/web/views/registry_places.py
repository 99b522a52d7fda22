"""The places registers' pages (docs/registry.md, "Pages"): rental houses (rating colours,
overdue checks) with the house page (tenants masked, checks, 「查看完整信息」 through the
audited `rental_reveal`) and the house forms; key places and units with their checks;
the real-name sectors' state; cameras. Reads through `places.selectors`, writes through
`places.services`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound, invalid
from pingan.places import permissions as place_perms
from pingan.places import rules
from pingan.places import selectors as psel
from pingan.places import services as psvc
from pingan.places.choices import (
    CameraKind,
    CameraStatus,
    ManagedModel,
    PlaceKind,
    Rating,
    RentalKind,
    RentalStatus,
)
from pingan.registry import selectors as rsel
from pingan.web.views.registry_common import (
    error_text,
    forbidden,
    grids_for,
    list_page,
    region_param,
    regions_for,
)

RENTAL_FORM = ("region", "address", "landlord_id_number", "rooms", "kind", "status", "note")
ITEM_STATES = {"ok": "✔", "hazard": "✘", "na": "—"}


def _region_id(value: str, field: str = "region") -> int | None:
    region = region_param(value, field)
    return region.pk if region else None


def _checks(checks: list[Any], catalogue: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for c in checks:
        d = psel.check_dict(c)
        d["hazard_items"] = [
            str(catalogue.get(code, code))
            for code, state in d["items"].items()
            if state == "hazard"
        ]
        out.append(d)
    return out


# ---- rental houses ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def registry_rentals(request: HttpRequest) -> HttpResponse:
    """出租房: by rating (colours), kind, status, overdue checks first when asked."""
    actor = actor_of(request)
    g = request.GET
    f: dict[str, Any] = {
        "region": g.get("region", "").strip(),
        "rating": g.get("rating", "") if g.get("rating") in (*Rating.values, "unrated") else "",
        "kind": g.get("kind", "") if g.get("kind") in RentalKind.values else "",
        "overdue": g.get("overdue", "") == "1",
    }
    return list_page(
        request,
        "web/registry/rentals.html",
        query=lambda: psel.rental_list(
            actor=actor,
            region=_region_id(f["region"]),
            rating=f["rating"] or None,
            kind=f["kind"] or None,
            overdue=f["overdue"],
        ),
        empty=lambda: psel.rental_list(actor=actor).none(),
        shape=lambda rows: [psel.rental_dict(h) for h in rows],
        context={
            "f": f,
            "ratings": [
                *[c for c in Rating.choices if c[0]],
                ("unrated", str(Rating.UNRATED.label)),
            ],
            "kinds": RentalKind.choices,
            "regions": regions_for(actor),
            "may_create": bool(actor.roles & place_perms.WRITE_ROLES),
        },
    )


def _rental_context(actor: Actor, house: Any, *, reveal: bool = False) -> dict[str, Any]:
    cleared = actor.clearances
    return {
        "house": house,
        "h": psel.rental_dict(house, reveal=reveal, cleared=cleared),
        "tenants": [
            psel.tenancy_dict(t, reveal=reveal, cleared=cleared)
            for t in psel.rental_tenancies(house)
        ],
        "revealed": reveal,
    }


@login_required
@require_http_methods(["GET"])
def registry_rental(request: HttpRequest, rental_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        house = psel.rental_detail(actor=actor, rental_id=rental_id)
    except NotFound:
        raise Http404(_("出租房不存在")) from None
    ctx = _rental_context(actor, house)
    ctx.update(
        {
            "nav_active": "registry",
            "checks": _checks(psel.rental_checks(house), rules.RENTAL_ITEMS),
            "may_reveal": place_perms.can_unmask(actor, house.region_path),
            "may_edit": place_perms.can_write(actor, house.region_path),
            "item_states": ITEM_STATES,
        }
    )
    return render(request, "web/registry/rental.html", ctx)


@never_cache
@login_required
@require_http_methods(["POST"])
def registry_rental_reveal(request: HttpRequest, rental_id: int) -> HttpResponse:
    """The address, landlord and tenants in full (audited `rental_reveal`)."""
    actor = actor_of(request)
    try:
        house = psvc.rental_reveal(actor=actor, rental_id=rental_id)
    except NotFound:
        raise Http404(_("出租房不存在")) from None
    except Forbidden as e:
        return forbidden(e.message)
    return render(
        request,
        "web/registry/includes/rental_people.html",
        _rental_context(actor, house, reveal=True),
    )


def _rental_form_context(actor: Actor, **kw: Any) -> dict[str, Any]:
    return {
        "nav_active": "registry",
        "grids": grids_for(actor, "", roles=place_perms.WRITE_ROLES, limit=2000),
        "kinds": RentalKind.choices,
        "statuses": RentalStatus.choices,
        "managed_models": ManagedModel.choices,
        "values": kw.get("values") or {},
        "errors": kw.get("errors") or {},
        "message": kw.get("message", ""),
        "house": kw.get("house"),
        "masked": kw.get("masked") or {},
    }


def _landlord(actor: Actor, id_number: str) -> int | None:
    """The landlord by exact ID number among the persons the actor sees (422 if none)."""
    if not id_number:
        return None
    person = rsel.person_list(actor=actor, q=id_number).first()
    if person is None:
        raise invalid("landlord_id_number", _("实有人口中没有此身份证号的人员，请先登记房东"))
    return person.pk


def _rental_data(
    actor: Actor, post: Any, *, partial: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The form's values (to show again) and the service's data: what was typed (the
    address always when registering; an empty field leaves a house's value as it was)."""
    values = {k: post.get(k, "").strip() for k in RENTAL_FORM}
    values["managed"] = [m for m in post.getlist("managed") if m]
    data: dict[str, Any] = {
        k: values[k] for k in ("address", "rooms", "kind", "status", "note") if values[k]
    }
    if not partial:
        data["region"] = values["region"] or None
        data["address"] = values["address"]
    data["managed"] = values["managed"]
    landlord = _landlord(actor, values["landlord_id_number"])
    if landlord is not None:
        data["landlord"] = landlord
    return values, data


@login_required
@require_http_methods(["GET", "POST"])
def registry_rental_new(request: HttpRequest) -> HttpResponse:
    """登记出租房 (`rental_create`): grid, address, landlord by ID number, rooms, kind,
    managed model; errors per field in Chinese, nothing written."""
    actor = actor_of(request)
    if not actor.roles & place_perms.WRITE_ROLES:
        return forbidden(_("当前角色不能登记出租房"))
    if request.method == "GET":
        ctx = _rental_form_context(actor, values={"rooms": "1", "kind": RentalKind.WHOLE})
        return render(request, "web/registry/rental_form.html", ctx)
    values: dict[str, Any] = {}
    try:
        values, data = _rental_data(actor, request.POST, partial=False)
        house, _created = psvc.rental_create(actor=actor, data=data)
    except DomainError as e:
        if not values:
            values = {k: request.POST.get(k, "") for k in RENTAL_FORM}
        ctx = _rental_form_context(
            actor,
            values=values,
            errors=dict(e.fields),
            message="" if e.fields else e.message,
        )
        return render(request, "web/registry/rental_form.html", ctx, status=e.status)
    return redirect("registry_rental", rental_id=house.pk)


@login_required
@require_http_methods(["GET", "POST"])
def registry_rental_edit(request: HttpRequest, rental_id: int) -> HttpResponse:
    """修改出租房 (`rental_update`): the address is not shown in clear (its masked form
    is the placeholder); an empty address or landlord stays as it was."""
    actor = actor_of(request)
    try:
        house = psel.rental_detail(actor=actor, rental_id=rental_id)
    except NotFound:
        raise Http404(_("出租房不存在")) from None
    if not place_perms.can_write(actor, house.region_path):
        return forbidden(_("当前角色不能修改该出租房"))
    masked = psel.rental_dict(house)
    current = {
        "rooms": str(house.rooms),
        "kind": house.kind,
        "status": house.status,
        "note": house.note,
        "managed": list(house.managed),
    }
    if request.method == "GET":
        ctx = _rental_form_context(actor, values=current, house=house, masked=masked)
        return render(request, "web/registry/rental_form.html", ctx)
    values: dict[str, Any] = {}
    try:
        values, data = _rental_data(actor, request.POST, partial=True)
        psvc.rental_update(actor=actor, rental_id=house.pk, data=data)
    except DomainError as e:
        if not values:
            values = {k: request.POST.get(k, "") for k in RENTAL_FORM}
        ctx = _rental_form_context(
            actor,
            values=values,
            errors=dict(e.fields),
            message="" if e.fields else e.message,
            house=house,
            masked=masked,
        )
        return render(request, "web/registry/rental_form.html", ctx, status=e.status)
    return redirect("registry_rental", rental_id=house.pk)


# ---- places, sectors, cameras ----------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def registry_places(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    g = request.GET
    sectors = rules.sectors()
    f: dict[str, Any] = {
        "region": g.get("region", "").strip(),
        "kind": g.get("kind", "") if g.get("kind") in PlaceKind.values else "",
        "sector": g.get("sector", "") if g.get("sector") in dict(sectors) else "",
        "overdue": g.get("overdue", "") == "1",
    }
    return list_page(
        request,
        "web/registry/places.html",
        query=lambda: psel.place_list(
            actor=actor,
            region=_region_id(f["region"]),
            kind=f["kind"] or None,
            sector=f["sector"] or None,
            overdue=f["overdue"],
        ),
        empty=lambda: psel.place_list(actor=actor).none(),
        shape=lambda rows: [psel.place_dict(p) for p in rows],
        context={
            "f": f,
            "kinds": PlaceKind.choices,
            "sectors": sectors,
            "regions": regions_for(actor),
        },
    )


@login_required
@require_http_methods(["GET"])
def registry_place(request: HttpRequest, place_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        place = psel.place_detail(actor=actor, place_id=place_id)
    except NotFound:
        raise Http404(_("场所不存在")) from None
    near = []
    if place.lat is not None and place.lng is not None:
        visible = psel.camera_list(actor=actor)
        near = [
            psel.camera_dict(n.camera, n.distance_m)
            for n in psel.cameras_near(place.lat, place.lng, limit=10, qs=visible)
        ]
    return render(
        request,
        "web/registry/place.html",
        {
            "nav_active": "registry",
            "place": place,
            "p": psel.place_dict(place),
            "checks": _checks(psel.place_checks(place), rules.PLACE_ITEMS),
            "may_reveal": place_perms.can_unmask(actor, place.region_path),
            "cameras": near,
            "item_states": ITEM_STATES,
        },
    )


@never_cache
@login_required
@require_http_methods(["POST"])
def registry_place_reveal(request: HttpRequest, place_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        place = psvc.place_reveal(actor=actor, place_id=place_id)
    except NotFound:
        raise Http404(_("场所不存在")) from None
    except Forbidden as e:
        return forbidden(e.message)
    return render(
        request,
        "web/registry/includes/place_people.html",
        {"place": place, "p": psel.place_dict(place, reveal=True), "revealed": True},
    )


@login_required
@require_http_methods(["GET"])
def registry_sectors(request: HttpRequest) -> HttpResponse:
    """实名制行业: per sector the units, those checked and those keeping their records."""
    actor = actor_of(request)
    error, rows = "", []
    region = request.GET.get("region", "").strip()
    try:
        rows = psel.sector_summary(actor=actor, region=_region_id(region))
    except Invalid as e:
        error = error_text(e)
    for r in rows:
        r["percent"] = f"{r['rate'] * 100:.1f}%" if r["rate"] is not None else "—"
    return render(
        request,
        "web/registry/sectors.html",
        {
            "nav_active": "registry",
            "rows": rows,
            "f": {"region": region},
            "regions": regions_for(actor),
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@require_http_methods(["GET"])
def registry_cameras(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    g = request.GET
    f: dict[str, Any] = {
        "region": g.get("region", "").strip(),
        "kind": g.get("kind", "") if g.get("kind") in CameraKind.values else "",
        "status": g.get("status", "") if g.get("status") in CameraStatus.values else "",
    }
    return list_page(
        request,
        "web/registry/cameras.html",
        query=lambda: psel.camera_list(
            actor=actor,
            region=_region_id(f["region"]),
            kind=f["kind"] or None,
            status=f["status"] or None,
        ),
        empty=lambda: psel.camera_list(actor=actor).none(),
        shape=lambda rows: [psel.camera_dict(c) for c in rows],
        context={
            "f": f,
            "kinds": CameraKind.choices,
            "statuses": CameraStatus.choices,
            "regions": regions_for(actor),
        },
    )
