"""Scoring a scheme end to end: computed indicators equal the dashboard's figures, the
deductions with their source, veto ranks last, appeals within the window, finalising
freezes, YoY, the outputs open, scope and 422s."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from pingan.access.actor import Actor
from pingan.analytics.selectors import basis_for, department_tables, summary
from pingan.api.tests.helpers import dispatched_to_police
from pingan.assessment import appeals, scoring, selectors, services
from pingan.assessment.choices import Grade, Round, SchemeStatus
from pingan.assessment.documents import agreement_docx, results_docx
from pingan.assessment.exports import ranking_xlsx
from pingan.assessment.models import Agreement, FinalResult, Score, UnitResult
from pingan.assessment.tests.factories import YEAR, at, dept, office, published, town
from pingan.assessment.units import parse
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db


def _score(scheme: Any, unit: str, code: str, round_: str = Round.YEAR) -> Score:
    u = parse(unit, scheme.county)
    return Score.objects.get(scheme=scheme, round=round_, indicator__code=code, **u.filter())


def _result(scheme: Any, unit: str, round_: str = Round.YEAR) -> UnitResult:
    u = parse(unit, scheme.county)
    return UnitResult.objects.get(scheme=scheme, round=round_, **u.filter())


def test_computed_rates_equal_the_dashboards_for_the_same_period(cast: Any) -> None:
    with clock.frozen(at(3, 2)):
        dispatched_to_police(cast)
        dispatched_to_police(cast)
    with clock.frozen(at(5, 10)):
        scheme = published(cast)
        scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
        day_from, day_to = dt.date(YEAR, 1, 1), dt.date(YEAR, 5, 10)
        board = summary(
            user=cast.leader, region_id=cast.town_a.pk, date_from=day_from, date_to=day_to
        )
        basis = basis_for(cast.leader, cast.county.pk)
        depts = {
            d["department"]: d for d in department_tables(basis, day_from, day_to)["by_department"]
        }
    s = _score(scheme, town(cast), "A1")
    assert board["accepted"] == 2  # the figure rests on something
    assert (s.numerator, s.denominator) == (D(board["closed"]), D(board["accepted"]))
    assert s.value == D(str(board["closure_rate"] * 100)).quantize(D("0.01"))
    assert "办结率" in s.source_text and f"{YEAR}-05-10" in s.source_text
    police = _score(scheme, dept(cast), "A1")
    assert police.denominator == D(depts[cast.police.pk]["accepted"]) == 2
    # Mid-year round runs to the same clipped day; towns without events score full marks.
    assert _score(scheme, town(cast, "town_b"), "A1", Round.MID).points == D("15.00")


def test_scoring_is_idempotent(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        scheme = published(cast)
        first = scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk, round_=Round.YEAR)
        before = sorted(Score.objects.filter(scheme=scheme).values_list("pk", "points"))
        again = scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk, round_=Round.YEAR)
    assert first == again
    assert sorted(Score.objects.filter(scheme=scheme).values_list("pk", "points")) == before


def _deduct(cast: Any, points: str, label: str, on: dt.date) -> Any:
    from pingan.rectification.services import deduction_add

    return deduction_add(
        actor=cast.county_dispatcher,
        unit_region_id=cast.town_a.pk,
        unit_department_id=None,
        points=D(points),
        reason="暗访发现问题未整改",
        source_kind="inspection",
        source_id=None,
        source_label=label,
        on=on,
    )


def test_deductions_are_listed_with_their_source(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        _deduct(cast, "2.5", "第一季度平安建设督查", dt.date(YEAR, 4, 2))
        scheme = published(cast)
        scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
        report = selectors.unit_report(office(cast), scheme.pk, town(cast))
    s = _score(scheme, town(cast), "C1")
    assert s.points == D("7.50")
    line = next(x for x in report["lines"] if x["indicator"].code == "C1")
    assert [d["source_label"] for d in line["deductions"]] == ["第一季度平安建设督查"]
    assert _score(scheme, town(cast, "town_b"), "C1").points == D("10.00")


def test_veto_ranks_last_with_grade_fail(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        scheme = published(cast)
        veto = scheme.indicators.get(code="E1")
        services.veto_add(
            actor=office(cast),
            scheme_id=scheme.pk,
            indicator_id=veto.pk,
            unit=town(cast),
            reason="发生重大安全生产责任事故",
        )
        scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
    a, b = _result(scheme, town(cast)), _result(scheme, town(cast, "town_b"))
    assert a.veto and a.grade == Grade.FAIL and a.title == ""
    assert (a.rank, b.rank) == (2, 1)
    assert a.total >= D(0)  # the total is still shown


def _ranked(cast: Any, deadline: dt.date) -> Any:
    scheme = published(cast, year=deadline.year)
    scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
    return scoring.scheme_rank(actor=office(cast), scheme_id=scheme.pk, appeal_deadline=deadline)


def test_appeal_after_the_deadline_is_422_and_in_time_upheld_cancels_the_deduction(
    cast: Any,
) -> None:
    with clock.frozen(at(12, 20)):
        d = _deduct(cast, "3", "第三季度暗访", dt.date(YEAR, 9, 1))
        scheme = _ranked(cast, dt.date(YEAR, 12, 25))
        assert _score(scheme, town(cast), "C1").points == D("7.00")
        town_a = Actor.for_user(cast.dispatcher)
        with pytest.raises(Forbidden):  # town B's dispatcher cannot appeal for town A
            appeals.appeal_file(
                actor=Actor.for_user(cast.dispatcher_b),
                scheme_id=scheme.pk,
                unit=town(cast),
                reason="x",
                deduction_id=d.pk,
            )
        appeal = appeals.appeal_file(
            actor=town_a,
            scheme_id=scheme.pk,
            unit=town(cast),
            reason="该问题已于当日整改",
            deduction_id=d.pk,
        )
        with pytest.raises(Forbidden):
            appeals.appeal_decide(actor=town_a, appeal_id=appeal.pk, uphold=True)
        appeals.appeal_decide(
            actor=office(cast), appeal_id=appeal.pk, uphold=True, note="核实已整改"
        )
    assert _score(scheme, town(cast), "C1").points == D("10.00")
    with clock.frozen(at(12, 26)), pytest.raises(Invalid) as late:
        appeals.appeal_file(
            actor=town_a,
            scheme_id=scheme.pk,
            unit=town(cast),
            reason="迟到",
            score_id=_score(scheme, town(cast), "A1").pk,
        )
    assert "appeal_deadline" in late.value.fields


def test_rejecting_needs_a_reason_and_finalise_waits_for_deadline_and_appeals(cast: Any) -> None:
    with clock.frozen(at(12, 20)):
        scheme = _ranked(cast, dt.date(YEAR, 12, 22))
        score = _score(scheme, town(cast), "B1")
        appeal = appeals.appeal_file(
            actor=Actor.for_user(cast.dispatcher),
            scheme_id=scheme.pk,
            unit=town(cast),
            reason="台账已报送",
            score_id=score.pk,
        )
        with pytest.raises(Invalid):
            appeals.appeal_decide(actor=office(cast), appeal_id=appeal.pk, uphold=False)
        with pytest.raises(Conflict):
            scoring.scheme_finalise(actor=office(cast), scheme_id=scheme.pk)
    with clock.frozen(at(12, 23)):
        with pytest.raises(Conflict):  # an appeal is pending
            scoring.scheme_finalise(actor=office(cast), scheme_id=scheme.pk)
        appeals.appeal_decide(actor=office(cast), appeal_id=appeal.pk, uphold=True, points="6")
        assert _result(scheme, town(cast)).total == sum(
            s.final_points
            for s in Score.objects.filter(scheme=scheme, round=Round.YEAR, unit_region=cast.town_a)
        )
        scoring.scheme_finalise(actor=office(cast), scheme_id=scheme.pk)
        frozen = FinalResult.objects.get(scheme=scheme, unit_region=cast.town_a)
        Score.objects.filter(scheme=scheme).update(points=D(0), adjusted_points=None)
        with pytest.raises(Conflict):
            scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.FINAL
    assert FinalResult.objects.get(pk=frozen.pk).total == frozen.total
    b1 = next(i for i in frozen.details["indicators"] if i["code"] == "B1")
    assert b1["points"] == "6.00"


def test_yoy_against_last_years_final_results(cast: Any) -> None:
    with clock.frozen(at(12, 20, YEAR - 1)):
        last = _ranked(cast, dt.date(YEAR - 1, 12, 21))
        a_entry = last.indicators.get(code="B1")  # not entered last year: no points
    with clock.frozen(at(12, 22, YEAR - 1)):
        scoring.scheme_finalise(actor=office(cast), scheme_id=last.pk)
    with clock.frozen(at(5, 10)):
        scheme = services.scheme_create(actor=office(cast), year=YEAR, copy_from=last.pk)
        assert scheme.indicators.count() == last.indicators.count()
        services.scheme_publish(actor=office(cast), scheme_id=scheme.pk)
        b1 = scheme.indicators.get(code=a_entry.code)
        services.entry_submit(
            actor=office(cast),
            scheme_id=scheme.pk,
            indicator_id=b1.pk,
            unit=town(cast),
            value="100",
        )
        scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
        table = selectors.ranking(office(cast), scheme)
    row = next(r for r in table["town"] if r["unit"].id == cast.town_a.pk)
    before = FinalResult.objects.get(scheme=last, unit_region=cast.town_a)
    assert row["yoy"]["total"] == row["row"].total - before.total == D("10.00")
    assert row["yoy"]["rank"] == before.rank - row["row"].rank


def test_outputs_open(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        scheme = published(cast)
        scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
        wb = load_workbook(io.BytesIO(ranking_xlsx(office(cast), scheme)))
        notice = Document(io.BytesIO(results_docx(scheme)))
        agreement = Document(io.BytesIO(agreement_docx(scheme, parse(town(cast), scheme.county))))
    towns = wb.worksheets[0]
    assert [c.value for c in towns[2]][:2] in ([1, "武原街道"], [1, "通元镇"])
    assert towns.max_row == 3
    text = "\n".join(p.text for p in notice.paragraphs)
    assert "武原街道" in text and "通元镇" in text
    body = "\n".join(p.text for p in agreement.paragraphs)
    assert "事件办结率" in body and "责任单位" in body and "部门平安建设职责落实" not in body
    assert Agreement.objects.filter(scheme=scheme).count() == 5  # two towns, three departments


def test_scope(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        draft = services.scheme_create(actor=office(cast), year=YEAR)
        with pytest.raises(NotFound):  # drafts are the office's
            selectors.unit_report(Actor.for_user(cast.dispatcher), draft.pk, town(cast))
        services.scheme_publish(actor=office(cast), scheme_id=draft.pk)
        with pytest.raises(Forbidden):
            scoring.scheme_score(actor=Actor.for_user(cast.dispatcher), scheme_id=draft.pk)
        scoring.scheme_score(actor=office(cast), scheme_id=draft.pk)
        assert selectors.unit_report(Actor.for_user(cast.dispatcher), draft.pk, town(cast))["lines"]
        assert selectors.unit_report(Actor.for_user(cast.leader), draft.pk, town(cast))["lines"]
        with pytest.raises(NotFound):
            selectors.unit_report(Actor.for_user(cast.dispatcher_b), draft.pk, town(cast))
        with pytest.raises(NotFound):
            selectors.unit_report(Actor.for_user(cast.handler_market), draft.pk, dept(cast))
        assert selectors.unit_report(Actor.for_user(cast.handler), draft.pk, dept(cast))["lines"]
        with pytest.raises(Forbidden):  # the ranking is not published yet
            selectors.ranking(Actor.for_user(cast.dispatcher), draft)
        assert not selectors.scheme_list(Actor.for_user(cast.gridworker)).exists()
        with pytest.raises(Forbidden):
            services.scheme_create(actor=Actor.for_user(cast.leader), year=YEAR + 1)


def test_422s(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        scheme = services.scheme_create(actor=office(cast), year=YEAR, standard=False)
        for data, field in (
            (
                {"code": "X1", "name": "x", "kind": "computed", "weight": "10", "target": "90"},
                "source",
            ),
            (
                {"code": "X1", "name": "x", "kind": "entered", "weight": "0", "target": "90"},
                "weight",
            ),
            ({"code": "X1", "name": "x", "kind": "nope", "weight": "5"}, "kind"),
        ):
            with pytest.raises(Invalid) as e:
                services.indicator_save(actor=office(cast), scheme_id=scheme.pk, data=data)
            assert field in e.value.fields
        with pytest.raises(Invalid):
            services.scheme_create(actor=office(cast), year=YEAR)  # one a year
        with pytest.raises(Invalid):
            parse("town:999999", scheme.county)
