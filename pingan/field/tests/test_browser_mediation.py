"""就地调解 on the phone in headless Chromium: a dispute mediated with the network off
waits in the queue with its photo and arrives exactly once, as a settled event and a
succeeded mediation case, when the network returns."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from pingan.events.models import Attachment, Event
from pingan.field.tests.phone import phone
from pingan.mediation.models import MediationCase
from pingan.web.tests.browser import jpeg, launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_offline_mediation_on_site_arrives_once(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            page.goto("/m/#report")
            page.wait_for_selector("#r-grid:has-text('城东社区第一网格')")
            # Not offered for a category that is no dispute.
            page.select_option("#r-parent", str(cast.hazard.pk))
            expect(page.locator("#r-mediate-wrap")).to_be_hidden()

            context.set_offline(True)
            page.wait_for_selector("#m-net:has-text('离线')")
            page.select_option("#r-parent", str(cast.dispute.pk))
            page.select_option("#r-category", str(cast.neighbour.pk))
            page.fill("#r-description", "两户因楼道堆物争吵")
            page.check("#r-mediate")
            rows = page.locator("#r-parties .m-party")
            expect(rows).to_have_count(2)
            # Without the parties' names the form says what is missing.
            page.click("#r-submit")
            expect(page.locator("#r-error")).to_contain_text("当事人")
            rows.nth(0).locator("[data-p=name]").fill("王小明")
            rows.nth(0).locator("[data-p=phone]").fill("13812345678")
            rows.nth(1).locator("[data-p=name]").fill("李大华")
            page.fill("#r-terms", "李大华当日清理楼道杂物")
            page.set_input_files("#r-photos", jpeg(1200, 900))
            page.wait_for_selector("#r-thumbs img")
            page.click("#r-submit")
            page.wait_for_selector("#mine-list [data-queued]")
            expect(page.locator("#m-pending")).to_have_text("2")
            assert MediationCase.objects.count() == 0

            context.set_offline(False)
            expect(page.locator("#m-pending")).to_have_text("0", timeout=30_000)
            with page.expect_response("**/api/v1/field/tasks"):
                page.evaluate("window.dispatchEvent(new Event('online'))")
            assert page.inner_text("#m-pending") == "0"

            case = MediationCase.objects.get()
            event = Event.objects.get()
            assert case.event_id == event.pk and case.channel == "on_site"
            assert case.status == "succeeded" and case.agreement_terms == "李大华当日清理楼道杂物"
            assert sorted(p.name for p in case.parties.all()) == ["李大华", "王小明"]
            assert event.resolved_on_site and event.reporter_id == cast.gridworker.pk
            assert Attachment.objects.get().event_id == event.pk
            page.wait_for_selector(f"#mine-list [data-event='{event.pk}']")
            context.close()
        finally:
            browser.close()
