"""The demo's screening step over the shared cast: eight weeks of rounds, reports with
findings made events or cases, some missing; a second build writes nothing."""

from __future__ import annotations

import contextlib

import pytest

from pingan.core import clock
from pingan.demo.organisation import Staff
from pingan.demo.screening import build_screening
from pingan.screening.models import ScreeningItem, ScreeningReport, ScreeningRound

pytestmark = pytest.mark.django_db


def test_the_demo_screening_builds_eight_weeks_once(cast):
    staff = Staff(
        grid_leaders={cast.village_a.code: cast.gridleader},
        dispatchers={
            cast.town_a.code: [cast.dispatcher],
            cast.town_b.code: [cast.dispatcher_b],
            cast.county.code: [cast.county_dispatcher],
        },
    )
    now = clock.now()
    first = build_screening(
        county=cast.county, staff=staff, seed=7, now=now, muted=contextlib.nullcontext
    )
    assert ScreeningRound.objects.filter(level="village").count() >= 9
    assert first.reports > 10
    submitted = ScreeningReport.objects.filter(status="submitted")
    assert submitted.filter(none_found=True).exists()
    assert submitted.filter(none_found=False).exists()
    assert not submitted.filter(unit=cast.village_b).exists()  # no grid leader there: 未报
    assert ScreeningItem.objects.exclude(disposition="pending").exists()
    assert ScreeningRound.objects.filter(status="closed").exists()
    rows = ScreeningReport.objects.count(), ScreeningItem.objects.count()
    again = build_screening(
        county=cast.county, staff=staff, seed=7, now=now, muted=contextlib.nullcontext
    )
    assert again.rounds == 0 and again.reports == 0
    assert (ScreeningReport.objects.count(), ScreeningItem.objects.count()) == rows
