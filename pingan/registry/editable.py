"""One declaration of a register's editable fields serves its create and its update
(PATCH): `values_of(cleaners, data, partial=...)` validates the fields of `data` in the
declared order (the first refused one is the 422): every declared field when creating
(an absent one as None, for its cleaner's default; with `always`, those and the ones
given), only the given ones when updating. The registry's and the places' services use it.

A cleaner takes the value sent and returns the model's values it stands for (an ID
number stands for the number, its blind index, the sex and the birth date)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.translation import gettext

from pingan.core.errors import invalid

Cleaner = Callable[[Any], dict[str, Any]]


def reject_unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """422 naming the first field (alphabetically) that may not be changed."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise invalid(sorted(unknown)[0], gettext("不能修改此字段"))


def values_of(
    cleaners: Mapping[str, Cleaner],
    data: Mapping[str, Any],
    *,
    partial: bool,
    always: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The model's values for `data`, validated field by field in the declared order:
    when `partial`, only the fields given; when creating, every declared field, or with
    `always` those and the ones given (the model's defaults stand for the others)."""
    wanted = None if always is None else set(always)
    out: dict[str, Any] = {}
    for name, clean in cleaners.items():
        if name not in data and (partial or (wanted is not None and name not in wanted)):
            continue
        out.update(clean(data.get(name)))
    return out


def field(name: str, clean: Callable[[Any], Any]) -> Cleaner:
    """A cleaner for a field that stands for one model value of the same name."""
    return lambda value: {name: clean(value)}
