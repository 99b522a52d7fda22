"""A mediation case in a real browser: the dispatcher registers a walk-in dispute, accepts
and assigns it; the committee's mediator records a session and the agreement."""

from __future__ import annotations

import os
import re

import pytest

from pingan.mediation.models import MediationCase
from pingan.mediation.tests.factories import mediation_cast
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


def click_action(page, action: str) -> None:
    page.click(f"#mediation-case .ev-actions a[data-action={action}]")
    page.wait_for_selector(f"#action-form-{action} form")


def wait_status(page, status: str) -> None:
    page.wait_for_selector(f'#mediation-case [data-status="{status}"]')


@pytest.mark.django_db(transaction=True)
def test_register_accept_assign_session_succeed(cast, live_server):
    from playwright.sync_api import sync_playwright

    med = mediation_cast(cast)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "disp-a", cast.password)
            page.goto("/mediation/")
            page.click("text=登记调解案件")
            page.wait_for_selector("#mediation-new-form")
            page.select_option("#f-dispute_kind", "neighbour")
            page.select_option("#f-region", str(cast.grid_a1.pk))
            page.select_option("#f-committee", str(med.village.pk))
            page.fill("#f-amount", "800")
            page.fill("#f-summary", "两户因排水沟堵塞发生争执")
            page.fill("#p0-name", "王小明")
            page.fill("#p0-phone", "13812345678")
            # One more respondent: an organisation.
            page.click("button[name=add_party][value=respondent]")
            page.wait_for_selector("#p2-name")
            page.fill("#p1-name", "李大华")
            page.select_option("#p2-kind", "organisation")
            page.fill("#p2-name", "海盐某物业公司")
            page.click("#mediation-submit")
            page.wait_for_url(re.compile(r"/mediation/cases/\d+/$"))
            wait_status(page, "registered")
            case = MediationCase.objects.get()
            assert case.parties.count() == 3
            assert "王**" in page.inner_text("#mediation-parties")

            page.click("#mediation-parties [data-unmask]")
            page.wait_for_selector("#mediation-parties[data-revealed]")
            assert "13812345678" in page.inner_text("#mediation-parties")

            click_action(page, "accept")
            page.click("#action-form-accept button[type=submit]")
            wait_status(page, "accepted")

            click_action(page, "assign")
            page.select_option("#f-committee", str(med.village.pk))
            page.select_option("#f-mediator", str(med.village_mediator.pk))
            page.click("#action-form-assign button[type=submit]")
            wait_status(page, "mediating")
            assert "陈调解" in page.inner_text("#mediation-case .case-mediator")
            ctx.close()

            ctx, page = login(browser, live_server.url, "med-village", cast.password)
            page.goto("/mediation/")
            page.click(f"#mine a:text('{case.code}')")
            wait_status(page, "mediating")
            click_action(page, "session")
            page.fill("#f-place", "社区调解室")
            page.fill("#f-record", "双方到场陈述，同意分摊疏通费用")
            page.click("#action-form-session button[type=submit]")
            page.wait_for_selector("#mediation-sessions [data-session]")

            click_action(page, "succeed")
            page.fill("#f-terms", "李大华于本月底前支付疏通费800元")
            page.select_option("#f-performance", "at_once")
            page.click("#action-form-succeed button[type=submit]")
            wait_status(page, "succeeded")
            assert "调解成功" in page.inner_text("#mediation-outcome")
            assert "疏通费800元" in page.inner_text("#mediation-outcome")
            ctx.close()
        finally:
            browser.close()
    case.refresh_from_db()
    assert case.status == "succeeded" and case.mediator == med.village_mediator
