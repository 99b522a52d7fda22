"""The inbox in groups: new normal events reach a dispatcher as one digest per hour,
urgent ones stay individual, a matter's notifications are one line, and the unread count
counts lines."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from pingan.events.choices import Urgency
from pingan.notifications.models import Notification
from pingan.notifications.selectors import inbox_groups, unread_group_count
from pingan.notifications.services import notification_mark_read, notify_event_change
from pingan.notifications.tests.conftest import MON


def test_new_normal_events_of_an_hour_are_one_unread_item(loop):
    c = loop.cast
    for minutes in (0, 10, 50):
        loop.report(when=MON + dt.timedelta(minutes=minutes))
    loop.report(when=MON + dt.timedelta(hours=1, minutes=5))  # the next hour
    assert Notification.objects.filter(recipient=c.dispatcher, read_at__isnull=True).count() == 4
    assert unread_group_count(c.dispatcher) == 2
    groups = list(inbox_groups(c.dispatcher))
    assert [(g["group_key"], g["n"], g["unread"]) for g in groups] == [
        ("report@2026030210", 1, 1),
        ("report@2026030209", 3, 3),
    ]


def test_urgent_events_stay_individual(loop):
    c = loop.cast
    loop.report()
    urgent = loop.report(when=MON + dt.timedelta(minutes=5), urgency=Urgency.URGENT)
    critical = loop.report(when=MON + dt.timedelta(minutes=6), urgency=Urgency.CRITICAL)
    keys = [g["group_key"] for g in inbox_groups(c.dispatcher)]
    assert keys == [f"e{critical.pk}", f"e{urgent.pk}", "report@2026030209"]
    assert unread_group_count(c.dispatcher) == 3


def test_a_matters_notifications_are_one_group(loop):
    c = loop.cast
    event = loop.report(urgency=Urgency.URGENT)
    loop.act(c.dispatcher, event, "accept")
    loop.act(c.dispatcher, event, "dispatch", lead_department=c.police.pk)
    loop.act(c.handler, event, "return", when=MON + dt.timedelta(hours=1), note="不属于本部门")
    groups = list(inbox_groups(c.dispatcher))
    assert groups[0]["group_key"] == f"e{event.pk}" and groups[0]["n"] >= 2


def test_notifying_twice_changes_nothing(loop):
    c = loop.cast
    event = loop.report()
    rows = Notification.objects.filter(recipient=c.dispatcher).count()
    notify_event_change(event_id=event.pk, action="report", transition_id=None)
    assert Notification.objects.filter(recipient=c.dispatcher).count() == rows
    assert unread_group_count(c.dispatcher) == 1


def test_marking_a_group_read_touches_only_that_group_and_only_mine(loop):
    c = loop.cast
    loop.report()
    loop.report(when=MON + dt.timedelta(minutes=3))
    urgent = loop.report(when=MON + dt.timedelta(minutes=4), urgency=Urgency.URGENT)
    assert notification_mark_read(user=c.dispatcher_b, groups=["report@2026030209"]) == 0
    assert notification_mark_read(user=c.dispatcher, groups=["report@2026030209"]) == 2
    assert unread_group_count(c.dispatcher) == 1
    assert [g["group_key"] for g in inbox_groups(c.dispatcher, only_unread=True)] == [
        f"e{urgent.pk}"
    ]


def test_the_inbox_page_shows_the_digest_and_counts_lines(client, loop):
    c = loop.cast
    events = [loop.report(when=MON + dt.timedelta(minutes=m)) for m in range(3)]
    client.force_login(c.dispatcher)
    page = client.get(reverse("inbox")).content.decode()
    assert "新事件待受理 3 件" in page
    assert events[-1].code in page  # the newest one is named
    assert 'data-testid="unread">1<' in page
    assert reverse("workbench") + "?tab=reported" in page
    # "Mark read" on the line marks its three notifications read.
    client.post(reverse("inbox_read"), {"group": "report@2026030209"})
    assert unread_group_count(c.dispatcher) == 0
    assert not Notification.objects.filter(recipient=c.dispatcher, read_at__isnull=True).exists()
