"""The demo channels: channel_demo opens every channel on the demo county with the demo
keys, open311_demo files a few requests through it. Both can run twice."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client

from pingan.events.models import Event
from pingan.intake.models import Integration, IntegrationKey
from pingan.intake.services import integration_for_key
from pingan.open311.tests.test_open311 import check


def test_channel_demo_opens_every_channel_with_the_demo_keys(cast):
    call_command("channel_demo", stdout=io.StringIO())
    call_command("channel_demo", stdout=io.StringIO())  # twice: nothing doubles
    assert set(Integration.objects.values_list("channel", flat=True)) == {
        "hotline_12345",
        "police_110",
        "open311",
        "citizen",
    }
    assert IntegrationKey.objects.count() == 3
    assert integration_for_key(key="demo-open311-key", channels=("open311",)) is not None
    assert integration_for_key(key="demo-open311-key", channels=("hotline_12345",)) is None
    r = Client().post(
        "/open311/v2/requests.json",
        {"api_key": "demo-open311-key", "service_code": "dispute.neighbour", "address_string": "x"},
    )
    assert r.status_code == 200


def test_the_demo_requests_are_made_once_with_the_open311_source(cast):
    call_command("channel_demo", stdout=io.StringIO())
    call_command("open311_demo", stdout=io.StringIO())
    call_command("open311_demo", stdout=io.StringIO())  # twice: nothing doubles
    events = Event.objects.filter(open311_request__isnull=False)
    assert events.count() == 3
    assert set(events.values_list("source", flat=True)) == {"open311"}
    listed = Client().get("/open311/v2/requests.json").json()
    check(listed, "Request")
    assert len(listed) == 3
