"""A county leader locks a month on the 封账 page in a real browser; the page lists it."""

from __future__ import annotations

import os

import pytest

from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_leader_locks_a_month_and_the_page_lists_it(cast, live_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "leader", cast.password)
            page.goto("/dashboard/")
            page.click("text=封账管理")
            expect(page.locator("[data-testid=lock-list] tbody")).to_have_text("还没有封账期间")
            page.check("input[name=kind][value=month]")
            page.fill("#lock-month", "2024-02")
            page.fill("#lock-note", "2024年2月数据已上报")
            page.click("[data-testid=lock-form] button[type=submit]")
            row = page.locator("[data-testid=lock-list] tbody tr").first
            expect(row).to_contain_text("2024-02-01 — 2024-02-29")
            expect(row).to_contain_text("2024年2月数据已上报")
            ctx.close()
        finally:
            browser.close()
