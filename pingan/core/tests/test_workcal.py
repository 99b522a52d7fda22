"""The Chinese working calendar: working days, working hours, deadlines and warnings.

Times are local (Asia/Shanghai); working periods 08:30-12:00 and 13:30-17:30.
The holiday tests cover 2026, whose table chinese-calendar 1.11 has: the National Day facts
are Oct 1-7 off, make-up working days Sun Sep 20 and Sat Oct 10; Oct 8 (Thu) is an ordinary
working day. Every date is given (no test depends on the day it runs); the tests of a year
without a table take the first year the installed package lacks.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from pingan.core import workcal
from pingan.core.models import WorkdayOverride

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # Overrides are cached per process; every test starts and ends with an empty cache.
    workcal.clear_cache()
    yield
    workcal.clear_cache()


def override(day: dt.date, is_workday: bool) -> None:
    WorkdayOverride.objects.create(date=day, is_workday=is_workday, note="测试")
    workcal.clear_cache()


# ---- days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2026, 9, 19), False),  # Saturday
        (dt.date(2026, 9, 20), True),  # Sunday, make-up working day
        (dt.date(2026, 9, 30), True),
        (dt.date(2026, 10, 1), False),  # National Day
        (dt.date(2026, 10, 5), False),  # Monday inside the holiday
        (dt.date(2026, 10, 7), False),
        (dt.date(2026, 10, 8), True),
        (dt.date(2026, 10, 10), True),  # Saturday, make-up working day
        (dt.date(2026, 10, 11), False),  # Sunday
    ],
)
def test_national_day_2026_holidays_and_make_up_days(db, day, working):
    assert workcal.is_workday(day) is working


def test_three_working_days_from_the_eve_of_national_day(db):
    # Received Wed Sep 30 15:00; the day of receipt does not count; Oct 1-7 are off:
    # Oct 8 (Thu), Oct 9 (Fri), Oct 10 (Sat, make-up) -> end of Oct 10.
    assert workcal.add_working_days(at(2026, 9, 30, 15), 3) == at(2026, 10, 10, 17, 30)
    assert workcal.deadline(at(2026, 9, 30, 15), 3, "days") == at(2026, 10, 10, 17, 30)


def test_five_working_days_skip_the_sunday_after_the_make_up_saturday(db):
    # Oct 8, 9, 10 (Sat), 12 (Mon), 13 (Tue); Sun Oct 11 is off.
    assert workcal.add_working_days(at(2026, 9, 30, 15), 5) == at(2026, 10, 13, 17, 30)


def test_one_working_day_from_friday_is_monday_evening(db):
    assert workcal.add_working_days(at(2026, 3, 6, 10), 1) == at(2026, 3, 9, 17, 30)


def test_make_up_sunday_counts_as_a_working_day(db):
    # Received Sat Sep 19: the first working day after it is the make-up Sunday Sep 20.
    assert workcal.add_working_days(at(2026, 9, 19, 10), 1) == at(2026, 9, 20, 17, 30)


def test_zero_days_is_the_end_of_the_next_working_day_when_received_on_a_holiday(db):
    assert workcal.add_working_days(at(2026, 10, 3, 10), 0) == at(2026, 10, 8, 17, 30)


# ---- hours ----------------------------------------------------------------------------


def test_working_hours_skip_lunch(db):
    # Mon 11:00 + 2 h: 11:00-12:00, then 13:30-14:30.
    assert workcal.add_working_hours(at(2026, 3, 2, 11), 2) == at(2026, 3, 2, 14, 30)


def test_working_hours_started_at_lunch_begin_after_lunch(db):
    assert workcal.add_working_hours(at(2026, 3, 2, 12, 30), 1) == at(2026, 3, 2, 14, 30)


def test_working_hours_skip_the_weekend(db):
    # Fri 16:30 + 2 h: one hour on Friday, one on Monday morning.
    assert workcal.add_working_hours(at(2026, 3, 6, 16, 30), 2) == at(2026, 3, 9, 9, 30)


def test_working_hours_skip_the_national_day_holiday(db):
    # Wed Sep 30 15:00 + 4 h: 2.5 h that day, 1.5 h on Thu Oct 8.
    assert workcal.deadline(at(2026, 9, 30, 15), 4, "hours") == at(2026, 10, 8, 10)


def test_working_seconds_between_counts_only_working_periods(db):
    # Fri 16:30 -> Mon 09:30: 1 h + 1 h.
    assert workcal.working_seconds_between(at(2026, 3, 6, 16, 30), at(2026, 3, 9, 9, 30)) == 7200
    assert workcal.working_seconds_between(at(2026, 3, 9), at(2026, 3, 6)) == 0
    assert workcal.working_days_between(at(2026, 3, 2, 8, 30), at(2026, 3, 3, 17, 30)) == 2


def test_unknown_unit_is_refused(db):
    with pytest.raises(ValueError, match="unit"):
        workcal.deadline(at(2026, 3, 2, 9), 1, "weeks")


# ---- warning --------------------------------------------------------------------------


def test_warning_at_eighty_percent_of_the_working_time(db):
    start = at(2026, 3, 2, 8, 30)  # Monday
    due = workcal.add_working_hours(start, 10)  # 7.5 h Monday + 2.5 h Tuesday
    assert due == at(2026, 3, 3, 11)
    # 80 % of 10 h = 8 h: all of Monday and half an hour on Tuesday.
    assert workcal.warning_at(start, due) == at(2026, 3, 3, 9)


def test_warning_fraction_comes_from_settings(db, settings):
    settings.PINGAN_WARNING_FRACTION = 0.5
    start = at(2026, 3, 2, 8, 30)
    # Half of 10 h = 5 h: 3.5 h in the morning, 1.5 h after lunch.
    assert workcal.warning_at(start, at(2026, 3, 3, 11)) == at(2026, 3, 2, 15)


def test_warning_across_the_holiday_counts_working_time_only(db):
    start = at(2026, 9, 30, 15)
    due = at(2026, 10, 10, 17, 30)  # 2.5 h + 3 x 7.5 h = 25 h of working time
    # 80 % = 20 h: 2.5 h (Sep 30) + 7.5 h (Oct 8) + 7.5 h (Oct 9) + 2.5 h on Oct 10.
    assert workcal.warning_at(start, due) == at(2026, 10, 10, 11)


# ---- overrides and years the package does not know -------------------------------------


def test_override_turns_a_working_day_off(db):
    tuesday = dt.date(2026, 3, 3)
    assert workcal.is_workday(tuesday)
    override(tuesday, False)
    assert not workcal.is_workday(tuesday)
    # Monday + 1 working day skips the Tuesday off.
    assert workcal.add_working_days(at(2026, 3, 2, 10), 1) == at(2026, 3, 4, 17, 30)
    # Working hours skip it too.
    assert workcal.add_working_hours(at(2026, 3, 2, 17), 1) == at(2026, 3, 4, 9)


def test_override_turns_a_holiday_into_a_working_day(db):
    override(dt.date(2026, 10, 7), True)
    assert workcal.add_working_days(at(2026, 9, 30, 15), 1) == at(2026, 10, 7, 17, 30)


# The first year chinese-calendar has no holiday table for (2027 with version 1.11): the
# two tests below follow the package as it is upgraded.
UNTABLED_YEAR = max(d.year for d in chinese_calendar.holidays) + 1


def first_friday(year: int) -> dt.date:
    day = dt.date(year, 1, 1)
    return day + dt.timedelta(days=(4 - day.weekday()) % 7)


def test_a_year_without_a_table_falls_back_to_monday_to_friday(db):
    friday = first_friday(UNTABLED_YEAR)
    assert workcal.is_workday(friday)  # even if it is New Year's Day: no table says otherwise
    assert not workcal.is_workday(friday + dt.timedelta(days=1))
    assert not workcal.is_workday(friday + dt.timedelta(days=2))
    monday = friday + dt.timedelta(days=3)
    assert workcal.add_working_days(at(*friday.timetuple()[:3], 10), 1) == at(
        *monday.timetuple()[:3], 17, 30
    )


def test_an_override_sets_a_holiday_in_a_year_without_a_table(db):
    friday = first_friday(UNTABLED_YEAR)
    thursday = friday - dt.timedelta(days=1)
    override(friday, False)
    assert not workcal.is_workday(friday)
    monday = friday + dt.timedelta(days=3)
    assert workcal.add_working_days(at(*thursday.timetuple()[:3], 10), 1) == at(
        *monday.timetuple()[:3], 17, 30
    )
