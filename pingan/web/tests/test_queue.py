"""The dispatcher's queue: urgent first then the longest waiting, the acceptance deadline
and its light, sortable columns, the keyboard help, and the live poll behind the badges
and the urgent alert."""

from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from pingan.conftest import on_postgres
from pingan.core import clock
from pingan.events import queue
from pingan.events.choices import Status, Urgency
from pingan.events.deadlines import binding_due
from pingan.events.services import event_report, event_transition

TZ = ZoneInfo("Asia/Shanghai")
# A Monday of 2026 (a working day) at 09:00 local time.
MON = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
HTMX = {"HTTP_HX_REQUEST": "true"}


def report_at(cast, when, urgency=Urgency.NORMAL, description="楼道堆放杂物，邻居争吵", town="a"):
    lat, lng = cast.point_a1 if town == "a" else cast.point_b1
    user = cast.gridworker if town == "a" else cast.gridworker_b
    with clock.frozen(when):
        return event_report(
            actor=user,
            category=cast.neighbour.pk,
            description=description,
            lat=lat,
            lng=lng,
            urgency=urgency,
        )[0]


def row_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr class="urgency-\w+" data-event="(\d+)"', html)]


@pytest.fixture
def morning(cast):
    """Four matters waiting at 12:00: two normal (3 h and 1 h), one urgent (2 h), one
    critical (20 min)."""
    return {
        "old_normal": report_at(cast, MON, description="老旧小区路灯不亮"),
        "urgent": report_at(cast, MON + dt.timedelta(hours=1), Urgency.URGENT, "天宁社区频繁停电"),
        "new_normal": report_at(cast, MON + dt.timedelta(hours=2), description="噪音扰民"),
        "critical": report_at(
            cast, MON + dt.timedelta(hours=2, minutes=40), Urgency.CRITICAL, "燃气管道泄漏"
        ),
    }


NOON = MON + dt.timedelta(hours=3)


def test_queue_is_critical_then_urgent_then_longest_waiting(client, cast, morning):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        html = client.get(reverse("workbench")).content.decode()
    m = morning
    expected = [m["critical"].pk, m["urgent"].pk, m["old_normal"].pk, m["new_normal"].pk]
    assert row_ids(html) == expected
    # Each row says how long it has waited, with its acceptance light.
    assert "已等待 20 分钟" in html and "已等待 2 小时" in html and "已等待 3 小时" in html
    assert 'data-accept="normal"' in html
    assert 'data-testid="kbd-help"' in html and "快捷键" in html


def test_the_event_list_of_waiting_matters_uses_the_same_order(client, cast, morning):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        html = client.get(reverse("event_list"), {"status": "reported"}).content.decode()
        everything = client.get(reverse("event_list")).content.decode()
    assert row_ids(html)[:2] == [morning["critical"].pk, morning["urgent"].pk]
    # Other lists stay newest first and offer no sorting.
    assert row_ids(everything)[0] == morning["critical"].pk
    assert 'class="sort-link"' not in everything and 'class="sort-link"' in html


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("waiting", "old_normal"),
        ("-waiting", "critical"),
        ("reported", "critical"),
        ("-reported", "old_normal"),
        ("-urgency", "old_normal"),
        ("region", "critical"),
        ("category", "critical"),
    ],
)
def test_a_header_click_sorts_the_queue(client, cast, morning, sort, first):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        html = client.get(reverse("workbench"), {"section": "queue", "sort": sort}, **HTMX)
    ids = row_ids(html.content.decode())
    assert html.status_code == 200 and ids[0] == morning[first].pk and len(ids) == 4


def test_a_sort_outside_the_list_is_refused_with_a_message(client, cast, morning):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        bench = client.get(reverse("workbench"), {"sort": "reporter_phone"}).content.decode()
        listed = client.get(
            reverse("event_list"), {"status": "reported", "sort": "id;drop"}
        ).content.decode()
    assert "排序：不支持的排序：reporter_phone" in bench and row_ids(bench) == []
    assert "不支持的排序" in listed and row_ids(listed) == []


def test_acceptance_deadline_counts_clock_hours_for_urgent_and_working_hours_for_normal(
    cast, morning
):
    m = morning
    assert queue.accept_due(m["urgent"]) == m["urgent"].reported_at + dt.timedelta(hours=2)
    assert queue.accept_due(m["critical"]) == m["critical"].reported_at + dt.timedelta(minutes=30)
    # 24 working hours from Monday 09:00 run into Thursday (7.5 office hours a day).
    due = queue.accept_due(m["old_normal"]).astimezone(TZ)
    assert due.weekday() == 3


