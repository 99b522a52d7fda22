"""The inbox page and the unread count in the header."""

from __future__ import annotations

import re

from django.urls import reverse

from pingan.events.services import event_report
from pingan.notifications.selectors import unread_group_count

HTMX = {"HTTP_HX_REQUEST": "true"}


def reported(cast, capture, description="楼道堆放杂物", urgency="normal"):
    lat, lng = cast.point_a1
    with capture(execute=True):
        event, _ = event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description=description,
            lat=lat,
            lng=lng,
            urgency=urgency,
        )
    return event


def unread_badge(html: str) -> int:
    m = re.search(r'data-testid="unread">(\d+)<', html)
    return int(m.group(1)) if m else 0


def test_new_report_reaches_the_dispatchers_inbox_and_header(
    client, cast, django_capture_on_commit_callbacks
):
    event = reported(cast, django_capture_on_commit_callbacks)
    assert unread_group_count(cast.dispatcher) >= 1
    client.force_login(cast.dispatcher)
    page = client.get(reverse("inbox")).content.decode()
    assert unread_badge(page) == unread_group_count(cast.dispatcher)
    assert event.code in page and 'class="notification unread"' in page
    assert reverse("event_detail", args=[event.pk]) in page
    client.logout()
    client.force_login(cast.dispatcher_b)
    other = client.get(reverse("inbox")).content.decode()
    assert event.code not in other and unread_badge(other) == 0


def test_mark_one_group_read_then_all(client, cast, django_capture_on_commit_callbacks):
    # A normal report goes into the hour's digest; an urgent one is a line of its own.
    reported(cast, django_capture_on_commit_callbacks)
    urgent = reported(cast, django_capture_on_commit_callbacks, "燃气泄漏", urgency="urgent")
    client.force_login(cast.dispatcher)
    before = unread_group_count(cast.dispatcher)
    assert before >= 2
    page = client.get(reverse("inbox")).content.decode()
    assert unread_badge(page) == before
    groups = re.findall(r'data-group="([^"]+)"', page)
    response = client.post(reverse("inbox_read"), {"group": [groups[-1]]}, **HTMX)
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert unread_group_count(cast.dispatcher) == before - 1
    # Opening the event from the inbox marks its group read and goes there.
    response = client.post(
        reverse("inbox_read"), {"group": [f"e{urgent.pk}"], "next": f"/events/{urgent.pk}/"}
    )
    assert response.status_code == 302 and response.url == f"/events/{urgent.pk}/"
    response = client.post(reverse("inbox_read"), {})
    assert response.status_code == 302
    assert unread_group_count(cast.dispatcher) == 0
    assert unread_badge(client.get(reverse("inbox")).content.decode()) == 0


def test_unread_filter_and_other_users_ids_untouched(
    client, cast, django_capture_on_commit_callbacks
):
    reported(cast, django_capture_on_commit_callbacks)
    theirs = unread_group_count(cast.dispatcher)
    # Ids of another user's notifications change nothing for them.
    client.logout()
    client.force_login(cast.dispatcher)
    ids = re.findall(r'data-notification="(\d+)"', client.get(reverse("inbox")).content.decode())
    client.logout()
    client.force_login(cast.handler)
    client.post(reverse("inbox_read"), {"ids": ids})
    assert unread_group_count(cast.dispatcher) == theirs
    client.logout()
    client.force_login(cast.dispatcher)
    only_unread = client.get(reverse("inbox"), {"unread": "1"}).content.decode()
    assert len(re.findall(r'data-notification="', only_unread)) == theirs


def test_next_outside_the_site_is_ignored(client, cast):
    client.force_login(cast.dispatcher)
    response = client.post(reverse("inbox_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("inbox")
