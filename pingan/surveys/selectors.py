"""Reads of the surveys app, each scoped to the actor, and `headline_rate` (a system read
for the assessment: the caller scopes). docs/surveys.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Forbidden, invalid
from pingan.geo import scope as paths
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.surveys.choices import SurveyKind, SurveyStatus
from pingan.surveys.models import Response, Survey
from pingan.surveys.permissions import (
    access_survey,
    answer_regions,
    can_manage,
    response_scope_q,
    survey_scope_q,
)
from pingan.surveys.services import town_of

__all__ = [
    "field_surveys",
    "headline_rate",
    "response_list",
    "survey_list",
]


def _day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def headline_rate(
    *, kind: str, region_id: int, date_from: dt.date, date_to: dt.date
) -> tuple[int, int]:
    """(positive answers, answers) to the headline question over the responses of the open
    or closed surveys of `kind` whose respondents live in the region (its subtree), answered
    from `date_from` to `date_to` (local days, both included). kind "security" = 安全感满意率."""
    region = Region.objects.filter(pk=region_id).only("path").first()
    if region is None:
        return 0, 0
    start, end = _day_bounds(date_from, date_to)
    got = Response.objects.filter(
        paths.within_q("region_path", [region.path]),
        survey__kind=kind,
        survey__status__in=(SurveyStatus.OPEN, SurveyStatus.CLOSED),
        positive__isnull=False,
        answered_at__gte=start,
        answered_at__lt=end,
    ).aggregate(n=Count("pk"), pos=Count("pk", filter=Q(positive=True)))
    return got["pos"], got["n"]


def survey_list(
    actor: Actor | Any,
    *,
    status: str | None = None,
    kind: str | None = None,
    year: int | None = None,
) -> QuerySet[Survey]:
    """The surveys the actor sees, newest first; 422 on an unknown status or kind."""
    qs = Survey.objects.filter(survey_scope_q(actor)).select_related("region")
    if status:
        if status not in SurveyStatus.values:
            raise invalid("status", gettext("状态应为 draft、open 或 closed"))
        qs = qs.filter(status=status)
    if kind:
        if kind not in SurveyKind.values:
            raise invalid("kind", gettext("类型应为 security（安全感满意率）或 other（其他）"))
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(answers=Count("responses"))


def field_surveys(actor: Actor | Any) -> list[dict[str, Any]]:
    """The open surveys a grid worker fills, each with its questions, the quota of their
    town(s) and the answers collected there, and how many they entered today."""
    actor = as_actor(actor)
    out = []
    today = timezone.localdate(clock.now())
    start, end = _day_bounds(today, today)
    surveys = (
        Survey.objects.filter(survey_scope_q(actor), status=SurveyStatus.OPEN)
        .select_related("region")
        .prefetch_related("questions__options", "quotas")
    )
    for s in surveys:
        mine = answer_regions(actor, s)
        if not mine:
            continue
        town_ids = {t.pk for t in (town_of(r) for r in mine) if t is not None}
        quota = sum(q.target for q in s.quotas.all() if q.town_id in town_ids)
        collected = Response.objects.filter(survey=s, town_id__in=town_ids).count()
        today_mine = Response.objects.filter(
            survey=s, submitted_by=actor.user, answered_at__gte=start, answered_at__lt=end
        ).count()
        out.append(
            {
                "id": s.pk,
                "title": s.title,
                "kind": s.kind,
                "intro": s.intro,
                "closes_on": s.closes_on.isoformat(),
                "quota": quota,
                "collected": collected,
                "today_mine": today_mine,
                "regions": [{"id": r.pk, "name": r.name} for r in mine],
                "questions": [
                    {
                        "id": q.pk,
                        "order": q.order,
                        "text": q.text,
                        "kind": q.kind,
                        "required": q.required,
                        "headline": q.headline,
                        "scale_max": q.scale_max,
                        "options": [{"id": o.pk, "text": o.text} for o in q.options.all()],
                    }
                    for q in s.questions.all()
                ],
            }
        )
    return out


def response_list(actor: Actor | Any, survey_id: int) -> tuple[Survey, QuerySet[Response]]:
    """The responses of a survey a dispatcher sees (their regions), newest first; 403 for
    the other roles."""
    actor = as_actor(actor)
    survey = access_survey(actor, survey_id)
    if not (can_manage(actor, survey) or actor.has_role(Role.DISPATCHER)):
        raise Forbidden(gettext("只有平安办和受理员可以查看答卷"))
    qs = Response.objects.filter(response_scope_q(actor), survey=survey).select_related(
        "region", "town"
    )
    return survey, qs
