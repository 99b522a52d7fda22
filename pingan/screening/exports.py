"""The 排查汇总 of a round as an .xlsx workbook: the figures, the units per town, the
missing units and the items. Every text cell goes through `core.spreadsheet.safe_row`
(no formulas, no control characters)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook

from pingan.core.spreadsheet import safe_row
from pingan.screening.models import ScreeningReport, ScreeningRound


def summary_xlsx(
    found: ScreeningRound, figures: dict[str, Any], reports: list[ScreeningReport]
) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("排查汇总")
    sheet.append(safe_row([gettext("排查轮次"), str(found)]))
    sheet.append(safe_row([gettext("报送截止日"), found.due_on]))
    sheet.append(safe_row([gettext("状态"), found.get_status_display()]))
    sheet.append([])
    sheet.append(safe_row([gettext("指标"), gettext("数值"), gettext("分子"), gettext("分母")]))
    sheet.append(safe_row([gettext("应报单位"), figures["due"]]))
    for label, name in (
        (gettext("已报单位"), "reported_rate"),
        (gettext("按时报送"), "on_time_rate"),
        (gettext("报“无”单位"), "none_found_rate"),
        (gettext("未报单位"), "missing_rate"),
    ):
        r = figures[name]
        sheet.append(safe_row([label, r["text"], r["numerator"], r["denominator"]]))
    sheet.append(safe_row([gettext("发现事项"), figures["items"]]))
    sheet.append([])
    levels = figures["risk_levels"]
    sheet.append(safe_row([gettext("类别"), gettext("合计"), *[lv["label"] for lv in levels]]))
    for row in figures["by_kind"]:
        sheet.append(safe_row([row["label"], row["total"], *[row[lv["level"]] for lv in levels]]))
    sheet.append([])
    sheet.append(safe_row([gettext("处置"), gettext("事项数")]))
    for row in figures["dispositions"]:
        sheet.append(safe_row([row["label"], row["count"]]))

    towns = book.create_sheet(gettext("分镇情况"))
    towns.append(
        safe_row(
            [
                gettext("镇（街道）"),
                gettext("应报"),
                gettext("已报"),
                gettext("报“无”"),
                gettext("未报"),
                gettext("事项"),
            ]
        )
    )
    for t in figures["by_town"]:
        towns.append(
            safe_row(
                [t["town"], t["due"], t["reported"], t["none_found"], t["missing"], t["items"]]
            )
        )

    missing = book.create_sheet(gettext("未报单位"))
    missing.append(safe_row([gettext("单位"), gettext("所属镇（街道）")]))
    for m in figures["missing_units"]:
        missing.append(safe_row([m["name"], m["town"]]))

    items = book.create_sheet(gettext("排查事项"))
    items.append(
        safe_row(
            [
                gettext("单位"),
                gettext("类别"),
                gettext("风险等级"),
                gettext("简要情况"),
                gettext("地点"),
                gettext("涉及人数"),
                gettext("处置"),
                gettext("事件编号"),
                gettext("调解案件编号"),
                gettext("报送时间"),
            ]
        )
    )
    for report in reports:
        for i in report.items.all():
            items.append(
                safe_row(
                    [
                        report.unit.name,
                        i.get_kind_display(),
                        i.get_risk_level_display(),
                        i.summary,
                        i.place,
                        i.parties_count,
                        i.get_disposition_display(),
                        i.event.code if i.event else "",
                        i.case.code if i.case else "",
                        timezone.localtime(report.submitted_at).replace(tzinfo=None)
                        if report.submitted_at
                        else None,
                    ]
                )
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
