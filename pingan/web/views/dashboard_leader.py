"""The dashboard's leader fragment (领导关注): best and worst towns and departments, today's
figures, grid-worker activity; loaded into the dashboard after the page, like the extras.
Every rate shows two decimals with its numerator and denominator on hover; every unit
links to what lies behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from pingan.analytics import kpis, leader
from pingan.core.errors import Invalid
from pingan.events.choices import DeadlineState
from pingan.web.views.dashboard import dash_url, list_url, parse


def _shown(unit: dict[str, Any], measure: leader.Measure) -> dict[str, Any]:
    """A ranked unit as the table shows it: the figure and its hover text."""
    num, den = unit[measure.num], unit[measure.den]
    if measure.is_rate:
        text = kpis.format_rate(unit[measure.key])
        title = f"{gettext(measure.num_label)} {num} / {gettext(measure.den_label)} {den}"
    else:
        text = str(unit[measure.key])
        title = f"{gettext(measure.num_label)} {num} · {gettext(measure.den_label)} {den}"
    return {**unit, "text": text, "title": title}


def _tables(
    rankings: list[dict[str, Any]], region: int | None, date_from: dt.date, date_to: dt.date
) -> list[dict[str, Any]]:
    # Each unit's link once (a unit shows in several rankings): a town → its dashboard,
    # a department → the event list of the region and period with that lead department.
    links: dict[tuple[str, int], str] = {}
    for r in rankings:
        for u in (*r["best"], *r["worst"], *r["insufficient"]):
            key = (u["kind"], u["id"])
            if key in links:
                continue
            if u["kind"] == "region":
                links[key] = dash_url("dashboard", u["id"], date_from, date_to)
            else:
                links[key] = list_url(region, date_from, date_to, department=u["id"])
    out = []
    for r in rankings:
        m = r["measure"]

        def show(units: list[dict[str, Any]], m: leader.Measure = m) -> list[dict[str, Any]]:
            return [{**_shown(u, m), "url": links[u["kind"], u["id"]]} for u in units]

        out.append(
            {
                "key": m.key,
                "label": gettext(m.label),
                "best": show(r["best"]),
                "worst": show(r["worst"]),
                "ranked": r["ranked"],
                "insufficient": show(r["insufficient"]),
            }
        )
    return out


def _event_list(**params: Any) -> str:
    return reverse("event_list") + "?" + urlencode({k: v for k, v in params.items() if v})


def leader_context(user: Any, params: Any) -> dict[str, Any]:
    """The fragment's figures for a region and period (bad values → Invalid)."""
    region_id, date_from, date_to = parse(params)
    ranks = leader.rankings(user=user, region_id=region_id, date_from=date_from, date_to=date_to)
    region = ranks["region"]
    today = leader.today_figures(user=user, region_id=region_id)
    for f in today["flows"]:
        f["label"] = gettext(f["label"])
    today["flows"][0]["url"] = list_url(region, today["today"], today["today"])
    today["overdue_url"] = _event_list(region=region, deadline_mark=DeadlineState.OVERDUE)
    activity = leader.grid_activity(
        user=user, region_id=region_id, date_from=date_from, date_to=date_to
    )
    for row in activity["rows"]:
        row["rate_text"] = kpis.format_rate(row["active_rate"])
        if not activity["per_worker"]:
            row["url"] = dash_url("dashboard", row["id"], date_from, date_to)
    if activity["total"]:
        activity["total"]["rate_text"] = kpis.format_rate(activity["total"]["active_rate"])
    return {
        "regions": _tables(ranks["regions"], region, date_from, date_to),
        "departments": _tables(ranks["departments"], region, date_from, date_to),
        "min_base": ranks["min_base"],
        "today": today,
        "activity": activity,
        "date_from": date_from,
        "date_to": date_to,
    }


@login_required
def dashboard_leader(request: HttpRequest) -> HttpResponse:
    """Rankings, today's figures and grid-worker activity for the dashboard's region and
    period; 422 with the field and reason for a bad region or date."""
    try:
        context = leader_context(request.user, request.GET)
    except Invalid as exc:
        return HttpResponse(
            format_html('<p class="msg msg-error" role="alert">{}</p>', exc.message),
            status=422,
        )
    return render(request, "web/analytics/dashboard_leader.html", context)
