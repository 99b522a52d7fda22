"""Excel (.xlsx) exports: the event list with its filters, and the KPI tables. Chinese
headers, the filters written above the table, personal data masked for every role
(`pingan.core.pii`, as in the CSV export: a full contact is shown only by the audited
reveal on one event), one audit row per export. Every row goes through
`pingan.core.spreadsheet.safe_row`: no control character, no live formula. Large exports
run as a task (`ExportJob`)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pingan.analytics import kpis as kpi_defs
from pingan.analytics import selectors
from pingan.analytics.models import ExportJob
from pingan.core import audit, clock, pii
from pingan.core.downloads import xlsx_response
from pingan.core.errors import Invalid
from pingan.core.spreadsheet import safe_row
from pingan.events.choices import DeadlineState, Source, Status
from pingan.events.models import Category, Event
from pingan.events.selectors import EventFilters, event_count, event_list
from pingan.geo.models import Region
from pingan.org.models import Department
from pingan.privacy.models import ExportRequest, masked_filters, seal_filters, unseal_filters
from pingan.privacy.selectors import export_requests_of
from pingan.privacy.services import export_request_use, export_rows_claim

EVENT_HEADERS = [
    ("事件编号", 24),
    ("标题", 30),
    ("分类", 14),
    ("来源", 12),
    ("所在区划", 20),
    ("状态", 10),
    ("上报时间", 17),
    ("办理期限", 17),
    ("时限状态", 10),
    ("主办部门", 16),
    ("办结时间", 17),
    ("满意度", 10),
    ("反映人（脱敏）", 12),
    ("反映人电话（脱敏）", 18),
    ("地址（脱敏）", 30),
]
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def describe_filters(f: EventFilters) -> str:
    """The filters in words, as they are written above an exported table."""
    parts = []
    if f.region is not None:
        name = Region.objects.filter(pk=f.region).values_list("name", flat=True).first()
        parts.append(f"区划：{name or f.region}")
    if f.reported_from or f.reported_to:
        a = f.reported_from.isoformat() if f.reported_from else "不限"
        b = f.reported_to.isoformat() if f.reported_to else "不限"
        parts.append(f"上报日期：{a} 至 {b}")
    if f.status:
        parts.append("状态：" + "、".join(str(Status(s).label) for s in f.status))
    if f.category is not None:
        name = Category.objects.filter(pk=f.category).values_list("name", flat=True).first()
        parts.append(f"分类：{name or f.category}")
    if f.source:
        parts.append("来源：" + "、".join(str(Source(s).label) for s in f.source))
    if f.deadline_state:
        parts.append(f"时限状态：{DeadlineState(f.deadline_state).label}")
    if f.department is not None:
        name = Department.objects.filter(pk=f.department).values_list("name", flat=True).first()
        parts.append(f"部门：{name or f.department}")
    if f.q:
        parts.append(f"关键词：{f.q}")
    return "；".join(parts) or "全部"


def _sheet_head(ws: Any, title: str, filters_text: str, headers: list[tuple[str, int]]) -> None:
    ws.append(safe_row([title]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(safe_row([f"筛选条件：{filters_text}"]))
    ws.append(safe_row([f"导出时间：{_local(timezone.now())}"]))
    ws.append(safe_row(h for h, _w in headers))
    for i, (_h, width) in enumerate(headers, start=1):
        cell = ws.cell(row=4, column=i)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A5"


def event_row(e: Event) -> list[Any]:
    return [
        e.code,
        e.title,
        e.category.name,
        str(Source(e.source).label) if e.source in Source.values else e.source,
        e.region.name,
        str(Status(e.status).label),
        _local(e.reported_at),
        _local(e.due_at),
        str(DeadlineState(e.deadline_state).label) if e.deadline_state else "",
        e.lead_department.name if e.lead_department else "",
        _local(e.closed_at),
        e.get_satisfaction_display(),
        pii.mask_name(e.reporter_name),
        pii.mask_phone(e.reporter_phone),
        pii.mask_address(e.address),
    ]


def events_workbook(
    *,
    user: Any,
    filters: EventFilters,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> tuple[bytes, int]:
    """The scoped, filtered event list as an .xlsx (write-only, streams rows); returns
    the file and the row count. `progress(done)` is called every `every` rows."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "事件清单"
    _sheet_head(ws, "事件清单", describe_filters(filters), EVENT_HEADERS)
    done = 0
    for e in event_list(user=user, filters=filters).iterator(chunk_size=2000):
        ws.append(safe_row(event_row(e)))
        done += 1
        if progress and done % every == 0:
            progress(done)
    return _save(wb), done


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# Number formats: counts whole, rates and percent changes as percentages, changes of a
# rate in 百分点 (the cell holds the number of points), working days with two decimals.
COUNT = "0"
RATE = "0.00%"
PERCENT_CHANGE = "+0.00%;-0.00%;0.00%"
POINTS_CHANGE = '+0.00" 个百分点";-0.00" 个百分点";0.00" 个百分点"'
DAYS = "0.00"


