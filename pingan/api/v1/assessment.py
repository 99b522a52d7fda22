"""The yearly Ping'an assessment (平安考核, docs/assessment.md, "API"): schemes with their
indicators, publish / score / rank / finalise, the scores of a unit, entered values,
appeals and agreements. Reads through `assessment.selectors`, writes through the
assessment's services; scoring runs in the task worker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile

from pingan.access.actor import actor_of
from pingan.assessment import appeals, scoring, selectors, services
from pingan.assessment.choices import Round, SchemeStatus
from pingan.assessment.models import Indicator, Scheme, Score
from pingan.assessment.permissions import access_scheme, require_office
from pingan.assessment.tasks import assessment_score
from pingan.core.downloads import DOCX
from pingan.core.errors import Conflict, invalid

router = Router(tags=["assessment"])


def _num(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def _scheme(s: Scheme) -> dict[str, Any]:
    return {
        "id": s.pk,
        "year": s.year,
        "name": s.name,
        "county": s.county_id,
        "status": s.status,
        "status_label": str(s.get_status_display()),
        "appeal_deadline": s.appeal_deadline,
        "thresholds": {
            "excellent": _num(s.excellent_min),
            "good": _num(s.good_min),
            "pass": _num(s.pass_min),
        },
    }


def _indicator(i: Indicator) -> dict[str, Any]:
    return {
        "id": i.pk,
        "code": i.code,
        "name": i.name,
        "weight": _num(i.weight),
        "kind": i.kind,
        "applies_to": i.applies_to,
        "source": i.source,
        "rule": i.rule,
        "target": _num(i.target),
        "floor": _num(i.floor),
        "description": i.description,
    }


class SchemeIn(Schema):
    year: int
    name: str = ""
    standard: bool = True
    copy_from: int | None = None


class IndicatorIn(Schema):
    code: str
    name: str
    weight: str
    kind: str
    applies_to: str = "both"
    source: str = ""
    rule: str = "linear"
    target: str | None = None
    floor: str | None = None
    description: str = ""


class ScoreIn(Schema):
    round: str | None = None


class RankIn(Schema):
    appeal_deadline: dt.date


class AppealIn(Schema):
    scheme: int
    unit: str
    reason: str
    score: int | None = None
    deduction: int | None = None


class DecideIn(Schema):
    uphold: bool
    note: str = ""
    points: str | None = None


@router.get("/assessment/schemes", response=list[dict[str, Any]], summary="考核方案列表")
def schemes(request: HttpRequest) -> Any:
    return [_scheme(s) for s in selectors.scheme_list(actor_of(request))]


@router.post("/assessment/schemes", response={201: dict[str, Any]}, summary="制定考核方案")
def scheme_add(request: HttpRequest, payload: SchemeIn) -> Any:
    s = services.scheme_create(
        actor=actor_of(request),
        year=payload.year,
        name=payload.name,
        standard=payload.standard,
        copy_from=payload.copy_from,
    )
    return Reply(201, {**_scheme(s), "indicators": [_indicator(i) for i in s.indicators.all()]})


@router.get(
    "/assessment/schemes/{assessment_scheme_id}", response=dict[str, Any], summary="考核方案及指标"
)
def scheme_get(request: HttpRequest, assessment_scheme_id: int) -> Any:
    s = access_scheme(actor_of(request), assessment_scheme_id)
    return {**_scheme(s), "indicators": [_indicator(i) for i in s.indicators.all()]}


@router.post(
    "/assessment/schemes/{assessment_scheme_id}/indicators",
    response={201: dict[str, Any]},
    summary="新增考核指标（草稿方案）",
)
def indicator_add(request: HttpRequest, assessment_scheme_id: int, payload: IndicatorIn) -> Any:
    i = services.indicator_save(
        actor=actor_of(request), scheme_id=assessment_scheme_id, data=payload.dict()
    )
    return Reply(201, _indicator(i))


@router.post(
    "/assessment/schemes/{assessment_scheme_id}/publish",
    response=dict[str, Any],
    summary="发布方案",
)
def scheme_publish(request: HttpRequest, assessment_scheme_id: int) -> Any:
    return _scheme(services.scheme_publish(actor=actor_of(request), scheme_id=assessment_scheme_id))


@router.post(
    "/assessment/schemes/{assessment_scheme_id}/score",
    response={202: dict[str, Any]},
    summary="评分（在后台任务中重新计算全部单位）",
)
def scheme_score(request: HttpRequest, assessment_scheme_id: int, payload: ScoreIn) -> Any:
    actor = actor_of(request)
    s = access_scheme(actor, assessment_scheme_id)
    require_office(actor, s)
    if payload.round is not None and payload.round not in Round.values:
        raise invalid("round", _("考核轮次不正确"))
    if s.status not in scoring.SCORABLE:
        raise Conflict(_("当前状态不能评分"))
    actor.audit(
        "assessment.score_request",
        object_type="assessment_scheme",
        object_id=s.pk,
        detail={"round": payload.round},
    )
    assessment_score.enqueue(s.pk, payload.round)
    return Reply(202, {"queued": True, "scheme": s.pk, "round": payload.round})


@router.post(
    "/assessment/schemes/{assessment_scheme_id}/rank", response=dict[str, Any], summary="公布排名"
)
def scheme_rank(request: HttpRequest, assessment_scheme_id: int, payload: RankIn) -> Any:
    return _scheme(
        scoring.scheme_rank(
            actor=actor_of(request),
            scheme_id=assessment_scheme_id,
            appeal_deadline=payload.appeal_deadline,
        )
    )


@router.post(
    "/assessment/schemes/{assessment_scheme_id}/finalise",
    response=dict[str, Any],
    summary="确定最终结果",
)
def scheme_finalise(request: HttpRequest, assessment_scheme_id: int) -> Any:
    return _scheme(scoring.scheme_finalise(actor=actor_of(request), scheme_id=assessment_scheme_id))


@router.get(
    "/assessment/schemes/{assessment_scheme_id}/ranking",
    response=dict[str, Any],
    summary="排名（含同比）",
)
def scheme_ranking(request: HttpRequest, assessment_scheme_id: int, round: str = Round.YEAR) -> Any:
    actor = actor_of(request)
    s = access_scheme(actor, assessment_scheme_id)
    if round not in Round.values:
        raise invalid("round", _("考核轮次不正确"))
    table = selectors.ranking(actor, s, round)
    return {
        kind: [
            {
                "unit": line["unit"].key,
                "name": line["unit"].name,
                "rank": line["row"].rank,
                "total": _num(line["row"].total),
                "grade": line["row"].grade,
                "veto": line["row"].veto,
                "title": line["row"].title,
                "yoy": {
                    k: _num(v) if isinstance(v, Decimal) else v for k, v in line["yoy"].items()
                },
            }
            for line in rows
        ]
        for kind, rows in table.items()
    }


def _score(s: Score, line: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": s.pk,
        "indicator": s.indicator.code,
        "name": s.indicator.name,
        "kind": s.indicator.kind,
        "weight": _num(s.indicator.weight),
        "value": _num(s.value),
        "numerator": _num(s.numerator),
        "denominator": _num(s.denominator),
        "is_rate": s.is_rate,
        "source": s.indicator.source,
        "source_text": s.source_text,
        "points": _num(s.final_points),
        "computed_points": _num(s.points),
        "adjust_reason": s.adjust_reason,
        "deductions": line["deductions"],
        "yoy_change": _num(line["change"]),
    }


@router.get(
    "/assessment/scores",
    response=dict[str, Any],
    summary="单位得分：各指标数值、来源、得分，扣分来源，一票否决",
)
def scores(request: HttpRequest, scheme: int, unit: str, round: str = Round.YEAR) -> Any:
    if round not in Round.values:
        raise invalid("round", _("考核轮次不正确"))
    r = selectors.unit_report(actor_of(request), scheme, unit, round)
    res = r["result"]
    return {
        "scheme": scheme,
        "unit": r["unit"].key,
        "name": r["unit"].name,
        "round": round,
        "scores": [_score(line["score"], line) for line in r["lines"]],
        "result": None
        if res is None
        else {
            "total": _num(res.total),
            "rank": res.rank,
            "grade": res.grade,
            "veto": res.veto,
            "title": res.title,
        },
        "yoy": None
        if r["yoy"] is None
        else {k: _num(v) if isinstance(v, Decimal) else v for k, v in r["yoy"].items()},
        "vetoes": [{"indicator": v.indicator.code, "reason": v.reason} for v in r["vetoes"]],
    }


@router.get("/assessment/entries", response=list[dict[str, Any]], summary="填报值列表")
def entries(request: HttpRequest, scheme: int) -> Any:
    actor = actor_of(request)
    s = access_scheme(actor, scheme)
    return [
        {
            "id": e.pk,
            "indicator": e.indicator.code,
            "unit": e.unit_key,
            "value": _num(e.value),
            "note": e.note,
            "confirmed": e.confirmed,
            "has_evidence": bool(e.evidence),
        }
        for e in selectors.entry_list(actor, s)
    ]


@router.post("/assessment/entries", response={201: dict[str, Any]}, summary="填报指标值（附佐证）")
def entry_add(
    request: HttpRequest,
    scheme: Form[int],
    indicator: Form[int],
    unit: Form[str],
    value: Form[str],
    note: Form[str] = "",
    evidence: File[UploadedFile] | None = None,
) -> Any:
    e = services.entry_submit(
        actor=actor_of(request),
        scheme_id=scheme,
        indicator_id=indicator,
        unit=unit,
        value=value,
        note=note,
        evidence=evidence,
    )
    return Reply(201, {"id": e.pk, "confirmed": e.confirmed, "value": _num(e.value)})


@router.post(
    "/assessment/entries/{assessment_entry_id}/confirm",
    response=dict[str, Any],
    summary="确认填报值",
)
def entry_confirm(request: HttpRequest, assessment_entry_id: int) -> Any:
    e = services.entry_confirm(actor=actor_of(request), entry_id=assessment_entry_id)
    return {"id": e.pk, "confirmed": e.confirmed}


@router.post(
    "/assessment/vetoes",
    response={201: dict[str, Any]},
    summary="认定一票否决（考核办；附原因与佐证；方案已发布、未定案）",
)
def veto_add(
    request: HttpRequest,
    scheme: Form[int],
    indicator: Form[int],
    unit: Form[str],
    reason: Form[str],
    evidence: File[UploadedFile] | None = None,
) -> Any:
    v = services.veto_add(
        actor=actor_of(request),
        scheme_id=scheme,
        indicator_id=indicator,
        unit=unit,
        reason=reason,
        evidence=evidence,
    )
    return Reply(201, {"id": v.pk, "unit": v.unit_key, "indicator": v.indicator.code})


@router.get("/assessment/appeals", response=list[dict[str, Any]], summary="申诉列表")
def appeal_list(request: HttpRequest, scheme: int) -> Any:
    actor = actor_of(request)
    s = access_scheme(actor, scheme)
    return [
        {
            "id": a.pk,
            "unit": a.unit_key,
            "indicator": a.indicator.code if a.indicator else "",
            "deduction": a.deduction_id,
            "reason": a.reason,
            "status": a.status,
            "decision_note": a.decision_note,
            "points_after": _num(a.points_after),
            "filed_at": a.filed_at,
        }
        for a in selectors.appeal_list(actor, s)
    ]


@router.post("/assessment/appeals", response={201: dict[str, Any]}, summary="提出申诉")
def appeal_add(request: HttpRequest, payload: AppealIn) -> Any:
    a = appeals.appeal_file(
        actor=actor_of(request),
        scheme_id=payload.scheme,
        unit=payload.unit,
        reason=payload.reason,
        score_id=payload.score,
        deduction_id=payload.deduction,
    )
    return Reply(201, {"id": a.pk, "status": a.status})


@router.post(
    "/assessment/appeals/{assessment_appeal_id}/decide", response=dict[str, Any], summary="处理申诉"
)
def appeal_decide(request: HttpRequest, assessment_appeal_id: int, payload: DecideIn) -> Any:
    a = appeals.appeal_decide(
        actor=actor_of(request),
        appeal_id=assessment_appeal_id,
        uphold=payload.uphold,
        note=payload.note,
        points=payload.points,
    )
    return {"id": a.pk, "status": a.status, "points_after": _num(a.points_after)}


@router.get(
    "/assessment/schemes/{assessment_scheme_id}/agreements",
    response=list[dict[str, Any]],
    summary="目标责任书列表",
)
def agreements(request: HttpRequest, assessment_scheme_id: int) -> Any:
    actor = actor_of(request)
    s = access_scheme(actor, assessment_scheme_id)
    return [
        {
            "id": a.pk,
            "unit": a.unit_key,
            "name": a.unit_name,
            "status": a.status,
            "signed_at": a.signed_at,
        }
        for a in selectors.agreement_list(actor, s)
    ]


@router.get(
    "/assessment/agreements/{assessment_agreement_id}/document",
    response={200: None},
    summary="下载目标责任书（.docx）",
)
def agreement_document(request: HttpRequest, assessment_agreement_id: int) -> Any:
    a = selectors.agreement_open(actor_of(request), assessment_agreement_id)
    response = HttpResponse(a.document.read(), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="agreement-{a.pk}.docx"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/assessment/agreements/{assessment_agreement_id}/scan",
    response=dict[str, Any],
    summary="上传签订扫描件",
)
def agreement_scan(
    request: HttpRequest, assessment_agreement_id: int, file: File[UploadedFile]
) -> Any:
    a = services.agreement_sign(
        actor=actor_of(request), agreement_id=assessment_agreement_id, upload=file
    )
    return {"id": a.pk, "status": a.status, "signed_at": a.signed_at}


__all__ = ["SchemeStatus", "router"]
