"""What the registers' pages share (pure presentation): a capped page of a list and the
list page around it, the region a page is about, the regions and grids its filters
offer, and how a refusal is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pingan.access.actor import REGION_ROLES, Actor
from pingan.core.errors import DomainError, Invalid, invalid
from pingan.geo import scope as paths
from pingan.geo.choices import Level
from pingan.geo.models import Region

PAGE_SIZE = 50
# A county's list holds hundreds of thousands of persons: the pager counts up to this
# many ("5000+") so that a page costs the same at any table size (docs/registry.md, "At
# scale"); deeper pages are reached by narrowing the filters.
COUNT_CAP = 5_000


def page_of(
    request: HttpRequest, qs: QuerySet[Any], size: int = PAGE_SIZE, cap: int = COUNT_CAP
) -> dict[str, Any]:
    """The requested page of `qs`: its rows, the number, whether there are pages before
    and after, and the count (at most `cap`, then shown as "cap+")."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    counted = qs.order_by().values("pk")[: cap + 1].count()
    last = max(1, -(-min(counted, cap) // size))
    number = min(number, last)
    start = (number - 1) * size
    rows = list(qs[start : start + size])
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "rows": rows,
        "number": number,
        "last": last,
        "has_previous": number > 1,
        "has_next": number < last,
        "count": min(counted, cap),
        "count_display": f"{cap}+" if counted > cap else str(counted),
        "query": params.urlencode(),
        "start": start + 1 if rows else 0,
        "end": start + len(rows),
    }


def region_param(value: Any, field: str = "region") -> Region | None:
    """The region named by a query parameter (None when empty; 422 when unknown)."""
    if value in (None, ""):
        return None
    try:
        region = Region.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        region = None
    if region is None:
        raise invalid(field, _("区划不存在"))
    return region


def top_region(actor: Actor) -> Region | None:
    """The region the actor's pages are about by default: their one region, or the
    narrowest region holding all of them (None without a region role)."""
    tops = paths.narrowest(actor.paths(REGION_ROLES))
    if not tops:
        return None
    common = tops[0].strip("/").split("/")
    for p in tops[1:]:
        parts = p.strip("/").split("/")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    if not common:
        return None
    return Region.objects.filter(code=common[-1]).first()


def regions_for(actor: Actor, levels: Iterable[str] = (Level.TOWN, Level.VILLAGE)) -> list[Region]:
    """The towns and villages (or `levels`) within the actor's regions, for a filter."""
    tops = actor.paths(REGION_ROLES)
    if not tops:
        return []
    return list(
        Region.objects.filter(paths.within_q("path", tops), level__in=list(levels))
        .only("pk", "name", "level", "path")
        .order_by("path")[:500]
    )


def grids_for(
    actor: Actor, region: Any, roles: Iterable[str] = REGION_ROLES, limit: int = 300
) -> list[Region]:
    """The grids within the actor's regions (for `roles`) and within `region` when one
    is chosen; none when there are more than `limit` (choose a region first)."""
    tops = actor.paths(roles)
    if not tops:
        return []
    qs = Region.objects.filter(paths.within_q("path", tops), level=Level.GRID)
    try:
        chosen = region_param(region)
    except Invalid:  # a bad filter value is reported by the list itself
        chosen = None
    if chosen is not None:
        qs = qs.filter(paths.within_q("path", [chosen.path]))
    rows = list(qs.only("pk", "name", "path").order_by("path")[: limit + 1])
    return rows if len(rows) <= limit else []


def forbidden(message: str) -> HttpResponse:
    """A 403 with the refusal's words."""
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


def error_text(e: DomainError) -> str:
    """A refusal in one line: the fields' reasons, or the message."""
    return "；".join(e.fields.values()) if isinstance(e, Invalid) and e.fields else e.message


def list_page(
    request: HttpRequest,
    template: str,
    *,
    query: Callable[[], QuerySet[Any]],
    empty: Callable[[], QuerySet[Any]],
    shape: Callable[[list[Any]], list[Any]],
    context: dict[str, Any],
) -> HttpResponse:
    """A register's list page: the page of `query()` (the filters applied; a refused
    filter is shown above an empty page of `empty()` with 422), its rows shaped by
    `shape`, with `context` (the filters `f`, the regions, the choices)."""
    error = ""
    try:
        page = page_of(request, query())
    except Invalid as e:
        error = error_text(e)
        page = page_of(request, empty())
    page["rows"] = shape(page["rows"])
    return render(
        request,
        template,
        {"nav_active": "registry", "page": page, "error": error, **context},
        status=422 if error else 200,
    )
