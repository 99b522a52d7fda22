from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _model_dir(settings: Any, tmp_path: Any) -> None:
    """Each test trains into its own var/ so no model leaks between tests."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture(autouse=True)
def _fresh_neighbours() -> None:
    from pingan.triage import duplicates

    duplicates.invalidate()


@pytest.fixture(autouse=True)
def _default_rules(db: Any) -> None:
    """The default risk rules (a transactional test elsewhere may have flushed the rows
    the migration created)."""
    from pingan.triage.services import alert_rules_install_defaults

    alert_rules_install_defaults()
