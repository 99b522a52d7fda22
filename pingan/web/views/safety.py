"""The safety-production page /safety/ (docs/safety-production.md, "Pages"): a year grid of
towns × months with 同比, the year to date and the three flags of 三个零增长, the form that
enters a month's figures (with evidence), the workbook import and its template, and the
evidence file. Reads through `safety.selectors`, writes through `safety.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pingan.access.actor import actor_of
from pingan.core import clock
from pingan.core.downloads import xlsx_response
from pingan.core.errors import DomainError, Forbidden, Invalid
from pingan.safety import selectors, services
from pingan.safety.models import SafetyFigure
from pingan.safety.permissions import can_edit, figure_scope_q


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate(clock.now()).year


@login_required
@require_http_methods(["GET"])
def safety_grid(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    year = _year(request)
    try:
        grid = selectors.year_grid(actor, year=year)
    except Forbidden as e:
        raise PermissionDenied(e.message) from None
    return render(
        request,
        "web/safety/grid.html",
        {
            "nav_active": "safety",
            "grid": grid,
            "year": year,
            "years": [year - 1, year, year + 1],
            "months": range(1, 13),
            "editable": [r["town"] for r in grid["towns"] if r["editable"]],
            "can_import": any(r["editable"] for r in grid["towns"]),
        },
    )


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('safety_grid')}?year={year}")


@login_required
@require_POST
def safety_figure_save(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    year = _year(request)
    try:
        services.figure_save(
            actor=actor,
            town_id=request.POST.get("town"),
            month=request.POST.get("month"),
            data={
                k: request.POST.get(k, "") for k in ("accidents", "deaths", "direct_loss", "note")
            },
            evidence=request.FILES.get("evidence"),
        )
    except Forbidden as e:
        raise PermissionDenied(e.message) from None
    except DomainError as e:
        messages.error(request, next(iter(e.fields.values()), e.message))
    else:
        messages.success(request, _("已保存"))
    return _back(year)


@login_required
@require_POST
def safety_import(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    year = _year(request)
    try:
        got = services.figures_import(actor=actor, upload=request.FILES.get("file") or b"")
    except Invalid as e:
        messages.error(request, next(iter(e.fields.values()), e.message))
    except Forbidden as e:
        raise PermissionDenied(e.message) from None
    else:
        messages.success(
            request,
            _("导入完成：新增%(created)d条，更新%(updated)d条") % got,
        )
    return _back(year)


@login_required
@require_http_methods(["GET"])
def safety_template(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        towns = [t for t in selectors.readable_towns(actor) if can_edit(actor, t.path)]
    except Forbidden as e:
        raise PermissionDenied(e.message) from None
    if not towns:
        raise PermissionDenied(_("只能填报本镇（街道）的安全生产数据"))
    return xlsx_response(services.template_xlsx(towns, _year(request)), "safety-template")


@login_required
@require_http_methods(["GET"])
def safety_evidence(request: HttpRequest, safety_figure_id: int) -> HttpResponse:
    actor = actor_of(request)
    figure = SafetyFigure.objects.filter(figure_scope_q(actor), pk=safety_figure_id).first()
    if figure is None or not figure.evidence:
        raise Http404(_("佐证材料不存在"))
    response: Any = FileResponse(
        figure.evidence.open("rb"), content_type=figure.evidence_type or "application/octet-stream"
    )
    response["Cache-Control"] = "private, no-store"
    return response
