"""Appeals (申诉): a unit files against one of its year-end scores or one deduction
before the appeal deadline; the office upholds it (the deduction cancelled through the
rectification app when it offers `deduction_cancel`, else the score adjusted) or rejects
it with a reason. docs/assessment.md, "Appeals"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.access.actor import Actor
from pingan.assessment import rules, scoring
from pingan.assessment.choices import AppealStatus, Round, SchemeStatus
from pingan.assessment.files import checked, ext
from pingan.assessment.models import Appeal, Score
from pingan.assessment.permissions import access_scheme, answers_for, is_office, require_office
from pingan.assessment.services import _text, decimal_of, today
from pingan.assessment.units import parse
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid


def appeal_file(
    *,
    actor: Actor,
    scheme_id: int,
    unit: str,
    reason: str,
    score_id: int | None = None,
    deduction_id: int | None = None,
    evidence: Any = None,
) -> Appeal:
    """A unit's appeal against its year-end score `score_id` or deduction `deduction_id`
    (one of them), while the ranking is published and before the deadline (422 after)."""
    scheme = access_scheme(actor, scheme_id)
    u = parse(unit, scheme.county)
    if not answers_for(actor, scheme, u):
        raise Forbidden(_("只能为本单位申诉"))
    if scheme.status != SchemeStatus.RANKED:
        raise Conflict(_("排名尚未公布或申诉已结束"))
    if scheme.appeal_deadline is None or today() > scheme.appeal_deadline:
        raise invalid("appeal_deadline", _("已过申诉截止日"))
    reason = _text(reason, "reason", limit=2000)
    if (score_id is None) == (deduction_id is None):
        raise invalid("score", _("请选择申诉的得分或扣分项"))
    scores = Score.objects.filter(scheme=scheme, round=Round.YEAR, **u.filter()).select_related(
        "indicator"
    )
    label = ""
    if score_id is not None:
        score = scores.filter(pk=score_id).first()
        if score is None:
            raise invalid("score", _("不是本单位的得分"))
    else:
        score = None
        for s in scores:
            for d in s.details.get("deductions", []):
                if d["id"] == deduction_id:
                    score, label = s, d.get("source_label") or d.get("reason", "")
        if score is None:
            raise invalid("deduction", _("不是本单位的扣分项"))
    file = checked(evidence) if evidence is not None else None
    with transaction.atomic():
        row = Appeal(
            scheme=scheme,
            score=score,
            indicator=score.indicator,
            deduction_id=deduction_id,
            deduction_label=label[:200],
            reason=reason,
            filed_by=actor.user,
            filed_at=clock.now(),
            **u.fk(),
        )
        if file is not None:
            row.evidence.save(f"appeal-{u.kind}-{u.id}.{ext(file[0])}", file[0], save=False)
            row.evidence_type = file[1]
        row.save()
        actor.audit(
            "assessment.appeal_file",
            object_type="assessment_appeal",
            object_id=row.pk,
            detail={
                "scheme": scheme.pk,
                "unit": u.key,
                "score": score.pk,
                "deduction": deduction_id,
            },
        )
    return row


def _cancel_deduction(actor: Actor, deduction_id: int, reason: str) -> bool:
    """Cancel the deduction through the rectification app if it can; whether it did."""
    try:
        from pingan.rectification import services as rect
    except ImportError:
        return False
    cancel = getattr(rect, "deduction_cancel", None)
    if cancel is None:
        return False
    cancel(actor=actor, deduction_id=deduction_id, reason=reason)
    return True


def appeal_decide(
    *, actor: Actor, appeal_id: int, uphold: bool, note: str = "", points: Any = None
) -> Appeal:
    """The office's decision. Upheld: a deduction is cancelled (and the unit rescored), or
    the score set to `points` (0…weight; for a deduction not cancellable, the score with
    that deduction given back when `points` is not given). Rejected: `note` required."""
    row = Appeal.objects.select_related("score__indicator", "scheme").filter(pk=appeal_id).first()
    if row is None:
        raise NotFound(_("申诉不存在"))
    scheme = access_scheme(actor, row.scheme_id)
    if not is_office(actor, scheme):
        if answers_for(actor, scheme, parse(row.unit_key, scheme.county)):
            raise Forbidden(_("只有县平安办可以处理申诉"))
        raise NotFound(_("申诉不存在"))
    require_office(actor, scheme)
    note = _text(note, "note", limit=2000, required=not uphold)
    score = row.score
    new_points: Decimal | None = None
    if uphold:
        if score is None:
            raise Conflict(_("申诉的得分已不存在"))
        weight = score.indicator.weight
        if points not in (None, ""):
            new_points = decimal_of(points, "points", low=Decimal(0))
            if new_points > weight:
                raise invalid("points", _("不能超过该指标分值%(w)s") % {"w": weight})
        elif row.deduction_id is not None:
            back = next(
                (
                    Decimal(d["points"])
                    for d in score.details.get("deductions", [])
                    if d["id"] == row.deduction_id
                ),
                Decimal(0),
            )
            new_points = rules.q2(min(score.final_points + back, weight))
        else:
            raise invalid("points", _("请填写调整后的得分"))
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=row.pk)
        if locked.status != AppealStatus.PENDING:
            raise Conflict(_("申诉已处理"))
        if scheme.status != SchemeStatus.RANKED:
            raise Conflict(_("结果已确定，不能再处理申诉"))
        cancelled = False
        if uphold:
            assert score is not None
            if row.deduction_id is not None and points in (None, ""):
                cancelled = _cancel_deduction(actor, row.deduction_id, note or row.reason)
            if not cancelled:
                Score.objects.filter(pk=score.pk).update(
                    adjusted_points=new_points,
                    adjust_reason=_("申诉采纳：%(note)s") % {"note": note or row.reason},
                )
            scoring.results(scheme, Round.YEAR)
        locked.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
        locked.decision_note = note
        locked.points_after = new_points if uphold and not cancelled else None
        locked.decided_by, locked.decided_at = actor.user, clock.now()
        locked.save()
        actor.audit(
            "assessment.appeal_decide",
            object_type="assessment_appeal",
            object_id=row.pk,
            detail={
                "uphold": uphold,
                "points": str(new_points) if new_points is not None else None,
                "deduction_cancelled": cancelled,
            },
        )
    if cancelled:
        scoring.scheme_score(actor=actor, scheme_id=scheme.pk, round_=Round.YEAR)
    return locked
