"""Scoring, ranking and finalising (docs/assessment.md, "Scoring"): per round (mid-year:
1 January – 30 June; year-end: the whole year; both clipped to today), one Score per unit
and indicator, then each unit's total, rank among towns and among departments, grade and
veto (UnitResult). Recomputing is idempotent: the same data give the same rows, and an
upheld appeal's adjustment is kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.access.actor import Actor
from pingan.assessment import rules, sources
from pingan.assessment.choices import Grade, IndicatorKind, Round, SchemeStatus
from pingan.assessment.models import (
    EnteredValue,
    FinalResult,
    Indicator,
    Scheme,
    Score,
    UnitResult,
    UnitTarget,
    VetoItem,
)
from pingan.assessment.permissions import access_scheme, require_office
from pingan.assessment.services import today
from pingan.assessment.units import Unit, applies, units_of
from pingan.core import clock
from pingan.core.errors import Conflict, invalid

SCORABLE = (SchemeStatus.PUBLISHED, SchemeStatus.SCORING, SchemeStatus.RANKED)


def period(scheme: Scheme, round_: str, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The round's days, clipped to `on` (today); Conflict before the year starts."""
    on = on or today()
    start = dt.date(scheme.year, 1, 1)
    end = dt.date(scheme.year, 6, 30) if round_ == Round.MID else dt.date(scheme.year, 12, 31)
    if on < start:
        raise Conflict(_("考核年度尚未开始"))
    return start, min(end, on)


