"""The one rule for text that comes in (docs/security.md, "Input").

Every text a request brings passes `clean_input` once, where it enters: each value the API
validated (`pingan.api.v1.inputs`) and each query-string and form value of the pages, the
citizen page and Open311 (`pingan.core.inputs.InputMiddleware`).

- NUL (U+0000) is refused: 422 naming the field. PostgreSQL cannot store it in text while
  SQLite can; refusing it where it enters makes both databases answer alike.
- Every other control character (C0 but tab, line feed and carriage return; DEL; C1), lone
  surrogates and the non-characters U+FFFE and U+FFFF are dropped: the set the exports
  drop too (`pingan.core.spreadsheet.strip_controls`). A pasted escape sequence loses its
  ESC; a lone surrogate from JSON (`"\\ud800"`), which no database can encode, goes.
- Text with nothing visible in it, only white space and zero-width characters (U+200B to
  U+200D, U+2060, U+FEFF), becomes "": every check that requires a text then refuses it as
  it refuses an empty field. Zero-width characters inside visible text stay (emoji and
  some scripts need the joiners).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

from pingan.core.errors import invalid
from pingan.core.spreadsheet import strip_controls

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[\\s{ZERO_WIDTH}]*")


def is_blank(text: str) -> bool:
    """Whether `text` shows nothing: empty, or only white space and zero-width characters."""
    return _INVISIBLE.fullmatch(text) is not None


def clean_input(text: str, field: str) -> str:
    """`text` as it may be kept: NUL refused (Invalid naming `field`), other control
    characters dropped, "" when nothing visible is left."""
    if "\x00" in text:
        raise invalid(field, gettext("不能包含空字符（NUL）"))
    text = strip_controls(text)
    return "" if is_blank(text) else text
