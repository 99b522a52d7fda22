"""Dashboards (统计分析, county / town / village / grid) and the wall (大屏): every figure
links to the list of events behind it (the event list page with the same filters)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from pingan.analytics import briefings, kpis, selectors, services
from pingan.core import clock
from pingan.core.errors import Invalid
from pingan.core.params import parse_date, parse_int
from pingan.events.supervision import supervision_counts
from pingan.geo import scope
from pingan.geo.models import Region

WALL_REFRESH_S = 60


def _date(params: Any, name: str) -> dt.date | None:
    return parse_date(params.get(name), name)


def _int(params: Any, name: str) -> int | None:
    return parse_int(params.get(name), name)


def parse(params: Any) -> tuple[int | None, dt.date, dt.date]:
    """region, from, to from the query (default: this year to date). Bad values → Invalid."""
    today = timezone.localdate(clock.now())
    kpis.check_period(_date(params, "from"), _date(params, "to"))
    date_to = _date(params, "to") or today
    date_from = _date(params, "from") or date_to.replace(month=1, day=1)
    kpis.check_period(date_from, date_to)
    return _int(params, "region"), date_from, date_to


def _period_text(date_from: dt.date, date_to: dt.date) -> str:
    """The period in words: in Chinese as the briefings put it, else as two dates."""
    if (get_language() or "").startswith("zh"):
        return briefings.period_words(date_from, date_to)
    return f"{date_from:%Y-%m-%d} – {date_to:%Y-%m-%d}"


def _where(region: Region | None) -> str:
    """What goes before the page title: 全县 / 全镇 … in Chinese, else the region's name."""
    if (get_language() or "").startswith("zh"):
        return briefings.region_word(region)
    return f"{region.name} · " if region is not None else ""


def list_url(region: int | None, date_from: dt.date, date_to: dt.date, **extra: Any) -> str:
    """The event list behind a figure."""
    q: dict[str, Any] = {"reported_from": date_from.isoformat(), "reported_to": date_to.isoformat()}
    if region:
        q["region"] = region
    q.update({k: v for k, v in extra.items() if v not in (None, "")})
    return reverse("event_list") + "?" + urlencode(q)


def dash_url(name: str, region: int | None, date_from: dt.date, date_to: dt.date) -> str:
    q: dict[str, Any] = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    if region:
        q["region"] = region
    return reverse(name) + "?" + urlencode(q)


def _crumbs(user: Any, region: Region | None) -> list[Region]:
    """Ancestors of the region the user may drill back up to."""
    if region is None:
        return []
    tops = selectors._top_paths(user)
    codes = region.ancestor_codes()
    chain = {r.code: r for r in Region.objects.filter(code__in=codes)}
    out = [chain[c] for c in codes if c in chain]
    return [r for r in out if scope.within(r.path, [t.path for t in tops])]


def card(k: dict[str, Any], key: str, url: str) -> dict[str, Any]:
    """A figure's card: its value as written everywhere (rates 「95.20%」), a rate's
    numerator and denominator (「办结 958 / 受理 1006」), 同比 and 环比, and the link to the
    events behind it."""
    return {
        "key": key,
        "label": gettext(kpis.LABELS[key]),
        "value": kpis.format_value(key, k[key]),
        "parts": kpis.parts_text(key, k),
        "yoy": kpis.comparison(k, key, "yoy"),
        "mom": kpis.comparison(k, key, "mom") if k.get("mom_period") else None,
        "url": url,
    }


