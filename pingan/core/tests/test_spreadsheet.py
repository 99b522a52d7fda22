"""The cell helper behind every CSV and Excel export (issue 16, findings 4 and 5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pingan.core.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "＝1+1", "＋1", "－1", "＠A"],
)
def test_text_that_a_spreadsheet_would_run_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


def test_control_characters_go_before_the_formula_check():
    assert safe_cell("\x01\x1b=1+1") == "'=1+1"
    assert safe_cell("a\x00b\x08c\x0bd\x0ce\x7ff\x85g\x9fh\ud800i\uffffj") == "abcdefghij"
    assert safe_cell("行一\t制表\r\n行二") == "行一\t制表\r\n行二"


def test_numbers_dates_and_signed_numbers_as_text_stay_as_they_are():
    now = dt.datetime(2026, 1, 2, 3, 4)
    values = [None, True, 0, -2, 1.5, Decimal("-3.20"), now, now.date(), "-5", "+3.5%", "-.5"]
    assert safe_row(values) == values
    assert safe_row(["城东社区", "'已加引号", "1+1"]) == ["城东社区", "'已加引号", "1+1"]
