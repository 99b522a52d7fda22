"""Muting (the demo generator replays history without notifying anyone): within `muted()`
(in this thread) no notification or delivery is created, and the events' announcements
stay in the writing process instead of going to the task worker, whose thread would not
know about the mute. `pingan.notifications.services` re-exports both."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_local = threading.local()


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Within the block (in this thread) no notification or delivery is created."""
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def is_muted() -> bool:
    """True inside `muted()` in this thread."""
    return getattr(_local, "depth", 0) > 0
