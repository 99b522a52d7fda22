"""The one source of "now" for domain code.

Services call `clock.now()` rather than `timezone.now()` so that the demo generator can
replay a year of work at the times it happened, and tests can stand at a chosen moment.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from django.utils import timezone

_local = threading.local()


def now() -> dt.datetime:
    """The current moment, or the moment set by `frozen` in this thread."""
    fixed = getattr(_local, "at", None)
    return fixed if fixed is not None else timezone.now()


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Within the block, `now()` returns `at` (timezone-aware) in this thread."""
    if timezone.is_naive(at):
        raise ValueError("frozen() needs an aware datetime")
    previous = getattr(_local, "at", None)
    _local.at = at
    try:
        yield
    finally:
        _local.at = previous
