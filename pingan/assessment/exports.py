"""The ranking as .xlsx: one sheet per kind of unit, every indicator's points (and value)
per unit, total, rank, grade, veto and YoY (cells through core.spreadsheet)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from pingan.access.actor import Actor
from pingan.assessment.choices import Grade, Round
from pingan.assessment.models import Scheme, Score
from pingan.assessment.selectors import ranking
from pingan.core.spreadsheet import safe_row


def ranking_xlsx(actor: Actor, scheme: Scheme, round_: str = Round.YEAR) -> bytes:
    table = ranking(actor, scheme, round_)
    indicators = list(scheme.indicators.order_by("order", "code"))
    scores: dict[tuple[str, int], Score] = {
        (s.unit_key, s.indicator_id): s for s in Score.objects.filter(scheme=scheme, round=round_)
    }
    grades = dict(Grade.choices)
    wb = Workbook()
    wb.remove(wb.active)
    for kind, title in (("town", _("乡镇（街道）")), ("department", _("部门"))):
        ws = wb.create_sheet(title=str(title))
        head: list[Any] = [_("名次"), _("单位")]
        for ind in indicators:
            head += [
                f"{ind.code} {ind.name}（{ind.weight:g}）",
                _("%(code)s 数值") % {"code": ind.code},
            ]
        head += [
            _("总分"),
            _("等次"),
            _("称号"),
            _("一票否决"),
            _("上年名次"),
            _("名次变化"),
            _("总分变化（分）"),
        ]
        ws.append(safe_row(head))
        for line in table[kind]:
            u, r, yoy = line["unit"], line["row"], line["yoy"]
            cells: list[Any] = [r.rank, u.name]
            for ind in indicators:
                s = scores.get((u.key, ind.pk))
                cells += [
                    None if s is None else float(s.final_points),
                    None if s is None or s.value is None else float(s.value),
                ]
            cells += [
                float(r.total),
                str(grades.get(r.grade, r.grade)),
                r.title,
                _("是") if r.veto else "",
                yoy["before_rank"],
                yoy["rank"],
                None if yoy["total"] is None else float(yoy["total"]),
            ]
            ws.append(safe_row(cells))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
