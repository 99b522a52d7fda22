"""The centres a dispatcher works: one answer for the workbench's centre picker and the
live poll (`pingan.events.queue.dispatcher_centres`)."""

from __future__ import annotations

from django.urls import reverse

from pingan.events import queue
from pingan.org.choices import Role
from pingan.org.services import membership_grant


def test_a_dispatcher_of_two_centres_works_both_in_the_order_granted(client, cast):
    membership_grant(user=cast.dispatcher, role=Role.DISPATCHER, region=cast.county)
    membership_grant(user=cast.dispatcher, role=Role.LEADER, region=cast.town_b)
    assert queue.dispatcher_centres(cast.dispatcher) == [cast.town_a, cast.county]
    # The workbench offers the same centres, the first one chosen.
    client.force_login(cast.dispatcher)
    html = client.get(reverse("workbench")).content.decode()
    assert f'value="{cast.county.pk}"' in html and f'value="{cast.town_a.pk}" selected' in html


def test_without_a_dispatcher_role_there_is_no_centre(cast):
    assert queue.dispatcher_centres(cast.handler) == []
    assert queue.dispatcher_centres(cast.leader) == []
