"""The setup command channel_setup: one channel, a key printed once. (channel_demo, every
channel on the demo county with the demo keys, is tested in pingan/demo/tests.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from pingan.intake.models import IntegrationKey
from pingan.intake.services import integration_for_key


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
