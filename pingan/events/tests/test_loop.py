"""The closed loop through the services, as each role would drive it."""

from __future__ import annotations

import pytest

from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.events.choices import AssignmentStatus, Status
from pingan.events.models import Event, EventTransition
from pingan.events.services import event_report, event_transition


def report(cast, **kw):
    lat, lng = cast.point_a1
    args = dict(
        actor=kw.pop("user", cast.gridworker),
        category=cast.neighbour.pk,
        description="城东小区3幢楼道堆放杂物，邻居争吵",
        lat=lat,
        lng=lng,
    )
    args.update(kw)
    return event_report(**args)[0]


def test_report_finds_grid_from_coordinates_and_queues_at_town(cast):
    event = report(cast)
    assert event.region_id == cast.grid_a1.pk
    assert event.queue_region_id == cast.town_a.pk
    assert event.status == Status.REPORTED
    assert event.code.startswith("330424-")
    assert event.timeline.get().action == "report"


def test_full_loop_with_joint_handling(cast):
    e = report(cast)
    e = event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    e = event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="dispatch",
        payload={"lead_department": cast.police.pk, "assisting_departments": [cast.market.pk]},
    )
    assert e.status == Status.DISPATCHED and e.due_at and e.ack_due_at
    # The assisting department acknowledges: its assignment moves, the event does not.
    e = event_transition(actor=cast.handler_market, event_id=e.pk, action="acknowledge")
    assert e.status == Status.DISPATCHED
    e = event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    assert e.status == Status.IN_PROGRESS and e.ack_due_at is None
    e = event_transition(
        actor=cast.handler_market, event_id=e.pk, action="resolve", payload={"result": "已协助核实"}
    )
    assert e.status == Status.IN_PROGRESS
    e = event_transition(
        actor=cast.handler,
        event_id=e.pk,
        action="resolve",
        payload={"result": "已调解，双方和解", "resolution": "resolved"},
    )
    assert e.status == Status.RESOLVED
    e = event_transition(
        actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
    )
    assert e.status == Status.CLOSED and e.closed_at
    e = event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="follow_up",
        payload={"satisfaction": "satisfied"},
    )
    assert e.satisfaction == "satisfied"
    actions = list(e.timeline.values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "dispatch",
        "acknowledge",
        "acknowledge",
        "resolve",
        "resolve",
        "verify",
        "follow_up",
    ]
    statuses = dict(e.assignments.values_list("department_id", "status"))
    assert statuses == {
        cast.police.pk: AssignmentStatus.RESOLVED,
        cast.market.pk: AssignmentStatus.RESOLVED,
    }


def test_other_town_dispatcher_gets_not_found(cast):
    e = report(cast)
    with pytest.raises(NotFound):
        event_transition(actor=cast.dispatcher_b, event_id=e.pk, action="accept")


def test_handler_cannot_accept(cast):
    e = report(cast)
    with pytest.raises((Forbidden, NotFound)):
        event_transition(actor=cast.handler, event_id=e.pk, action="accept")


def test_impossible_transition_is_conflict_and_changes_nothing(cast):
    e = report(cast)
    with pytest.raises(Conflict):
        event_transition(
            actor=cast.dispatcher,
            event_id=e.pk,
            action="dispatch",
            payload={"lead_department": cast.police.pk},
        )
    e.refresh_from_db()
    assert e.status == Status.REPORTED
    assert EventTransition.objects.filter(event=e).count() == 1


def test_invalid_fields_write_nothing(cast):
    e = report(cast)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    with pytest.raises(Invalid) as err:
        event_transition(
            actor=cast.dispatcher,
            event_id=e.pk,
            action="dispatch",
            payload={"lead_department": 999999},
        )
    assert "lead_department" in err.value.fields
    assert Event.objects.get(pk=e.pk).status == Status.ACCEPTED


def test_a_transition_writes_only_the_columns_it_changed(cast):
    """The reporter's encrypted phone and address are not encrypted again by a dispatch
    (a new ciphertext each time), and a column another statement of the transaction wrote
    is not put back to the value read before it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    e = report(cast, reporter_phone="13800138000", address="城东小区3幢")
    e = event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")

    def stored():
        with connection.cursor() as c:
            c.execute(
                "SELECT reporter_phone, address, title FROM events_event WHERE id = %s", [e.pk]
            )
            return c.fetchone()

    before = stored()
    with CaptureQueriesContext(connection) as queries:
        e = event_transition(
            actor=cast.dispatcher,
            event_id=e.pk,
            action="dispatch",
            payload={"lead_department": cast.police.pk},
        )
    assert stored() == before  # the ciphertexts and the title untouched
    update = next(q["sql"] for q in queries if q["sql"].startswith('UPDATE "events_event"'))
    written = update.split(" WHERE ", 1)[0]
    assert '"status"' in written and '"due_at"' in written and '"updated_at"' in written
    assert '"reporter_phone"' not in written and '"description"' not in written
    fresh = Event.objects.get(pk=e.pk)
    assert fresh.status == Status.DISPATCHED and fresh.lead_department_id == cast.police.pk
    assert fresh.reporter_phone == "13800138000" and fresh.due_at == e.due_at
