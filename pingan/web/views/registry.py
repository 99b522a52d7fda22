"""The people registers' pages (docs/registry.md, "Pages"): the overview with the figures
of the actor's region per child region, the persons list (exact ID number or phone through
the blind indexes, grid, kind and status), the person page (household, permit, points,
key-person records for cleared viewers, moves, history, visits) with 「查看完整信息」, the
person forms, households and key persons.

Reads go through `registry.selectors` / `registry.stats` / `places.stats` (scoped to the
actor, masked), writes through `registry.services`; the reveal is the registry's audited
`person_reveal`. Pages answer 404 for a record that is missing or out of scope alike."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pingan.access.actor import REGION_ROLES, Actor, actor_of
from pingan.core import clock
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound
from pingan.geo import scope as paths
from pingan.geo.models import Region
from pingan.places import stats as places_stats
from pingan.registry import permissions as perms
from pingan.registry import selectors as sel
from pingan.registry import services as svc
from pingan.registry import stats as registry_stats
from pingan.registry.choices import PersonKind, PersonStatus, RiskLevel
from pingan.registry.models import KeyPersonCategory
from pingan.web.views.registry_common import (
    error_text,
    forbidden,
    grids_for,
    list_page,
    region_param,
    regions_for,
    top_region,
)

RATINGS = ("green", "yellow", "red", "unrated")
PERSON_FORM = ("region", "name", "id_number", "phone", "kind", "relation", "address")
PERSON_EDIT = ("name", "id_number", "phone", "kind", "relation", "address", "household")


def _today() -> dt.date:
    return timezone.localdate(clock.now())


def cleared_categories(actor: Actor) -> list[KeyPersonCategory]:
    """The key-person categories whose label the actor is cleared for (the overview's
    columns; a helper's key persons of another category are on the key persons list)."""
    return [
        c
        for c in KeyPersonCategory.objects.filter(is_active=True).order_by("order", "code")
        if perms.cleared(actor, c.sensitivity)
    ]


# ---- the overview -----------------------------------------------------------------------------


def _list_link(name: str, **params: Any) -> str:
    q = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(q) if q else "")


@login_required
@require_http_methods(["GET"])
def registry_overview(request: HttpRequest) -> HttpResponse:
    """实有人口与场所概况: the figures of the region (default: the actor's own) per
    child region, each linking to the list behind it; a child drills down."""
    actor = actor_of(request)
    try:
        region = region_param(request.GET.get("region")) or top_region(actor)
    except Invalid as e:
        return render(
            request,
            "web/registry/overview.html",
            {"nav_active": "registry", "error": error_text(e)},
            status=422,
        )
    if region is None:
        return render(request, "web/registry/overview.html", {"nav_active": "registry"})
    people = registry_stats.counts(actor, region, day=_today())
    houses = {r["region"]: r for r in places_stats.counts(actor, region)}
    categories = cleared_categories(actor)
    rows = []
    for r in people["rows"]:
        p = houses.get(r["region"], {})
        rows.append(
            {
                **r,
                "rentals": p.get("rentals", {k: 0 for k in (*RATINGS, "total")}),
                "rentals_overdue": p.get("rentals_overdue", 0),
                "places": p.get("places", {}).get("total", 0),
                "places_overdue": p.get("places_overdue", 0),
                "cameras": p.get("cameras", 0),
                "by_cleared": [r["by_category"].get(c.code, 0) for c in categories],
                "drill": _list_link("registry_overview", region=r["region"])
                if r["region"] != region.pk
                else "",
                "persons_url": _list_link("registry_persons", region=r["region"]),
                "new_url": _list_link(
                    "registry_persons", region=r["region"], kind=PersonKind.NEW_RESIDENT
                ),
                "rentals_url": _list_link("registry_rentals", region=r["region"]),
                "key_url": _list_link("registry_key_persons", region=r["region"]),
            }
        )
    total = dict(people["total"])
    total["rentals"] = {k: sum(r["rentals"].get(k, 0) for r in rows) for k in (*RATINGS, "total")}
    for key in ("rentals_overdue", "places", "places_overdue", "cameras"):
        total[key] = sum(r[key] for r in rows)
    total["by_cleared"] = [people["total"]["by_category"].get(c.code, 0) for c in categories]
    crumbs = [
        r
        for r in Region.objects.filter(code__in=region.ancestor_codes()).order_by("path")
        if paths.overlaps(r.path, actor.paths(REGION_ROLES))
    ]
    return render(
        request,
        "web/registry/overview.html",
        {
            "nav_active": "registry",
            "region": region,
            "crumbs": [c for c in crumbs if c.pk != region.pk],
            "rows": rows,
            "total": total,
            "categories": categories,
            "day": people["day"],
            "since": people["since"],
            "expiring_days": registry_stats.EXPIRING_DAYS,
            "map_url": _list_link("registry_map", region=region.pk),
        },
    )


# ---- persons ----------------------------------------------------------------------------------


