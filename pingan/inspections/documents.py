"""The inspection 通报 (.docx, python-docx): per inspection or per round (a plan's
period): the units inspected, the problems found, the points deducted per unit and the
rectification orders issued with their deadlines. Personal data in free text is masked
(`pii.mask_in_text`), inspectors' names too (`pii.mask_name`). Who may have it and the
audit of each download are the caller's (`reports.py`)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import clock, pii
from pingan.inspections.choices import Result
from pingan.inspections.models import Inspection


def _day(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)  # type: ignore[arg-type]
    return f"{value.year}年{value.month}月{value.day}日"  # type: ignore[attr-defined]


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def report_docx(title: str, inspections: Sequence[Inspection], *, subtitle: str = "") -> bytes:
    """The 通报 of `inspections` (each with answers, findings, inspectors prefetched)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = Document()
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(title)
    run.bold = True
    run.font.size = Pt(20)
    if subtitle:
        p = d.add_paragraph(subtitle)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    per_unit: dict[str, Decimal] = defaultdict(Decimal)
    findings_total = 0
    for i in inspections:
        per_unit[i.unit_name] += sum(
            (a.points for a in i.answers.all() if a.result == Result.PROBLEM), Decimal("0")
        )
        findings_total += len(i.findings.all())
    units = sorted({i.unit_name for i in inspections})
    d.add_paragraph(
        _("本次共检查单位%(units)s个，开展检查%(n)s次，发现问题%(f)s个。")
        % {"units": len(units), "n": len(inspections), "f": findings_total}
    )

    d.add_heading(_("一、扣分情况"), level=2)
    table = d.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = _("被检查单位")
    table.rows[0].cells[1].text = _("扣分")
    for unit in units:
        row = table.add_row().cells
        row[0].text = unit
        row[1].text = _points(per_unit[unit])

    d.add_heading(_("二、发现的问题"), level=2)
    n = 0
    for i in inspections:
        head = d.add_paragraph()
        head.add_run(
            f"{i.unit_name}（{i.get_level_display()}·{i.get_kind_display()}，"
            f"{_day(i.submitted_at)}）"
        ).bold = True
        names = "、".join(pii.mask_name(u.display_name) for u in i.inspectors.all())
        if names:
            d.add_paragraph(_("督查人员：%(names)s") % {"names": names})
        if i.is_return_visit:
            d.add_paragraph(_("本次为回访检查。"))
        if i.note:
            d.add_paragraph(pii.mask_in_text(i.note))
        found = list(i.findings.all())
        if not found:
            d.add_paragraph(_("未发现问题。"))
        for f in found:
            n += 1
            line = f"{n}. {pii.mask_in_text(f.text)}（{f.get_severity_display()}）"
            if f.item is not None:
                line += _("；对应检查项目：%(item)s") % {"item": f.item.text}
            d.add_paragraph(line)

    d.add_heading(_("三、整改要求"), level=2)
    issued = [(i, f) for i in inspections for f in i.findings.all() if f.order_id]
    if not issued:
        d.add_paragraph(_("暂未下发整改通知。"))
    else:
        table = d.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, (_("被检查单位"), _("问题"), _("整改期限")), strict=True
        ):
            cell.text = text
        for i, f in issued:
            row = table.add_row().cells
            row[0].text = i.unit_name
            row[1].text = pii.mask_in_text(f.text)
            row[2].text = _day(f.order_deadline)
        d.add_paragraph(_("请各单位在整改期限内完成整改并反馈，逾期未整改的将按规定扣分。"))
    p = d.add_paragraph(_day(clock.now()))
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
