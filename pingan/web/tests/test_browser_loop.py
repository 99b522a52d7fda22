"""The closed loop in a real browser: each role in its own signed-in context."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from pingan.events.choices import Status
from pingan.events.models import Attachment, Event
from pingan.web.tests.browser import jpeg, launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# No skip when Chromium is missing: `make test` installs it, and a browser test that
# silently does not run would hide a broken loop.
pytestmark = [pytest.mark.browser]


def open_action(page, action: str) -> None:
    page.click(f"#event-page .ev-actions a[data-action={action}]")
    page.wait_for_selector(f"#action-panel #action-form-{action} form")


def wait_status(page, status: str) -> None:
    page.wait_for_selector(f'#event-page [data-status="{status}"]')


@pytest.mark.django_db(transaction=True)
def test_report_dispatch_handle_verify_close(cast, live_server):
    from playwright.sync_api import sync_playwright

    url = live_server.url
    with sync_playwright() as p:
        browser = launch(p)
        try:
            # The grid worker reports with a photo, placing the event by coordinates.
            ctx, page = login(browser, url, "gw", cast.password)
            page.goto("/report/")
            page.wait_for_selector("#report-map path.leaflet-interactive")  # own grid drawn
            page.select_option("#f-category-parent", str(cast.dispute.pk))
            page.wait_for_selector(
                f'#f-category option[value="{cast.neighbour.pk}"]', state="attached"
            )
            page.select_option("#f-category", str(cast.neighbour.pk))
            page.fill("#f-description", "城东小区3幢楼道堆放杂物，邻居发生争吵")
            page.fill("#f-address", "城东小区3幢2单元")
            lat, lng = cast.point_a1
            page.fill("#f-lat", str(lat))
            page.fill("#f-lng", str(lng))
            page.set_input_files("#f-photos", jpeg())
            assert page.input_value("#f-client-uuid")
            page.click("#report-submit")
            page.wait_for_url(re.compile(r"/events/\d+/$"))
            wait_status(page, Status.REPORTED)
            event = Event.objects.get()
            assert event.region_id == cast.grid_a1.pk
            assert Attachment.objects.filter(event=event, kind="report").count() == 1
            event_path = f"/events/{event.pk}/"
            ctx.close()

            # The town dispatcher accepts and dispatches: police leads, market assists.
            ctx, page = login(browser, url, "disp-a", cast.password)
            page.goto(event_path)
            open_action(page, "accept")
            page.click("#action-form-accept button[type=submit]")
            wait_status(page, Status.ACCEPTED)
            open_action(page, "dispatch")
            form = "#action-form-dispatch"
            page.check(f'{form} input[name=lead_department][value="{cast.police.pk}"]')
            page.check(f'{form} input[name=assisting_departments][value="{cast.market.pk}"]')
            page.click("#action-form-dispatch button[type=submit]")
            wait_status(page, Status.DISPATCHED)
            assert "县市场监管局" in page.inner_text("#event-page .ev-assisting")
            ctx.close()

            # The lead handler acknowledges, then resolves with a result.
            ctx, page = login(browser, url, "h-police", cast.password)
            page.goto(event_path)
            open_action(page, "acknowledge")
            page.click("#action-form-acknowledge button[type=submit]")
            wait_status(page, Status.IN_PROGRESS)
            open_action(page, "resolve")
            page.fill("#f-result", "民警上门调解，杂物已清理，双方和解")
            # A dispute: the lead must say it was resolved (化解).
            page.check('#action-form-resolve input[name=resolution][value="resolved"]')
            page.click("#action-form-resolve button[type=submit]")
            # Joint handling: the event waits for the market's 协办反馈.
            page.wait_for_selector('#event-page [data-testid="waiting-assist"]')
            assert "县市场监管局" in page.inner_text('[data-testid="waiting-assist"]')
            wait_status(page, Status.IN_PROGRESS)
            ctx.close()

            # The assisting department signs, then gives its own feedback.
            ctx, page = login(browser, url, "h-market", cast.password)
            page.goto(event_path)
            open_action(page, "acknowledge")
            page.click("#action-form-acknowledge button[type=submit]")
            page.wait_for_selector('#event-page a.btn[data-action="resolve"]')
            assert page.inner_text('#event-page a.btn[data-action="resolve"]') == "协办反馈"
            open_action(page, "resolve")
            page.fill("#f-result", "已核查商户占道经营情况")
            page.click("#action-form-resolve button[type=submit]")
            wait_status(page, Status.RESOLVED)
            ctx.close()

            # The grid worker reads both results, confirms on site: passed, closed.
            ctx, page = login(browser, url, "gw", cast.password)
            page.goto(event_path)
            open_action(page, "verify")
            results = page.inner_text('#action-form-verify [data-testid="verify-results"]')
            assert "民警上门调解" in results and "已核查商户占道经营情况" in results
            page.fill("#action-form-verify #f-note", "现场复核，楼道已畅通")
            page.click('#action-form-verify button[name=passed][value="true"]')
            page.wait_for_selector("#action-form-verify .field-error")
            assert Event.objects.get(pk=event.pk).status == Status.RESOLVED
            page.check("#action-form-verify input[name=confirmed]")
            page.click('#action-form-verify button[name=passed][value="true"]')
            wait_status(page, Status.CLOSED)

            steps = page.eval_on_selector_all(
                "#event-page .ev-timeline .ev-step", "els => els.map(e => e.dataset.action)"
            )
            assert steps == [
                "report",
                "accept",
                "dispatch",
                "acknowledge",
                "resolve",
                "acknowledge",
                "resolve",
                "verify",
            ]
            timeline = page.inner_text("#event-page .ev-timeline")
            for text in (
                "上报",
                "受理",
                "派遣",
                "签收",
                "办结反馈",
                "核查通过",
                "周民警",
                "赵受理",
            ):
                assert text in timeline
            assert Event.objects.get(pk=event.pk).status == Status.CLOSED

            if os.environ.get("PINGAN_SCREENSHOT"):
                target = Path(settings.BASE_DIR) / "docs" / "screenshot.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target), full_page=True)
            ctx.close()
        finally:
            browser.close()
            # Inside Playwright's loop the ORM gets a connection of its own (another
            # context): close it, or PostgreSQL cannot drop the test database.
            connections.close_all()
