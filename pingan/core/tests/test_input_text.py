"""The input rule for text and the shared parsers of numbers and dates
(docs/security.md, "Input")."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core.errors import Invalid
from pingan.core.params import parse_date, parse_datetime, parse_int
from pingan.core.text import clean_input, is_blank


def test_nul_is_refused_naming_the_field():
    with pytest.raises(Invalid) as err:
        clean_input("楼道\x00堆物", "description")
    assert err.value.fields == {"description": "不能包含空字符（NUL）"}


def test_other_control_characters_are_dropped_and_tab_newline_kept():
    assert clean_input("楼道\x1b[31m堆物\x7f\x85\ud800\ufffe", "d") == "楼道[31m堆物"
    assert clean_input("一\t二\r\n三", "d") == "一\t二\r\n三"


def test_text_with_nothing_visible_becomes_empty():
    for invisible in ("\u200b", "\u200c\u200d", " \u2060\ufeff\n", "\u3000", "\x01\u200b"):
        assert is_blank(invisible.replace("\x01", ""))
        assert clean_input(invisible, "d") == ""
    # Zero-width characters inside visible text stay (emoji and some scripts need them).
    assert clean_input("👨\u200d👩", "d") == "👨\u200d👩"


@pytest.mark.parametrize("raw", ["18446744073709551616", "-9223372036854775809", "1e3", "٣", "1_0"])
def test_integers_are_ascii_digits_within_64_bits(raw):
    with pytest.raises(Invalid) as err:
        parse_int(raw, "category")
    assert set(err.value.fields) == {"category"}


def test_integers_and_dates_that_fit_are_read():
    assert parse_int(" 9223372036854775807 ", "x") == 2**63 - 1
    assert parse_int("", "x") is None and parse_int(None, "x") is None
    assert parse_date("2026-03-02", "d") == dt.date(2026, 3, 2)
    assert parse_datetime("2026-03-02T08:30:00+08:00", "t").utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize("raw", ["0001-01-01", "9999-12-31", "0", "明天"])
def test_dates_outside_the_calendar_or_not_dates_are_refused(raw):
    with pytest.raises(Invalid):
        parse_date(raw, "from")
    with pytest.raises(Invalid):
        parse_datetime(f"{raw}T00:00:00+08:00", "start_date")
