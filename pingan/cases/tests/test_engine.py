"""The case engine on its own: declarations checked when made, rows kept in the order
written, deadlines in working or natural time, the generic API endpoint, the document."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from ninja import NinjaAPI, Router
from ninja.testing import TestClient

from pingan.api.v1 import errors
from pingan.api.v1.cases import add_transition_route
from pingan.cases import deadlines
from pingan.cases.kind import get_kind, kinds
from pingan.cases.table import Outcome, Step, Workflow
from pingan.events.models import EventTransition
from pingan.events.services import event_report

STATES = [("new", "新建"), ("open", "办理中"), ("done", "已办结")]


def _workflow() -> Workflow:
    return Workflow(
        states=STATES,
        initial="new",
        open_states={"new", "open"},
        terminal={"done"},
        scopes={"region": "辖区"},
    )


def _noop(step: Step[Any]) -> Outcome:
    return Outcome()


def test_rows_keep_the_order_their_decorators_are_written_in():
    wf = _workflow()

    @wf.row("start", "开始", {"new"}, "open", (("dispatcher", "region"),), variant="a")
    @wf.row("start", "开始", {"new"}, "open", (("dispatcher", "region"),), variant="b")
    def start(step: Step[Any]) -> Outcome:
        return Outcome(note="started")

    wf.row("finish", "办结", {"open"}, "done", (("handler", "region"),))(_noop)

    assert [(r.action, r.variant) for r in wf.rows] == [
        ("start", "a"),
        ("start", "b"),
        ("finish", ""),
    ]
    assert wf.find("start", "b").effect is start
    assert wf.find("finish").effect is _noop
    assert wf.reachable_states() == {"new", "open", "done"}


@pytest.mark.parametrize(
    "declare",
    [
        lambda wf: wf.row("x", "X", {"nowhere"}, "open", (("dispatcher", "region"),)),
        lambda wf: wf.row("x", "X", {"new"}, "nowhere", (("dispatcher", "region"),)),
        lambda wf: wf.row("x", "X", {"new"}, "open", (("dispatcher", "galaxy"),)),
        lambda wf: wf.row("x", "X", {"new"}, "open", (("dispatcher", "region"),), clock="?"),
    ],
    ids=["source", "target", "scope", "clock"],
)
def test_a_row_naming_what_the_kind_does_not_have_is_refused_when_declared(declare):
    with pytest.raises(ValueError):
        declare(_workflow())(_noop)


def test_the_same_action_and_variant_cannot_be_declared_twice():
    wf = _workflow()
    wf.row("x", "X", {"new"}, "open", (("dispatcher", "region"),))(_noop)
    with pytest.raises(ValueError):
        wf.row("x", "X", {"open"}, "done", (("dispatcher", "region"),))(_noop)


# ---- deadlines --------------------------------------------------------------------------


def _at(y: int, m: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, h, mi))


def test_natural_hours_run_through_the_night_and_the_weekend(db):
    # `db`: the working calendar below reads its WorkdayOverride rows (a run of this test
    # alone has no other test to have warmed the calendar's cache).
    # Sunday 2026-03-08 09:08 (an ordinary weekend in chinese-calendar's 2026 table).
    sunday = _at(2026, 3, 8, 9, 8)
    assert deadlines.due(sunday, 2, "hours", natural=True) == _at(2026, 3, 8, 11, 8)
    assert deadlines.due(sunday, 1, "days", natural=True) == _at(2026, 3, 9, 9, 8)
    # The working calendar waits for Monday's office hours.
    working = deadlines.due(sunday, 2, "hours")
    assert timezone.localtime(working).date() == dt.date(2026, 3, 9)
    assert working > deadlines.due(sunday, 2, "hours", natural=True)


def test_natural_warning_is_the_same_fraction_of_clock_time(settings):
    settings.PINGAN_WARNING_FRACTION = 0.75
    start = _at(2026, 3, 8, 8, 0)
    due = deadlines.due(start, 4, "hours", natural=True)
    assert deadlines.warning_at(start, due, natural=True) == _at(2026, 3, 8, 11, 0)
    assert deadlines.add_days(due, 2, natural=True) == due + dt.timedelta(days=2)


def test_an_unknown_unit_is_an_error():
    with pytest.raises(ValueError):
        deadlines.due(_at(2026, 3, 9, 9), 1, "weeks")


# ---- the generic endpoint and the document ------------------------------------------------


@pytest.fixture
def client_for_events():
    """The generic endpoint mounted for the event kind on an API of its own."""
    api = NinjaAPI(urls_namespace="cases-test")
    errors.install(api)
    router = Router()
    add_transition_route(router, get_kind("events"))
    api.add_router("/", router)
    return TestClient(api)


def _reported(cast: Any) -> Any:
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker, category=cast.neighbour.pk, description="占道经营", lat=lat, lng=lng
    )
    return event


def test_the_generic_endpoint_fires_the_engine_and_answers_what_comes_next(cast, client_for_events):
    event = _reported(cast)
    r = client_for_events.post(
        f"/events/{event.pk}/transitions", json={"action": "accept"}, user=cast.dispatcher
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "accepted"
    assert body["state_label"] == "已受理"
    assert "dispatch" in [a["action"] for a in body["allowed_actions"]]
    assert EventTransition.objects.filter(event=event, action="accept").count() == 1


def test_the_generic_endpoint_answers_the_engines_codes_and_writes_nothing(cast, client_for_events):
    event = _reported(cast)
    url = f"/events/{event.pk}/transitions"
    # 403: a grid worker may not accept.
    r = client_for_events.post(url, json={"action": "accept"}, user=cast.gridworker)
    assert r.status_code == 403
    # 409: not from this state.
    r = client_for_events.post(url, json={"action": "verify", "passed": True}, user=cast.dispatcher)
    assert r.status_code == 409
    # 422: a required field missing, named.
    r = client_for_events.post(url, json={"action": "reject"}, user=cast.dispatcher)
    assert r.status_code == 422
    assert "note" in r.json()["error"]["fields"]
    # 404: out of scope is the same as missing.
    r = client_for_events.post(url, json={"action": "accept"}, user=cast.dispatcher_b)
    assert r.status_code == 404
    assert not EventTransition.objects.filter(event=event).exclude(action="report").exists()


def test_workflow_doc_prints_any_registered_kind_and_refuses_an_unknown_one():
    for kind in kinds():
        out = StringIO()
        call_command("workflow_doc", kind.name, stdout=out)
        text = out.getvalue()
        for row in kind.workflow.rows:
            assert f"| `{row.action}` |" in text
    with pytest.raises(CommandError):
        call_command("workflow_doc", "nothing", stdout=StringIO())


def test_the_generic_endpoint_passes_the_actions_own_fields_to_the_engine(cast, client_for_events):
    # `lead_department` is no field of the generic body: it must still reach the dispatch.
    event = _reported(cast)
    url = f"/events/{event.pk}/transitions"
    r = client_for_events.post(url, json={"action": "accept"}, user=cast.dispatcher)
    assert r.status_code == 200
    r = client_for_events.post(
        url,
        json={"action": "dispatch", "lead_department": cast.police.pk, "note": "派遣"},
        user=cast.dispatcher,
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "dispatched"
    event.refresh_from_db()
    assert event.lead_department == cast.police
