"""The generic action form every case kind gets from the engine (/cases/<kind>/<id>/<action>/),
driven through the test client on the event kind."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pingan.events.choices import Status
from pingan.events.models import Event, EventTransition
from pingan.events.services import event_report


@pytest.fixture
def event(cast):
    lat, lng = cast.point_a1
    e, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="楼道堆放杂物",
        lat=lat,
        lng=lng,
    )
    return e


def url(event, action):
    return reverse("case_action", args=["events", event.pk, action])


def test_the_form_asks_for_the_rows_fields_and_the_public_reply(client, cast, event):
    client.force_login(cast.dispatcher)
    r = client.get(url(event, "reject"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="note"' in html
    assert 'name="public_reply"' in html
    assert "不予受理" in html
    assert "待受理" in html  # the state it is in


def test_a_valid_post_fires_the_engine_and_returns_to_the_case_page(client, cast, event):
    client.force_login(cast.dispatcher)
    r = client.post(
        url(event, "reject"), {"note": "不属本平台受理范围", "public_reply": "请拨打12345"}
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("event_detail", args=[event.pk])
    event.refresh_from_db()
    assert event.status == Status.REJECTED
    row = EventTransition.objects.get(event=event, action="reject")
    assert row.note == "不属本平台受理范围"
    assert row.public_reply == "请拨打12345"


def test_a_missing_field_reshows_the_form_with_the_reason_and_changes_nothing(client, cast, event):
    client.force_login(cast.dispatcher)
    r = client.post(url(event, "reject"), {"note": "", "public_reply": "稍后答复"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "请填写" in html
    assert "稍后答复" in html  # what was typed is kept
    assert Event.objects.get(pk=event.pk).status == Status.REPORTED
    assert not EventTransition.objects.filter(event=event, action="reject").exists()


def test_an_action_the_actor_may_not_fire_is_refused_on_the_page(client, cast, event):
    client.force_login(cast.gridworker)
    r = client.post(url(event, "accept"), {})
    assert r.status_code == 403
    assert "您当前不能执行此操作" in r.content.decode()
    assert Event.objects.get(pk=event.pk).status == Status.REPORTED


def test_out_of_scope_unknown_kind_and_unknown_action_are_404(client, cast, event):
    client.force_login(cast.dispatcher_b)
    assert client.get(url(event, "accept")).status_code == 404
    client.force_login(cast.dispatcher)
    assert (
        client.get(reverse("case_action", args=["nothing", event.pk, "accept"])).status_code == 404
    )
    assert client.get(url(event, "fly")).status_code == 404