def _person_filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    return {
        "q": g.get("q", "").strip(),
        "region": g.get("region", "").strip(),
        "grid": g.get("grid", "").strip(),
        "kind": g.get("kind", "") if g.get("kind", "") in PersonKind.values else "",
        "status": g.get("status", "") if g.get("status", "") in PersonStatus.values else "",
    }


@login_required
@require_http_methods(["GET"])
def registry_persons(request: HttpRequest) -> HttpResponse:
    """The persons the actor may see, newest first, masked; search by the exact ID
    number or phone (the blind indexes: a part of a name cannot be searched)."""
    actor = actor_of(request)
    f = _person_filters(request)
    return list_page(
        request,
        "web/registry/persons.html",
        query=lambda: sel.person_list(
            actor=actor,
            region=f["region"] or None,
            grid=f["grid"] or None,
            kind=f["kind"] or None,
            status=f["status"] or None,
            q=f["q"],
        ),
        empty=lambda: sel.person_list(actor=actor).none(),
        shape=lambda rows: [sel.person_dict(p) for p in rows],
        context={
            "f": f,
            "regions": regions_for(actor),
            "grids": grids_for(actor, f["region"]),
            "kinds": PersonKind.choices,
            "statuses": PersonStatus.choices,
            "may_create": bool(actor.roles & set(perms.EDIT_ROLES)),
        },
    )


def _load_person(actor: Actor, person_id: int) -> Any:
    try:
        return sel.person_detail(actor=actor, person_id=person_id)
    except NotFound:
        raise Http404(_("人员不存在")) from None


