"""Every value the API takes, checked once after ninja validated it and before the
endpoint runs: `install` puts `checked` on every operation of the API (ninja's
`add_decorator`), so the rule holds for each schema and parameter, present and future,
without each endpoint repeating it (docs/security.md, "Input").

- Integers fit the database's 64-bit integer (`pingan.core.params.check_int`): a larger id
  is one no row can have, 422 naming the field instead of a 500 from SQLite.
- Numbers are finite: NaN and infinity (which Python's JSON reads) are refused.
- Dates and times lie in `params.FIRST_DAY`..`params.LAST_DAY` and were written as dates:
  pydantic reads `0`, `"0"` or `5.6e-191` as a Unix time (1970-01-01), which the schema
  (`format: date`, `date-time`) does not allow.
- Text passes `pingan.core.text.clean_input`: NUL refused, other control characters
  dropped, invisible text emptied (so a required text of zero-width spaces is refused by
  the check that requires it).

A refusal is `Invalid` naming the field as the client wrote it (its alias, without the
name of the schema parameter), which `errors.py` answers with 422.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext
from pydantic import BaseModel

from pingan.core import params
from pingan.core.errors import invalid
from pingan.core.text import clean_input

if TYPE_CHECKING:
    from ninja import NinjaAPI

_WRITTEN_AS_DATE = re.compile(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MISSING = object()


class _Raw:
    """What the client sent, to tell how a date was written: the query string, the form
    fields and the JSON body (parsed on first need)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self._body: Any = _MISSING

    def body(self) -> Any:
        if self._body is _MISSING:
            self._body = None
            if self.request.content_type == "application/json":
                with contextlib.suppress(ValueError):
                    self._body = json.loads(self.request.body)
        return self._body

    def values(self, path: tuple[str, ...]) -> list[Any]:
        found: list[Any] = list(self.request.GET.getlist(path[-1]))
        if self.request.method == "POST":
            found += self.request.POST.getlist(path[-1])
        node = self.body()
        for part in path:
            index = int(part) if part.isascii() and part.isdigit() else -1
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and 0 <= index < len(node):
                node = node[index]
            else:
                return found
        return [*found, node]


def _name(path: tuple[str, ...]) -> str:
    return ".".join(path) or "body"


def _check_day(value: dt.date, path: tuple[str, ...], raw: _Raw) -> dt.date:
    field = _name(path)
    for written in raw.values(path):
        if not (isinstance(written, str) and _WRITTEN_AS_DATE.match(written)):
            if isinstance(value, dt.datetime):
                reason = gettext("时间格式应为 ISO 8601，如 2026-01-01T08:30:00+08:00")
            else:
                reason = gettext("日期格式应为 YYYY-MM-DD")
            raise invalid(field, reason)
    return params.check_day(value, field)


def _check(value: Any, path: tuple[str, ...], raw: _Raw) -> Any:
    """`value` as the endpoint may use it; Invalid naming the field otherwise."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return params.check_int(value, _name(path))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise invalid(_name(path), gettext("应为数字"))
        return value
    if isinstance(value, str):
        cleaned = clean_input(value, _name(path))
        return value if cleaned == value else cleaned  # an enum member stays one
    if isinstance(value, dt.date):
        return _check_day(value, path, raw)
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            field = (*path, info.alias or name)
            value.__dict__[name] = _check(value.__dict__.get(name), field, raw)
        if value.__pydantic_extra__:
            value.__pydantic_extra__ = _check(value.__pydantic_extra__, path, raw)
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = key
            if isinstance(key, str):
                name = clean_input(key, _name((*path, key.replace("\x00", ""))))
            out[name] = _check(item, (*path, str(name)), raw)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(_check(item, (*path, str(i)), raw) for i, item in enumerate(value))
    return value  # files, the response object


def checked(view: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint `view`, given only values that pass the rules above. A schema
    parameter (`payload`, `filters`) is not part of a field's name: its fields are the
    body's or the query string's own."""

    @functools.wraps(view)
    def run(request: HttpRequest, *args: Any, **values: Any) -> Any:
        raw = _Raw(request)
        for name, value in values.items():
            values[name] = _check(value, () if isinstance(value, BaseModel) else (name,), raw)
        return view(request, *args, **values)

    return run


def install(api: NinjaAPI) -> None:
    """Check every operation's input, and say in the schema which integers are taken."""
    api.add_decorator(checked, mode="operation")
    original = api.get_openapi_schema

    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        schema = original(*args, **kwargs)
        _bound_integers(schema)
        return schema

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]


def _bound_integers(node: Any) -> None:
    """Give every integer of the schema the 64-bit range it is checked against."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("minimum", params.INT_MIN)
            node.setdefault("maximum", params.INT_MAX)
        for item in node.values():
            _bound_integers(item)
    elif isinstance(node, list):
        for item in node:
            _bound_integers(item)
