"""CSV export of the event list, with the list's filters and the caller's scope."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from pingan.core import audit
from pingan.core.errors import Invalid
from pingan.events.choices import Source, Status
from pingan.events.selectors import EventFilters, event_list

HEADERS = ["事件编号", "标题", "分类", "来源", "所在区划", "状态", "上报时间", "办理期限",
           "主办部门", "办结时间", "满意度"]
MAX_ROWS = 50_000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _local(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[arg-type]


@login_required
def events_csv(request: HttpRequest) -> HttpResponse:
    """The filtered event list as CSV (UTF-8 with BOM so that Excel reads Chinese)."""
    try:
        filters = EventFilters.from_params(request.GET)
    except Invalid as err:
        return HttpResponse(err.message, status=422, content_type="text/plain; charset=utf-8")
    rows = event_list(user=request.user, filters=filters)[:MAX_ROWS]
    audit.record(action="event.export", actor=request.user, object_type="event", request=request,
                 detail={"filters": {k: v for k, v in request.GET.items()}, "format": "csv"})
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(HEADERS)
        for e in rows:
            yield writer.writerow([
                e.code, e.title, e.category.name, Source(e.source).label, e.region.name,
                Status(e.status).label, _local(e.reported_at), _local(e.due_at),
                e.lead_department.name if e.lead_department else "", _local(e.closed_at),
                e.get_satisfaction_display(),
            ])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f'attachment; filename="events-{stamp}.csv"'
    return response
