"""The workflow table itself: complete, consistent, documented, and enforced by role."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from pingan.cases.table import no_effect
from pingan.events import workflow
from pingan.events.choices import Status
from pingan.org.choices import Role

DOC = Path(settings.BASE_DIR) / "docs" / "workflow.md"


def test_docs_workflow_md_is_generated_from_the_table():
    out = StringIO()
    call_command("workflow_doc", "events", stdout=out)
    assert DOC.exists(), "docs/workflow.md is missing: run `make workflow-doc`"
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/workflow.md is stale (pingan/events/workflow.py changed): run `make workflow-doc`"
    )


def test_doc_lists_every_row_and_state():
    out = StringIO()
    call_command("workflow_doc", "events", stdout=out)
    text = out.getvalue()
    assert "```mermaid\nstateDiagram-v2" in text
    for value, label in Status.choices:
        assert f"| `{value}` | {label} |" in text
    for row in workflow.TABLE:
        assert f"| `{row.action}` | {f'`{row.variant}`' if row.variant else '—'} | " in text


def test_timeline_labels_come_from_the_table_and_the_system_actions_only():
    # No app adds labels at start-up: risk alerts and imports are declared system actions.
    assert not set(workflow.SYSTEM_ACTIONS) & set(workflow.ACTIONS)
    assert set(workflow.ACTION_LABELS) == set(workflow.ACTIONS) | set(workflow.SYSTEM_ACTIONS)
    assert workflow.ACTION_LABELS["risk_alert"] == "风险预警"
    assert workflow.ACTION_LABELS["imported"] == "历史导入"


def test_every_state_is_reachable_from_reported():
    assert workflow.reachable_states() == set(Status.values)


def test_every_non_terminal_state_has_a_way_out():
    for state in set(Status.values) - workflow.TERMINAL:
        exits = [t for t in workflow.TABLE if state in t.sources and t.target not in (None, state)]
        assert exits, f"state {state} has no transition out of it"


def test_terminal_states_allow_no_action():
    for t in workflow.TABLE:
        assert not t.sources & workflow.TERMINAL, f"{t.action} fires from a terminal state"


def test_every_role_scope_and_clock_named_in_the_table_exists():
    for t in workflow.TABLE:
        assert t.who, f"{t.action} names nobody"
        for role, scope in t.who:
            assert role in Role.values, f"{t.action}: unknown role {role}"
            assert scope in workflow.SCOPES, f"{t.action}: unknown scope {scope}"
        assert t.clock in workflow.CLOCKS, f"{t.action}: unknown clock {t.clock}"
        assert t.sources <= set(Status.values), f"{t.action}: unknown source state"
        assert t.target is None or t.target in Status.values, f"{t.action}: unknown target"
        assert t.label.strip(), f"{t.action} has no label"


def test_action_and_variant_pick_exactly_one_row():
    keys = [(t.action, t.variant) for t in workflow.TABLE]
    assert len(keys) == len(set(keys))
    for action, variant in keys:
        assert workflow.find(action, variant) is not None


def test_every_row_has_its_own_effect():
    # Each row is declared with the function that does its work, beside it; none falls
    # back to the engine's do-nothing effect.
    assert workflow.TABLE
    for row in workflow.TABLE:
        assert row.effect is not no_effect, row.action
        assert callable(row.effect)
