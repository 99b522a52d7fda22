"""Reads of the assessment, always with the actor and its scope (permissions.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pingan.access.actor import Actor
from pingan.assessment.choices import Round, SchemeStatus
from pingan.assessment.models import (
    Agreement,
    Appeal,
    EnteredValue,
    FinalResult,
    Scheme,
    Score,
    UnitResult,
    VetoItem,
)
from pingan.assessment.permissions import (
    access_scheme,
    can_see_ranking,
    can_see_unit,
    own_units,
    reads_all,
    visible_schemes,
)
from pingan.assessment.rules import q2
from pingan.assessment.units import Unit, of_row, parse
from pingan.core.errors import Forbidden, NotFound

RELATED = ("unit_region", "unit_department")


def scheme_list(actor: Actor) -> QuerySet[Scheme]:
    """The schemes the actor sees, newest year first."""
    return visible_schemes(actor).order_by("-year", "-id")


def last_year(scheme: Scheme) -> Scheme | None:
    return Scheme.objects.filter(county=scheme.county, year=scheme.year - 1).first()


def previous_results(scheme: Scheme) -> dict[str, Any]:
    """Last year's final results by unit key (empty when there are none)."""
    before = last_year(scheme)
    if before is None:
        return {}
    return {r.unit_key: r for r in FinalResult.objects.filter(scheme=before)}


def _yoy(row: Any, before: Any) -> dict[str, Any]:
    if before is None:
        return {"total": None, "rank": None, "before_total": None, "before_rank": None}
    return {
        "total": q2(row.total - before.total),  # 分
        "rank": before.rank - row.rank,  # places up (+) or down (−)
        "before_total": before.total,
        "before_rank": before.rank,
    }


def ranking(
    actor: Actor, scheme: Scheme, round_: str = Round.YEAR
) -> dict[str, list[dict[str, Any]]]:
    """The ranking of a round (the final results once final), towns and departments apart,
    each row with its YoY against last year's final results. Units see it once published."""
    if not can_see_ranking(actor, scheme):
        raise Forbidden(_("排名尚未公布"))
    rows: Any
    if scheme.status == SchemeStatus.FINAL and round_ == Round.YEAR:
        rows = FinalResult.objects.filter(scheme=scheme)
    else:
        rows = UnitResult.objects.filter(scheme=scheme, round=round_)
    before = previous_results(scheme)
    out: dict[str, list[dict[str, Any]]] = {"town": [], "department": []}
    for r in rows.select_related(*RELATED).order_by("rank", "pk"):
        u = of_row(r)
        out[u.kind].append({"unit": u, "row": r, "yoy": _yoy(r, before.get(u.key))})
    return out


def unit_report(
    actor: Actor, scheme_id: int, unit: str, round_: str = Round.YEAR
) -> dict[str, Any]:
    """One unit's scores in a round: each indicator's value, source and points, the
    deductions with their source, vetoes, its result with YoY, its appeals and entries."""
    scheme = access_scheme(actor, scheme_id)
    u = parse(unit, scheme.county)
    if not can_see_unit(actor, scheme, u):
        raise NotFound(_("单位不存在"))
    scores = list(
        Score.objects.filter(scheme=scheme, round=round_, **u.filter())
        .select_related("indicator")
        .order_by("indicator__order", "indicator__code")
    )
    result = UnitResult.objects.filter(scheme=scheme, round=round_, **u.filter()).first()
    final = FinalResult.objects.filter(scheme=scheme, **u.filter()).first()
    before = previous_results(scheme).get(u.key)
    before_values: dict[str, Any] = {}
    if before is not None:
        before_values = {d["code"]: d for d in before.details.get("indicators", [])}
    lines = []
    for s in scores:
        prev = before_values.get(s.indicator.code)
        change = None
        if prev and s.value is not None and prev.get("value") is not None:
            change = q2(s.value - Decimal(prev["value"]))  # 百分点 for rates
        lines.append(
            {
                "score": s,
                "indicator": s.indicator,
                "before": prev,
                "change": change,
                "deductions": s.details.get("deductions", []),
            }
        )
    shown = final or result
    return {
        "scheme": scheme,
        "unit": u,
        "round": round_,
        "lines": lines,
        "result": shown,
        "yoy": _yoy(shown, before) if shown is not None else None,
        "vetoes": list(
            VetoItem.objects.filter(indicator__scheme=scheme, **u.filter()).select_related(
                "indicator"
            )
        ),
        "appeals": list(
            Appeal.objects.filter(scheme=scheme, **u.filter()).select_related("indicator")
        ),
        "entries": list(
            EnteredValue.objects.filter(indicator__scheme=scheme, **u.filter()).select_related(
                "indicator"
            )
        ),
    }


def appeal_list(actor: Actor, scheme: Scheme) -> QuerySet[Appeal]:
    """All appeals for the office and leaders, the unit's own for a unit."""
    qs = Appeal.objects.filter(scheme=scheme).select_related("indicator", "filed_by", *RELATED)
    if reads_all(actor, scheme):
        return qs
    units = own_units(actor, scheme)
    if not units:
        return qs.none()
    from django.db.models import Q

    q = Q(pk__in=[])
    for u in units:
        q |= Q(**u.filter())
    return qs.filter(q)


def entry_list(actor: Actor, scheme: Scheme) -> QuerySet[EnteredValue]:
    qs = EnteredValue.objects.filter(indicator__scheme=scheme).select_related("indicator", *RELATED)
    if reads_all(actor, scheme):
        return qs
    from django.db.models import Q

    q = Q(pk__in=[])
    for u in own_units(actor, scheme):
        q |= Q(**u.filter())
    return qs.filter(q)


def agreement_list(actor: Actor, scheme: Scheme) -> list[Agreement]:
    qs = Agreement.objects.filter(scheme=scheme).select_related(*RELATED)
    if reads_all(actor, scheme):
        return list(qs)
    keys = {u.key for u in own_units(actor, scheme)}
    return [a for a in qs if a.unit_key in keys]


def agreement_open(actor: Actor, agreement_id: int) -> Agreement:
    """An agreement the actor may have (the office, leaders, its unit); 404 otherwise."""
    row = Agreement.objects.select_related(*RELATED).filter(pk=agreement_id).first()
    if row is None:
        raise NotFound(_("责任书不存在"))
    scheme = access_scheme(actor, row.scheme_id)
    if not can_see_unit(actor, scheme, of_row(row)):
        raise NotFound(_("责任书不存在"))
    actor.audit("assessment.agreement_open", object_type="assessment_agreement", object_id=row.pk)
    return row


def my_units(actor: Actor, scheme: Scheme) -> list[Unit]:
    return own_units(actor, scheme)