def value_cell(name: str, value: Any) -> tuple[Any, str | None]:
    """A KPI figure as an Excel cell (value, number format): rates as the fraction with
    '0.00%', times in working days with '0.00', counts as whole numbers; None stays empty."""
    if value is None:
        return None, None
    if name in kpi_defs.RATES:
        return value, RATE
    if isinstance(value, float):
        return value, DAYS
    return value, COUNT


def change_cell(name: str, delta: float | None) -> tuple[Any, str | None]:
    """A 同比/环比 as an Excel cell: a rate's change in 百分点 (2.5 shows 「+2.50 个百分点」),
    any other figure's percent change as a fraction (12.34 → 0.1234 shows 「+12.34%」)."""
    if delta is None:
        return None, None
    if kpi_defs.change_unit(name) == "pp":
        return delta, POINTS_CHANGE
    return round(delta / 100, 6), PERCENT_CHANGE


def _append(ws: Any, cells: list[tuple[Any, str | None]]) -> None:
    """Append a row of (value, number format) cells; text through safe_row."""
    ws.append(safe_row(v for v, _f in cells))
    row = ws.max_row
    for i, (_v, fmt) in enumerate(cells, start=1):
        if fmt:
            ws.cell(row=row, column=i).number_format = fmt


def _text(value: Any) -> tuple[Any, None]:
    return value, None


def _parts_label(name: str) -> str:
    """「办结 ÷ 受理」: what a rate divides."""
    if name not in kpi_defs.RATE_PARTS:
        return ""
    a, b = kpi_defs.RATE_PARTS[name]
    return f"{kpi_defs.PART_LABELS[a]} ÷ {kpi_defs.PART_LABELS[b]}"


BREAKDOWN_HEADERS = [
    ("数量", 10),
    ("上年同期", 10),
    ("同比", 12),
    ("同比说明", 16),
    ("受理", 10),
    ("办结", 10),
    ("办结率", 10),
    ("按期办结", 10),
    ("计时办结", 10),
    ("按期办结率", 12),
    ("回访", 10),
    ("满意", 10),
    ("回访满意率", 12),
    ("在办超期", 10),
]


def _breakdown_cells(item: dict[str, Any]) -> list[tuple[Any, str | None]]:
    """A category's or source's row: its count, a year before, 同比 (or why none), and
    each rate beside its numerator and denominator."""
    return [
        (item["count"], COUNT),
        (item.get("previous"), COUNT),
        change_cell("total", item["yoy"].get("total")),
        _text(item["yoy_withheld"].get("total", "")),
        (item["accepted"], COUNT),
        (item["closed"], COUNT),
        value_cell("closure_rate", item["closure_rate"]),
        (item["closed_on_time"], COUNT),
        (item["closed_timed"], COUNT),
        value_cell("on_time_rate", item["on_time_rate"]),
        (item["followed_up"], COUNT),
        (item["satisfied"], COUNT),
        value_cell("satisfaction_rate", item["satisfaction_rate"]),
        (item["overdue"], COUNT),
    ]


