"""Walking the ids of a queryset in ascending batches with a keyset cursor (the deadline
sweeps): rows another sweeper changes meanwhile simply drop out of the later batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet


def id_batches(qs: QuerySet[Any], size: int = 500) -> Iterator[list[int]]:
    """The primary keys of `qs`, ascending, `size` at a time."""
    last = 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]
