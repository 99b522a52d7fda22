"""The demo's surveys and safety figures on the test cast: both years' surveys with
answers by quota, a rate a little higher this year, figures for every town, and a second
build that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pingan.demo.organisation import Staff
from pingan.demo.surveys import build_surveys
from pingan.safety.models import SafetyFigure
from pingan.surveys.models import Response, Survey
from pingan.surveys.permissions import result_towns
from pingan.surveys.results import survey_results

pytestmark = pytest.mark.django_db


def test_demo_surveys_and_figures(cast):
    staff = Staff(dispatchers={cast.county.code: [cast.county_dispatcher]})
    now = timezone.make_aware(dt.datetime(2026, 12, 5, 10, 0))
    towns = [cast.town_a, cast.town_b]
    first = build_surveys(county=cast.county, towns=towns, staff=staff, seed=7, now=now)
    assert first.surveys == 2 and first.responses == Response.objects.count() > 5000
    this = Survey.objects.get(year=2026)
    assert this.status == "closed"
    got = survey_results(this, whole=True, towns=result_towns(cast.leader, this)[1])
    assert 0.9 < got["county"]["rate"] < 1.0 and got["county"]["yoy"] is not None
    assert all(r["n"] > 0 and r["quota"] for r in got["towns"])
    assert SafetyFigure.objects.count() == first.figures == 2 * 24
    again = build_surveys(county=cast.county, towns=towns, staff=staff, seed=7, now=now)
    assert (again.surveys, again.responses, again.figures) == (0, 0, 0)