def kpi_workbook(*, kpis: dict[str, Any], region_name: str, period_text: str) -> bytes:
    """The KPI table and its breakdowns, one sheet each, numbers as numbers: each figure
    this period, a rate's numerator and denominator, the same period a year before and
    the period before, 同比 and 环比 (or why one is withheld)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "考核指标"
    filters_text = f"区划：{region_name}；期间：{period_text}"
    _sheet_head(
        ws,
        "考核指标",
        filters_text,
        [
            ("指标", 24),
            ("本期", 12),
            ("分子", 10),
            ("分母", 10),
            ("计算口径", 16),
            ("上年同期", 12),
            ("同比", 16),
            ("同比说明", 16),
            ("上期", 12),
            ("环比", 16),
            ("环比说明", 16),
        ],
    )
    for r in kpis["rows"]:
        name = r["key"]
        parts = r.get("parts") or (None, None)
        _append(
            ws,
            [
                _text(r["label"]),
                value_cell(name, r["value"]),
                (parts[0], COUNT),
                (parts[1], COUNT),
                _text(_parts_label(name)),
                value_cell(name, r["previous"]),
                change_cell(name, r["yoy"]),
                _text(r.get("yoy_withheld", "")),
                value_cell(name, r["mom_previous"]),
                change_cell(name, r["mom"]),
                _text(r.get("mom_withheld", "")),
            ],
        )

    def table(
        title: str, headers: list[tuple[str, int]], rows: Iterable[list[tuple[Any, str | None]]]
    ) -> None:
        sheet = wb.create_sheet(title)
        _sheet_head(sheet, title, filters_text, headers)
        for row in rows:
            _append(sheet, row)

    table(
        "分类统计",
        [("分类", 20), *BREAKDOWN_HEADERS],
        ([_text(c["name"]), *_breakdown_cells(c)] for c in kpis["by_category"]),
    )
    table(
        "来源统计",
        [("来源", 20), *BREAKDOWN_HEADERS],
        ([_text(c["name"]), *_breakdown_cells(c)] for c in kpis["by_source"]),
    )
    table(
        "状态统计",
        [("状态", 20), ("数量", 10)],
        ([_text(c["name"]), (c["count"], COUNT)] for c in kpis["by_status"]),
    )
    table(
        "部门退单",
        [("部门", 24), ("派遣数", 10), ("退单数", 10), ("退单率", 10)],
        (
            [
                _text(d["name"]),
                (d["assigned"], COUNT),
                (d["returned"], COUNT),
                value_cell("closure_rate", d["return_rate"]),
            ]
            for d in kpis["returns_by_department"]
        ),
    )
    if kpis.get("regions"):
        table(
            "区域排名",
            [
                ("区划", 24),
                ("受理登记", 10),
                ("受理", 10),
                ("办结", 10),
                ("办结率", 10),
                ("按期办结率", 12),
                ("在办超期", 10),
            ],
            (
                [
                    _text(r["name"]),
                    (r["count"], COUNT),
                    (r.get("accepted"), COUNT),
                    (r["closed"], COUNT),
                    value_cell("closure_rate", r["closure_rate"]),
                    value_cell("on_time_rate", r["on_time_rate"]),
                    (r["overdue"], COUNT),
                ]
                for r in kpis["regions"]
            ),
        )
    return _save(wb)


# ---- file names ----------------------------------------------------------------------------

# Characters no file name may hold on Windows, macOS or Linux.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def download_name(kind: str, region_name: str, span: str, ext: str = "xlsx") -> str:
    """「事件清单_海盐县_20260101-20261206.xlsx」: what, where, when."""
    parts = (_UNSAFE.sub("", p).strip() for p in (kind, region_name, span))
    return "_".join(p for p in parts if p) + f".{ext}"


def span_words(date_from: dt.date | None, date_to: dt.date | None, today: dt.date) -> str:
    """The period in a file name: 「20260101-20261206」; an open end is today (the export
    holds what was there when it was made): 「20260101-20261206」 / 「截至20261206」."""
    end = date_to or today
    if date_from is None:
        return f"截至{end:%Y%m%d}"
    return f"{date_from:%Y%m%d}-{end:%Y%m%d}"


def _region_name(user: Any, region_id: int | None) -> str:
    """The filtered region's name, else the caller's own region (one), else 全部."""
    if region_id is not None:
        name = Region.objects.filter(pk=region_id).values_list("name", flat=True).first()
        if name:
            return str(name)
    tops = selectors._top_paths(user) if user is not None else []
    return tops[0].name if len(tops) == 1 else "全部"


def events_filename(
    *, user: Any, params: dict[str, str], today: dt.date | None = None, ext: str = "xlsx"
) -> str:
    """The Chinese name of an event-list export with these filters (.xlsx or .csv)."""
    today = today or timezone.localdate(clock.now())
    try:
        f = EventFilters.from_params(params)
    except Invalid:  # the filters were checked before the export was made
        f = EventFilters()
    span = span_words(f.reported_from, f.reported_to, today)
    return download_name("事件清单", _region_name(user, f.region), span, ext)


def approved_filters(*, user: Any, approval_id: int) -> dict[str, str]:
    """The filters of `user`'s own export request (those an approved download ran)."""
    row = export_requests_of(user=user).filter(pk=approval_id).first()
    return row.plain_filters() if row is not None else {}


def job_filename(job: ExportJob) -> str:
    """The Chinese name of a queued export's file (its filters, the day it was asked)."""
    return events_filename(
        user=job.created_by,
        params=unseal_filters(job.params),
        today=timezone.localdate(job.created_at),
    )


