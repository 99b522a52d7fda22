"""The phone app tells the worker what became of a report and keeps it at the top of 我的
in every state: sent at once (「已提交，编号 …」 and the server's state), made offline
(「已保存，联网后自动发送」, 待发送, 发送中, then the code), refused or not taken by the
server (发送失败 with 重试). Headless Chromium against the live server."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from pingan.events.models import Category, Event
from pingan.events.services import event_transition
from pingan.field.tests.phone import fill_report, phone
from pingan.web.tests.browser import launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_card(page):
    return page.locator("#mine-list .m-card").first


def cards_about(page, description: str):
    return page.locator("#mine-list .m-card", has_text=description[:30])


def test_report_sent_online_is_confirmed_with_its_code_and_heads_my_reports(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            fill_report(page, cast, "城东小区北门路灯不亮，夜间行人看不清路")

            notice = page.locator("#m-notice")
            expect(notice).to_contain_text("已提交，编号")
            event = Event.objects.get()
            expect(notice).to_contain_text(f"已提交，编号 {event.code}")
            expect(page.locator("#view-mine")).to_be_visible()
            expect(first_card(page)).to_contain_text("城东小区北门路灯不亮")
            expect(first_card(page)).to_contain_text(event.code)
            expect(first_card(page)).to_contain_text("待受理")
            expect(cards_about(page, "城东小区北门路灯不亮")).to_have_count(1)

            # The centre accepts it; a tap on 刷新 shows the new state, no reload.
            event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept")
            page.click("#mine-refresh")
            expect(first_card(page)).to_contain_text("已受理")
            expect(cards_about(page, "城东小区北门路灯不亮")).to_have_count(1)

            # The confirmation opens the event.
            notice.get_by_text("查看").click()
            page.wait_for_url(f"**/events/{event.pk}/")
            expect(page.locator("body")).to_contain_text(event.code)
            context.close()
        finally:
            browser.close()


def test_offline_report_is_saved_then_sent_with_its_code(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            # An earlier report, sent: the offline one must come above it.
            fill_report(page, cast, "上周的上报：垃圾桶满溢")
            expect(first_card(page)).to_contain_text("待受理")

            context.set_offline(True)
            page.wait_for_selector("#m-net:has-text('离线')")
            fill_report(page, cast, "城东小区3幢楼道堆放杂物，影响通行")
            expect(page.locator("#m-notice")).to_contain_text("已保存，联网后自动发送")
            expect(first_card(page)).to_contain_text("城东小区3幢楼道堆放杂物")
            expect(first_card(page)).to_contain_text("待发送")
            expect(page.locator("#m-pending")).to_have_text("1")
            assert Event.objects.count() == 1

            # Back online: the report goes (held on its way, to see 发送中), then its code
            # and the server's state take the place of the queued card.
            held = []
            page.route("**/api/v1/field/reports", lambda route: held.append(route))
            context.set_offline(False)
            expect(first_card(page)).to_contain_text("发送中")
            held[0].continue_()
            page.unroute("**/api/v1/field/reports")

            expect(page.locator("#m-notice")).to_contain_text("已提交，编号")
            event = Event.objects.get(description="城东小区3幢楼道堆放杂物，影响通行")
            expect(page.locator("#m-notice")).to_contain_text(f"已提交，编号 {event.code}")
            expect(page.locator("#m-pending")).to_have_text("0")
            expect(first_card(page)).to_contain_text(event.code)
            expect(first_card(page)).to_contain_text("待受理")
            expect(cards_about(page, "城东小区3幢楼道堆放杂物")).to_have_count(1)
            expect(page.locator("#mine-list [data-queued]")).to_have_count(0)
            expect(page.locator("#mine-list .m-card").nth(1)).to_contain_text("垃圾桶满溢")
            context.close()
        finally:
            browser.close()


def test_failed_send_shows_the_reason_and_is_sent_again_on_retry(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)

            # The server cannot take it now: 发送失败, it stays queued; 重试 sends it.
            page.route(
                "**/api/v1/field/reports",
                lambda route: route.fulfill(status=503, json={"error": {"code": "unavailable"}}),
            )
            fill_report(page, cast, "河边护栏松动，有落水危险")
            expect(first_card(page)).to_contain_text("发送失败：服务器暂时无法处理（503）")
            page.unroute("**/api/v1/field/reports")
            first_card(page).get_by_role("button", name="重试").click()
            expect(page.locator("#m-notice")).to_contain_text("已提交，编号")
            expect(first_card(page)).to_contain_text("待受理")
            assert Event.objects.count() == 1

            # The server refuses it (the category was switched off meanwhile): its reason,
            # kept on the phone; once the category is back, 重试 sends it.
            page.click("#m-notice .m-notice-close")
            Category.objects.filter(pk=cast.neighbour.pk).update(is_active=False)
            fill_report(page, cast, "桥下有人聚集争吵")
            expect(first_card(page).locator(".m-status")).to_have_text("发送失败：分类不存在")
            expect(page.locator("#m-banner")).to_contain_text("1 条内容发送失败")
            expect(page.locator("#m-notice")).to_be_hidden()
            assert Event.objects.count() == 1

            Category.objects.filter(pk=cast.neighbour.pk).update(is_active=True)
            first_card(page).get_by_role("button", name="重试").click()
            expect(page.locator("#m-notice")).to_contain_text("已提交，编号")
            event = Event.objects.get(description="桥下有人聚集争吵")
            expect(first_card(page)).to_contain_text(event.code)
            expect(first_card(page)).to_contain_text("待受理")
            expect(page.locator("#mine-list [data-queued]")).to_have_count(0)
            expect(page.locator("#m-banner")).to_be_hidden()
            context.close()
        finally:
            browser.close()
