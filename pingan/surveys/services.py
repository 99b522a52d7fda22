"""Writes of the surveys app: creating and editing a survey (while draft), opening and
closing it, and a response from a grid worker or a citizen. Every write validates all
it is given first, then writes in one transaction with its audit row. docs/surveys.md."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases.fields import text as _text
from pingan.core import clock, pii
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.geo import scope as paths
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.surveys.choices import Channel, SurveyKind, SurveyStatus
from pingan.surveys.models import Option, Question, Response, Survey, SurveyQuota
from pingan.surveys.permissions import (
    access_survey,
    answer_regions,
    can_manage,
    office_counties,
)
from pingan.surveys.validation import (
    CleanQuestion,
    answers_clean,
    date_of,
    questions_clean,
    quotas_clean,
)

__all__ = [
    "response_submit",
    "response_submit_public",
    "survey_close",
    "survey_create",
    "survey_open",
    "survey_update",
    "town_of",
]


def _county_towns(county: Region) -> dict[int, Region]:
    return {
        t.pk: t
        for t in Region.objects.filter(paths.within_q("path", [county.path]), level=Level.TOWN)
    }


def town_of(region: Region) -> Region | None:
    """The town (镇/街道) a region lies in, or the region itself when it is a town."""
    if region.level == Level.TOWN:
        return region
    return Region.objects.filter(code__in=region.ancestor_codes(), level=Level.TOWN).first()


def _fields(
    data: dict[str, Any], *, partial: bool, current: Survey | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not partial or "title" in data:
        out["title"] = _text(data, "title", gettext("标题"), max_len=200)
    if not partial or "kind" in data:
        if data.get("kind") not in SurveyKind.values:
            raise invalid("kind", gettext("类型应为 security（安全感满意率）或 other（其他）"))
        out["kind"] = data["kind"]
    if not partial or "year" in data:
        year = data.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            raise invalid("year", gettext("年度应为2000到2100之间的整数"))
        out["year"] = year
    if not partial or "intro" in data:
        out["intro"] = _text(data, "intro", gettext("说明"), required=False, max_len=2000)
    for name, label in (("opens_on", gettext("开始日期")), ("closes_on", gettext("结束日期"))):
        if not partial or name in data:
            out[name] = date_of(data.get(name), name, label)
    opens = out.get("opens_on", current.opens_on if current else None)
    closes = out.get("closes_on", current.closes_on if current else None)
    if opens and closes and closes < opens:
        raise invalid("closes_on", gettext("结束日期不能早于开始日期"))
    return out


def _write_questions(survey: Survey, questions: list[CleanQuestion]) -> None:
    survey.questions.all().delete()
    for n, q in enumerate(questions, start=1):
        row = Question.objects.create(
            survey=survey,
            order=n,
            text=q.text,
            kind=q.kind,
            required=q.required,
            headline=q.headline,
            scale_max=q.scale_max,
        )
        Option.objects.bulk_create(
            Option(question=row, order=j, text=t, positive=p)
            for j, (t, p) in enumerate(q.options, start=1)
        )


def _write_quotas(survey: Survey, quotas: dict[int, int]) -> None:
    survey.quotas.all().delete()
    SurveyQuota.objects.bulk_create(
        SurveyQuota(survey=survey, town_id=t, target=n) for t, n in quotas.items()
    )


def _office_county(actor: Actor, region: Any) -> Region:
    counties = office_counties(actor)
    if not counties:
        raise Forbidden(gettext("只有县平安办（县级受理员）可以创建问卷"))
    if region in (None, ""):
        if len(counties) > 1:
            raise invalid("region", gettext("请选择问卷所属的县"))
        return counties[0]
    chosen = next((c for c in counties if c.pk == region), None)
    if chosen is None:
        raise invalid("region", gettext("您不是该县的平安办"))
    return chosen


def survey_create(*, actor: Actor | Any, data: dict[str, Any]) -> Survey:
    """A draft survey of the office's county: title, kind, year, dates, questions, quotas
    (`data` as the API's body). 403 not the office, 422 bad fields."""
    actor = as_actor(actor)
    county = _office_county(actor, data.get("region"))
    fields = _fields(data, partial=False)
    questions = questions_clean(data.get("questions"), fields["kind"])
    quotas = quotas_clean(data.get("quotas"), _county_towns(county))
    with transaction.atomic():
        survey = Survey.objects.create(
            region=county,
            token=secrets.token_urlsafe(24),
            created_by=actor.user,
            created_at=clock.now(),
            **fields,
        )
        _write_questions(survey, questions)
        _write_quotas(survey, quotas)
        actor.audit(
            "surveys.create",
            object_type="survey",
            object_id=survey.pk,
            detail={"kind": survey.kind, "year": survey.year, "questions": len(questions)},
        )
    return survey


def _managed(actor: Actor, survey_id: int, *, lock: bool) -> Survey:
    found = access_survey(actor, survey_id)
    if not can_manage(actor, found):
        raise Forbidden(gettext("只有县平安办可以管理问卷"))
    if lock:
        return Survey.objects.select_for_update().select_related("region").get(pk=found.pk)
    return found


def survey_update(*, actor: Actor | Any, survey_id: int, data: dict[str, Any]) -> Survey:
    """Change a draft survey: any of its fields, its questions and its quotas (those sent
    replace the old). 409 once opened."""
    actor = as_actor(actor)
    found = _managed(actor, survey_id, lock=False)
    if found.status != SurveyStatus.DRAFT:
        raise Conflict(gettext("问卷已发布，不能再修改"))
    fields = _fields(data, partial=True, current=found)
    kind = fields.get("kind", found.kind)
    questions = questions_clean(data["questions"], kind) if "questions" in data else None
    no_headline = not found.questions.filter(headline=True).exists()
    if questions is None and kind == SurveyKind.SECURITY and "kind" in fields and no_headline:
        raise invalid(
            "questions", gettext("安全感满意率调查须有一道核心题（如：您觉得本地安全吗）")
        )
    quotas = quotas_clean(data["quotas"], _county_towns(found.region)) if "quotas" in data else None
    with transaction.atomic():
        survey = _managed(actor, survey_id, lock=True)
        if survey.status != SurveyStatus.DRAFT:
            raise Conflict(gettext("问卷已发布，不能再修改"))
        for name, value in fields.items():
            setattr(survey, name, value)
        survey.save()
        if questions is not None:
            _write_questions(survey, questions)
        if quotas is not None:
            _write_quotas(survey, quotas)
        actor.audit(
            "surveys.update",
            object_type="survey",
            object_id=survey.pk,
            detail={"fields": sorted(fields), "questions": questions is not None},
        )
    return survey


def survey_open(*, actor: Actor | Any, survey_id: int) -> Survey:
    """Draft → open: grid workers and the citizens' link may answer. 409 otherwise."""
    actor = as_actor(actor)
    _managed(actor, survey_id, lock=False)
    with transaction.atomic():
        survey = _managed(actor, survey_id, lock=True)
        if survey.status != SurveyStatus.DRAFT:
            raise Conflict(gettext("只有草稿状态的问卷可以发布"))
        if not survey.questions.exists():
            raise invalid("questions", gettext("请至少填写一道题目"))
        survey.status = SurveyStatus.OPEN
        survey.opened_at = clock.now()
        survey.save(update_fields=["status", "opened_at"])
        actor.audit("surveys.open", object_type="survey", object_id=survey.pk)
    return survey


def survey_close(*, actor: Actor | Any, survey_id: int) -> Survey:
    """Open → closed: no more answers; the results are final. 409 otherwise."""
    actor = as_actor(actor)
    _managed(actor, survey_id, lock=False)
    with transaction.atomic():
        survey = _managed(actor, survey_id, lock=True)
        if survey.status != SurveyStatus.OPEN:
            raise Conflict(gettext("只有进行中的问卷可以结束"))
        survey.status = SurveyStatus.CLOSED
        survey.closed_at = clock.now()
        survey.save(update_fields=["status", "closed_at"])
        actor.audit("surveys.close", object_type="survey", object_id=survey.pk)
    return survey


# ---- responses --------------------------------------------------------------------------------


def _uuid(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("client_uuid", gettext("client_uuid 格式不正确")) from None


def _questions(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("options"))


def _save(
    actor: Actor,
    survey: Survey,
    *,
    channel: str,
    region: Region,
    town: Region,
    answers: dict[str, Any],
    positive: bool | None,
    phone: str,
    client_uuid: uuid.UUID | None,
) -> Response:
    index = pii.blind_index(phone, kind="phone") if phone else ""
    dup = gettext("该手机号已参与过本次调查，每个手机号只能作答一次")
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != SurveyStatus.OPEN:
            raise Conflict(gettext("问卷不在调查期内，不能作答"))
        if index and Response.objects.filter(survey=locked, phone_index=index).exists():
            raise Conflict(dup)
        try:
            with transaction.atomic():
                row = Response.objects.create(
                    survey=locked,
                    channel=channel,
                    region=region,
                    town=town,
                    answers=answers,
                    positive=positive,
                    phone=phone,
                    phone_index=index,
                    client_uuid=client_uuid,
                    submitted_by=actor.user,
                    answered_at=clock.now(),
                )
        except IntegrityError:
            raise Conflict(dup) from None
        actor.audit(
            "surveys.response",
            object_type="survey_response",
            object_id=row.pk,
            detail={"survey": locked.pk, "channel": channel, "town": town.pk},
        )
    return row


def response_submit(
    *,
    actor: Actor | Any,
    survey_id: int,
    answers: Any,
    phone: str = "",
    region_id: int | None = None,
    client_uuid: Any = None,
) -> tuple[Response, bool]:
    """A grid worker's (or grid leader's) response for a household of their grid:
    (the response, whether it was made now). The same `client_uuid` again answers the
    response it made (a resend after a lost answer). 404 survey out of scope, 403 not
    a grid role of the county, 409 not open or the phone answered already, 422 bad answers."""
    actor = as_actor(actor)
    survey = access_survey(actor, survey_id)
    cu = _uuid(client_uuid)
    if cu is not None:
        done = Response.objects.filter(client_uuid=cu).first()
        if done is not None:
            if done.survey_id != survey.pk or done.submitted_by_id != actor.pk:
                raise Conflict(gettext("client_uuid 已被其他答卷使用"))
            return done, False
    mine = answer_regions(actor, survey)
    if not mine:
        raise Forbidden(gettext("只有本县的网格员、网格长可以录入问卷"))
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(gettext("问卷不在调查期内，不能作答"))
    if region_id in (None, ""):
        if len(mine) > 1:
            raise invalid("region", gettext("请选择所在网格"))
        region = mine[0]
    else:
        chosen = Region.objects.filter(pk=region_id).first()
        if chosen is None or not any(paths.within(chosen.path, [m.path]) for m in mine):
            raise invalid("region", gettext("只能录入本人网格内的答卷"))
        region = chosen
    town = town_of(region)
    if town is None:
        raise invalid("region", gettext("所在区划不属于任何镇（街道）"))
    phone = (phone or "").strip()
    if phone:
        phone = pii.validate_phone(phone)
    clean, positive = answers_clean(answers, _questions(survey))
    row = _save(
        actor,
        survey,
        channel=Channel.GRID_WORKER,
        region=region,
        town=town,
        answers=clean,
        positive=positive,
        phone=phone,
        client_uuid=cu,
    )
    return row, True


def response_submit_public(
    *, actor: Actor | Any, token: str, answers: Any, phone: str, region_id: Any
) -> Response:
    """A citizen's response through the survey's link: the village or town they live in,
    their mobile number (required: one answer per phone). 404 unknown token, 409 not
    open or the phone answered already, 422 bad fields."""
    actor = as_actor(actor)
    survey = survey_by_token(token)
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(gettext("问卷不在调查期内，不能作答"))
    try:
        rid = int(region_id)
    except (TypeError, ValueError):
        raise invalid("region", gettext("请选择您所在的镇（街道）或村（社区）")) from None
    region = Region.objects.filter(
        paths.within_q("path", [survey.region_path]),
        pk=rid,
        level__in=(Level.TOWN, Level.VILLAGE),
    ).first()
    if region is None:
        raise invalid("region", gettext("请选择您所在的镇（街道）或村（社区）"))
    town = town_of(region)
    if town is None:
        raise invalid("region", gettext("请选择您所在的镇（街道）或村（社区）"))
    if not (phone or "").strip():
        raise invalid("phone", gettext("请填写手机号（每个手机号只能作答一次）"))
    phone = pii.validate_phone(phone, mobile_only=True)
    clean, positive = answers_clean(answers, _questions(survey))
    return _save(
        actor,
        survey,
        channel=Channel.CITIZEN,
        region=region,
        town=town,
        answers=clean,
        positive=positive,
        phone=phone,
        client_uuid=None,
    )


def survey_by_token(token: str) -> Survey:
    """The survey of a citizens' link (not a draft); NotFound otherwise."""
    found = (
        Survey.objects.filter(token=str(token)[:64])
        .exclude(status=SurveyStatus.DRAFT)
        .select_related("region")
        .first()
    )
    if found is None:
        raise NotFound(gettext("问卷不存在或已下线"))
    return found
