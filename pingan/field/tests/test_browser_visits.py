"""The phone app in headless Chromium: with the network off, a patrol visit picks a key
person from its due visit task and a person from the grid's list found by house number;
back online the visits arrive once, the task is completed and the person moved out."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from pingan.field.tests.phone import phone
from pingan.registry.models import KeyPersonCategory, KeyPersonVisit, Person, VisitTask
from pingan.registry.tests import factories as reg
from pingan.web.tests.browser import launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_offline_visits_pick_registry_records(cast, live_server):
    from playwright.sync_api import sync_playwright

    # A transactional test flushes the seeded categories: one is made here, visited every
    # 3 days and shown 7 days ahead, so its first task is on the phone at once.
    KeyPersonCategory.objects.update_or_create(
        code="released",
        defaults={
            "name": "刑满释放",
            "sensitivity": "stability",
            "visit_every_days": 3,
            "visit_window_days": 7,
        },
    )
    kp = reg.key_person(reg.person(cast.grid_a1, name="李重点"), helpers=[cast.gridworker.pk])
    task = VisitTask.objects.get(key_person=kp, done_at__isnull=True)
    gone = reg.person(cast.grid_a1, name="赵迁出", address="城东社区海滨路7号502室")
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            page.goto("/m/#patrol")
            page.wait_for_selector("#v-tasks :text('李**')")  # the due task, masked
            page.click("#patrol-start")
            page.wait_for_selector("#patrol-finish:visible")
            # The start is sent before the phone goes offline (on a busy machine the page
            # shows the patrol running while its request is still queued).
            expect(page.locator("#m-pending")).to_have_text("0", timeout=30_000)
            context.set_offline(True)
            page.wait_for_selector("#m-net:has-text('离线')")

            page.click("#v-tasks button[data-vtask]")
            expect(page.locator("#v-picked")).to_contain_text("李**")
            page.select_option("#v-outcome-sel", "met")
            page.click("#visit-form button[type=submit]")
            page.wait_for_selector("#v-tasks button[data-vtask]", state="detached")

            page.select_option("#v-kind", "person")
            page.fill("#v-search", "502")
            page.click("#v-results button[data-hit]")
            expect(page.locator("#v-picked")).to_contain_text("赵**")
            assert "赵迁出" not in page.content() and "海滨路7号" not in page.content()
            page.select_option("#v-outcome-sel", "moved_out")
            page.click("#visit-form button[type=submit]")
            expect(page.locator("#m-pending")).to_have_text("2")  # the two visits (the start went)

            context.set_offline(False)
            expect(page.locator("#m-pending")).to_have_text("0", timeout=30_000)
            task.refresh_from_db()
            assert task.done_at is not None
            assert KeyPersonVisit.objects.get(key_person=kp).by_id == cast.gridworker.pk
            assert Person.objects.get(pk=gone.pk).status == "moved_out"
            context.close()
        finally:
            browser.close()
