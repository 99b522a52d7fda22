"""Listed rectification (挂牌整治): the list with filters and a Leaflet map of the items
coloured by state (overdue red), and one item's page (its target, progress reports,
timeline and the engine's buttons, which open the generic action form). Reads through
`campaigns.selectors`; writes through the case engine. docs/campaigns.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import actor_of
from pingan.campaigns.choices import ListingKind, ListingStatus
from pingan.campaigns.kind import LISTING
from pingan.campaigns.models import ListedItem
from pingan.campaigns.selectors import listing_detail, listing_list, today
from pingan.cases.service import allowed, buttons
from pingan.core.errors import NotFound
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.choices import Role

LISTING_ROLES = frozenset(
    {Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.GRID_WORKER, Role.GRID_LEADER}
)
PAGE_SIZE = 50
MAP_LIMIT = 1000


def _forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


def _map_item(x: ListedItem, day: Any) -> dict[str, Any]:
    overdue = x.is_overdue(day)
    return {
        "id": x.pk,
        "name": x.name,
        "kind_label": x.get_kind_display(),
        "status": "overdue" if overdue else x.status,
        "status_label": x.get_status_display() + (_("（逾期）") if overdue else ""),
        "unit_name": x.unit_name,
        "deadline": x.deadline.isoformat(),
        "lat": x.lat,
        "lng": x.lng,
        "area": x.area,
        "url": reverse("campaigns_listing", args=[x.pk]),
    }


@login_required
@require_http_methods(["GET"])
def listings_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.roles & LISTING_ROLES:
        return _forbidden(_("当前角色不能查看挂牌整治"))
    chosen = {
        "kind": [v for v in request.GET.getlist("kind") if v in ListingKind.values],
        "status": [v for v in request.GET.getlist("status") if v in ListingStatus.values],
    }
    overdue = True if request.GET.get("overdue") == "1" else None
    region = None
    raw = request.GET.get("region", "")
    if raw.isdigit():
        region = Region.objects.filter(pk=int(raw)).first()
    qs = listing_list(
        actor=actor,
        kind=chosen["kind"],
        status=chosen["status"],
        region=region,
        overdue=overdue,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    day = today()
    placed = qs.exclude(lat__isnull=True, area__isnull=True)[:MAP_LIMIT]
    regions = Region.objects.filter(
        within_q("path", actor.paths()), level__in=("county", "town")
    ).order_by("path")
    return render(
        request,
        "web/campaigns/listings.html",
        {
            "nav_active": "listings",
            "page": page,
            "rows": [{"x": x, "overdue": x.is_overdue(day)} for x in page.object_list],
            "chosen": chosen,
            "overdue": overdue,
            "region": region,
            "regions": regions,
            "kinds": ListingKind.choices,
            "statuses": ListingStatus.choices,
            "map_data": {
                "tile_url": getattr(settings, "PINGAN_MAP_TILE_URL", "") or "",
                "items": [_map_item(x, day) for x in placed],
            },
        },
    )


@login_required
@require_http_methods(["GET"])
def listings_detail(request: HttpRequest, listing_id: int) -> HttpResponse:
    """The item's page; the same 404 for a missing item and one out of scope."""
    actor = actor_of(request)
    try:
        x = listing_detail(actor=actor, listing_id=listing_id)
    except NotFound:
        raise Http404(_("挂牌整治项不存在")) from None
    wf = LISTING.workflow
    actions = [
        {**b, "url": reverse("case_action", args=[LISTING.name, x.pk, b["action"]])}
        for b in buttons(LISTING, allowed(LISTING, actor, x))
    ]
    day = today()
    timeline = [
        {
            "at": t.at,
            "label": wf.action_label(t.action),
            "actor": t.actor.display_name if t.actor else _("系统"),
            "role": str(Role(t.actor_role).label) if t.actor_role in Role.values else "",
            "to_label": wf.state_label(t.to_status) if t.to_status else "",
            "note": t.note,
        }
        for t in x.timeline.all()
    ]
    return render(
        request,
        "web/campaigns/listing.html",
        {
            "nav_active": "listings",
            "item": x,
            "overdue": x.is_overdue(day),
            "progress": list(x.progress.all()),
            "timeline": timeline,
            "actions": actions,
            "map_data": {
                "tile_url": getattr(settings, "PINGAN_MAP_TILE_URL", "") or "",
                "items": [_map_item(x, day)] if x.has_place else [],
            },
        },
    )
