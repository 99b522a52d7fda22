"""Costs of the survey and safety reads on the demo data of two towns (about 5,500 answers,
48 months of figures), run by hand: `pytest -s pingan/surveys/tests/bench_costs.py`.
The numbers are written into docs/surveys.md, "Costs"."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pingan.demo.organisation import Staff
from pingan.demo.surveys import build_surveys
from pingan.safety.selectors import year_grid, zero_growth
from pingan.surveys.models import Survey
from pingan.surveys.permissions import result_towns
from pingan.surveys.results import survey_results
from pingan.surveys.selectors import headline_rate

pytestmark = pytest.mark.django_db


def _cost(label, fn):
    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        fn()
        ms = (time.perf_counter() - t) * 1000
    print(f"{label}: {ms:.0f} ms, {len(q)} queries")


def test_costs(cast):
    staff = Staff(dispatchers={cast.county.code: [cast.county_dispatcher]})
    now = timezone.make_aware(dt.datetime(2026, 12, 5, 10, 0))
    t = time.perf_counter()
    build_surveys(
        county=cast.county, towns=[cast.town_a, cast.town_b], staff=staff, seed=7, now=now
    )
    print(f"demo build: {(time.perf_counter() - t) * 1000:.0f} ms")
    s = Survey.objects.get(year=2026)
    whole, towns = result_towns(cast.leader, s)
    _cost("survey_results (county)", lambda: survey_results(s, whole=whole, towns=towns))
    _cost(
        "headline_rate (county, year)",
        lambda: headline_rate(
            kind="security",
            region_id=cast.county.pk,
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 12, 31),
        ),
    )
    _cost(
        "zero_growth (county)",
        lambda: zero_growth(region_id=cast.county.pk, year=2026, month_to=11),
    )
    _cost("year_grid (leader)", lambda: year_grid(cast.leader, year=2026, month_to=11))
