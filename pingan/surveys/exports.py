"""A survey's results as an .xlsx workbook: the towns (and the county) with sample size,
rate, margin, quota and 同比, then each question's distribution. Every text cell goes
through `core.spreadsheet.safe_row` (no formulas, no control characters); no phone and no
free-text answer is written."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext
from openpyxl import Workbook

from pingan.core.spreadsheet import safe_row
from pingan.surveys.models import Survey

__all__ = ["results_xlsx"]


def results_xlsx(survey: Survey, results: dict[str, Any]) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("调查结果")
    sheet.append(safe_row([gettext("问卷"), survey.title]))
    sheet.append(safe_row([gettext("年度"), survey.year]))
    sheet.append(safe_row([gettext("说明"), results["note"]]))
    sheet.append([])
    sheet.append(
        safe_row(
            [
                gettext("区域"),
                gettext("样本量"),
                gettext("肯定回答"),
                gettext("比率"),
                gettext("误差（95%置信）"),
                gettext("配额完成"),
                gettext("上年"),
                gettext("同比"),
            ]
        )
    )
    rows = ([results["county"]] if results["county"] else []) + results["towns"]
    for r in rows:
        sheet.append(
            safe_row(
                [
                    r["name"],
                    r["n"],
                    r["positive"],
                    r["rate_text"],
                    r["margin_text"],
                    r["quota_text"],
                    r["previous_text"],
                    r["yoy_text"],
                ]
            )
        )
    dist = book.create_sheet(gettext("各题分布"))
    dist.append(safe_row([gettext("题目"), gettext("选项"), gettext("人数"), gettext("占比")]))
    for q in results["questions"]:
        if not q["options"]:
            dist.append(
                safe_row([f"{q['order']}. {q['text']}", gettext("作答人数"), q["answered"]])
            )
            continue
        for o in q["options"]:
            dist.append(
                safe_row([f"{q['order']}. {q['text']}", o["text"], o["count"], o["share_text"]])
            )
        if q["mean"] is not None:
            dist.append(safe_row([f"{q['order']}. {q['text']}", gettext("平均分"), q["mean"]]))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
