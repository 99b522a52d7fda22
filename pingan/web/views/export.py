"""CSV export of the event list, with the list's filters and the caller's scope.

Personal data is always masked in exports. An export whose rows, with the rows the same
user exported in the last settings.PINGAN_EXPORT_WINDOW_HOURS, are more than
settings.PINGAN_EXPORT_APPROVAL_ROWS needs a second person's approval: the user asks
(a reason), a leader of their region or the security administrator approves on the
导出审批 page, and the approval serves one download of those filters (docs/privacy.md).
Every cell goes through `pingan.core.spreadsheet.safe_row` (no control character, no live
formula); every answer is `Cache-Control: no-store`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pingan.analytics import services as analytics_services
from pingan.analytics.exports import content_disposition, events_filename, xlsx_download
from pingan.core import audit
from pingan.core.errors import DomainError, Invalid, NotFound
from pingan.core.spreadsheet import safe_row
from pingan.events.choices import Source, Status
from pingan.events.contact import contact_masked
from pingan.events.selectors import EventFilters, event_count, event_list
from pingan.privacy.models import ExportRequest, masked_filters
from pingan.privacy.selectors import (
    can_approve_exports,
    export_requests_of,
    export_requests_to_decide,
)
from pingan.privacy.services import (
    ExportNeedsApproval,
    export_request_create,
    export_request_decide,
    export_request_use,
    export_rows_claim,
    export_window_hours,
)
from pingan.web.views import registry_export

HEADERS = [
    gettext_noop("事件编号"),
    gettext_noop("标题"),
    gettext_noop("分类"),
    gettext_noop("来源"),
    gettext_noop("所在区划"),
    gettext_noop("状态"),
    gettext_noop("上报时间"),
    gettext_noop("办理期限"),
    gettext_noop("主办部门"),
    gettext_noop("办结时间"),
    gettext_noop("满意度"),
    gettext_noop("地址（脱敏）"),
    gettext_noop("反映人（脱敏）"),
    gettext_noop("反映人电话（脱敏）"),
]
MAX_ROWS = 50_000
# ExportRequest.kind of a request made from the Excel export (served as .xlsx).
XLSX_KIND = "events_xlsx"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _local(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[arg-type]


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: str(v) for k, v in request.GET.items() if k != "page"}


def _csv(
    request: HttpRequest,
    params: dict[str, str],
    *,
    approval: ExportRequest | None,
    count: int | None = None,
) -> HttpResponseBase:
    """The CSV answer; its rows counted in the user's rolling window first
    (ExportNeedsApproval without an approval when they would exceed the threshold)."""
    filters = EventFilters.from_params(params)
    if count is None:
        count = event_count(user=request.user, filters=filters)
    rows = event_list(user=request.user, filters=filters)[:MAX_ROWS]
    detail: dict[str, Any] = {"filters": masked_filters(params), "format": "csv"}
    if approval is not None:
        detail["approval"] = approval.pk
    with transaction.atomic():
        export_rows_claim(
            user=request.user, kind="events_csv", rows=min(count, MAX_ROWS), approval=approval
        )
        audit.record(
            action="event.export",
            actor=request.user,
            object_type="event",
            request=request,
            detail=detail,
        )
    writer = csv.writer(_Echo())
    headers = safe_row(_(h) for h in HEADERS)

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(headers)
        for e in rows:
            contact = contact_masked(e)
            yield writer.writerow(
                safe_row(
                    [
                        e.code,
                        e.title,
                        e.category.name,
                        Source(e.source).label,
                        e.region.name,
                        Status(e.status).label,
                        _local(e.reported_at),
                        _local(e.due_at),
                        e.lead_department.name if e.lead_department else "",
                        _local(e.closed_at),
                        e.get_satisfaction_display(),
                        contact.address,
                        contact.reporter_name,
                        contact.reporter_phone,
                    ]
                )
            )

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = content_disposition(
        events_filename(user=request.user, params=params, ext="csv"),
        f"events-{stamp}.csv",
    )
    patch_cache_control(response, no_store=True)
    return response


@never_cache
@login_required
def events_csv(request: HttpRequest) -> HttpResponseBase:
    """The filtered event list as CSV (UTF-8 with BOM so that Excel reads Chinese); above
    the threshold (with the rows the user exported in the rolling window), the page to
    ask for an approval instead."""
    params = _params(request)
    try:
        filters = EventFilters.from_params(params)
    except Invalid as err:
        return HttpResponse(err.message, status=422, content_type="text/plain; charset=utf-8")
    count = event_count(user=request.user, filters=filters)
    try:
        return _csv(request, params, approval=None, count=count)
    except ExportNeedsApproval as need:
        ctx = {
            "count": min(count, MAX_ROWS),
            "threshold": need.threshold,
            "recent": need.recent,
            "hours": export_window_hours(),
            "params": params,
        }
        return render(request, "web/exports/needs_approval.html", ctx, status=403)


@login_required
@require_http_methods(["GET"])
def export_requests_page(request: HttpRequest) -> HttpResponse:
    """My export requests (with the download of approved ones) and those I may decide."""
    ctx = {
        "mine": list(export_requests_of(user=request.user)[:50]),
        "to_decide": export_requests_to_decide(user=request.user),
        "approver": can_approve_exports(request.user),
    }
    return render(request, "web/exports/requests.html", ctx)


@login_required
@require_http_methods(["POST"])
def export_request_new(request: HttpRequest) -> HttpResponse:
    if request.POST.get("format") in registry_export.KINDS:
        return registry_export.request_new(request, request.POST["format"])
    params = {k[2:]: str(v) for k, v in request.POST.items() if k.startswith("f_")}
    xlsx = request.POST.get("format") == "xlsx"
    try:
        filters = EventFilters.from_params(params)
        count = event_count(user=request.user, filters=filters)
        export_request_create(
            user=request.user,
            kind=XLSX_KIND if xlsx else "events",
            filters=params,
            row_count=min(count, MAX_ROWS),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except Invalid as err:
        ctx = {
            "count": 0,
            "threshold": settings.PINGAN_EXPORT_APPROVAL_ROWS,
            "params": params,
            "errors": err.fields,
            "format": "xlsx" if xlsx else "",
            "reason": request.POST.get("reason", ""),
        }
        return render(request, "web/exports/needs_approval.html", ctx, status=422)
    messages.success(request, _("导出申请已提交，等待审批"))
    return redirect("export_requests")


@login_required
@require_http_methods(["POST"])
def export_request_decision(request: HttpRequest, request_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        export_request_decide(
            user=request.user,
            request_id=request_id,
            approve=approve,
            note=request.POST.get("note", ""),
            request=request,
        )
    except NotFound:
        raise Http404(_("导出申请不存在")) from None
    except DomainError as e:
        return HttpResponse(e.message, status=e.status, content_type="text/plain; charset=utf-8")
    messages.success(request, _("已批准") if approve else _("已驳回"))
    return redirect("export_requests")


@never_cache
@login_required
@require_http_methods(["GET"])
def export_request_download(request: HttpRequest, request_id: int) -> HttpResponseBase:
    """The one download an approval serves, with the filters that were approved: CSV, or
    .xlsx when the request was made from the Excel export (a large one becomes a job)."""
    try:
        row = export_request_use(user=request.user, request_id=request_id, request=request)
        if row.kind in registry_export.KINDS:
            return registry_export.approved_download(request, row)
        if row.kind == XLSX_KIND:
            data, job = analytics_services.events_export(
                user=request.user, params=row.plain_filters(), request=request, approved=row
            )
            if job is not None:
                return redirect("export_job", job_id=job.pk)
            assert data is not None
            name = events_filename(user=request.user, params=row.plain_filters())
            return xlsx_download(data, name, "events")
    except NotFound:
        raise Http404(_("导出申请不存在")) from None
    except DomainError as e:
        return HttpResponse(e.message, status=e.status, content_type="text/plain; charset=utf-8")
    return _csv(request, row.plain_filters(), approval=row)