def deductions_of(unit: Unit, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """The unit's deductions in the period (rectification), each with its source."""
    try:
        from pingan.rectification.selectors import deductions_between
    except ImportError:  # the rectification app is not there yet
        return []
    qs = deductions_between(date_from=date_from, date_to=date_to).filter(**unit.filter())
    return [
        {
            "id": d.pk,
            "points": str(rules.q2(d.points)),
            "reason": d.reason,
            "source_kind": d.source_kind,
            "source_label": d.source_label,
            "order": d.order_id,
            "on": d.on.isoformat(),
        }
        for d in qs.order_by("on", "pk")
    ]


def _title(unit: Unit, grade: str, veto: bool) -> str:
    if veto or grade not in (Grade.EXCELLENT, Grade.GOOD):
        return ""
    return _("平安乡镇") if unit.is_town else _("平安单位")


def score_unit(
    ctx: sources.Context,
    scheme: Scheme,
    indicators: list[Indicator],
    unit: Unit,
    date_from: dt.date,
    date_to: dt.date,
) -> list[dict[str, Any]]:
    """The score fields of each indicator that applies to the unit."""
    targets = {
        t.indicator_id: t
        for t in UnitTarget.objects.filter(indicator__scheme=scheme, **unit.filter())
    }
    entries: dict[int, list[EnteredValue]] = {}
    for ev in EnteredValue.objects.filter(
        indicator__scheme=scheme, confirmed=True, **unit.filter()
    ):
        entries.setdefault(ev.indicator_id, []).append(ev)
    vetoes = {
        v.indicator_id for v in VetoItem.objects.filter(indicator__scheme=scheme, **unit.filter())
    }
    out = []
    for ind in indicators:
        if not applies(ind.applies_to, unit):
            continue
        if ind.kind == IndicatorKind.COMPUTED and not sources.applies(ind.source, unit):
            continue
        t = targets.get(ind.pk)
        target = t.target if t else ind.target
        floor = t.floor if t and t.floor is not None else ind.floor
        row: dict[str, Any] = {
            "indicator": ind,
            "value": None,
            "numerator": None,
            "denominator": None,
            "is_rate": False,
            "details": {},
        }
        if ind.kind == IndicatorKind.COMPUTED:
            v = sources.read(ctx, ind.source, unit, date_from, date_to)
            row.update(
                value=v.value,
                numerator=v.numerator,
                denominator=v.denominator,
                is_rate=v.is_rate,
                source_text=v.text,
            )
            if v.value is None:
                row["source_text"] = v.text + _("；无可计算数据，按满分计")
            row["points"] = rules.ruled_points(
                v.value, weight=ind.weight, rule=ind.rule, target=target, floor=floor
            )
        elif ind.kind == IndicatorKind.ENTERED:
            e = entries.get(ind.pk, [])
            if e:
                row["value"] = e[-1].value
                row["source_text"] = _("单位填报、平安办确认（%(note)s）") % {
                    "note": e[-1].note or "—"
                }
                row["points"] = rules.ruled_points(
                    e[-1].value, weight=ind.weight, rule=ind.rule, target=target, floor=floor
                )
            else:
                row["source_text"] = _("未填报或未确认，不得分")
                row["points"] = rules.ZERO
            row["details"] = {"entries": [x.pk for x in e]}
        elif ind.kind == IndicatorKind.DEDUCTION:
            items = deductions_of(unit, date_from, date_to)
            total = sum((Decimal(i["points"]) for i in items), rules.ZERO)
            row["value"] = rules.q2(total)
            row["points"] = rules.deduction_points(ind.weight, [total])
            row["source_text"] = _("督查整改扣分（%(n)s项，合计%(p)s分，以本项分值为限）") % {
                "n": len(items),
                "p": rules.q2(total),
            }
            row["details"] = {"deductions": items}
        elif ind.kind == IndicatorKind.BONUS:
            e = entries.get(ind.pk, [])
            row["value"] = rules.q2(sum((x.value for x in e), rules.ZERO))
            row["points"] = rules.bonus_points(ind.weight, [x.value for x in e])
            row["source_text"] = _("加分事项（附佐证，平安办确认，最高%(w)s分）") % {
                "w": ind.weight
            }
            row["details"] = {"entries": [x.pk for x in e]}
        else:  # veto
            vetoed = ind.pk in vetoes
            row["value"] = Decimal(1 if vetoed else 0)
            row["points"] = rules.ZERO
            row["source_text"] = _("被一票否决") if vetoed else _("无一票否决事项")
            row["details"] = {"veto": vetoed}
        out.append(row)
    return out


def _office_actor(actor: Actor, scheme: Scheme) -> Actor:
    """Whose view the figures are read with: the acting office member, or (task, command)
    the office member who made the scheme."""
    return actor if actor.user is not None else Actor.for_user(scheme.created_by)


def scheme_score(*, actor: Actor, scheme_id: int, round_: str | None = None) -> dict[str, int]:
    """Score every unit of the scheme in `round_` (both rounds when None, the mid-year
    one only until it has begun), replacing the round's scores and results; returns the
    number of score rows per round."""
    if round_ is not None and round_ not in Round.values:
        raise invalid("round", _("考核轮次不正确"))
    if actor.user is None:
        scheme = Scheme.objects.select_related("county", "created_by").get(pk=scheme_id)
    else:
        scheme = access_scheme(actor, scheme_id)
        require_office(actor, scheme)
    if scheme.status not in SCORABLE:
        raise Conflict(_("当前状态不能评分"))
    rounds = [round_] if round_ else [Round.MID, Round.YEAR]
    out: dict[str, int] = {}
    ctx = sources.Context(actor=_office_actor(actor, scheme), county=scheme.county)
    for r in rounds:
        date_from, date_to = period(scheme, r)
        indicators = list(scheme.indicators.order_by("order", "code"))
        units = units_of(scheme.county)
        computed = {
            u.key: score_unit(ctx, scheme, indicators, u, date_from, date_to) for u in units
        }
        with transaction.atomic():
            locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
            if locked.status not in SCORABLE:
                raise Conflict(_("当前状态不能评分"))
            now = clock.now()
            existing = {
                (s.unit_key, s.indicator_id): s
                for s in Score.objects.filter(scheme=scheme, round=r)
            }
            keep: set[int] = set()
            n = 0
            for u in units:
                for row in computed[u.key]:
                    ind = row["indicator"]
                    s = existing.get((u.key, ind.pk)) or Score(
                        scheme=scheme, round=r, indicator=ind, **u.fk()
                    )
                    s.value, s.numerator, s.denominator = (
                        row["value"],
                        row["numerator"],
                        row["denominator"],
                    )
                    s.is_rate, s.source_text = row["is_rate"], row.get("source_text", "")
                    s.points, s.details, s.computed_at = row["points"], row["details"], now
                    s.save()
                    keep.add(s.pk)
                    n += 1
            Score.objects.filter(scheme=scheme, round=r).exclude(pk__in=keep).delete()
            results(locked, r, date_from, date_to)
            if locked.status == SchemeStatus.PUBLISHED:
                locked.status = SchemeStatus.SCORING
                locked.save(update_fields=["status"])
            actor.audit(
                "assessment.score",
                object_type="assessment_scheme",
                object_id=scheme.pk,
                detail={
                    "round": r,
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                    "scores": n,
                },
            )
        out[r] = n
    return out


def results(
    scheme: Scheme, round_: str, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> int:
    """(Re)write the round's UnitResults from its scores: totals, veto, grade, ranks."""
    old = UnitResult.objects.filter(scheme=scheme, round=round_).first()
    if date_from is None or date_to is None:
        assert old is not None
        date_from, date_to = old.date_from, old.date_to
    totals: dict[str, Decimal] = {}
    vetoed: dict[str, bool] = {}
    units: dict[str, Unit] = {u.key: u for u in units_of(scheme.county)}
    for s in Score.objects.filter(scheme=scheme, round=round_).select_related("indicator"):
        key = s.unit_key
        totals[key] = totals.get(key, rules.ZERO) + s.final_points
        if s.indicator.kind == IndicatorKind.VETO and s.value:
            vetoed[key] = True
        vetoed.setdefault(key, False)
    UnitResult.objects.filter(scheme=scheme, round=round_).delete()
    now = clock.now()
    rows = []
    for kind in ("town", "department"):
        keys = [k for k in totals if k in units and units[k].kind == kind]
        ranks = rules.rank([(k, totals[k], vetoed[k]) for k in keys])
        for k in keys:
            grade = rules.grade_of(
                totals[k],
                veto=vetoed[k],
                excellent=scheme.excellent_min,
                good=scheme.good_min,
                passing=scheme.pass_min,
            )
            rows.append(
                UnitResult(
                    scheme=scheme,
                    round=round_,
                    date_from=date_from,
                    date_to=date_to,
                    total=rules.q2(totals[k]),
                    rank=ranks[k],
                    grade=grade,
                    veto=vetoed[k],
                    title=_title(units[k], grade, vetoed[k]),
                    computed_at=now,
                    **units[k].fk(),
                )
            )
    UnitResult.objects.bulk_create(rows)
    return len(rows)


def scheme_rank(*, actor: Actor, scheme_id: int, appeal_deadline: dt.date) -> Scheme:
    """Publish the year-end ranking; the units may appeal until `appeal_deadline`."""
    scheme = access_scheme(actor, scheme_id)
    require_office(actor, scheme)
    if not isinstance(appeal_deadline, dt.date) or appeal_deadline < today():
        raise invalid("appeal_deadline", _("申诉截止日不能早于今天"))
    with transaction.atomic():
        scheme = access_scheme(actor, scheme_id, for_update=True)
        if scheme.status not in (SchemeStatus.SCORING, SchemeStatus.RANKED):
            raise Conflict(_("尚未评分，不能公布排名"))
        if not UnitResult.objects.filter(scheme=scheme, round=Round.YEAR).exists():
            raise Conflict(_("尚无年终考核得分"))
        scheme.status = SchemeStatus.RANKED
        scheme.appeal_deadline = appeal_deadline
        scheme.ranked_at = clock.now()
        scheme.save(update_fields=["status", "appeal_deadline", "ranked_at"])
        actor.audit(
            "assessment.rank",
            object_type="assessment_scheme",
            object_id=scheme.pk,
            detail={"appeal_deadline": appeal_deadline.isoformat()},
        )
    return scheme


def freeze(scheme: Scheme) -> int:
    """FinalResult rows from the year-end results and scores (inside the caller's
    transaction)."""
    now = clock.now()
    scores: dict[str, list[dict[str, Any]]] = {}
    for s in Score.objects.filter(scheme=scheme, round=Round.YEAR).select_related("indicator"):
        scores.setdefault(s.unit_key, []).append(
            {
                "code": s.indicator.code,
                "name": s.indicator.name,
                "kind": s.indicator.kind,
                "source": s.indicator.source,
                "is_rate": s.is_rate,
                "value": None if s.value is None else str(s.value),
                "numerator": None if s.numerator is None else str(s.numerator),
                "denominator": None if s.denominator is None else str(s.denominator),
                "points": str(s.final_points),
                "weight": str(s.indicator.weight),
            }
        )
    rows = [
        FinalResult(
            scheme=scheme,
            total=r.total,
            rank=r.rank,
            grade=r.grade,
            veto=r.veto,
            title=r.title,
            details={
                "indicators": scores.get(r.unit_key, []),
                "period": [r.date_from.isoformat(), r.date_to.isoformat()],
            },
            frozen_at=now,
            unit_region_id=r.unit_region_id,
            unit_department_id=r.unit_department_id,
        )
        for r in UnitResult.objects.filter(scheme=scheme, round=Round.YEAR)
    ]
    FinalResult.objects.filter(scheme=scheme).delete()
    FinalResult.objects.bulk_create(rows)
    return len(rows)


def scheme_finalise(*, actor: Actor, scheme_id: int) -> Scheme:
    """Freeze the results once the appeal deadline has passed and every appeal is decided."""
    from pingan.assessment.choices import AppealStatus

    scheme = access_scheme(actor, scheme_id)
    require_office(actor, scheme)
    with transaction.atomic():
        scheme = access_scheme(actor, scheme_id, for_update=True)
        if scheme.status != SchemeStatus.RANKED:
            raise Conflict(_("排名尚未公布或结果已确定"))
        if scheme.appeal_deadline and today() <= scheme.appeal_deadline:
            raise Conflict(_("申诉期尚未结束"))
        if scheme.appeals.filter(status=AppealStatus.PENDING).exists():
            raise Conflict(_("还有未处理的申诉"))
        n = freeze(scheme)
        scheme.status = SchemeStatus.FINAL
        scheme.finalised_at = clock.now()
        scheme.save(update_fields=["status", "finalised_at"])
        actor.audit(
            "assessment.finalise",
            object_type="assessment_scheme",
            object_id=scheme.pk,
            detail={"units": n},
        )
    return scheme
