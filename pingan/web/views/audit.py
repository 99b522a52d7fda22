"""The audit log page and its CSV export: for the audit administrator only (三员). The export's
cells go through `pingan.core.spreadsheet.safe_row` (a username typed at the sign-in page is
never a live formula) and the answer is `Cache-Control: no-store`."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache

from pingan.core import audit
from pingan.core.errors import Forbidden, Invalid
from pingan.core.selectors import AuditFilters, audit_entries
from pingan.core.spreadsheet import safe_row

HEADERS = [gettext_noop("序号"), gettext_noop("时间"), gettext_noop("用户名"),
           gettext_noop("动作"), gettext_noop("对象类型"), gettext_noop("对象编号"),
           gettext_noop("结果"), gettext_noop("来源地址"), gettext_noop("详情"),
           gettext_noop("摘要")]  # fmt: skip
MAX_ROWS = 200_000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _local(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]


def _query(request: HttpRequest) -> tuple[AuditFilters | None, object, str]:
    try:
        filters = AuditFilters.from_params(request.GET)
    except Invalid as err:
        return None, None, err.message
    try:
        return filters, audit_entries(user=request.user, filters=filters), ""
    except Forbidden:
        raise Http404 from None  # the page does not exist for anyone else


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    """Filters (date range, user, action, result, object, address), 50 rows a page."""
    filters, qs, error = _query(request)
    if filters is None:
        filters, qs = AuditFilters(), audit_entries(user=request.user, filters=AuditFilters())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))  # type: ignore[arg-type,var-annotated]
    params = filters.as_params()
    audit.record(action="audit.view", actor=request.user, object_type="audit", request=request,
                 detail={"filters": params, "page": page.number})  # fmt: skip
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "filters": filters,
            "query": "&".join(f"{k}={v}" for k, v in params.items()),
            "error": error,
            "nav_active": "audit",
        },
        status=422 if error else 200,
    )


@never_cache
@login_required
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered audit log as CSV (UTF-8 with BOM for Excel); the export is audited."""
    filters, qs, error = _query(request)
    if filters is None:
        return HttpResponse(error, status=422, content_type="text/plain; charset=utf-8")
    audit.record(action="audit.export", actor=request.user, object_type="audit", request=request,
                 detail={"filters": filters.as_params(), "format": "csv"})  # fmt: skip
    rows = qs[:MAX_ROWS]  # type: ignore[index]
    writer = csv.writer(_Echo())
    headers = safe_row(gettext(h) for h in HEADERS)

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(headers)
        for e in rows.iterator(chunk_size=2000):
            yield writer.writerow(safe_row([
                e.seq, _local(e.at), e.username, e.action, e.object_type, e.object_id,
                e.result, e.ip or "", json.dumps(e.detail, ensure_ascii=False), e.hash,
            ]))  # fmt: skip

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
