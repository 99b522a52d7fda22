"""Word documents (python-docx, through the mediation documents' block renderer): the
unit's target-responsibility agreement (目标责任书) and the results notice (考核结果通报)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from pingan.assessment.choices import Grade, IndicatorKind, Round
from pingan.assessment.models import FinalResult, Scheme, UnitResult, UnitTarget
from pingan.assessment.units import Unit, applies, of_row
from pingan.core.spreadsheet import strip_controls
from pingan.mediation.documents import Doc, render_docx


def _fmt(x: Any) -> str:
    return "—" if x is None else f"{x:g}" if hasattr(x, "is_finite") else str(x)


def agreement_docx(scheme: Scheme, unit: Unit) -> bytes:
    """The unit's 平安建设目标责任书: the indicators that apply to it with their weights and
    the unit's targets, the veto clause, and the two signature blocks."""
    doc = Doc(
        title=_("%(year)s年度平安建设目标管理责任书") % {"year": scheme.year},
        number=f"{scheme.county.code}-{scheme.year}-{unit.kind[0].upper()}{unit.id:04d}",
    )
    doc.line(_("责任单位"), unit.name)
    doc.line(_("考核方案"), scheme.name)
    doc.para(
        _(
            "为全面落实平安建设领导责任制，推进更高水平的平安%(county)s建设，根据%(name)s，"
            "县委县政府与%(unit)s签订本责任书。"
        )
        % {"county": scheme.county.name, "name": scheme.name, "unit": unit.name}
    )
    own = {
        t.indicator_id: t
        for t in UnitTarget.objects.filter(indicator__scheme=scheme, **unit.filter())
    }
    doc.heading(_("一、考核指标及分值"))
    terms = []
    vetoes = []
    for ind in scheme.indicators.order_by("order", "code"):
        if not applies(ind.applies_to, unit):
            continue
        if ind.kind == IndicatorKind.VETO:
            vetoes.append(ind.description or ind.name)
            continue
        t = own.get(ind.pk)
        target = t.target if t else ind.target
        text = _("%(code)s %(name)s（%(weight)s分）") % {
            "code": ind.code,
            "name": ind.name,
            "weight": _fmt(ind.weight),
        }
        if target is not None:
            text += _("，目标值：%(target)s") % {"target": _fmt(target)}
        if ind.description:
            text += f"。{ind.description}"
        terms.append(strip_controls(text))
    doc.terms(terms)
    doc.heading(_("二、一票否决"))
    doc.terms(vetoes or [_("无")])
    doc.heading(_("三、考核办法"))
    doc.para(
        _(
            "实行半年考核和年终考核，结果分为优秀（%(e)s分以上）、良好（%(g)s分以上）、合格（%(p)s分以上）和不合格。"
            "被一票否决的单位评为不合格。"
        )
        % {"e": _fmt(scheme.excellent_min), "g": _fmt(scheme.good_min), "p": _fmt(scheme.pass_min)}
    )
    doc.sign(
        [
            _("县平安建设领导小组（盖章）"),
            _("责任单位（盖章）"),
            _("责任单位主要负责人（签字）"),
            _("签订日期"),
        ]
    )
    return render_docx(doc)


def results_docx(scheme: Scheme) -> bytes:
    """The results notice (考核结果通报): towns and departments in rank order with total,
    grade and title, the vetoed units and the deductions' count."""
    final = scheme.status == "final"
    rows: Any = (
        FinalResult.objects.filter(scheme=scheme)
        if final
        else UnitResult.objects.filter(scheme=scheme, round=Round.YEAR)
    )
    rows = list(rows.select_related("unit_region", "unit_department").order_by("rank", "pk"))
    doc = Doc(
        title=_("关于%(year)s年度平安建设考核结果的通报") % {"year": scheme.year},
        number=f"{scheme.county.code}-{scheme.year}-TB",
    )
    doc.para(
        _("根据%(name)s，经数据核算、材料审核和申诉复核，现将考核结果通报如下。")
        % {"name": scheme.name}
        if final
        else _("根据%(name)s，现将考核排名公布如下，对结果有异议的单位可在%(deadline)s前提出申诉。")
        % {"name": scheme.name, "deadline": scheme.appeal_deadline or "—"}
    )
    grades = dict(Grade.choices)
    for kind, heading in (("town", _("一、乡镇（街道）")), ("department", _("二、县级部门"))):
        doc.heading(heading)
        doc.terms(
            [
                _("第%(rank)s名 %(name)s %(total)s分 %(grade)s%(title)s%(veto)s")
                % {
                    "rank": r.rank,
                    "name": of_row(r).name,
                    "total": _fmt(r.total),
                    "grade": grades.get(r.grade, r.grade),
                    "title": f"（{r.title}）" if r.title else "",
                    "veto": _("（一票否决）") if r.veto else "",
                }
                for r in rows
                if of_row(r).kind == kind
            ]
            or [_("无")]
        )
    doc.right(_("%(county)s平安建设领导小组办公室") % {"county": scheme.county.name})
    return render_docx(doc)
