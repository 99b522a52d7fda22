"""The 待派遣 tab (accepted, not yet dispatched): each row says how long it has waited
since its acceptance, and the queue's orders count from then."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from pingan.core import clock
from pingan.events import queue
from pingan.events.choices import Urgency
from pingan.events.services import event_report, event_transition

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)  # a Monday, a working day
HTMX = {"HTTP_HX_REQUEST": "true"}


def report_at(cast, when, description, urgency=Urgency.NORMAL):
    with clock.frozen(when):
        return event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description=description,
            lat=cast.point_a1[0],
            lng=cast.point_a1[1],
            urgency=urgency,
        )[0]


def accept_at(cast, event, when):
    with clock.frozen(when):
        return event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept")


def rows(html: str) -> dict[int, str]:
    """Each row of the table by event id."""
    found = re.findall(r'<tr class="urgency-\w+" data-event="(\d+)"[^>]*>(.*?)</tr>', html, re.S)
    return {int(pk): body for pk, body in found}


@pytest.fixture
def accepted(cast):
    """Reported early, accepted late (wait 1 h at noon) and reported late, accepted early
    (wait 2 h at noon)."""
    early = report_at(cast, MON, "老旧小区路灯不亮")
    late = report_at(cast, MON + dt.timedelta(minutes=30), "噪音扰民")
    accept_at(cast, late, MON + dt.timedelta(hours=1))
    accept_at(cast, early, MON + dt.timedelta(hours=2))
    return {"early": early, "late": late}


NOON = MON + dt.timedelta(hours=3)


def test_the_dispatch_tab_shows_the_wait_since_acceptance(client, cast, accepted):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        html = client.get(reverse("workbench"), {"tab": "accepted"}).content.decode()
    by_id = rows(html)
    early, late = by_id[accepted["early"].pk], by_id[accepted["late"].pk]
    # Since acceptance (1 h and 2 h), not since the report (3 h and 2.5 h); no 「—」.
    assert "已等待 1 小时" in early and "已等待 2 小时" in late
    assert 'class="col-waiting">—' not in html
    # No acceptance light: it has been accepted.
    assert "data-accept=" not in html


def test_the_dispatch_tab_orders_by_the_wait_since_acceptance(client, cast, accepted):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        default = client.get(reverse("workbench"), {"section": "queue", "tab": "accepted"}, **HTMX)
        newest = client.get(
            reverse("workbench"),
            {"section": "queue", "tab": "accepted", "sort": "-waiting"},
            **HTMX,
        )
    # Same urgency: the one waiting longest for its dispatch first (accepted first), not
    # the one reported first.
    assert list(rows(default.content.decode())) == [accepted["late"].pk, accepted["early"].pk]
    assert list(rows(newest.content.decode())) == [accepted["early"].pk, accepted["late"].pk]


def test_the_event_list_of_accepted_matters_shows_the_same_wait(client, cast, accepted):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        html = client.get(reverse("event_list"), {"status": "accepted"}).content.decode()
    assert "已等待 1 小时" in rows(html)[accepted["early"].pk]


def test_waiting_dispatch_counts_from_acceptance(cast, accepted):
    early = accepted["early"]
    early.refresh_from_db()
    wait = queue.waiting_dispatch(early, NOON + dt.timedelta(minutes=5))
    assert wait is not None and wait.minutes == 65 and wait.due_at is None
    assert wait.text == "已等待 1 小时"


# ---- the event list's keyboard accept (queue-keys.js) -------------------------------------


def test_the_list_of_waiting_matters_offers_the_keyboard_accept(client, cast):
    report_at(cast, MON, "老旧小区路灯不亮")
    client.force_login(cast.dispatcher)
    waiting = client.get(reverse("event_list"), {"status": "reported"}).content.decode()
    everything = client.get(reverse("event_list")).content.decode()
    assert f'data-accept-url="{reverse("bulk_accept")}"' in waiting
    assert 'data-testid="kbd-help"' in waiting and "web/js/queue-keys.js" in waiting
    assert "data-accept-url" not in everything


def test_an_accept_from_the_list_answers_what_happened_only(client, cast):
    event = report_at(cast, MON, "老旧小区路灯不亮")
    other_town = report_at(cast, MON, "噪音扰民")
    other_town.queue_region = cast.town_b
    other_town.save(update_fields=["queue_region"])
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        r = client.post(
            reverse("bulk_accept"), {"ids": [event.pk, other_town.pk], "from": "list"}, **HTMX
        )
    html = r.content.decode()
    # The report of what was done (not the workbench's queue): the list redraws itself.
    assert r.status_code == 200 and 'data-testid="bulk-result"' in html
    assert 'id="queue"' not in html and r["HX-Trigger"] == "events-changed"
    assert f"已受理 1 件：{event.code}" in html and "1 件未受理" in html
    event.refresh_from_db()
    assert event.status == "accepted"
