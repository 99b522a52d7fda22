from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from pingan.rectification import workflow
from pingan.rectification.choices import Status

DOC = Path(settings.BASE_DIR) / "docs" / "workflow-rectification.md"


def test_docs_workflow_rectification_md_is_generated_from_the_table():
    out = StringIO()
    call_command("workflow_doc", "rectification", stdout=out)
    assert DOC.exists(), "docs/workflow-rectification.md is missing"
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/workflow-rectification.md is stale (pingan/rectification/workflow.py changed): "
        "run `manage.py workflow_doc rectification > docs/workflow-rectification.md`"
    )


def test_every_state_is_reachable_and_every_open_one_has_a_way_out():
    wf = workflow.RECTIFICATION
    assert wf.reachable_states() == set(Status.values)
    for state in set(Status.values) - workflow.TERMINAL:
        exits = [t for t in workflow.TABLE if state in t.sources and t.target not in (None, state)]
        assert exits, f"state {state} has no transition out of it"
    for t in workflow.TABLE:
        assert not t.sources & workflow.TERMINAL, f"{t.action} fires from a terminal state"
