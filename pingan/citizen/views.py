"""The public citizen pages: report (no account), the code, tracking and rating."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from pingan.access.actor import actor_of
from pingan.citizen import selectors, services
from pingan.citizen.forms import RateForm, ReportForm, TrackForm
from pingan.core.errors import DomainError
from pingan.geo.geometry import representative_point

SESSION_KEY = "citizen_last_report"


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.citizen_report_submit(
                    actor=actor_of(request),
                    phone=data["phone"],
                    description=data["description"],
                    category=data.get("category"),
                    lat=data.get("lat"),
                    lng=data.get("lng"),
                    address=data.get("address") or "",
                    photos=request.FILES.getlist("photos"),
                )
            except DomainError as exc:
                error = next(iter(exc.fields.values()), exc.message)
                status = exc.status
                if exc.fields:
                    field = next(iter(exc.fields))
                    if field in form.fields:
                        form.add_error(field, error)
                        error = ""
            else:
                request.session[SESSION_KEY] = row.code
                return redirect("citizen:done")
        else:
            status = 422
    return render(
        request,
        "citizen/report.html",
        {
            "form": form,
            "error": error,
            "categories": selectors.leaf_categories(),
            "has_default": selectors.has_default_category(),
        },
        status=status,
    )


def done(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_KEY)
    if not code:
        return redirect("citizen:report")
    return render(request, "citizen/done.html", {"code": code})


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    found = None
    error = ""
    status = 200
    rate_form = RateForm(request.POST or None)
    if form.is_bound and form.is_valid():
        found = services.citizen_report_find(
            code=form.cleaned_data["code"], phone_last4=form.cleaned_data["last4"]
        )
        if found is None:
            error = _("未找到对应的诉求，请核对查询码和手机号后4位")
            status = 404
    elif form.is_bound:
        status = 422
    if found is not None and request.method == "POST":
        if rate_form.is_valid():
            try:
                found = services.citizen_rate(
                    actor=actor_of(request),
                    report=found,
                    satisfaction=rate_form.cleaned_data["satisfaction"],
                    comment=rate_form.cleaned_data["comment"],
                )
            except DomainError as exc:
                error = exc.message
                status = exc.status
            else:
                return redirect(request.get_full_path())
        else:
            status = 422
    context: dict[str, Any] = {
        "form": form,
        "report": found,
        "error": error,
        "rate_form": rate_form,
    }
    if found is not None:
        context["progress"] = selectors.progress(found)
        context["status_label"] = selectors.public_status(found)
        context["merged_into"] = selectors.merged_into(found)
        context["can_rate"] = found.event.status == "closed" and found.rated_at is None
    return render(request, "citizen/track.html", context, status=status)


@require_GET
@cache_control(public=True, max_age=3600)
def regions(request: HttpRequest) -> JsonResponse:
    """The towns' outlines for the report page's map, each with a point inside it for its
    name, and the county's intranet tile server when one is configured (else the page
    draws the outlines on a plain background)."""
    outlines = selectors.town_outlines()
    for feature in outlines["features"]:
        lat, lng = representative_point(feature["geometry"])
        feature["properties"]["label"] = [lat, lng]
    outlines["tile_url"] = settings.PINGAN_MAP_TILE_URL or ""
    return JsonResponse(outlines, json_dumps_params={"ensure_ascii": False})
