"""The report form (mobile first): category, extra fields, place on a map, photos, and the
grid worker's "settled on site" shortcut. Writes through `events.services.event_report`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import actor_of
from pingan.core.errors import DomainError, Invalid, invalid
from pingan.core.params import parse_int
from pingan.events.choices import AttachmentKind, Source, Urgency
from pingan.events.selectors import category_list
from pingan.events.services import REPORTING_ROLES, event_report, event_transition
from pingan.geo.choices import Level
from pingan.geo.selectors import region_subtree
from pingan.org.choices import GRID_ROLES, Role
from pingan.org.selectors import memberships_of, user_roles
from pingan.web.views.event import attach_photos, newest_transition

EXTRA_PREFIX = "extra."


def user_grids(user: Any) -> list[Any]:
    """The grids inside the regions where `user` holds a reporting role, in tree order."""
    found: dict[int, Any] = {}
    for m in memberships_of(user):
        if m.role not in REPORTING_ROLES or m.region is None:
            continue
        for region in region_subtree(m.region).filter(level=Level.GRID):
            found[region.pk] = region
    return sorted(found.values(), key=lambda r: r.path)


def _categories() -> tuple[list[Any], dict[int, list[Any]]]:
    cats = list(category_list())
    children: dict[int, list[Any]] = {}
    for c in cats:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    parents = [c for c in cats if c.parent_id is None]
    return parents, children


def _as_int(raw: str | None) -> int | None:
    """A choice of the form redrawn (None when it is no usable id)."""
    try:
        return parse_int(raw, "")
    except Invalid:
        return None


def _category_context(
    parent_id: int | None,
    category_id: int | None,
    values: Any = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Leaf choices for the chosen parent and the extra fields of the chosen leaf."""
    parents, children = _categories()
    by_id = {c.pk: c for c in parents} | {c.pk: c for cs in children.values() for c in cs}
    leaf = by_id.get(category_id) if category_id else None
    if leaf is not None and parent_id is None:
        parent_id = leaf.parent_id or leaf.pk
    parent = by_id.get(parent_id) if parent_id else None
    leaves = children.get(parent.pk, [parent]) if parent is not None else []
    if leaf is not None and leaf not in leaves:
        leaf = None
    if leaf is None and len(leaves) == 1:
        leaf = leaves[0]
    specs: list[dict[str, Any]] = []
    if leaf is not None:
        raw_specs = list(leaf.extra_fields or [])
        if leaf.parent_id and leaf.parent_id in by_id:
            raw_specs = list(by_id[leaf.parent_id].extra_fields or []) + raw_specs
        errors = errors or {}
        for spec in raw_specs:
            name = spec.get("name")
            if not name:
                continue
            key = EXTRA_PREFIX + name
            specs.append(
                {
                    "name": name,
                    "input": key,
                    "label": spec.get("label", name),
                    "type": spec.get("type", "text"),
                    "required": bool(spec.get("required")),
                    "choices": spec.get("choices", []),
                    "value": (values.get(key, "") if values is not None else ""),
                    "error": errors.get(key, ""),
                }
            )
    return {
        "parents": parents,
        "parent": parent,
        "leaves": leaves,
        "leaf": leaf,
        "extra_specs": specs,
    }


def _form_context(
    request: HttpRequest, values: Any = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    user = request.user
    roles = user_roles(user)
    values = values if values is not None else {}
    ctx = _category_context(
        _as_int(values.get("category_parent")), _as_int(values.get("category")), values, errors
    )
    ctx.update(
        {
            "values": values,
            "errors": errors or {},
            "urgencies": Urgency.choices,
            "sources": Source.choices if Role.DISPATCHER in roles else None,
            "grids": user_grids(user),
            "can_settle": bool(roles & GRID_ROLES),
            "tile_url": getattr(settings, "PINGAN_MAP_TILE_URL", ""),
        }
    )
    return ctx


def _float(raw: str, field: str, label: str) -> float | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise invalid(field, _("%(label)s应为数字") % {"label": label}) from None


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: create the event (and settle it on site when asked); a repeated
    client_uuid leads to the first event; errors are shown beside the fields, nothing saved."""
    user = request.user
    if not user_roles(user) & REPORTING_ROLES:
        return render(request, "web/event/report_forbidden.html", {}, status=403)
    if request.method == "GET":
        return render(request, "web/event/report.html", _form_context(request))

    post = request.POST
    try:
        with transaction.atomic():
            category = parse_int(post.get("category"), "category")
            if category is None:
                raise invalid("category", _("请选择事件分类（小类）"))
            extra = {
                k[len(EXTRA_PREFIX) :]: v
                for k, v in post.items()
                if k.startswith(EXTRA_PREFIX) and v != ""
            }
            event, created = event_report(
                actor=actor_of(request),
                category=category,
                description=post.get("description", ""),
                title=post.get("title", ""),
                source=post.get("source") or Source.GRID_PATROL,
                urgency=post.get("urgency") or Urgency.NORMAL,
                lat=_float(post.get("lat", ""), "lat", _("纬度")),
                lng=_float(post.get("lng", ""), "lng", _("经度")),
                region=parse_int(post.get("region"), "region"),
                address=post.get("address", ""),
                client_uuid=post.get("client_uuid") or None,
                extra=extra,
                reporter_name=post.get("reporter_name", "").strip()[:50],
                reporter_phone=post.get("reporter_phone", "").strip()[:20],
                outside_own_grid=post.get("outside_own_grid") == "1",
            )
            if created:
                attach_photos(
                    actor=actor_of(request),
                    event_id=event.pk,
                    files=request.FILES.getlist("photos"),
                    kind=AttachmentKind.REPORT,
                    transition=newest_transition(user, event.pk),
                )
                if post.get("settle") == "1":
                    event_transition(
                        actor=actor_of(request),
                        event_id=event.pk,
                        action="resolve_on_site",
                        payload={"result": post.get("result", "")},
                    )
    except DomainError as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {"form": e.message}
        ctx = _form_context(request, post, errors)
        return render(request, "web/event/report.html", ctx, status=e.status)
    return redirect(reverse("event_detail", args=[event.pk]))


@login_required
@require_http_methods(["GET"])
def report_category_fields(request: HttpRequest) -> HttpResponse:
    """htmx partial: the leaf picker for the chosen parent and the leaf's extra fields."""
    ctx = _category_context(
        _as_int(request.GET.get("category_parent")),
        _as_int(request.GET.get("category")),
        request.GET,
    )
    ctx.update({"values": request.GET, "errors": {}})
    return render(request, "web/event/report.html#category_fields", ctx)


@login_required
@require_http_methods(["GET"])
def report_regions(request: HttpRequest) -> JsonResponse:
    """GeoJSON FeatureCollection of the caller's grids, for the report map."""
    features = [
        {
            "type": "Feature",
            "geometry": r.geometry,
            "properties": {"id": r.pk, "code": r.code, "name": r.name},
        }
        for r in user_grids(request.user)
        if r.geometry
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