def kpis_filename(
    *, user: Any, region_id: int | None, date_from: dt.date | None, date_to: dt.date | None
) -> str:
    """「指标_海盐县_20260101-20261206.xlsx」."""
    today = timezone.localdate(clock.now())
    return download_name(
        "指标", _region_name(user, region_id), span_words(date_from, date_to, today)
    )


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with the Chinese name (RFC 5987 `filename*`, read by every
    current browser) and an ASCII `filename` for clients that do not read it."""
    ascii_name = _UNSAFE.sub("", fallback.encode("ascii", "ignore").decode()) or "download"
    name = quote(_UNSAFE.sub("", filename), safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{name}"


def xlsx_download(data: bytes, filename: str, fallback_stem: str) -> HttpResponse:
    """An .xlsx download under its Chinese name (fallback `<stem>-<yyyymmddHHMM>.xlsx`),
    never stored (`pingan.core.downloads.xlsx_response`)."""
    response = xlsx_response(data, fallback_stem)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = content_disposition(filename, f"{fallback_stem}-{stamp}.xlsx")
    return response


# ---- the services ------------------------------------------------------------------------


def events_export(
    *,
    user: Any,
    params: dict[str, str],
    request: Any = None,
    approved: ExportRequest | None = None,
) -> tuple[bytes | None, ExportJob | None]:
    """The filtered event list as .xlsx: the file at once for up to
    PINGAN_EXPORT_SYNC_MAX rows, else a queued ExportJob (progress, then a download).
    Bad filters → Invalid. Without an approval (`approved`, already used by
    `export_request_use`), more than PINGAN_EXPORT_APPROVAL_ROWS rows, counting the rows
    the user exported in the rolling window (`privacy.services.export_rows_claim`) →
    `privacy.services.ExportNeedsApproval`, nothing written. One audit row either way
    (masked filters and row count, no data)."""
    filters = EventFilters.from_params(params)
    count = event_count(user=user, filters=filters)
    big = count > settings.PINGAN_EXPORT_SYNC_MAX
    detail: dict[str, Any] = {
        "kind": "events",
        "format": "xlsx",
        "filters": masked_filters(params),
        "rows": count,
        "background": big,
    }
    if approved is not None:
        detail["approval"] = approved.pk
    with transaction.atomic():
        export_rows_claim(user=user, kind="events_xlsx", rows=count, approval=approved)
        audit.record(
            action="analytics.export",
            actor=user,
            object_type="event",
            request=request,
            detail=detail,
        )
        if big:
            job = ExportJob.objects.create(
                kind="events",
                params=seal_filters(params),
                total=count,
                created_at=clock.now(),
                created_by=user,
            )
            transaction.on_commit(lambda: _enqueue_export(job.pk))
            return None, job
    data, _rows = events_workbook(user=user, filters=filters)
    return data, None


def events_export_approved(
    *, user: Any, approval_id: int, request: Any = None
) -> tuple[bytes | None, ExportJob | None]:
    """The one download an approved export request serves, as .xlsx, with the filters
    that were approved (NotFound / Conflict as for the CSV download)."""
    row = export_request_use(user=user, request_id=approval_id, request=request)
    return events_export(user=user, params=row.plain_filters(), request=request, approved=row)


def _enqueue_export(job_id: int) -> None:
    from pingan.analytics.tasks import run_export

    run_export.enqueue(job_id=job_id)


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the file of a queued export, recording progress as rows are written."""
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.RUNNING)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done=done)

    try:
        filters = EventFilters.from_params(unseal_filters(job.params))
        data, rows = events_workbook(user=job.created_by, filters=filters, progress=progress)
    except Exception as err:
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.FAILED, error=str(err))
        raise
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d%H%M")
    job.file.save(f"events-{stamp}-{job.pk}.xlsx", ContentFile(data), save=False)
    job.state = ExportJob.State.DONE
    job.done = rows
    job.save(update_fields=["file", "state", "done"])
    return job


def kpis_export(
    *,
    user: Any,
    region_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    request: Any = None,
) -> bytes:
    """The KPI tables of a region and period as .xlsx; audited."""
    k = selectors.kpi_table(user=user, region_id=region_id, date_from=date_from, date_to=date_to)
    k["regions"] = selectors.region_breakdown(
        user=user, region_id=region_id, date_from=date_from, date_to=date_to
    )
    region_name = (
        Region.objects.filter(pk=k["region"]).values_list("name", flat=True).first()
        if k["region"]
        else "全部"
    ) or "全部"
    period = f"{date_from or '不限'} 至 {date_to or '不限'}"
    audit.record(
        action="analytics.export",
        actor=user,
        object_type="kpi",
        request=request,
        detail={
            "kind": "kpis",
            "format": "xlsx",
            "region": region_id,
            "from": str(date_from or ""),
            "to": str(date_to or ""),
        },
    )
    return kpi_workbook(kpis=k, region_name=region_name, period_text=period)
