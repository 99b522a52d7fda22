"""Surveys: the editor's validation, opening and closing, responses (one per phone,
idempotent client_uuid, 422 per question), the results' arithmetic and headline_rate."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import pytest
from django.utils import timezone

from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.surveys.models import Response
from pingan.surveys.permissions import result_towns
from pingan.surveys.results import survey_results
from pingan.surveys.selectors import field_surveys, headline_rate
from pingan.surveys.services import (
    response_submit,
    response_submit_public,
    survey_close,
    survey_create,
    survey_update,
)
from pingan.surveys.standard import standard_security_questions
from pingan.surveys.tests.factories import answers, headline, security_survey

pytestmark = pytest.mark.django_db


def base(**extra):
    return {
        "title": "测试问卷",
        "kind": "security",
        "year": 2026,
        "opens_on": "2026-01-01",
        "closes_on": "2026-12-31",
        "questions": standard_security_questions(),
        **extra,
    }


def test_only_the_county_office_creates(cast):
    for user in (cast.dispatcher, cast.leader, cast.gridworker, cast.handler):
        with pytest.raises(Forbidden):
            survey_create(actor=user, data=base())
    s = survey_create(actor=cast.county_dispatcher, data=base())
    assert s.region_id == cast.county.pk and s.status == "draft" and len(s.token) >= 32


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"questions": []}, "questions"),
        ({"closes_on": "2025-12-31"}, "closes_on"),
        ({"kind": "poll"}, "kind"),
        (
            {"questions": [{"text": "安全吗？", "kind": "single", "options": ["是"]}]},
            "questions[0].options",
        ),
        (
            {"questions": [{"text": "安全吗？", "kind": "single", "options": ["是", "否"]}]},
            "questions",  # a 安全感 survey needs its headline question
        ),
        (
            {
                "questions": [
                    {
                        "text": "安全吗？",
                        "kind": "multiple",
                        "headline": True,
                        "options": ["是", "否"],
                    }
                ]
            },
            "questions[0].headline",
        ),
        ({"quotas": [{"town": 999999, "target": 5}]}, "quotas[0].town"),
    ],
)
def test_bad_surveys_are_422_naming_the_field(cast, change, field):
    with pytest.raises(Invalid) as e:
        survey_create(actor=cast.county_dispatcher, data=base(**change))
    assert field in e.value.fields


def test_draft_is_editable_until_opened_then_409(cast):
    s = security_survey(cast, opened=False)
    s = survey_update(actor=cast.county_dispatcher, survey_id=s.pk, data={"title": "改过的标题"})
    assert s.title == "改过的标题"
    with pytest.raises(NotFound):  # a town's dispatcher does not see drafts
        survey_update(actor=cast.dispatcher, survey_id=s.pk, data={"title": "x"})
    from pingan.surveys.services import survey_open

    survey_open(actor=cast.county_dispatcher, survey_id=s.pk)
    with pytest.raises(Conflict):
        survey_update(actor=cast.county_dispatcher, survey_id=s.pk, data={"title": "再改"})


def test_grid_worker_answers_for_his_grid_and_town(cast):
    s = security_survey(cast)
    row, created = response_submit(actor=cast.gridworker, survey_id=s.pk, answers=answers(s))
    assert created and row.region_id == cast.grid_a1.pk and row.town_id == cast.town_a.pk
    assert row.positive is True and row.channel == "grid_worker"
    with pytest.raises(Forbidden):
        response_submit(actor=cast.dispatcher, survey_id=s.pk, answers=answers(s))
    with pytest.raises(Invalid) as e:
        response_submit(
            actor=cast.gridworker, survey_id=s.pk, answers=answers(s), region_id=cast.grid_b1.pk
        )
    assert "region" in e.value.fields


def test_answers_are_checked_per_question(cast):
    s = security_survey(cast)
    qid, _pos, _neg = headline(s)
    bad = answers(s)
    bad[str(qid)] = 999999
    with pytest.raises(Invalid) as e:
        response_submit(actor=cast.gridworker, survey_id=s.pk, answers=bad)
    assert f"answers.{qid}" in e.value.fields
    missing = answers(s)
    del missing[str(qid)]
    with pytest.raises(Invalid) as e:
        response_submit(actor=cast.gridworker, survey_id=s.pk, answers=missing)
    assert "必须作答" in e.value.fields[f"answers.{qid}"]
    scale = s.questions.get(kind="scale")
    high = answers(s)
    high[str(scale.pk)] = 6
    with pytest.raises(Invalid) as e:
        response_submit(actor=cast.gridworker, survey_id=s.pk, answers=high)
    assert f"answers.{scale.pk}" in e.value.fields
    with pytest.raises(Invalid):
        response_submit(actor=cast.gridworker, survey_id=s.pk, answers={**answers(s), "0": 1})
    assert Response.objects.count() == 0


def test_one_answer_per_phone_is_409(cast):
    s = security_survey(cast)
    response_submit(actor=cast.gridworker, survey_id=s.pk, answers=answers(s), phone="13800001111")
    with pytest.raises(Conflict) as e:
        response_submit_public(
            actor=None,
            token=s.token,
            answers=answers(s),
            phone="138-0000-1111",
            region_id=cast.village_b.pk,
        )
    assert "只能作答一次" in e.value.message
    row = Response.objects.get()
    assert row.phone == "13800001111" and row.phone_index
    # the phone is stored encrypted
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT phone FROM surveys_response")
        assert "13800001111" not in c.fetchone()[0]


def test_a_resent_client_uuid_answers_the_same_response(cast):
    s = security_survey(cast)
    cu = str(uuid.uuid4())
    first, made = response_submit(
        actor=cast.gridworker, survey_id=s.pk, answers=answers(s), client_uuid=cu
    )
    again, made_again = response_submit(
        actor=cast.gridworker, survey_id=s.pk, answers=answers(s), client_uuid=cu
    )
    assert made and not made_again and first.pk == again.pk
    assert Response.objects.count() == 1


def test_closed_survey_takes_no_answer(cast):
    s = security_survey(cast)
    survey_close(actor=cast.county_dispatcher, survey_id=s.pk)
    with pytest.raises(Conflict):
        response_submit(actor=cast.gridworker, survey_id=s.pk, answers=answers(s))


def _fill(cast, survey, town_a: tuple[int, int], town_b: tuple[int, int]) -> None:
    """(positive, negative) answers in town A (grid worker) and town B (citizens)."""
    for i in range(town_a[0] + town_a[1]):
        response_submit(
            actor=cast.gridworker, survey_id=survey.pk, answers=answers(survey, i < town_a[0])
        )
    for i in range(town_b[0] + town_b[1]):
        response_submit_public(
            actor=None,
            token=survey.token,
            answers=answers(survey, i < town_b[0]),
            phone=f"139{survey.year % 100:02d}{i:06d}",
            region_id=cast.village_b.pk,
        )


def test_results_rate_margin_quota_and_yoy_in_points(cast):
    last = security_survey(cast, year=2025)
    _fill(cast, last, (3, 1), (1, 1))  # A 75%, B 50%, county 4/6
    survey_close(actor=cast.county_dispatcher, survey_id=last.pk)
    now = security_survey(cast, year=2026)
    _fill(cast, now, (4, 1), (2, 0))  # A 80%, B 100%, county 6/7
    whole, towns = result_towns(cast.county_dispatcher, now)
    got = survey_results(now, whole=whole, towns=towns)
    a = next(r for r in got["towns"] if r["region"] == cast.town_a.pk)
    assert (a["n"], a["positive"], a["rate"]) == (5, 4, 0.8)
    assert a["rate_text"] == "80.00%（4/5）"
    assert a["margin"] == round(1.96 * math.sqrt(0.8 * 0.2 / 5) * 100, 1) == 35.1
    assert a["quota_text"] == "5/4"
    assert a["yoy"] == 5.0 and a["yoy_text"] == "+5.00个百分点"  # 75% → 80%
    b = next(r for r in got["towns"] if r["region"] == cast.town_b.pk)
    assert b["yoy"] == 50.0 and b["margin"] == 0.0
    county = got["county"]
    assert (county["n"], county["positive"]) == (7, 6)
    assert county["yoy"] == 19.04  # 85.71% − 66.67%
    assert county["quota_text"] == "7/6"
    head = next(q for q in got["questions"] if q["headline"])
    assert sum(o["count"] for o in head["options"]) == 7
    scale = next(q for q in got["questions"] if q["kind"] == "scale")
    assert scale["mean"] == 4.0
    # a town's dispatcher reads only the town's row and no county row
    whole_a, towns_a = result_towns(cast.dispatcher, now)
    mine = survey_results(now, whole=whole_a, towns=towns_a)
    assert mine["county"] is None and [r["region"] for r in mine["towns"]] == [cast.town_a.pk]


def test_no_previous_year_gives_no_yoy(cast):
    now = security_survey(cast, year=2026)
    _fill(cast, now, (1, 0), (0, 0))
    got = survey_results(now, whole=True, towns=result_towns(cast.leader, now)[1])
    assert got["previous"] is None and got["county"]["yoy"] is None
    assert got["county"]["yoy_text"] == "—"


def test_headline_rate_counts_the_region_and_period(cast):
    s = security_survey(cast)
    at = timezone.make_aware(dt.datetime(2026, 5, 10, 10, 0))
    with clock.frozen(at):
        _fill(cast, s, (2, 1), (1, 1))
    later = timezone.make_aware(dt.datetime(2026, 6, 10, 10, 0))
    with clock.frozen(later):
        response_submit(actor=cast.gridworker, survey_id=s.pk, answers=answers(s, False))
    may = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    kw = {"kind": "security", "date_from": may[0], "date_to": may[1]}
    assert headline_rate(region_id=cast.county.pk, **kw) == (3, 5)
    assert headline_rate(region_id=cast.town_a.pk, **kw) == (2, 3)
    assert headline_rate(region_id=cast.village_b.pk, **kw) == (1, 2)
    assert headline_rate(region_id=cast.county.pk, **{**kw, "date_to": dt.date(2026, 6, 30)}) == (
        3,
        6,
    )
    assert headline_rate(region_id=cast.county.pk, **{**kw, "kind": "other"}) == (0, 0)


def test_field_list_shows_my_quota_and_today(cast):
    s = security_survey(cast)
    response_submit(actor=cast.gridworker, survey_id=s.pk, answers=answers(s))
    got = field_surveys(cast.gridworker)
    assert [g["id"] for g in got] == [s.pk]
    assert (got[0]["quota"], got[0]["collected"], got[0]["today_mine"]) == (4, 1, 1)
    assert field_surveys(cast.dispatcher) == []


def test_scope_drafts_for_the_county_open_for_everyone_in_it(cast):
    from pingan.surveys.selectors import survey_list

    draft = security_survey(cast, opened=False)
    open_ = security_survey(cast, year=2025)

    def seen(user):
        return set(survey_list(user).values_list("pk", flat=True))

    assert seen(cast.county_dispatcher) == seen(cast.leader) == {draft.pk, open_.pk}
    for user in (cast.dispatcher, cast.leader_b, cast.gridworker, cast.gridworker_b):
        assert seen(user) == {open_.pk}
    assert seen(cast.handler) == set() and seen(cast.sysadmin) == set()
