"""Questionnaires (问卷调查, 安全感满意率): the surveys, a response (grid workers on the
phone), the responses (phones masked) and the results per town. Reads through
`surveys.selectors` / `surveys.results` (scoped to the caller), writes through
`surveys.services`. docs/surveys.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.core import pii
from pingan.core.errors import invalid
from pingan.surveys import selectors, services
from pingan.surveys.models import Survey
from pingan.surveys.permissions import access_survey, can_manage, require_results
from pingan.surveys.results import survey_results

router = Router(tags=["surveys"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


class OptionOut(Schema):
    id: int
    text: str
    positive: bool


class QuestionOut(Schema):
    id: int
    order: int
    text: str
    kind: str
    required: bool
    headline: bool
    scale_max: int
    options: list[OptionOut]


class QuotaOut(Schema):
    town: int
    town_name: str
    target: int


class SurveyOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    year: int
    region: int
    opens_on: dt.date
    closes_on: dt.date
    status: str
    status_label: str
    answers: int = Field(description="已收回答卷数")


class SurveyDetailOut(SurveyOut):
    intro: str
    questions: list[QuestionOut]
    quotas: list[QuotaOut]
    link: str | None = Field(None, description="群众扫码作答链接（仅平安办可见）")


def _survey(s: Survey, answers: int | None = None) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "year": s.year,
        "region": s.region_id,
        "opens_on": s.opens_on,
        "closes_on": s.closes_on,
        "status": s.status,
        "status_label": s.get_status_display(),
        "answers": answers if answers is not None else s.responses.count(),
    }


def _detail(request: HttpRequest, s: Survey) -> dict[str, Any]:
    out = _survey(s)
    out["intro"] = s.intro
    out["questions"] = [
        {
            "id": q.pk,
            "order": q.order,
            "text": q.text,
            "kind": q.kind,
            "required": q.required,
            "headline": q.headline,
            "scale_max": q.scale_max,
            "options": [
                {"id": o.pk, "text": o.text, "positive": o.positive} for o in q.options.all()
            ],
        }
        for q in s.questions.prefetch_related("options")
    ]
    out["quotas"] = [
        {"town": q.town_id, "town_name": q.town.name, "target": q.target}
        for q in s.quotas.select_related("town")
    ]
    if can_manage(actor_of(request), s) and s.status != "draft":
        out["link"] = request.build_absolute_uri(f"/s/{s.token}/")
    return out


class SurveyQuery(Schema):
    status: str | None = Field(None, description="draft 草稿 / open 进行中 / closed 已结束")
    kind: str | None = Field(None, description="security 安全感满意率 / other 其他")
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/surveys", response=list[SurveyOut], summary="问卷列表（按当前用户的范围）")
def survey_list_get(request: HttpRequest, filters: Query[SurveyQuery]) -> Any:
    qs = selectors.survey_list(
        actor_of(request), status=filters.status, kind=filters.kind, year=filters.year
    )
    return [_survey(s, s.answers) for s in qs[:500]]  # type: ignore[attr-defined]


class OptionIn(Schema):
    text: str
    positive: bool = False


class QuestionIn(Schema):
    text: str
    kind: str = Field("single", description="single 单选 / multiple 多选 / text 填空 / scale 打分")
    required: bool = True
    headline: bool = Field(False, description="核心题：其计为肯定回答的选项构成本问卷的比率")
    scale_max: int = Field(5, description="scale：最高分（2—10）")
    options: list[OptionIn] = Field(default_factory=list)


class QuotaIn(Schema):
    town: int = Field(description="镇（街道）区划ID")
    target: int = Field(description="样本量")


class SurveyIn(Schema):
    title: str
    kind: str = Field(description="security 安全感满意率 / other 其他")
    year: int
    opens_on: dt.date
    closes_on: dt.date
    intro: str = ""
    region: int | None = Field(None, description="所属县（平安办只管一个县时可省略）")
    questions: list[QuestionIn]
    quotas: list[QuotaIn] = Field(default_factory=list)


class SurveyPatch(Schema):
    title: str | None = None
    kind: str | None = None
    year: int | None = None
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    intro: str | None = None
    questions: list[QuestionIn] | None = None
    quotas: list[QuotaIn] | None = None


@router.post("/surveys", response={201: SurveyDetailOut}, summary="新建问卷（县平安办；草稿）")
def survey_post(request: HttpRequest, payload: SurveyIn) -> Any:
    survey = services.survey_create(actor=actor_of(request), data=payload.model_dump())
    return Status(201, _detail(request, survey))


@router.get("/surveys/{survey_id}", response=SurveyDetailOut, summary="问卷详情：题目与配额")
def survey_get(request: HttpRequest, survey_id: int) -> Any:
    return _detail(request, access_survey(actor_of(request), survey_id))


@router.patch("/surveys/{survey_id}", response=SurveyDetailOut, summary="修改问卷（仅草稿）")
def survey_patch(request: HttpRequest, survey_id: int, payload: SurveyPatch) -> Any:
    data = payload.model_dump(exclude_unset=True)
    data = {k: v for k, v in data.items() if v is not None}
    survey = services.survey_update(actor=actor_of(request), survey_id=survey_id, data=data)
    return _detail(request, survey)


@router.post("/surveys/{survey_id}/open", response=SurveyDetailOut, summary="发布问卷（开始调查）")
def survey_open_post(request: HttpRequest, survey_id: int) -> Any:
    survey = services.survey_open(actor=actor_of(request), survey_id=survey_id)
    return _detail(request, survey)


@router.post("/surveys/{survey_id}/close", response=SurveyDetailOut, summary="结束调查")
def survey_close_post(request: HttpRequest, survey_id: int) -> Any:
    survey = services.survey_close(actor=actor_of(request), survey_id=survey_id)
    return _detail(request, survey)


# ---- responses ----------------------------------------------------------------------------------


class ResponseIn(Schema):
    answers: dict[str, Any] = Field(
        description="题目ID → 答案：单选为选项ID，多选为选项ID列表，打分为整数，填空为文字"
    )
    phone: str = Field("", description="受访者手机号（选填；填写后同一手机号只能作答一次）")
    region: int | None = Field(None, description="所在网格（本人负责多个网格时必填）")
    client_uuid: str | None = Field(None, description="手机端生成的唯一号，重发不会重复")


class ResponseOut(Schema):
    id: int
    survey: int
    channel: str
    channel_label: str
    region: int
    region_name: str
    town: int
    town_name: str
    phone: str = Field(description="手机号（已脱敏）")
    positive: bool | None
    answers: dict[str, Any]
    answered_at: dt.datetime


def _response(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "survey": r.survey_id,
        "channel": r.channel,
        "channel_label": r.get_channel_display(),
        "region": r.region_id,
        "region_name": r.region.name,
        "town": r.town_id,
        "town_name": r.town.name,
        "phone": pii.mask_phone(r.phone),
        "positive": r.positive,
        "answers": r.answers,
        "answered_at": r.answered_at,
    }


@router.post(
    "/surveys/{survey_id}/responses",
    response={200: ResponseOut, 201: ResponseOut},
    summary="提交一份答卷（网格员、网格长；同一 client_uuid 重发返回原答卷）",
)
def response_post(request: HttpRequest, survey_id: int, payload: ResponseIn) -> Any:
    row, created = services.response_submit(
        actor=actor_of(request),
        survey_id=survey_id,
        answers=payload.answers,
        phone=payload.phone,
        region_id=payload.region,
        client_uuid=payload.client_uuid,
    )
    return Status(201 if created else 200, _response(row))


class ResponsePage(Schema):
    items: list[ResponseOut]
    count: int
    page: int
    page_size: int


class SurveysPageQuery(Schema):
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 50


@router.get(
    "/surveys/{survey_id}/responses",
    response=ResponsePage,
    summary="答卷列表（平安办、受理员；手机号脱敏）",
)
def response_list_get(request: HttpRequest, survey_id: int, q: Query[SurveysPageQuery]) -> Any:
    if q.page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= q.page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    _survey_row, qs = selectors.response_list(actor_of(request), survey_id)
    start = (q.page - 1) * q.page_size
    return {
        "items": [_response(r) for r in qs[start : start + q.page_size]],
        "count": qs.count(),
        "page": q.page,
        "page_size": q.page_size,
    }


@router.get(
    "/field/surveys", response=list[dict[str, Any]], summary="手机端：进行中的问卷与本人配额进度"
)
def field_surveys_get(request: HttpRequest) -> Any:
    return selectors.field_surveys(actor_of(request))


# ---- results --------------------------------------------------------------------------------


class ResultsQuery(Schema):
    region: int | None = Field(None, description="只看该镇（街道）；省略为本人可见的全部")


@router.get(
    "/surveys/{survey_id}/results",
    response=dict[str, Any],
    summary="调查结果：各镇样本量、比率（分子/分母）、误差、配额完成、同比（百分点）、各题分布",
)
def results_get(request: HttpRequest, survey_id: int, q: Query[ResultsQuery]) -> Any:
    actor = actor_of(request)
    survey = access_survey(actor, survey_id)
    whole, towns = require_results(actor, survey)
    if q.region is not None:
        towns = [t for t in towns if t.pk == q.region]
        if not towns and not (whole and q.region == survey.region_id):
            raise invalid("region", _("该区划不在本人可查看的范围内"))
        whole = whole and q.region == survey.region_id
        if whole:
            towns = require_results(actor, survey)[1]
    return survey_results(survey, whole=whole, towns=towns)
