"""督查 on the phone in headless Chromium: a self-check filled and submitted offline with a
photo waits in the queue, and arrives exactly once when the network returns."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from pingan.field.tests.phone import pending, phone
from pingan.inspections.models import Inspection, InspectionPhoto, InspectionTask
from pingan.inspections.plans import tasks_generate
from pingan.inspections.tests.factories import plan
from pingan.rectification.models import Deduction
from pingan.web.tests.browser import jpeg, launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_offline_self_check_with_photo_arrives_once(cast, live_server):
    from playwright.sync_api import sync_playwright

    from pingan.inspections.periods import today

    plan(cast, kind="self_check", level="self_check", frequency="half_monthly", year=today().year)
    tasks_generate()
    task = InspectionTask.objects.get(unit_region=cast.town_a)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast, username="gl")
            page.click(".m-tabs a[data-tab=inspect]")
            page.wait_for_selector(f"#i-tasks [data-task='{task.pk}']")

            context.set_offline(True)
            page.wait_for_selector("#m-net:has-text('离线')")
            page.click(f"[data-open='{task.pk}']")
            page.check("[data-item='P02'] input[value=problem]")
            page.fill("[data-item='P02'] .i-item-note", "排查台账两个月未更新")
            page.fill("#i-note", "自查情况良好")
            page.set_input_files("#i-photos", jpeg(1200, 900))
            page.wait_for_selector("#i-thumbs img")
            page.click("#i-submit")
            page.wait_for_selector(f"[data-queued='{task.pk}']")
            expect(page.locator("#m-pending")).to_have_text("2")
            assert Inspection.objects.count() == 0

            context.set_offline(False)
            expect(page.locator("#m-pending")).to_have_text("0", timeout=30_000)
            page.evaluate("window.dispatchEvent(new Event('online'))")
            page.wait_for_selector(f"[data-sent='{task.pk}']")
            assert pending(page) == "0"

            inspection = Inspection.objects.get()
            assert inspection.task_id == task.pk
            assert inspection.created_by_id == cast.gridleader.pk
            assert inspection.lat is not None
            problem = inspection.answers.get(result="problem")
            assert (problem.item.code, problem.note) == ("P02", "排查台账两个月未更新")
            assert InspectionPhoto.objects.get().inspection_id == inspection.pk
            assert Deduction.objects.filter(source_id=inspection.pk).count() == 1
            context.close()
        finally:
            browser.close()
