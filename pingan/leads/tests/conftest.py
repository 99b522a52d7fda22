from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _default_rules(db: Any) -> None:
    """The default risk rules score the posts (restored after a flush elsewhere)."""
    from pingan.triage.services import alert_rules_install_defaults

    alert_rules_install_defaults()
