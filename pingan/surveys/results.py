"""A survey's results (`survey_results`): per town and for the county, the sample size, the
positive answers, the rate with its numerator and denominator, the margin of error at 95 %,
the quota filled, the change in percentage points against the same kind's survey of the
year before, and each question's distribution. These are survey figures: never mixed with
the events' 回访满意率 (follow-up satisfaction). docs/surveys.md, "Figures"."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext

from pingan.geo.models import Region
from pingan.surveys.choices import QuestionKind, SurveyStatus
from pingan.surveys.figures import (
    change_points,
    margin_points,
    rate,
    rate_text,
    signed_points,
)
from pingan.surveys.models import Response, Survey

__all__ = ["previous_survey", "survey_results", "town_counts"]


def previous_survey(survey: Survey) -> Survey | None:
    """The same county's survey of the same kind of the year before (opened), the latest."""
    return (
        Survey.objects.filter(
            region=survey.region_id,
            kind=survey.kind,
            year=survey.year - 1,
            status__in=(SurveyStatus.OPEN, SurveyStatus.CLOSED),
        )
        .order_by("-opens_on", "-pk")
        .first()
    )


def town_counts(survey: Survey) -> dict[int, dict[str, int]]:
    """{town id: {"n": headline answers, "positive": positive ones, "total": responses}}."""
    rows = (
        Response.objects.filter(survey=survey)
        .values("town")
        .annotate(
            n=Count("pk", filter=Q(positive__isnull=False)),
            positive=Count("pk", filter=Q(positive=True)),
            total=Count("pk"),
        )
    )
    return {r["town"]: {"n": r["n"], "positive": r["positive"], "total": r["total"]} for r in rows}


def _row(
    name: str,
    counts: dict[str, int],
    quota: int | None,
    before: dict[str, int] | None,
    region_id: int | None,
) -> dict[str, Any]:
    n, pos, total = counts.get("n", 0), counts.get("positive", 0), counts.get("total", 0)
    value = rate(pos, n)
    prev = rate(before["positive"], before["n"]) if before else None
    yoy = change_points(value, prev)
    margin = margin_points(pos, n)
    return {
        "region": region_id,
        "name": name,
        "n": n,
        "positive": pos,
        "responses": total,
        "rate": value,
        "rate_text": rate_text(pos, n),
        "margin": margin,
        "margin_text": signed_points(margin, plus_minus=True),
        "quota": quota,
        "quota_text": f"{total}/{quota}" if quota else "—",
        "quota_filled": rate(total, quota) if quota else None,
        "previous_rate": prev,
        "previous_text": rate_text(before["positive"], before["n"]) if before else "—",
        "yoy": yoy,
        "yoy_text": signed_points(yoy),
    }


def _sum(parts: list[dict[str, int]]) -> dict[str, int]:
    return {k: sum(p.get(k, 0) for p in parts) for k in ("n", "positive", "total")}


def _distributions(survey: Survey, town_ids: list[int]) -> list[dict[str, Any]]:
    questions = list(survey.questions.prefetch_related("options"))
    counters: dict[str, Counter[Any]] = {str(q.pk): Counter() for q in questions}
    answered: Counter[str] = Counter()
    rows = Response.objects.filter(survey=survey, town_id__in=town_ids).values_list(
        "answers", flat=True
    )
    for answers in rows.iterator(chunk_size=2000):
        for key, value in (answers or {}).items():
            if key not in counters:
                continue
            answered[key] += 1
            if isinstance(value, list):
                counters[key].update(value)
            elif isinstance(value, int):
                counters[key][value] += 1
    out = []
    for q in questions:
        key = str(q.pk)
        n = answered[key]
        item: dict[str, Any] = {
            "id": q.pk,
            "order": q.order,
            "text": q.text,
            "kind": q.kind,
            "headline": q.headline,
            "answered": n,
            "options": [],
            "mean": None,
        }
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            item["options"] = [
                {
                    "id": o.pk,
                    "text": o.text,
                    "positive": o.positive,
                    "count": counters[key][o.pk],
                    "share": rate(counters[key][o.pk], n),
                    "share_text": rate_text(counters[key][o.pk], n),
                }
                for o in q.options.all()
            ]
        elif q.kind == QuestionKind.SCALE:
            item["options"] = [
                {
                    "id": None,
                    "text": str(score),
                    "positive": False,
                    "count": counters[key][score],
                    "share": rate(counters[key][score], n),
                    "share_text": rate_text(counters[key][score], n),
                }
                for score in range(1, q.scale_max + 1)
            ]
            total = sum(s * c for s, c in counters[key].items())
            item["mean"] = round(total / n, 2) if n else None
        out.append(item)
    return out


def survey_results(survey: Survey, *, whole: bool, towns: list[Region]) -> dict[str, Any]:
    """The results the caller may read: a row per town in `towns`, the county row when
    `whole`, the question distributions over those towns (permissions.result_towns)."""
    counts = town_counts(survey)
    quotas = dict(survey.quotas.values_list("town_id", "target"))
    before_survey = previous_survey(survey)
    before = town_counts(before_survey) if before_survey is not None else {}
    rows = [
        _row(
            t.name,
            counts.get(t.pk, {}),
            quotas.get(t.pk),
            before.get(t.pk),
            t.pk,
        )
        for t in towns
    ]
    county = None
    if whole:
        total_quota = sum(quotas.values()) or None
        county = _row(
            survey.region.name,
            _sum(list(counts.values())),
            total_quota,
            _sum(list(before.values())) if before_survey is not None else None,
            survey.region_id,
        )
    return {
        "survey": survey.pk,
        "kind": survey.kind,
        "year": survey.year,
        "note": gettext("本结果为问卷调查数据，与事件回访满意率分开统计，不相混用。"),
        "previous": (
            {"id": before_survey.pk, "title": before_survey.title, "year": before_survey.year}
            if before_survey is not None
            else None
        ),
        "county": county,
        "towns": rows,
        "questions": _distributions(survey, [t.pk for t in towns]),
    }