def test_the_light_turns_yellow_then_red(cast, morning):
    critical = morning["critical"]
    at = critical.reported_at
    assert queue.waiting(critical, at + dt.timedelta(minutes=20)).state == "normal"
    # Yellow after PINGAN_WARNING_FRACTION (0.8) of the 30 minutes.
    assert queue.waiting(critical, at + dt.timedelta(minutes=25)).state == "warning"
    late = queue.waiting(critical, at + dt.timedelta(minutes=31))
    assert late.state == "overdue" and late.text == "已等待 31 分钟"
    assert queue.waiting(critical, at + dt.timedelta(days=3)).text == "已等待 3 天"


def test_acceptance_hours_are_a_setting(cast, morning, settings):
    settings.PINGAN_ACCEPT_HOURS = {"critical": 0.25, "urgent": 1, "normal": 8}
    urgent = morning["urgent"]
    assert queue.accept_due(urgent) == urgent.reported_at + dt.timedelta(hours=1)


def test_the_red_light_shows_on_the_page(client, cast, morning):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON + dt.timedelta(hours=1)):
        html = client.get(reverse("workbench")).content.decode()
    critical_row = html[html.index(f'data-event="{morning["critical"].pk}"') :]
    critical_row = critical_row[: critical_row.index("</tr>")]
    assert 'data-accept="overdue"' in critical_row and "badge-overdue" in critical_row


def _row(html: str, pk: int) -> str:
    row = html[html.index(f'data-event="{pk}"') :]
    return row[: row.index("</tr>")]


