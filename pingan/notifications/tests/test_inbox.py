"""The in-app inbox: own notifications only, newest first, read marks."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser

from pingan.notifications.models import Notification
from pingan.notifications.selectors import inbox, unread_group_count
from pingan.notifications.services import notification_mark_read
from pingan.notifications.tests.conftest import MON


def unread_rows(user):
    """How many of the user's notifications are unread (rows, not the inbox's lines)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_own_notifications_newest_first(loop):
    c = loop.cast
    first = loop.report()
    second = loop.report(when=MON + dt.timedelta(hours=1))
    loop.report(user=c.gridworker_b, point=c.point_b1)  # town B: not for town A
    assert unread_rows(c.dispatcher) == 2
    assert [n.event_id for n in inbox(c.dispatcher)] == [second.pk, first.pk]
    assert unread_rows(c.dispatcher_b) == 1
    assert unread_rows(c.handler) == 0
    assert unread_group_count(AnonymousUser()) == 0
    assert list(inbox(AnonymousUser())) == []


def test_inbox_reads_events_in_one_query(loop, django_assert_num_queries):
    for _ in range(3):
        loop.report()
    with django_assert_num_queries(1):
        codes = [n.event.code for n in inbox(loop.cast.dispatcher)]
    assert len(codes) == 3


def test_mark_some_read_then_all(loop):
    c = loop.cast
    for _ in range(3):
        loop.report()
    newest = inbox(c.dispatcher).first()
    assert notification_mark_read(user=c.dispatcher, ids=[newest.pk]) == 1
    assert unread_rows(c.dispatcher) == 2
    assert notification_mark_read(user=c.dispatcher, ids=[newest.pk]) == 0
    assert notification_mark_read(user=c.dispatcher) == 2
    assert unread_rows(c.dispatcher) == 0


def test_nobody_can_mark_another_users_notifications(loop):
    c = loop.cast
    loop.report()
    theirs = inbox(c.dispatcher).get()
    assert notification_mark_read(user=c.dispatcher_b, ids=[theirs.pk]) == 0
    assert notification_mark_read(user=c.dispatcher_b) == 0
    assert unread_rows(c.dispatcher) == 1
