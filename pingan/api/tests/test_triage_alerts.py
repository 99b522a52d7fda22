"""The risk alert's 属实 / 误报 verdict over the API: the page's permission (leaders and
dispatchers who see the event), 422 naming `verdict` for anything else, audited."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.api.tests.helpers import error_of
from pingan.core import clock
from pingan.core.models import AuditEntry
from pingan.events.services import event_report
from pingan.triage.models import Alert
from pingan.triage.services import alert_rules_install_defaults

NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def alerted(cast, django_capture_on_commit_callbacks):
    """An event in town A whose words raise a risk alert (the default 极端言行 rule).
    The default rules are installed here: a transactional test earlier in the same worker
    may have flushed the ones the migration made."""
    alert_rules_install_defaults()
    lat, lng = cast.point_a1
    with clock.frozen(NOW), django_capture_on_commit_callbacks(execute=True):
        event, _ = event_report(
            actor=cast.gridleader,
            category=cast.neighbour.pk,
            description="有人扬言要从楼上跳下去",
            lat=lat,
            lng=lng,
            reported_at=NOW,
        )
    return Alert.objects.get(event=event)


def url(alert):
    return f"/alerts/{alert.pk}/verdict"


def test_a_dispatcher_marks_an_alert_confirmed_and_it_is_audited(api_as, cast, alerted):
    r = api_as(cast.dispatcher).post(url(alerted), {"verdict": "confirmed"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id"] == alerted.pk and body["event"] == alerted.event_id
    assert body["verdict"] == "confirmed" and body["verdict_label"] == "属实"
    alerted.refresh_from_db()
    assert alerted.verdict == "confirmed" and alerted.verdict_by == cast.dispatcher
    entry = AuditEntry.objects.get(action="triage.alert_verdict")
    assert entry.actor == cast.dispatcher and entry.object_id == str(alerted.event_id)
    assert entry.detail["verdict"] == "confirmed" and entry.detail["alert"] == alerted.pk


def test_a_second_verdict_replaces_the_first(api_as, cast, alerted):
    api_as(cast.dispatcher).post(url(alerted), {"verdict": "confirmed"})
    r = api_as(cast.leader).post(url(alerted), {"verdict": "false_alarm"})
    assert r.status_code == 200 and r.json()["verdict_label"] == "误报"
    alerted.refresh_from_db()
    assert alerted.verdict == "false_alarm" and alerted.verdict_by == cast.leader


def test_a_bad_verdict_is_422_naming_the_field_and_changes_nothing(api_as, cast, alerted):
    r = api_as(cast.dispatcher).post(url(alerted), {"verdict": "maybe"})
    assert r.status_code == 422
    error = error_of(r)
    assert "verdict" in error["fields"] and "属实" in error["fields"]["verdict"]
    missing = api_as(cast.dispatcher).post(url(alerted), {})
    assert missing.status_code == 422 and "verdict" in error_of(missing)["fields"]
    alerted.refresh_from_db()
    assert (
        alerted.verdict == ""
        and not AuditEntry.objects.filter(action="triage.alert_verdict").exists()
    )


def test_who_may_give_a_verdict_is_the_pages_rule(api_as, cast, alerted):
    # The other town's dispatcher does not see the event: 404, as for a missing alert.
    assert api_as(cast.dispatcher_b).post(url(alerted), {"verdict": "confirmed"}).status_code == 404
    missing = api_as(cast.dispatcher).post("/alerts/999999/verdict", {"verdict": "confirmed"})
    assert missing.status_code == 404
    # The reporter sees the event but does not triage; a handler does not see it.
    forbidden = api_as(cast.gridleader).post(url(alerted), {"verdict": "confirmed"})
    assert forbidden.status_code == 403 and error_of(forbidden)["code"] == "forbidden"
    assert api_as(None).post(url(alerted), {"verdict": "confirmed"}).status_code == 401
    alerted.refresh_from_db()
    assert alerted.verdict == ""


def test_an_events_alerts_are_listed_to_whoever_sees_the_event(api_as, cast, alerted):
    r = api_as(cast.gridleader).get(f"/events/{alerted.event_id}/alerts")
    assert r.status_code == 200
    (row,) = r.json()
    assert row["id"] == alerted.pk and row["verdict"] == "" and row["verdict_label"] == ""
    assert row["matched"] == alerted.matched
    # Not theirs: 404, as for the event itself.
    assert api_as(cast.dispatcher_b).get(f"/events/{alerted.event_id}/alerts").status_code == 404