def test_a_row_writes_its_times_and_lights_in_local_time_in_either_language(client, cast, morning):
    """The table's labels, times and lights (`lists.dress_rows`): the report time and the
    acceptance deadline in the site's time zone, the urgency and status words, and the
    dispatched row's handling deadline; in English as in Chinese."""
    m = morning
    with clock.frozen(MON + dt.timedelta(hours=3)):
        event_transition(actor=cast.dispatcher, event_id=m["old_normal"].pk, action="accept")
        handled = event_transition(
            actor=cast.dispatcher,
            event_id=m["old_normal"].pk,
            action="dispatch",
            payload={"lead_department": cast.market.pk},
        )
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON + dt.timedelta(minutes=10)):
        zh = client.get(reverse("event_list")).content.decode()
        en = client.get(reverse("event_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    critical = _row(zh, m["critical"].pk)
    # Reported 11:40 local (03:40 UTC); accepted within 30 minutes: by 12:10, now overdue.
    assert '<time datetime="2026-03-02T11:40:00+08:00">2026-03-02 11:40</time>' in critical
    assert 'title="受理时限 2026-03-02 12:10"' in critical
    assert 'data-accept="overdue"' in critical and ">超期</span>" in critical
    assert "特急" in critical and "待受理" in critical and "已等待 30 分钟" in critical
    # Dispatched, not yet acknowledged: the light runs on the acknowledgement deadline.
    due = binding_due(handled)[1].astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    dispatched = _row(zh, m["old_normal"].pk)
    assert f'title="期限 {due}"' in dispatched and 'data-deadline="normal"' in dispatched
    assert ">正常</span>" in dispatched and "已派遣" in dispatched
    critical_en = _row(en, m["critical"].pk)
    assert 'title="Acceptance deadline 2026-03-02 12:10"' in critical_en
    assert ">Overdue</span>" in critical_en


def test_the_acceptance_queue_reads_no_assignments_and_other_lists_show_assisting_ones(
    client, cast, morning
):
    """Reported events were never dispatched: a page of them reads no assignment rows;
    a page with a dispatched event still names its assisting department (「+…」)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m = morning
    with clock.frozen(NOON):
        event_transition(actor=cast.dispatcher, event_id=m["old_normal"].pk, action="accept")
        event_transition(
            actor=cast.dispatcher,
            event_id=m["old_normal"].pk,
            action="dispatch",
            payload={"lead_department": cast.market.pk, "assisting_departments": [cast.housing.pk]},
        )
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON), CaptureQueriesContext(connection) as queue_reads:
        html = client.get(reverse("workbench")).content.decode()
    assert len(row_ids(html)) == 3
    assert not [q for q in queue_reads.captured_queries if "events_assignment" in q["sql"]]
    with clock.frozen(NOON):
        everything = client.get(reverse("event_list")).content.decode()
    assert f"+{cast.housing.name}" in _row(everything, m["old_normal"].pk)


# ---- live -----------------------------------------------------------------------------


def test_live_poll_answers_204_until_something_changes(
    client, cast, morning, django_assert_max_num_queries
):
    client.force_login(cast.dispatcher)
    url = reverse("live_state")
    first = client.get(url)
    data = first.json()
    assert first.status_code == 200 and data["reported"] == 4
    assert first["ETag"] == f'"{data["version"]}"'
    # The two urgent matters are named for the alert, the critical one first (newest).
    assert [a["id"] for a in data["alerts"]] == [morning["critical"].pk, morning["urgent"].pk]
    # Unchanged: an empty 204 in a handful of reads (session, user, roles, memberships,
    # clearances, the queue's aggregate, the unread count; on PostgreSQL also the months
    # holding reported events, read from the key table's index, so that the aggregate is
    # planned on those months' partitions only) and no write: a poll does not push the
    # idle timeout back.
    with django_assert_max_num_queries(8 if on_postgres() else 7):
        same = client.get(url, {"v": data["version"]})
    assert same.status_code == 204 and same.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 204
    # A new urgent matter arrives: the next poll carries it.
    fresh = report_at(cast, NOON, Urgency.URGENT, "河堤出现管涌")
    changed = client.get(url, {"v": data["version"]})
    assert changed.status_code == 200
    assert changed.json()["reported"] == 5 and changed.json()["alerts"][0]["id"] == fresh.pk
    # Accepting one changes it again.
    event_transition(actor=cast.dispatcher, event_id=fresh.pk, action="accept")
    after = client.get(url, {"v": changed.json()["version"]}).json()
    assert after["reported"] == 4


def test_live_poll_sees_only_the_dispatchers_centres(client, cast, morning):
    other = report_at(cast, NOON, Urgency.CRITICAL, "通元镇山体滑坡", town="b")
    client.force_login(cast.dispatcher)
    data = client.get(reverse("live_state")).json()
    assert other.pk not in [a["id"] for a in data["alerts"]] and data["reported"] == 4
    client.force_login(cast.dispatcher_b)
    data_b = client.get(reverse("live_state")).json()
    assert [a["id"] for a in data_b["alerts"]] == [other.pk]
    assert morning["critical"].code not in str(data_b)
    # Someone without a centre gets nothing.
    client.force_login(cast.handler)
    assert client.get(reverse("live_state")).status_code == 204


def test_dispatcher_pages_carry_the_live_banner_and_nav_badge(client, cast):
    client.force_login(cast.dispatcher)
    html = client.get(reverse("event_list")).content.decode()
    assert 'id="live-alerts"' in html and 'data-live="reported"' in html
    assert "web/js/live.js" in html
    client.force_login(cast.gridworker)
    assert 'id="live-alerts"' not in client.get(reverse("workbench")).content.decode()


def test_live_poll_needs_sign_in(client):
    response = client.get(reverse("live_state"))
    assert response.status_code == 302


def test_accepting_from_the_queue_keeps_the_order(client, cast, morning):
    client.force_login(cast.dispatcher)
    with clock.frozen(NOON):
        html = client.post(
            reverse("bulk_accept") + "?tab=reported", {"ids": [morning["critical"].pk]}, **HTMX
        ).content.decode()
    assert row_ids(html) == [
        morning["urgent"].pk,
        morning["old_normal"].pk,
        morning["new_normal"].pk,
    ]
    morning["critical"].refresh_from_db()
    assert morning["critical"].status == Status.ACCEPTED


def test_a_poll_does_not_keep_an_idle_session_alive(client, cast):
    from django.contrib.sessions.models import Session

    client.force_login(cast.dispatcher)
    client.get(reverse("workbench"))
    key = client.session.session_key
    before = Session.objects.get(pk=key).expire_date
    assert client.get(reverse("live_state")).status_code == 200
    assert Session.objects.get(pk=key).expire_date == before
    # A page opened a minute after the last save is activity: it pushes the expiry.
    data = client.session
    data["pingan_seen_at"] = time.time() - 61
    data.save()
    Session.objects.filter(pk=key).update(expire_date=before)
    client.get(reverse("workbench"))
    assert Session.objects.get(pk=key).expire_date > before
