"""The third-party data folder (`shared/data/`: real citizen messages, the Open311 spec),
kept beside the checkout rather than committed. Tests and benchmarks find it through the
one setting PINGAN_SHARED_DIR; nothing at run time reads it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def shared_file(relative: str | Path) -> Path:
    """A file of the shared folder (settings.PINGAN_SHARED_DIR). FileNotFoundError names
    what is missing and where it was looked for."""
    root = Path(settings.PINGAN_SHARED_DIR)
    path = root / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative} not found in {root} (set PINGAN_SHARED_DIR to the shared folder)"
        )
    return path
