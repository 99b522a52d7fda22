"""Excel export of the event list (the list page's filters) and the export job page.
Every answer here is `Cache-Control: no-store` (never_cache): the files hold personal data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from pingan.analytics import selectors, services
from pingan.analytics.exports import (
    content_disposition,
    events_filename,
    job_filename,
    xlsx_download,
)
from pingan.core.downloads import XLSX
from pingan.core.errors import Invalid, NotFound
from pingan.privacy.services import ExportNeedsApproval, export_window_hours
from pingan.web.views.lists import error_text, filter_params


@never_cache
@login_required
def events_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered event list as .xlsx; a large one becomes a job page with progress.
    Above PINGAN_EXPORT_APPROVAL_ROWS rows (with the rows the user exported in the
    rolling window), the page to ask for an approval instead (the same as for the CSV
    export; the approved download is an .xlsx)."""
    params = filter_params(request.GET)
    try:
        data, job = services.events_export(user=request.user, params=params, request=request)
    except ExportNeedsApproval as need:
        ctx = {
            "count": need.count,
            "threshold": need.threshold,
            "recent": need.recent,
            "hours": export_window_hours(),
            "params": params,
            "format": "xlsx",
        }
        return render(request, "web/exports/needs_approval.html", ctx, status=403)
    except Invalid as exc:
        return HttpResponse(error_text(exc), status=422, content_type="text/plain; charset=utf-8")
    if job is not None:
        return redirect("export_job", job_id=job.pk)
    assert data is not None
    return xlsx_download(data, events_filename(user=request.user, params=params), "events")


@never_cache
@login_required
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Progress of a large export (reloads itself until done), then the download link."""
    try:
        job = selectors.export_job(user=request.user, job_id=job_id)
    except NotFound:
        raise Http404("导出任务不存在") from None
    percent = int(job.done * 100 / job.total) if job.total else 100
    return render(
        request,
        "web/analytics/export_job.html",
        {"job": job, "percent": percent, "nav_active": "events"},
    )


@never_cache
@login_required
def export_job_file(request: HttpRequest, job_id: int) -> FileResponse:
    try:
        job = selectors.export_job(user=request.user, job_id=job_id)
    except NotFound:
        raise Http404("导出任务不存在") from None
    if job.state != "done" or not job.file:
        raise Http404("导出文件尚未生成")
    response = FileResponse(job.file.open("rb"), as_attachment=True, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        job_filename(job), job.file.name.rsplit("/", 1)[-1]
    )
    return response