def dashboard_context(user: Any, params: Any) -> dict[str, Any]:
    region_id, date_from, date_to = parse(params)
    # The page itself reads rollups only; figures that need single events (median,
    # repeats, departments) come in a fragment loaded after it (dashboard_extras).
    k = selectors.summary(user=user, region_id=region_id, date_from=date_from, date_to=date_to)
    region_id = k["region"]
    region = Region.objects.filter(pk=region_id).first() if region_id else None
    regions = selectors.region_breakdown(
        user=user, region_id=region_id, date_from=date_from, date_to=date_to
    )
    basis = selectors.basis_for(user, region_id)
    trend = selectors.trend(user=user, region_id=region_id, date_from=date_from, date_to=date_to)

    def link(**extra: Any) -> str:
        return list_url(region_id, date_from, date_to, **extra)

    cards = [
        card(k, key, link(**extra) if extra is not None else "")
        for key, extra in (
            ("total", {}),
            ("closed", {"status": "closed"}),
            ("closure_rate", None),
            ("on_time_rate", None),
            ("satisfaction_rate", None),
            ("dispute_total", {"category": next(iter(selectors.dispute_tops()), None)}),
            ("dispute_resolution_rate", None),
            ("overdue", {"deadline_mark": "overdue"}),
            ("handle_days_avg", None),
        )
    ]
    for c in k["by_category"]:
        c["url"] = link(category=c["category"])
    for s in k["by_source"]:
        s["url"] = link(source=s["source"])
    for s in k["by_status"]:
        s["url"] = link(status=s["status"])
    for r in regions:
        r["url"] = dash_url("dashboard", r["region"], date_from, date_to)
        r["list_url"] = list_url(r["region"], date_from, date_to)
    chart_data = {
        "text": {
            "accepted": gettext("受理"),
            "closed": gettext("办结"),
            "tooltip": gettext("{name}：{count} 件，办结率 {rate}"),
        },
        "trend": trend,
        "categories": [
            {"name": c["name"], "value": c["count"], "url": c["url"]} for c in k["by_category"]
        ],
        "sources": [
            {"name": s["name"], "value": s["count"], "url": s["url"]} for s in k["by_source"]
        ],
        "regions": [
            {"name": r["name"], "value": r["count"], "url": r["url"]} for r in regions[:15]
        ],
        "map_url": reverse("dashboard_map")
        + "?"
        + urlencode(
            {"region": region_id or "", "from": date_from.isoformat(), "to": date_to.isoformat()}
        ),
        "tile_url": settings.PINGAN_MAP_TILE_URL,
        "dashboard_url": reverse("dashboard"),
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
    }
    return {
        "nav_active": "dashboard",
        "k": k,
        "cards": cards,
        "region": region,
        "crumbs": _crumbs(user, region),
        "regions": regions,
        "breakdowns": [
            (gettext("分类同比"), k["by_category"], "category-yoy"),
            (gettext("来源同比"), k["by_source"], "source-yoy"),
        ],
        "date_from": date_from,
        "date_to": date_to,
        "overdue_events": briefings._overdue_events(user, basis, date_from, date_to, limit=15),
        "overdue_list_url": link(deadline_mark="overdue"),
        "supervision": supervision_counts(user, within=region.path if region else ""),
        "may_lock": services.can_lock(user),
        "chart_data": chart_data,
        "period_text": _period_text(date_from, date_to),
        "where": _where(region),
        "all_list_url": link(),
        "kpi_export_url": "/api/v1/stats/kpis/export?"
        + urlencode(
            {"region": region_id or "", "from": date_from.isoformat(), "to": date_to.isoformat()}
        ),
        "wall_url": dash_url("dashboard_wall", region_id, date_from, date_to),
        "extras_url": dash_url("dashboard_extras", region_id, date_from, date_to),
        "briefing_url": reverse("briefings")
        + "?"
        + urlencode(
            {"region": region_id or "", "from": date_from.isoformat(), "to": date_to.isoformat()}
        ),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The command centre's figures for a region and period, with drill-down."""
    try:
        context = dashboard_context(request.user, request.GET)
    except Invalid as exc:
        return render(
            request,
            "web/analytics/dashboard.html",
            {"nav_active": "dashboard", "error": "；".join(exc.fields.values()) or exc.message},
            status=422,
        )
    return render(request, "web/analytics/dashboard.html", context)


@login_required
def dashboard_wall(request: HttpRequest) -> HttpResponse:
    """The wall (大屏): the same figures full screen, reloading itself every minute."""
    try:
        context = dashboard_context(request.user, request.GET)
    except Invalid as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    context["refresh"] = WALL_REFRESH_S
    context["now"] = timezone.localtime(clock.now())
    return render(request, "web/analytics/wall.html", context)


@login_required
def dashboard_extras(request: HttpRequest) -> HttpResponse:
    """The figures counted from single events (median handling time, repeat reports,
    departments and their returns), loaded into the dashboard after the page."""
    try:
        region_id, date_from, date_to = parse(request.GET)
    except Invalid as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
    k = selectors.dashboard_extras(
        user=request.user, region_id=region_id, date_from=date_from, date_to=date_to
    )
    for d in k["by_department"]:
        d["url"] = list_url(k["region"], date_from, date_to, department=d["department"])
    returns = {r["department"]: r for r in k["returns_by_department"]}
    for d in k["by_department"]:
        d["returns"] = returns.get(d["department"])
    return render(request, "web/analytics/dashboard_extras.html", {"k": k})