@login_required
@require_http_methods(["GET"])
def registry_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person page, masked (the read is audited by the selector)."""
    actor = actor_of(request)
    person = _load_person(actor, person_id)
    day = _today()
    members = []
    if person.household_id:
        members = [sel.person_dict(m) for m in sel.household_members(actor, person.household)]
    key_records = list(sel.key_person_list(actor=actor).filter(person=person))
    visits = []
    for kp in key_records:
        visits += [{"kp": kp, **sel.visit_dict(v)} for v in sel.key_person_visits(kp, limit=20)]
    level = svc.points_level(person.points_total)
    return render(
        request,
        "web/registry/person.html",
        {
            "nav_active": "registry",
            "person": person,
            "p": sel.person_dict(person),
            "members": members,
            "permits": [sel.permit_dict(r, day=day) for r in sel.person_permits(person)],
            "points": [sel.points_entry_dict(e) for e in sel.person_points(person, limit=100)],
            "level": level.name if level else "",
            "key_records": [sel.key_person_dict(k) for k in key_records],
            "visits": sorted(visits, key=lambda v: v["at"], reverse=True)[:30],
            "moves": [sel.move_dict(m) for m in sel.person_moves(person)],
            "history": [sel.change_dict(c) for c in sel.person_history(person, limit=50)],
            "may_reveal": perms.can_reveal(actor, person.region_path),
            "may_edit": perms.can_edit(actor, person.region_path),
        },
    )


@never_cache  # personal data in full: never kept by a browser or a proxy
@login_required
@require_http_methods(["POST"])
def registry_person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """「查看完整信息」: the person's values in full through the audited `person_reveal`
    (403 for a role that may not, 404 out of scope)."""
    actor = actor_of(request)
    try:
        person = svc.person_reveal(
            actor=actor, person_id=person_id, purpose=request.POST.get("purpose", "")
        )
    except NotFound:
        raise Http404(_("人员不存在")) from None
    except Forbidden as e:
        return forbidden(e.message)
    except Invalid as e:
        return HttpResponse(error_text(e), status=422, content_type="text/plain; charset=utf-8")
    return render(
        request,
        "web/registry/includes/person_card.html",
        {"person": person, "p": sel.person_dict(person, reveal=True), "revealed": True},
    )


def _person_form_context(actor: Actor, **kw: Any) -> dict[str, Any]:
    return {
        "nav_active": "registry",
        "grids": grids_for(actor, "", roles=perms.EDIT_ROLES, limit=2000),
        "kinds": PersonKind.choices,
        "values": kw.get("values") or {},
        "errors": kw.get("errors") or {},
        "message": kw.get("message", ""),
        "person": kw.get("person"),
        "masked": kw.get("masked") or {},
    }


def _form_error(e: DomainError) -> tuple[dict[str, str], str]:
    fields = dict(e.fields) if e.fields else {}
    return fields, "" if fields and isinstance(e, Invalid) else e.message


@login_required
@require_http_methods(["GET", "POST"])
def registry_person_new(request: HttpRequest) -> HttpResponse:
    """登记人员: through `person_create` (ID number checked, one person per ID number
    in the county); errors per field in Chinese, nothing written."""
    actor = actor_of(request)
    if not actor.roles & set(perms.EDIT_ROLES):
        return forbidden(_("当前角色不能登记人员"))
    if request.method == "GET":
        return render(request, "web/registry/person_form.html", _person_form_context(actor))
    values = {k: request.POST.get(k, "").strip() for k in (*PERSON_FORM, "moved_in_at")}
    data = {k: values[k] for k in PERSON_FORM if k != "region"}
    data["kind"] = data["kind"] or PersonKind.REGISTERED
    try:
        person = svc.person_create(
            actor=actor,
            region=values["region"] or None,
            moved_in_at=values["moved_in_at"] or None,
            **data,
        )
    except DomainError as e:
        errors, message = _form_error(e)
        ctx = _person_form_context(actor, values=values, errors=errors, message=message)
        return render(request, "web/registry/person_form.html", ctx, status=e.status)
    return redirect("registry_person", person_id=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def registry_person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """修改人员信息: personal values are not shown in clear on the form (their masked
    form is the placeholder); only what is typed changes (`person_update`, history)."""
    actor = actor_of(request)
    try:
        person = perms.access_person(actor, person_id)
    except NotFound:
        raise Http404(_("人员不存在")) from None
    if not perms.can_edit(actor, person.region_path):
        return forbidden(_("当前角色不能修改该登记信息"))
    masked = sel.person_dict(person)
    current = {"kind": person.kind, "relation": person.relation}
    if request.method == "GET":
        ctx = _person_form_context(actor, values=current, person=person, masked=masked)
        return render(request, "web/registry/person_form.html", ctx)
    values = {k: request.POST.get(k, "").strip() for k in PERSON_EDIT}
    data = {k: v for k, v in values.items() if v and k not in ("kind", "relation")}
    for k in ("kind", "relation"):
        if values[k] != current[k] and (values[k] or k == "relation"):
            data[k] = values[k]
    try:
        svc.person_update(actor=actor, person_id=person.pk, **data)
    except DomainError as e:
        errors, message = _form_error(e)
        ctx = _person_form_context(
            actor, values=values, errors=errors, message=message, person=person, masked=masked
        )
        return render(request, "web/registry/person_form.html", ctx, status=e.status)
    return redirect("registry_person", person_id=person.pk)


# ---- households ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def registry_households(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    region, number = request.GET.get("region", "").strip(), request.GET.get("number", "").strip()
    return list_page(
        request,
        "web/registry/households.html",
        query=lambda: sel.household_list(actor=actor, region=region or None, number=number),
        empty=lambda: sel.household_list(actor=actor).none(),
        shape=lambda rows: [sel.household_dict(h) for h in rows],
        context={"f": {"region": region, "number": number}, "regions": regions_for(actor)},
    )


@login_required
@require_http_methods(["GET"])
def registry_household(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        household = sel.household_detail(actor=actor, household_id=household_id)
    except NotFound:
        raise Http404(_("户不存在")) from None
    return render(
        request,
        "web/registry/household.html",
        {
            "nav_active": "registry",
            "h": sel.household_dict(household),
            "members": [sel.person_dict(m) for m in sel.household_members(actor, household)],
        },
    )


# ---- key persons --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def registry_key_persons(request: HttpRequest) -> HttpResponse:
    """重点人员: those the actor is cleared for (or helps), by category, missed visits
    highlighted."""
    actor = actor_of(request)
    g = request.GET
    f: dict[str, Any] = {
        "region": g.get("region", "").strip(),
        "category": g.get("category", "").strip(),
        "risk_level": g.get("risk_level", "") if g.get("risk_level") in RiskLevel.values else "",
        "missed": g.get("missed", "") == "1",
    }

    def query() -> QuerySet[Any]:
        qs = sel.key_person_list(
            actor=actor,
            region=f["region"] or None,
            category=f["category"] or None,
            risk_level=f["risk_level"] or None,
            status="active",
        )
        if f["missed"]:
            qs = qs.filter(missed_visits__gt=0)  # type: ignore[misc]  # an annotation
        return qs

    def shape(rows: list[Any]) -> list[dict[str, Any]]:
        helpers = sel.key_person_helpers(rows)
        return [sel.key_person_dict(k, helpers=helpers.get(k.pk)) for k in rows]

    return list_page(
        request,
        "web/registry/key_persons.html",
        query=query,
        empty=lambda: sel.key_person_list(actor=actor).none(),
        shape=shape,
        context={
            "f": f,
            "categories": cleared_categories(actor),
            "risk_levels": RiskLevel.choices,
            "regions": regions_for(actor),
        },
    )


@login_required
@require_http_methods(["GET"])
def registry_key_person(request: HttpRequest, key_person_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        kp = sel.key_person_detail(actor=actor, key_person_id=key_person_id)
    except NotFound:
        raise Http404(_("重点人员不存在")) from None
    day = _today()
    helpers = sel.key_person_helpers([kp])
    return render(
        request,
        "web/registry/key_person.html",
        {
            "nav_active": "registry",
            "kp": sel.key_person_dict(kp, helpers=helpers.get(kp.pk)),
            "tasks": [sel.task_dict(t, day=day) for t in sel.key_person_tasks(kp, limit=30)],
            "visits": [sel.visit_dict(v) for v in sel.key_person_visits(kp, limit=30)],
        },
    )
