"""Excel (.xlsx) exports: the event list with its filters, and the KPI tables. Chinese
headers, the filters written above the table, personal data masked for every role
(`pingan.core.pii`, as in the CSV export: a full contact is shown only by the audited
reveal on one event), one audit row per export (`services`). Every row goes through
`pingan.core.spreadsheet.safe_row`: no control character, no live formula."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pingan.core import pii
from pingan.core.spreadsheet import safe_row
from pingan.events.choices import DeadlineState, Source, Status
from pingan.events.models import Category, Event
from pingan.events.selectors import EventFilters, event_list
from pingan.geo.models import Region
from pingan.org.models import Department

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


def _fmt(value: Any, is_rate: bool) -> Any:
    if value is None:
        return "—"
    if is_rate:
        return f"{value * 100:.2f}%"
    return value


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def kpi_workbook(*, kpis: dict[str, Any], region_name: str, period_text: str) -> bytes:
    """The KPI table (with yoy and mom) and its breakdowns, one sheet each."""
    wb = Workbook()
    ws = wb.active
    ws.title = "考核指标"
    filters_text = f"区划：{region_name}；期间：{period_text}"
    _sheet_head(
        ws,
        "考核指标",
        filters_text,
        [("指标", 24), ("本期", 12), ("同期", 12), ("同比", 10), ("上期", 12), ("环比", 10)],
    )
    for r in kpis["rows"]:
        ws.append(
            safe_row(
                [
                    r["label"],
                    _fmt(r["value"], r["rate"]),
                    _fmt(r["previous"], r["rate"]),
                    _pct(r["yoy"]),
                    _fmt(r["mom_previous"], r["rate"]),
                    _pct(r["mom"]),
                ]
            )
        )

    def table(title: str, headers: list[tuple[str, int]], rows: Iterable[list[Any]]) -> None:
        sheet = wb.create_sheet(title)
        _sheet_head(sheet, title, filters_text, headers)
        for row in rows:
            sheet.append(safe_row(row))

    table(
        "分类统计",
        [("分类", 20), ("数量", 10)],
        ([c["name"], c["count"]] for c in kpis["by_category"]),
    )
    table(
        "来源统计",
        [("来源", 20), ("数量", 10)],
        ([c["name"], c["count"]] for c in kpis["by_source"]),
    )
    table(
        "状态统计",
        [("状态", 20), ("数量", 10)],
        ([c["name"], c["count"]] for c in kpis["by_status"]),
    )
    table(
        "部门退单",
        [("部门", 24), ("派遣数", 10), ("退单数", 10), ("退单率", 10)],
        (
            [d["name"], d["assigned"], d["returned"], _fmt(d["return_rate"], True)]
            for d in kpis["returns_by_department"]
        ),
    )
    if kpis.get("regions"):
        table(
            "区域排名",
            [
                ("区划", 24),
                ("数量", 10),
                ("办结", 10),
                ("办结率", 10),
                ("按期办结率", 12),
                ("超期", 8),
            ],
            (
                [
                    r["name"],
                    r["count"],
                    r["closed"],
                    _fmt(r["closure_rate"], True),
                    _fmt(r["on_time_rate"], True),
                    r["overdue"],
                ]
                for r in kpis["regions"]
            ),
        )
    return _save(wb)
