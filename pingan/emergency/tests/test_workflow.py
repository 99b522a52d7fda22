"""The activation table itself: complete, consistent and documented."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from pingan.emergency import workflow
from pingan.emergency.choices import Status

DOC = Path(settings.BASE_DIR) / "docs" / "workflow-activation.md"


def test_docs_workflow_activation_md_is_generated_from_the_table():
    out = StringIO()
    call_command("workflow_doc", "activation", stdout=out)
    assert DOC.exists(), "docs/workflow-activation.md is missing"
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/workflow-activation.md is stale (pingan/emergency/workflow.py changed): run "
        "`manage.py workflow_doc activation > docs/workflow-activation.md`"
    )


def test_every_state_is_reachable_and_every_open_one_has_a_way_out():
    assert workflow.ACTIVATION.reachable_states() == set(Status.values)
    for state in set(Status.values) - workflow.TERMINAL:
        exits = [t for t in workflow.TABLE if state in t.sources and t.target not in (None, state)]
        assert exits, f"state {state} has no transition out of it"
    for t in workflow.TABLE:
        assert not t.sources & workflow.TERMINAL, f"{t.action} fires from a terminal state"
