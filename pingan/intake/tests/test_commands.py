"""The setup commands: channel_setup (one channel, a key printed once) and channel_demo
(every channel on the demo county, the demo keys)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from pingan.intake.models import Integration, IntegrationKey
from pingan.intake.services import integration_for_key


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


def test_channel_setup_prints_a_new_key_once_and_stores_its_hash(cast):
    out = io.StringIO()
    call_command(
        "channel_setup",
        "hotline_12345",
        "--region",
        "330424",
        "--callback-url",
        "http://127.0.0.1:9/cb",
        "--secret",
        "s",
        "--key",
        stdout=out,
    )
    key = out.getvalue().strip().splitlines()[-1].split("：")[-1]
    row = IntegrationKey.objects.get()
    assert key not in row.key_hash and row.prefix == key[:8]
    integration = integration_for_key(key=key, channels=("hotline_12345",))
    assert integration is not None and integration.callback.url == "http://127.0.0.1:9/cb"
    assert integration.callback.actions == ["channel:hotline_12345"]
    with pytest.raises(CommandError):
        call_command("channel_setup", "open311", "--region", "999", stdout=io.StringIO())
