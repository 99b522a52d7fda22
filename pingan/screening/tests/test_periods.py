"""Screening periods on the calendar: weeks, half months, months, due dates."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from pingan.core.models import WorkdayOverride
from pingan.core.workcal import clear_cache
from pingan.screening.periods import due_on, level_rules, period_of, periods_between

D = dt.date


def test_a_week_runs_monday_to_sunday():
    assert period_of("week", D(2026, 3, 11)) == (D(2026, 3, 9), D(2026, 3, 15))
    assert period_of("week", D(2026, 3, 15)) == (D(2026, 3, 9), D(2026, 3, 15))
    assert period_of("week", D(2026, 3, 16)) == (D(2026, 3, 16), D(2026, 3, 22))
    # Across a year's end.
    assert period_of("week", D(2027, 1, 1)) == (D(2026, 12, 28), D(2027, 1, 3))


def test_half_months_split_at_the_fifteenth_and_end_on_the_months_last_day():
    assert period_of("half_month", D(2026, 4, 15)) == (D(2026, 4, 1), D(2026, 4, 15))
    assert period_of("half_month", D(2026, 4, 16)) == (D(2026, 4, 16), D(2026, 4, 30))
    assert period_of("half_month", D(2027, 2, 20)) == (D(2027, 2, 16), D(2027, 2, 28))
    assert period_of("half_month", D(2028, 2, 20)) == (D(2028, 2, 16), D(2028, 2, 29))
    assert period_of("half_month", D(2026, 1, 31)) == (D(2026, 1, 16), D(2026, 1, 31))


def test_months_end_on_their_last_day():
    assert period_of("month", D(2026, 12, 31)) == (D(2026, 12, 1), D(2026, 12, 31))
    assert period_of("month", D(2027, 2, 1)) == (D(2027, 2, 1), D(2027, 2, 28))


def test_periods_between_cover_both_ends_without_gaps():
    weeks = periods_between("week", D(2026, 3, 11), D(2026, 4, 1))
    assert weeks[0][0] == D(2026, 3, 9) and weeks[-1][1] == D(2026, 4, 5)
    assert len(weeks) == 4
    for (_, end), (start, _) in itertools.pairwise(weeks):
        assert start == end + dt.timedelta(days=1)
    halves = periods_between("half_month", D(2026, 1, 10), D(2026, 3, 20))
    assert len(halves) == 6


@pytest.mark.django_db
def test_due_on_the_periods_last_working_day_on_the_chinese_calendar():
    clear_cache()
    # An ordinary week: Friday.
    assert due_on(D(2026, 3, 9), D(2026, 3, 15)) == D(2026, 3, 13)
    # National Day 2025: 1–8 October off, Saturday 11 October a make-up working day.
    assert due_on(D(2025, 10, 6), D(2025, 10, 12)) == D(2025, 10, 11)
    assert due_on(D(2025, 9, 29), D(2025, 10, 5)) == D(2025, 9, 30)
    # The n-th working day after the period.
    assert due_on(D(2026, 3, 9), D(2026, 3, 15), 2) == D(2026, 3, 17)


@pytest.mark.django_db
def test_a_week_without_a_working_day_is_due_on_the_first_one_after():
    for n in range(7):
        WorkdayOverride.objects.create(date=D(2030, 6, 3) + dt.timedelta(days=n), is_workday=False)
    clear_cache()
    try:
        assert due_on(D(2030, 6, 3), D(2030, 6, 9)) == D(2030, 6, 10)
    finally:
        WorkdayOverride.objects.all().delete()
        clear_cache()


def test_the_levels_default_and_their_settings(settings):
    assert [(r.level, r.frequency) for r in level_rules()] == [
        ("village", "week"),
        ("town", "half_month"),
        ("county", "month"),
    ]
    settings.PINGAN_SCREENING_LEVELS = {
        "village": {"frequency": "half_month", "due_workdays_after": 1},
        "county": None,
    }
    rules = {r.level: r for r in level_rules()}
    assert set(rules) == {"village", "town"}
    assert rules["village"].frequency == "half_month"
    assert rules["village"].due_workdays_after == 1
