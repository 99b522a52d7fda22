"""Briefings (简报) page: make one for a region and period, download, the archive."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from pingan.analytics import selectors, services
from pingan.analytics.exports import content_disposition
from pingan.analytics.models import Briefing
from pingan.core.downloads import CONTENT_TYPES
from pingan.core.errors import Invalid, NotFound
from pingan.web.views.dashboard import parse


def _file(b: Briefing) -> FileResponse:
    """The document under its title (「<title>.docx」, an ASCII name for old clients;
    event codes and titles in it): never kept in a cache."""
    response = FileResponse(
        b.file.open("rb"), as_attachment=True, content_type=CONTENT_TYPES[b.format]
    )
    response["Content-Disposition"] = content_disposition(
        f"{b.title}.{b.format}", (b.file.name or "").rsplit("/", 1)[-1]
    )
    patch_cache_control(response, no_store=True)
    return response


@login_required
def briefings_page(request: HttpRequest) -> HttpResponseBase:
    """GET: the form and the archive; ?make=docx|pdf renders, archives and downloads."""
    error = ""
    regions = selectors._top_paths(request.user)
    fmt = request.GET.get("make", "")
    try:
        region_id, date_from, date_to = parse(request.GET)
        if fmt:
            b = services.briefing_render(
                user=request.user,
                region_id=region_id,
                date_from=date_from,
                date_to=date_to,
                fmt=fmt,
                request=request,
            )
            return _file(b)
    except Invalid as exc:
        error = "；".join(exc.fields.values()) or exc.message
        region_id, date_from, date_to = None, None, None
    except NotFound as exc:
        error = exc.message
    return render(
        request,
        "web/analytics/briefings.html",
        {
            "nav_active": "briefings",
            "error": error,
            "regions": regions,
            "region_id": region_id,
            "date_from": date_from,
            "date_to": date_to,
            "archive": selectors.briefing_list(user=request.user)[:100],
        },
        status=422 if error else 200,
    )


@login_required
def briefing_file(request: HttpRequest, briefing_id: int) -> FileResponse:
    b = selectors.briefing_list(user=request.user).filter(pk=briefing_id).first()
    if b is None:
        raise Http404("简报不存在")
    return _file(b)
