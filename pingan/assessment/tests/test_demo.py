"""The demo's assessment on the test cast: last year final, this year scored, a ranking
that follows from the data (deterministic by seed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from pingan.assessment.choices import SchemeStatus
from pingan.assessment.models import FinalResult, Scheme, UnitResult
from pingan.assessment.tests.factories import at
from pingan.demo.assessment import build_assessment

pytestmark = pytest.mark.django_db


def test_demo_builds_last_years_final_and_this_years_scores(cast: Any) -> None:
    staff = SimpleNamespace(dispatchers={cast.county.code: [cast.county_dispatcher]})
    now = at(8, 15)
    build_assessment(county=cast.county, staff=staff, seed=7, now=now)
    last = Scheme.objects.get(county=cast.county, year=now.year - 1)
    this = Scheme.objects.get(county=cast.county, year=now.year)
    assert last.status == SchemeStatus.FINAL and this.status == SchemeStatus.SCORING
    assert FinalResult.objects.filter(scheme=last).count() == 5
    assert UnitResult.objects.filter(scheme=this).count() == 10  # two rounds × five units
    towns = list(
        UnitResult.objects.filter(scheme=this, round="year", unit_department=None).order_by("rank")
    )
    assert towns[0].total >= towns[1].total
    again = build_assessment(county=cast.county, staff=staff, seed=7, now=now)
    assert again["schemes"] == 0
