"""Integrations for 12345 and 110 on the cast's county, and a local HTTP receiver."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.intake.services import integration_key_issue, integration_setup
from pingan.notifications.tests.receiver import Receiver

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)


@pytest.fixture
def receiver(monkeypatch):
    made: list[Receiver] = []

    def make(failures: int = 0) -> Receiver:
        r = Receiver(failures, path="/callback")
        r.thread.start()
        made.append(r)
        return r

    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    yield make
    for r in made:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def hotline(cast):
    """The 12345 integration (no callback unless a test sets one) and its key."""
    integration = integration_setup(
        channel="hotline_12345", region=cast.county, default_category=cast.neighbour
    )
    return integration, integration_key_issue(integration=integration, key="key-12345-test")


@pytest.fixture
def police(cast):
    integration = integration_setup(channel="police_110", region=cast.county)
    return integration, integration_key_issue(integration=integration, key="key-110-test")
