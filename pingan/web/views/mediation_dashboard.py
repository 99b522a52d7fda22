"""The county mediation dashboard (调解统计, issue 20 item 4): the figures of
`analytics.mediation_figures` for a region and period as cards (each rate with its
numerator and denominator, 同比 and 环比), tables by level, committee, mediator, dispute
kind and channel, the overdue open cases; and the same figures as an .xlsx.

For the centres' leaders and dispatchers (their regions) and mediators (their committee's
cases: the case scope decides, `mediation.permissions.case_scope_q`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.analytics import mediation_figures
from pingan.analytics.exports import download_name, xlsx_download
from pingan.core.errors import Invalid, invalid
from pingan.geo.models import Region
from pingan.geo.selectors import region_exists
from pingan.mediation import stats
from pingan.mediation.permissions import mediator_posts
from pingan.org.choices import Role
from pingan.web.views.dashboard import _period_text, _where, parse

CENTRE_ROLES = (Role.LEADER, Role.DISPATCHER)
CARDS = (
    "received",
    "accepted",
    "mediated",
    "succeeded",
    "success_rate",
    "mediation_rate",
    "performance_rate",
    "confirmation_rate",
    "open",
    "overdue",
)
OVERDUE_SHOWN = 20


def may_see(actor: Actor) -> bool:
    """Leaders and dispatchers of a region, and mediators with an active post."""
    return actor.has_role(*CENTRE_ROLES) or bool(mediator_posts(actor))


def _default_region(actor: Actor) -> int | None:
    """A centre user's own region when they hold one (a county leader: the county)."""
    paths = actor.paths(CENTRE_ROLES)
    if len(paths) != 1:
        return None
    return Region.objects.filter(path=paths[0]).values_list("pk", flat=True).first()


def _query(region_id: int | None, date_from: dt.date, date_to: dt.date) -> str:
    q: dict[str, Any] = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    if region_id:
        q["region"] = region_id
    return urlencode(q)


def figures_of(actor: Actor, params: Any) -> tuple[dict[str, Any], Region | None]:
    """The figures for the query's region and period (default: the actor's region, this
    year to date); Invalid for a bad date or an unknown region."""
    region_id, date_from, date_to = parse(params)
    if region_id is not None and not region_exists(region_id):
        raise invalid("region", gettext("区划不存在（请传区划ID）"))
    if region_id is None:
        region_id = _default_region(actor)
    f = mediation_figures.summary(
        user=actor, region_id=region_id, date_from=date_from, date_to=date_to
    )
    f["date_from"], f["date_to"] = date_from, date_to
    region = Region.objects.filter(pk=region_id).first() if region_id else None
    return f, region


def _refused(request: HttpRequest) -> HttpResponse | None:
    if may_see(actor_of(request)):
        return None
    return HttpResponse(
        gettext("只有指挥中心领导、受理员和调解员可以查看调解统计"),
        status=403,
        content_type="text/plain; charset=utf-8",
    )


@login_required
@require_http_methods(["GET"])
def mediation_dashboard(request: HttpRequest) -> HttpResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    actor = actor_of(request)
    template = "web/mediation/dashboard.html"
    try:
        f, region = figures_of(actor, request.GET)
    except Invalid as exc:
        error = "；".join(exc.fields.values()) or exc.message
        return render(request, template, {"nav_active": "mediation", "error": error}, status=422)
    date_from, date_to = f["date_from"], f["date_to"]
    overdue = stats.overdue_cases(
        actor=actor,
        region_path=region.path if region else None,
        date_from=date_from,
        date_to=date_to,
    )[:OVERDUE_SHOWN]
    query = _query(region.pk if region else None, date_from, date_to)
    return render(
        request,
        template,
        {
            "nav_active": "mediation",
            "f": f,
            "cards": mediation_figures.cards(f, CARDS),
            "breakdowns": [
                (gettext(title), f[key], key) for key, title in mediation_figures.BREAKDOWNS.items()
            ],
            "overdue_cases": overdue,
            "region": region,
            "date_from": date_from,
            "date_to": date_to,
            "period_text": _period_text(date_from, date_to),
            "where": _where(region),
            "export_url": reverse("mediation_dashboard_export") + "?" + query,
        },
    )


@login_required
@require_http_methods(["GET"])
def mediation_dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures as an .xlsx (formulas neutralised, numbers as numbers)."""
    refused = _refused(request)
    if refused is not None:
        return refused
    actor = actor_of(request)
    try:
        f, region = figures_of(actor, request.GET)
    except Invalid as exc:
        message = "；".join(exc.fields.values()) or exc.message
        return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
    region_name = region.name if region else gettext("全部")
    period = _period_text(f["date_from"], f["date_to"])
    data = mediation_figures.workbook(f, region_name=region_name, period_text=period)
    span = f"{f['date_from']:%Y%m%d}-{f['date_to']:%Y%m%d}"
    return xlsx_download(data, download_name("调解统计", region_name, span), "mediation-stats")
