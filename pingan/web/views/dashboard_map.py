"""The dashboard's map (统计分析 and the wall): the regions under the one shown, coloured
by a figure, and the events in it as pins.

- `dashboard_map`: GeoJSON. At county (or city) level the child regions (towns) with
  their outlines, label points and figures; at town level and below the grids. A
  top-level `meta` member carries what the legend needs (the figures, their names, their
  class breaks, which end is good) and the translated words of the map.
- `dashboard_pins`: the newest events in scope and period as points, for clustering on
  the client (no personal data: code, title masked as published, status, deadline mark).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext

from pingan.access.actor import as_actor
from pingan.access.scope import memberships_covering
from pingan.analytics import kpis, selectors
from pingan.core.errors import Invalid, invalid
from pingan.core.pii import mask_in_text
from pingan.events.choices import DeadlineState, Status
from pingan.events.models import OPEN_STATUSES
from pingan.events.permissions import events_in_scope
from pingan.events.selectors import EventFilters, apply_filters
from pingan.geo import scope
from pingan.geo.choices import Level
from pingan.geo.geometry import representative_point, to_shape
from pingan.geo.locator import polygons_json
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.geo.selectors import region_list
from pingan.org.choices import Role
from pingan.web.views.dashboard import dash_url, list_url, parse

# The figures a map can be coloured by: key, label, which end is good ("high", "low" or
# None: neither), and the numerator and denominator a rate is shown with on hover.
METRICS: tuple[dict[str, Any], ...] = (
    {"key": "count", "better": None},
    {"key": "closure_rate", "better": "high", "num": "closed", "den": "accepted"},
    {"key": "on_time_rate", "better": "high", "num": "closed_on_time", "den": "closed_timed"},
    {"key": "overdue", "better": "low"},
    {"key": "satisfaction_rate", "better": "high", "num": "satisfied", "den": "followed_up"},
)
COUNTS = (
    "count",
    "accepted",
    "closed",
    "closed_on_time",
    "closed_timed",
    "followed_up",
    "satisfied",
    "overdue",
)
CLASSES = 5
# Pins: at most this many, the newest first (the answer says when there were more).
PIN_CAP = 2000
# Levels whose children are drawn as regions; below them the map draws grids.
_ABOVE_TOWN = (Level.CITY, Level.COUNTY)


def _labels() -> dict[str, str]:
    return {
        "count": gettext("事件量"),
        "closure_rate": gettext(kpis.LABELS["closure_rate"]),
        "on_time_rate": gettext(kpis.LABELS["on_time_rate"]),
        "overdue": gettext("在办超期"),
        "satisfaction_rate": gettext(kpis.LABELS["satisfaction_rate"]),
        "accepted": gettext("受理"),
        "closed": gettext("办结"),
        "closed_on_time": gettext("按期办结"),
        "closed_timed": gettext("计时办结"),
        "followed_up": gettext("回访"),
        "satisfied": gettext("满意"),
    }


def _error(exc: Invalid) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "invalid", "message": exc.message, "fields": exc.fields}}, status=422
    )


def _level_param(params: Any) -> str:
    level = (params.get("level") or "").strip()
    if level not in ("", "grid"):
        raise invalid("level", gettext("应为 grid 或留空"))
    return level


def classes(values: list[float | int | None], k: int = CLASSES) -> list[dict[str, Any]]:
    """Quantile classes of the values that are not None: up to `k` classes, each the
    lowest and highest value in it (`{"lo", "hi"}`), ascending; equal values stay in one
    class, so there are fewer classes when there are few distinct values."""
    vals = sorted(v for v in values if v is not None)
    out: list[dict[str, Any]] = []
    start, n = 0, len(vals)
    for i in range(1, k + 1):
        end = round(i * n / k)
        if end <= start:
            continue
        while end < n and vals[end] == vals[end - 1]:
            end += 1
        out.append({"lo": vals[start], "hi": vals[end - 1]})
        start = end
        if start >= n:
            break
    return out


def _figures(f: dict[str, Any]) -> dict[str, Any]:
    """The map's figures of one region from its `kpis.figures` (the same formula as every
    other page)."""
    out = {key: f[key] for key in COUNTS if key != "count"}
    out["count"] = f["total"]
    for key in ("closure_rate", "on_time_rate", "satisfaction_rate"):
        out[key] = f[key]
    return out


def child_figures(
    basis: selectors.Basis, regions: list[Region], date_from: dt.date, date_to: dt.date
) -> dict[int, dict[str, Any]]:
    """Figures of each region (children of the basis's region, or its grids) with their
    numerators and denominators: `selectors.region_figures`, as the dashboard's region
    table counts them."""
    assert basis.region is not None
    return {
        pk: _figures(f)
        for pk, f in selectors.region_figures(basis, regions, date_from, date_to).items()
    }


# Outlines made from grid polygons, for regions imported without one of their own:
# {region id: (digest of the grid polygons, GeoJSON text, (lat, lng))}.
_unions: dict[int, tuple[str, str, tuple[float, float]]] = {}


def _union_of(region_id: int, texts: list[str]) -> tuple[str, tuple[float, float]] | None:
    """The union of these grid polygons (GeoJSON text) as GeoJSON text and a point in it,
    kept per process until a polygon changes."""
    if not texts:
        return None
    digest = hashlib.blake2b("\n".join(texts).encode(), digest_size=16).hexdigest()
    kept = _unions.get(region_id)
    if kept is None or kept[0] != digest:
        from shapely import unary_union
        from shapely.geometry import mapping

        shape = unary_union([to_shape(json.loads(t)) for t in texts])
        geometry = json.loads(json.dumps(mapping(shape)))
        text = json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
        kept = (digest, text, representative_point(geometry))
        _unions[region_id] = kept
    return kept[1], kept[2]


def outlines(regions: list[Region]) -> dict[int, tuple[str, tuple[float, float] | None]]:
    """Each region's outline as GeoJSON text and its label point: its own boundary, or
    the union of its grids' polygons when it has none (None when neither is drawn)."""
    out: dict[int, tuple[str, tuple[float, float] | None]] = {}
    missing = []
    for r in regions:
        if r.geometry:
            point = (r.lat, r.lng) if r.lat is not None and r.lng is not None else None
            out[r.pk] = (json.dumps(r.geometry, ensure_ascii=False, separators=(",", ":")), point)
        else:
            missing.append(r)
    if missing:
        paths = {r.path: r.pk for r in missing}
        grids = Region.objects.filter(within_q("path", list(paths)), level=Level.GRID)
        under: dict[int, list[int]] = {r.pk: [] for r in missing}
        for pk, path in grids.values_list("pk", "path"):
            for prefix, owner in paths.items():
                if scope.within(path, [prefix]):
                    under[owner].append(pk)
        shapes = polygons_json([pk for ids in under.values() for pk in ids])
        for r in missing:
            union = _union_of(r.pk, [shapes[pk] for pk in sorted(under[r.pk]) if pk in shapes])
            if union is not None:
                out[r.pk] = union
    return out


def _meta(
    kind: str,
    shown: Region | None,
    props: list[dict[str, Any]],
    outline: str | None,
    pins_url: str,
) -> dict[str, Any]:
    """What the client needs besides the features: the figures with their names and
    class breaks, the shown region and its outline, the words of the map."""
    labels = _labels()
    metrics = []
    for m in METRICS:
        entry = {
            "key": m["key"],
            "label": labels[m["key"]],
            "better": m["better"],
            "rate": m["key"] in kpis.RATES,
            "classes": classes([p[m["key"]] for p in props]),
        }
        if "num" in m:
            entry.update(
                num=m["num"], den=m["den"], num_label=labels[m["num"]], den_label=labels[m["den"]]
            )
        metrics.append(entry)
    return {
        "level": kind,
        "region": {"id": shown.pk, "name": shown.name, "level": shown.level} if shown else None,
        "outline": json.loads(outline) if outline else None,
        "metrics": metrics,
        "pins_url": pins_url,
        # Pins at once when the map shows grids; above that, once zoomed in this far.
        "pins_now": kind == "grid",
        "pins_zoom": 13,
        "text": {
            "legend": gettext("图例"),
            "no_data": gettext("无数据"),
            "rate_hover": gettext("{label} {value}（{num_label} {num} / {den_label} {den}）"),
            "count_hover": gettext("{label} {value} 件"),
            "click_region": gettext("点击进入该区域的统计"),
            "click_grid": gettext("点击查看该网格的事件"),
            "pins": gettext("事件点位"),
            "pins_capped": gettext("仅显示最新 {n} 件"),
            "pins_grid_point": gettext("点位为事件所在网格的代表点，不显示精确位置"),
            "empty": gettext("该范围内没有可绘制的区域边界"),
        },
    }


def _feature(geometry: str, properties: dict[str, Any]) -> str:
    return (
        '{"type":"Feature","geometry":'
        + geometry
        + ',"properties":'
        + json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
        + "}"
    )


@login_required
def dashboard_map(request: HttpRequest) -> HttpResponse:
    """The regions under the shown one as GeoJSON with their figures: the towns of a
    county (or the counties of a city) with outlines and label points, the grids of a town
    or village (`level=grid` asks for the grids at any level). Outlines are spliced in as
    GeoJSON text: only each region's figures are serialised per request."""
    try:
        region_id, date_from, date_to = parse(request.GET)
        level = _level_param(request.GET)
    except Invalid as exc:
        return _error(exc)
    basis = selectors.basis_for(request.user, region_id)
    shown = None if basis.empty else basis.region
    dashboard_base = dash_url("dashboard", None, date_from, date_to)
    list_base = list_url(None, date_from, date_to)
    features: list[str] = []
    props: list[dict[str, Any]] = []
    kind = ""
    outline = None
    if shown is not None:
        if shown.level in _ABOVE_TOWN and level != "grid":
            kind = "region"
            regions = list(region_list(parent=shown.pk))
            shapes = outlines([shown, *regions])
        else:
            kind = "grid"
            regions = list(
                Region.objects.filter(within_q("path", [shown.path]), level=Level.GRID)
                .only("pk", "name", "code", "level", "depth", "lat", "lng")
                .order_by("path")
            )
            grid_shapes = polygons_json([g.pk for g in regions])
            shapes = {pk: (text, None) for pk, text in grid_shapes.items()} | outlines(
                [shown] if shown.level != Level.GRID else []
            )
        outline = shapes[shown.pk][0] if shown.pk in shapes else None
        figures = child_figures(basis, regions, date_from, date_to)
        for r in regions:
            shape = shapes.get(r.pk)
            point = shape[1] if shape and shape[1] else None
            if point is None and r.lat is not None and r.lng is not None:
                point = (r.lat, r.lng)
            p = {
                "id": r.pk,
                "name": r.name,
                "level": r.level,
                **figures[r.pk],
                "label": list(point) if point else None,
                "url": f"{dashboard_base}&region={r.pk}",
                "list_url": f"{list_base}&region={r.pk}",
            }
            props.append(p)
            if shape is not None:
                features.append(_feature(shape[0], p))
    pins_url = dash_url("dashboard_pins", shown.pk if shown else region_id, date_from, date_to)
    meta = _meta(kind, shown, props, outline, pins_url)
    body = (
        '{"type":"FeatureCollection","features":['
        + ",".join(features)
        + '],"meta":'
        + json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
        + "}"
    )
    return HttpResponse(body, content_type="application/json")


def _bbox(params: Any) -> tuple[float, float, float, float] | None:
    """west,south,east,north in degrees, or None when not given."""
    raw = (params.get("bbox") or "").strip()
    if not raw:
        return None
    try:
        west, south, east, north = (float(x) for x in raw.split(","))
    except ValueError:
        raise invalid("bbox", gettext("应为 西,南,东,北 四个经纬度数值")) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise invalid("bbox", gettext("经纬度超出范围或顺序不对"))
    return west, south, east, north


def event_pins(
    *,
    user: Any,
    region: Region | None,
    date_from: dt.date,
    date_to: dt.date,
    bbox: tuple[float, float, float, float] | None = None,
    cap: int = PIN_CAP,
) -> dict[str, Any]:
    """The newest `cap` events the user sees in the region and period (reported in it)
    as points: code, title (masked as published), status and the deadline mark of open
    ones. The point is the event's own only for a dispatcher of the region (who may
    unmask the address, docs/privacy.md); for everyone else it is the grid's
    representative point, as the event page shows the grid's outline only."""
    actor = as_actor(user)
    exact = region is not None and bool(
        memberships_covering(actor, region.path, (Role.DISPATCHER,))
    )
    filters = EventFilters(
        region=region.pk if region else None, reported_from=date_from, reported_to=date_to
    )
    qs = apply_filters(events_in_scope(actor), filters)
    if bbox is not None:
        west, south, east, north = bbox
        qs = qs.filter(region__lat__range=(south, north), region__lng__range=(west, east))
    fields = ["pk", "code", "title", "status", "deadline_state", "region__lat", "region__lng"]
    if exact:
        fields += ["lat", "lng"]
    rows = list(qs.order_by("-reported_at", "-id").values(*fields)[: cap + 1])
    pins = []
    for e in rows[:cap]:
        lat, lng = (e["lat"], e["lng"]) if exact and e["lat"] is not None else (None, None)
        if lat is None or lng is None:
            lat, lng = e["region__lat"], e["region__lng"]
        if lat is None or lng is None:
            continue
        mark = e["deadline_state"] if e["status"] in OPEN_STATUSES else ""
        pins.append(
            {
                "id": e["pk"],
                "code": e["code"],
                "title": mask_in_text(e["title"]),
                "status": e["status"],
                "mark": mark or "",
                "lat": lat,
                "lng": lng,
            }
        )
    return {
        "pins": pins,
        "cap": cap,
        "capped": len(rows) > cap,
        "exact": exact,
        # The words of the states, once for every pin.
        "statuses": {s.value: str(s.label) for s in Status},
        "marks": {s.value: str(s.label) for s in DeadlineState},
    }


@login_required
def dashboard_pins(request: HttpRequest) -> JsonResponse:
    """Events in scope and period as points for the map's clusters (newest 2,000)."""
    try:
        region_id, date_from, date_to = parse(request.GET)
        bbox = _bbox(request.GET)
    except Invalid as exc:
        return _error(exc)
    region = None
    if region_id is not None:
        region = region_list().filter(pk=region_id).first()
        if region is None:
            return _error(invalid("region", gettext("区域不存在")))
    answer = event_pins(
        user=request.user, region=region, date_from=date_from, date_to=date_to, bbox=bbox
    )
    answer["event_url"] = reverse("event_detail", args=[0]).replace("/0/", "/{id}/")
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
