"""The client's address behind the reverse proxy (issue 16, finding 2): X-Forwarded-For is
believed only from a configured proxy (or the local Unix socket), read from the right, and
both the audit trail and the rate limits use the one answer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from pingan.core.clientaddr import client_address
from pingan.core.models import AuditEntry

# Over a Unix socket the server has no peer address: REMOTE_ADDR is empty.
UNIX = ""


def address(settings, remote: str, **headers: str) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)
    return client_address(request)


@pytest.fixture
def proxies(settings):
    settings.PINGAN_TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]
    settings.PINGAN_TRUST_UNIX_SOCKET = True
    return settings


def test_the_header_is_ignored_from_a_peer_that_is_not_a_proxy(proxies):
    assert address(proxies, "198.51.100.7", x_forwarded_for="203.0.113.9") == "198.51.100.7"
    assert address(proxies, "198.51.100.7", x_real_ip="203.0.113.9") == "198.51.100.7"
    assert address(proxies, "198.51.100.7") == "198.51.100.7"


def test_from_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client(proxies):
    # nginx appends the address it saw: whatever the client wrote is to its left.
    assert address(proxies, "10.0.0.5", x_forwarded_for="203.0.113.9") == "203.0.113.9"
    assert address(proxies, "10.0.0.5", x_forwarded_for="1.2.3.4, 203.0.113.9") == "203.0.113.9"
    # A chain of trusted proxies is walked through; the first untrusted hop counts.
    assert (
        address(proxies, "10.0.0.5", x_forwarded_for="1.2.3.4, 203.0.113.9, 192.0.2.1, 10.0.0.7")
        == "203.0.113.9"
    )
    # Every hop a proxy: the one furthest away that we still trust.
    assert address(proxies, "10.0.0.5", x_forwarded_for="10.0.0.9, 192.0.2.1") == "10.0.0.9"
    # No header: the proxy itself.
    assert address(proxies, "10.0.0.5") == "10.0.0.5"


def test_the_local_unix_socket_is_a_trusted_proxy_when_configured(proxies):
    assert address(proxies, UNIX, x_forwarded_for="203.0.113.9") == "203.0.113.9"
    # X-Real-IP is not read: the shipped nginx does not set it, so it is what the client
    # wrote (nginx passes on the headers it does not set).
    assert address(proxies, UNIX, x_real_ip="203.0.113.10") is None
    assert address(proxies, UNIX) is None
    proxies.PINGAN_TRUST_UNIX_SOCKET = False
    assert address(proxies, UNIX, x_forwarded_for="203.0.113.9") is None


def test_forms_of_addresses(proxies):
    assert address(proxies, UNIX, x_forwarded_for="2001:DB8:0:0::1") == "2001:db8::1"
    assert address(proxies, UNIX, x_forwarded_for="[2001:db8::1]:4431") == "2001:db8::1"
    assert address(proxies, UNIX, x_forwarded_for="203.0.113.9:5123") == "203.0.113.9"
    assert address(proxies, "::ffff:198.51.100.7") == "198.51.100.7"
    assert address(proxies, "::ffff:10.0.0.5", x_forwarded_for="203.0.113.9") == "203.0.113.9"
    # Garbage where a proxy's hop should be: stop there, keep the last address we trust.
    assert address(proxies, "10.0.0.5", x_forwarded_for="203.0.113.9, unknown") == "10.0.0.5"
    assert address(proxies, UNIX, x_forwarded_for="not an address") is None


def test_trusted_proxies_come_from_the_environment():
    def read(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "import config.settings as s; "
             "print(s.PINGAN_TRUSTED_PROXIES, s.PINGAN_TRUST_UNIX_SOCKET)"],
            cwd=settings.BASE_DIR, capture_output=True, text=True,
            env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        )  # fmt: skip

    unset = {"PINGAN_TRUSTED_PROXIES", "PINGAN_TRUST_UNIX_SOCKET", "DJANGO_SETTINGS_MODULE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    assert read().stdout.split() == ["[]", "True"]
    out = read(PINGAN_TRUSTED_PROXIES="127.0.0.1, 10.1.0.0/16,::1", PINGAN_TRUST_UNIX_SOCKET="no")
    assert out.stdout.strip() == "['127.0.0.1', '10.1.0.0/16', '::1'] False"
    # A mistyped network stops the start, naming the variable.
    bad = read(PINGAN_TRUSTED_PROXIES="10.1.0.0/33")
    assert bad.returncode != 0 and "PINGAN_TRUSTED_PROXIES" in bad.stderr


# ---- the audit trail and the rate limits use it -------------------------------------------


@pytest.fixture
def limits(proxies):
    proxies.PINGAN_RATELIMIT_LOGIN = "3/h"
    cache.clear()
    yield proxies
    cache.clear()


def sign_in(client: Client, username: str, password: str, **headers: str) -> int:
    return client.post(
        reverse("login"), {"username": username, "password": password}, headers=headers
    ).status_code


def test_the_audit_row_has_the_forwarded_address(cast, proxies):
    behind_nginx = Client(REMOTE_ADDR=UNIX)
    assert sign_in(behind_nginx, "gw", cast.password, x_forwarded_for="203.0.113.9") == 302
    row = AuditEntry.objects.filter(action="login", result="ok").latest("seq")
    assert row.ip == "203.0.113.9"
    spoofing = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(spoofing, "gw", "wrong", x_forwarded_for="203.0.113.66") == 401
    row = AuditEntry.objects.filter(action="login", result="failed").latest("seq")
    assert row.ip == "198.51.100.7"


def test_each_forwarded_address_is_its_own_rate_limit_bucket(cast, limits):
    behind_nginx = Client(REMOTE_ADDR=UNIX)
    codes = [
        sign_in(behind_nginx, f"nobody{i}", "x", x_forwarded_for=f"203.0.113.{i}")
        for i in range(1, 8)
    ]
    assert codes == [401] * 7
    same = [
        sign_in(behind_nginx, f"again{i}", "x", x_forwarded_for="203.0.113.1") for i in range(3)
    ]
    assert same == [401, 401, 429]
    hit = AuditEntry.objects.filter(action="ratelimit").latest("seq")
    assert hit.ip == "203.0.113.1"


def test_a_spoofed_header_from_an_untrusted_peer_shares_the_peers_bucket(cast, limits):
    direct = Client(REMOTE_ADDR="198.51.100.7")
    codes = [
        sign_in(direct, f"nobody{i}", "x", x_forwarded_for=f"203.0.113.{i}") for i in range(1, 5)
    ]
    assert codes == [401, 401, 401, 429]
    assert set(AuditEntry.objects.filter(action="login").values_list("ip", flat=True)) == {
        "198.51.100.7"
    }
