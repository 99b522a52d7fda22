"""What the registers' API modules (registry.py, places.py, places_cameras.py) share: the
PATCH schema made from the create schema (one declaration of the editable fields) and
the paging of a list (422 for a bad page)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import create_model

from pingan.core.errors import invalid

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


def patch_of(
    schema: type[Schema], *, only: Iterable[str] | None = None, drop: Iterable[str] = ()
) -> Any:
    """The PATCH form of a create schema: its fields (`only` those, or without `drop`),
    each optional and null by default, undocumented (absent is unchanged). Subclass it to
    name it and to add the fields only a change has."""
    keep = list(only) if only is not None else list(schema.model_fields)
    fields: dict[str, Any] = {}
    for name in keep:
        if name not in set(drop):
            annotation: Any = schema.model_fields[name].annotation
            fields[name] = (annotation | None, None)
    return create_model(f"{schema.__name__}Partial", __base__=Schema, **fields)


def page_bounds(page: int, page_size: int) -> tuple[int, int]:
    """The slice of a list's page; 422 naming `page` or `page_size` when out of range."""
    if page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    start = (page - 1) * page_size
    return start, start + page_size


def page_of(
    qs: Any,
    page: int,
    page_size: int,
    shape: Callable[[list[Any]], list[Any]],
    count: Callable[[Any], dict[str, Any]] = lambda qs: {"count": qs.count()},
) -> dict[str, Any]:
    """One page of `qs` as {items, count, page, page_size}: `shape` turns the page's rows
    into its items, `count` gives the count (and what goes with it)."""
    start, end = page_bounds(page, page_size)
    return {
        "items": shape(list(qs[start:end])),
        **count(qs),
        "page": page,
        "page_size": page_size,
    }


def each(shape: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    """A page's shape that shapes every row alike."""
    return lambda rows: [shape(row) for row in rows]
