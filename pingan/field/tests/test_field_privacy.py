"""Issue 16, finding #1: the phone app's answers carry personal data masked for every role,
exactly as the event API does (`events.contact.contact_masked`); the full contact comes
only from `GET /events/{id}/contact`, for a role that may unmask, and every read of it
(and every refusal) leaves a `pii.unmask` audit row (docs/privacy.md)."""

from __future__ import annotations

import json
import uuid

import pytest

from pingan.api.tests.helpers import dispatched_to_police, report
from pingan.core.models import AuditEntry
from pingan.events.services import event_transition

pytestmark = pytest.mark.django_db

ADDRESS = "测试路88号3幢502室"
MASKED = "测试路88号****"
CONTACT = {"reporter_name": "张三丰", "reporter_phone": "13812345678", "address": ADDRESS}


def _clean(response) -> str:
    """The answer's text, checked to hold none of the personal data in full."""
    text = json.dumps(response.json(), ensure_ascii=False)
    for value in CONTACT.values():
        assert value not in text, text
    return text


def _unmasked_reads(event_id: int) -> int:
    return AuditEntry.objects.filter(
        action="pii.unmask", object_id=str(event_id), result="ok"
    ).count()


def _resolved(cast):
    e = dispatched_to_police(cast, **CONTACT)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    event_transition(actor=cast.handler, event_id=e.pk, action="resolve", payload={"result": "ok"})
    return e


def _contact_read(api_as, user, event_id: int, status: int) -> None:
    """The event API's reveal for `user`: full values and an `ok` row when allowed, a
    403 and a `denied` row when not."""
    r = api_as(user).get(f"/events/{event_id}/contact")
    assert r.status_code == status, r.content
    rows = AuditEntry.objects.filter(action="pii.unmask", actor=user, object_id=str(event_id))
    if status == 200:
        assert r.json() == CONTACT
        assert rows.filter(result="ok").count() == 1
    else:
        _clean(r)
        assert rows.filter(result="denied").count() == 1 and not rows.filter(result="ok")


def test_field_tasks_answer_the_address_masked(cast, api_as):
    e = _resolved(cast)
    for user in (cast.gridworker, cast.gridleader):
        r = api_as(user).get("/field/tasks")
        assert r.status_code == 200
        _clean(r)
        (task,) = [t for t in r.json() if t["event"]["id"] == e.pk]
        assert task["kind"] == "verify" and task["event"]["address"] == MASKED
    # The county leader has no grid tasks: the answer carries nothing of the event.
    r = api_as(cast.leader).get("/field/tasks")
    assert r.status_code == 200 and r.json() == []
    _clean(r)
    # Only the audited reveal of the event API shows more, to the roles it allows.
    assert _unmasked_reads(e.pk) == 0
    _contact_read(api_as, cast.gridworker, e.pk, 403)
    _contact_read(api_as, cast.leader, e.pk, 403)
    _contact_read(api_as, cast.dispatcher, e.pk, 200)


def test_field_my_reports_answer_the_address_masked(cast, api_as):
    e = report(cast, **CONTACT)
    r = api_as(cast.gridworker).get("/field/my-reports")
    assert r.status_code == 200
    _clean(r)
    assert [(i["id"], i["address"]) for i in r.json()] == [(e.pk, MASKED)]
    # The event API shows the reporter the same.
    assert api_as(cast.gridworker).get(f"/events/{e.pk}").json()["address"] == MASKED
    # A dispatcher's own report: masked too, although the dispatcher may reveal it.
    mine = report(cast, user=cast.dispatcher, **CONTACT)
    r = api_as(cast.dispatcher).get("/field/my-reports")
    _clean(r)
    assert [(i["id"], i["address"]) for i in r.json()] == [(mine.pk, MASKED)]
    r = api_as(cast.leader).get("/field/my-reports")
    assert r.status_code == 200 and r.json() == []
    assert _unmasked_reads(e.pk) == _unmasked_reads(mine.pk) == 0
    _contact_read(api_as, cast.gridworker, e.pk, 403)
    _contact_read(api_as, cast.dispatcher, mine.pk, 200)


@pytest.mark.parametrize("who", ["gridworker", "gridleader", "dispatcher"])
def test_field_report_answers_the_address_masked(cast, api_as, who):
    lat, lng = cast.point_a1
    body = {
        "client_uuid": str(uuid.uuid4()),
        "category": cast.neighbour.pk,
        "description": "楼道堆放杂物",
        "lat": lat,
        "lng": lng,
        "address": ADDRESS,
    }
    api = api_as(getattr(cast, who))
    first = api.post("/field/reports", body)
    again = api.post("/field/reports", body)  # the phone's retry: the same answer
    assert (first.status_code, again.status_code) == (201, 200), first.content
    for r in (first, again):
        _clean(r)
        assert r.json()["address"] == MASKED
    assert _unmasked_reads(first.json()["id"]) == 0


def test_field_report_by_the_leader_is_refused_and_says_nothing(cast, api_as):
    lat, lng = cast.point_a1
    body = {
        "client_uuid": str(uuid.uuid4()),
        "category": cast.neighbour.pk,
        "description": "楼道堆放杂物",
        "lat": lat,
        "lng": lng,
        "address": ADDRESS,
    }
    r = api_as(cast.leader).post("/field/reports", body)
    assert r.status_code == 403
    _clean(r)


def test_field_action_answers_the_address_masked(cast, api_as):
    """The probe's case: the county leader's comment through /field/actions answered the
    full address while /events/{id}/contact refused it."""
    e = report(cast, **CONTACT)
    for user in (cast.leader, cast.gridworker, cast.dispatcher):
        body = {
            "client_uuid": str(uuid.uuid4()),
            "event": e.pk,
            "action": "comment",
            "note": "请尽快处理",
        }
        first = api_as(user).post("/field/actions", body)
        again = api_as(user).post("/field/actions", body)
        assert (first.status_code, again.status_code) == (201, 200), first.content
        for r in (first, again):
            _clean(r)
            assert r.json()["address"] == MASKED
    assert _unmasked_reads(e.pk) == 0
    _contact_read(api_as, cast.leader, e.pk, 403)
    _contact_read(api_as, cast.gridworker, e.pk, 403)
    _contact_read(api_as, cast.dispatcher, e.pk, 200)
