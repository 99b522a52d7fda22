"""The installable shell: the page, the manifest and the service worker."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_shell_needs_login_and_is_chinese(cast):
    c = Client()
    assert c.get("/m/").status_code == 302
    c.force_login(cast.gridworker)
    page = c.get("/m/").content.decode()
    assert 'rel="manifest"' in page and "今日任务" in page and "待发送" in page
    assert f'data-user="{cast.gridworker.pk}"' in page


def test_manifest_and_service_worker(cast):
    c = Client()
    m = c.get("/m/manifest.webmanifest")
    assert m["Content-Type"] == "application/manifest+json"
    body = m.json()
    assert body["start_url"] == "/m/" and body["display"] == "standalone"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    sw = c.get("/m/sw.js")
    assert sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/m/"
    text = sw.content.decode()
    assert '"/m/"' in text and "field/app.js" in text
    from django.contrib.staticfiles import finders

    for icon in body["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon
