"""The phone app in headless Chromium with the network switched off and on again: a
report with a photo made offline waits in the queue (also across a reload), and arrives
exactly once when the network returns."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from pingan.events.models import Attachment, Event
from pingan.field.models import FieldReport
from pingan.field.tests.phone import pending, phone
from pingan.web.tests.browser import jpeg, launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
]


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
            expect(page.locator("#m-pending")).to_have_text("2")
            assert Event.objects.count() == 0

            # Still offline, the app reopens from the service worker's cache with its queue.
            page.reload()
            page.wait_for_selector("body[data-ready='1']")
            expect(page.locator("#m-pending")).to_have_text("2")
            assert Event.objects.count() == 0

            context.set_offline(False)
            expect(page.locator("#m-pending")).to_have_text("0", timeout=30_000)
            page.wait_for_selector("#m-last-sync:not(:has-text('从未'))")
            # Another sync (the phone wakes up again) sends nothing twice: it ends, as every
            # sync does, by reading today's tasks.
            with page.expect_response("**/api/v1/field/tasks"):
                page.evaluate("window.dispatchEvent(new Event('online'))")
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


@pytest.mark.django_db(transaction=True)
def test_offline_patrol_is_summarised_when_back_online(cast, live_server):
    from playwright.sync_api import sync_playwright

    from pingan.patrols.models import Patrol, PatrolVisit

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            page.goto("/m/#patrol")
            page.wait_for_selector("#patrol-start:visible")
            context.set_offline(True)
            page.click("#patrol-start")
            page.wait_for_selector("#patrol-finish:visible")
            # Walk east from grid a1 into grid a2 (border at 120.95), a fix every ~0.5 s
            # 9.6 m apart (slower than the 40 m/s that counts as a GPS jump).
            for i in range(6):
                page.wait_for_timeout(500)
                context.set_geolocation(
                    {"latitude": 30.525, "longitude": 120.9497 + 0.0001 * i, "accuracy": 5}
                )
                page.wait_for_selector(f"#patrol-state:has-text('已记录 {i + 1} 个')")
            page.select_option("#v-kind", "other")
            page.fill("#v-target", "城东小区3幢201室")
            page.click("#visit-form button[type=submit]")
            page.click("#patrol-finish")
            page.wait_for_selector("#patrol-start:visible")
            # start, one batch of points, the visit, the finish
            expect(page.locator("#m-pending")).to_have_text("4")
            assert not Patrol.objects.exists()

            context.set_offline(False)
            expect(page.locator("#m-pending")).to_have_text("0", timeout=30_000)
            patrol = Patrol.objects.get()
            assert patrol.status == "finished"
            assert patrol.point_count == 6
            assert patrol.grids == [cast.grid_a1.pk, cast.grid_a2.pk]
            assert patrol.distance_m == pytest.approx(5 * 9.5784, rel=0.01)
            assert PatrolVisit.objects.get().target == "城东小区3幢201室"
            page.wait_for_selector("#patrol-state:has-text('覆盖 2 个网格')")
            context.close()
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_logout_clears_the_phone(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            page.goto("/m/#report")
            page.wait_for_selector("#r-grid:has-text('城东社区第一网格')")
            context.set_offline(True)
            page.select_option("#r-parent", str(cast.dispute.pk))
            page.select_option("#r-category", str(cast.neighbour.pk))
            page.fill("#r-description", "退出前未发送的上报")
            page.click("#r-submit")
            expect(page.locator("#m-pending")).to_have_text("1")
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
            with page.expect_event("framenavigated"):
                page.click("#m-logout")  # clears the phone, then posts the sign-out
            assert "1 条内容未发送" in dialogs[0]
            # Back online (the sign-out request never left the phone, the session lives):
            # the app starts on an empty queue; had the report stayed, this first sync
            # would have sent it before marking the sync time.
            context.set_offline(False)
            page.goto("/m/")
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_selector("#m-last-sync:not(:has-text('从未'))")
            assert page.inner_text("#m-pending") == "0"
            assert Event.objects.count() == 0
            context.close()
        finally:
            browser.close()
