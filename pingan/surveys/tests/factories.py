"""Surveys for tests, made through the services as the office of the cast's county."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pingan.surveys.models import Survey
from pingan.surveys.services import survey_create, survey_open
from pingan.surveys.standard import standard_security_questions


def security_survey(
    cast: SimpleNamespace, *, year: int = 2026, opened: bool = True, **extra: Any
) -> Survey:
    data = {
        "title": f"{year}年度群众安全感满意率调查",
        "kind": "security",
        "year": year,
        "opens_on": f"{year}-01-01",
        "closes_on": f"{year}-12-31",
        "questions": standard_security_questions(),
        "quotas": [
            {"town": cast.town_a.pk, "target": 4},
            {"town": cast.town_b.pk, "target": 2},
        ],
        **extra,
    }
    survey = survey_create(actor=cast.county_dispatcher, data=data)
    if opened:
        survey = survey_open(actor=cast.county_dispatcher, survey_id=survey.pk)
    return survey


def headline(survey: Survey) -> tuple[int, int, int]:
    """(question id, a positive option id, a negative option id) of the headline question."""
    q = survey.questions.get(headline=True)
    pos = q.options.filter(positive=True).first()
    neg = q.options.filter(positive=False).first()
    assert pos is not None and neg is not None
    return q.pk, pos.pk, neg.pk


def answers(survey: Survey, positive: bool = True) -> dict[str, Any]:
    """A complete answer: the headline as asked, the other required questions answered."""
    out: dict[str, Any] = {}
    for q in survey.questions.prefetch_related("options"):
        opts = list(q.options.all())
        if q.headline:
            out[str(q.pk)] = next(o.pk for o in opts if o.positive == positive)
        elif q.kind == "single":
            out[str(q.pk)] = opts[0].pk
        elif q.kind == "scale":
            out[str(q.pk)] = 4
    return out
