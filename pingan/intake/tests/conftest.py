"""Integrations for 12345 and 110 on the cast's county, and a local HTTP receiver."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from zoneinfo import ZoneInfo

import pytest

from pingan.intake.services import integration_key_issue, integration_setup

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)


class Receiver:
    """An HTTP receiver on 127.0.0.1 that answers 500 to the first `failures` posts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.posts: list[tuple[dict, bytes, int]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                code = 500 if len(receiver.posts) < receiver.failures else 200
                receiver.posts.append((dict(self.headers), body, code))
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def delivered(self) -> list[tuple[dict, bytes, int]]:
        return [p for p in self.posts if p[2] == 200]


@pytest.fixture
def receiver(monkeypatch):
    made: list[Receiver] = []

    def make(failures: int = 0) -> Receiver:
        r = Receiver(failures)
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
