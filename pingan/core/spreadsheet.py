"""Cells for every CSV and Excel (.xlsx) export (docs/security.md, "Exports").

A record's text reaches a spreadsheet as it was typed, by anyone who may report (an
anonymous citizen, an Open311 client). Two things must not survive the trip:

- control characters: openpyxl refuses most of them (IllegalCharacterError, so one
  record broke the whole export with a 500) and they have no place in a table. Every C0
  and C1 control character, lone surrogate and non-character is dropped; tab, line feed
  and carriage return are kept.
- formulas (OWASP "CSV Injection"): text starting with `=`, `+`, `-`, `@`, a tab, a
  carriage return or a line feed (or the full-width `＝＋－＠` that Chinese input methods
  type) is opened by Excel and WPS as a formula. Such text gets a single quote in front,
  so the cell shows the text and never runs it. A signed number written as text ("-5",
  "+3.5%") is left as it is: a spreadsheet reads it as the number it is.

Numbers, dates, booleans and None are returned unchanged: they stay numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# C0 controls but \t \n \r; DEL and the C1 controls; lone surrogates; U+FFFE, U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
# A plain signed number (with an optional percent sign): safe to leave as it is.
_NUMBER = re.compile(r"[+-](\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
_PLAIN = (int, float, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta)


def strip_controls(text: str) -> str:
    """`text` without the characters no XML document (.xlsx, .docx) may hold."""
    return _CONTROL.sub("", text)


def safe_text(text: str) -> str:
    """`text` without control characters and, when it would be a formula, quoted."""
    text = strip_controls(text)
    if text and text[0] in FORMULA_START and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_cell(value: Any) -> Any:
    """One cell of an export: numbers, dates, booleans and None as they are; anything
    else as text through `safe_text` (lazy translations included)."""
    if value is None or isinstance(value, (bool, *_PLAIN)):
        return value
    return safe_text(value if isinstance(value, str) else str(value))


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of an export (`csv.writer.writerow`, `Worksheet.append`) through `safe_cell`."""
    return [safe_cell(v) for v in values]
