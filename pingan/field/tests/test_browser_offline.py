"""The phone app in headless Chromium with the network switched off and on again: a
report with a photo made offline waits in the queue (also across a reload), and arrives
exactly once when the network returns."""

from __future__ import annotations

import os

import pytest

from pingan.events.models import Attachment, Event
from pingan.field.models import FieldReport
from pingan.web.tests.browser import TIMEOUT_MS, chromium_path, jpeg, launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed"),
]


def phone(browser, url: str, cast, username: str = "gw"):
    lat, lng = cast.point_a1
    context = browser.new_context(
        base_url=url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lng, "accuracy": 8},
        permissions=["geolocation"],
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/?next=/m/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", cast.password)
    page.click("form.login-card button[type=submit]")
    page.wait_for_url("**/m/")
    page.wait_for_selector("body[data-ready='1']")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    return context, page


def pending(page) -> str:
    return page.inner_text("#m-pending")


@pytest.mark.django_db(transaction=True)
def test_offline_report_with_photo_arrives_once(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            page.goto("/m/#report")
            page.wait_for_selector("#r-grid:has-text('城东社区第一网格')")
            assert pending(page) == "0"

            context.set_offline(True)
            page.wait_for_selector("#m-net:has-text('离线')")
            page.select_option("#r-parent", str(cast.dispute.pk))
            page.select_option("#r-category", str(cast.neighbour.pk))
            page.fill("#r-description", "城东小区3幢楼道堆放杂物，影响通行")
            page.set_input_files("#r-photos", jpeg(1200, 900))
            page.wait_for_selector("#r-thumbs img")
            page.click("#r-submit")
            page.wait_for_selector("#mine-list [data-queued]")
            page.wait_for_function("document.getElementById('m-pending').textContent === '2'")
            assert Event.objects.count() == 0

            # Still offline, the app reopens from the service worker's cache with its queue.
            page.reload()
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_function("document.getElementById('m-pending').textContent === '2'")
            assert Event.objects.count() == 0

            context.set_offline(False)
            page.wait_for_function(
                "document.getElementById('m-pending').textContent === '0'", timeout=30_000
            )
            page.wait_for_selector("#m-last-sync:not(:has-text('从未'))")
            # Another sync (the phone wakes up again) sends nothing twice.
            page.evaluate("window.dispatchEvent(new Event('online'))")
            page.wait_for_timeout(500)
            assert page.inner_text("#m-pending") == "0"

            event = Event.objects.get()
            assert event.reporter_id == cast.gridworker.pk
            assert event.region_id == cast.grid_a1.pk
            assert FieldReport.objects.get(event=event).accuracy_m == 8
            photo = Attachment.objects.get()
            assert photo.event_id == event.pk
            assert max(photo.width, photo.height) <= 1600
            page.wait_for_selector(f"#mine-list [data-event='{event.pk}']")
            context.close()
        finally:
            browser.close()
