"""The workflow table itself: complete, consistent, documented, and enforced by role."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from pingan.core.errors import Forbidden, NotFound
from pingan.events import workflow
from pingan.events.choices import Status
from pingan.events.models import EventTransition
from pingan.events.permissions import events_in_scope
from pingan.events.services import _HANDLERS, event_report, event_transition
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert

DOC = Path(settings.BASE_DIR) / "docs" / "workflow.md"


def test_docs_workflow_md_is_generated_from_the_table():
    out = StringIO()
    call_command("workflow_doc", stdout=out)
    assert DOC.exists(), "docs/workflow.md is missing: run `make workflow-doc`"
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/workflow.md is stale (pingan/events/workflow.py changed): run `make workflow-doc`"
    )


def test_doc_lists_every_row_and_state():
    out = StringIO()
    call_command("workflow_doc", stdout=out)
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


def test_every_action_has_a_handler_and_every_handler_an_action():
    assert set(workflow.ACTIONS) == set(_HANDLERS)


# ---- every action × every role not in its row is refused ------------------------------


@pytest.fixture
def people(cast):
    """One user per role, all scoped over town A where the events are."""

    def admin(username: str, role: str):
        u = user_upsert(username=username, name=username, password=cast.password)
        membership_grant(user=u, role=role)
        return u

    return {
        Role.GRID_WORKER: cast.gridworker,
        Role.GRID_LEADER: cast.gridleader,
        Role.DISPATCHER: cast.dispatcher,
        Role.HANDLER: cast.handler,
        Role.LEADER: cast.leader,
        Role.SYS_ADMIN: cast.sysadmin,
        Role.SEC_ADMIN: admin("secadmin", Role.SEC_ADMIN),
        Role.AUDIT_ADMIN: admin("auditadmin", Role.AUDIT_ADMIN),
    }


def _events_by_state(cast):
    """One event in each reachable non-terminal state, built through the services.

    The accepted one went to the police and came back, so the police handler can see it.
    `closed_on_site` was never dispatched (the `undispatched` reopen variant).
    """
    lat, lng = cast.point_a1

    def report():
        e, _ = event_report(
            user=cast.gridworker,
            category=cast.neighbour.pk,
            description="楼道堆放杂物",
            lat=lat,
            lng=lng,
        )
        return e

    def fire(e, user, action, **payload):
        return event_transition(user=user, event_id=e.pk, action=action, payload=payload)

    out = {"reported": report()}
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    out["accepted"] = fire(e, cast.handler, "return", note="不属本部门职责")
    e = fire(report(), cast.dispatcher, "accept")
    out["dispatched"] = fire(
        e,
        cast.dispatcher,
        "dispatch",
        lead_department=cast.police.pk,
        assisting_departments=[cast.market.pk],
    )
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    out["in_progress"] = fire(e, cast.handler, "acknowledge")
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    e = fire(e, cast.handler, "acknowledge")
    out["resolved"] = fire(e, cast.handler, "resolve", result="已调解")
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    e = fire(e, cast.handler, "acknowledge")
    e = fire(e, cast.handler, "resolve", result="已调解")
    out["closed"] = fire(e, cast.gridworker, "verify", passed=True)
    out["closed_on_site"] = fire(report(), cast.gridworker, "resolve_on_site", result="已劝解")
    return out


# States tried in this order: the earliest in which most roles can see the event.
_PREFERENCE = ["accepted", "dispatched", "in_progress", "resolved", "closed", "reported"]


def _event_for(row, events):
    if row.action == "reopen":
        return events["closed" if row.variant == "dispatched" else "closed_on_site"]
    if row.action == "escalate":
        return events["dispatched" if row.variant == "handling" else "accepted"]
    for state in _PREFERENCE:
        if state in row.sources:
            return events[state]
    raise AssertionError(f"no event built for {row.action}")


def test_a_role_not_in_the_row_is_refused(cast, people):
    events = _events_by_state(cast)
    snapshot = {
        e.pk: (e.status, EventTransition.objects.filter(event=e).count()) for e in events.values()
    }
    wrong: list[str] = []
    forbidden = 0
    for row in workflow.TABLE:
        event = _event_for(row, events)
        assert event.status in row.sources
        payload = {"passed": row.variant == "passed"} if row.action == "verify" else {}
        for role, user in people.items():
            if role in row.roles:
                continue
            sees = events_in_scope(user).filter(pk=event.pk).exists()
            expected = Forbidden if sees else NotFound
            try:
                event_transition(user=user, event_id=event.pk, action=row.action, payload=payload)
            except expected:
                forbidden += sees
                continue
            except Exception as exc:  # noqa: BLE001 - report every wrong answer at once
                wrong.append(f"{row.action}/{row.variant} as {role}: {type(exc).__name__} {exc}")
            else:
                wrong.append(f"{row.action}/{row.variant} as {role}: allowed")
    assert not wrong, "\n".join(wrong)
    # Most refusals are real 403s by role, not 404s by scope.
    assert forbidden >= len(workflow.TABLE) * 2
    for e in events.values():
        e.refresh_from_db()
        assert (e.status, EventTransition.objects.filter(event=e).count()) == snapshot[e.pk]
