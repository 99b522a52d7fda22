"""The shared third-party data folder (`shared/data/`: real messages, the Open311 spec),
kept beside the checkout rather than committed. Tests and benchmarks find it here."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def shared_file(relative: str | Path) -> Path:
    """A file of the shared folder: $PINGAN_SHARED_DIR first, then a `shared/` folder beside
    the repository or one of its parents, then /work/shared (this workplace's machines,
    whatever the checkout's location, as in CI). FileNotFoundError names what is missing."""
    env = os.environ.get("PINGAN_SHARED_DIR")
    roots = [Path(env)] if env else []
    base = Path(settings.BASE_DIR).resolve()
    roots += [p / "shared" for p in [base, *base.parents]]
    roots.append(Path("/work/shared"))
    for root in roots:
        if (root / relative).is_file():
            return root / relative
    raise FileNotFoundError(f"shared/{relative} not found (set PINGAN_SHARED_DIR)")
