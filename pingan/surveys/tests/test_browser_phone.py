"""The phone app's 问卷 tab in headless Chromium: a survey filled offline waits in the
queue and arrives exactly once when the network returns."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from pingan.field.tests.phone import pending, phone
from pingan.surveys.models import Response
from pingan.surveys.tests.factories import security_survey
from pingan.web.tests.browser import launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_offline_survey_answer_arrives_once(cast, live_server):
    from playwright.sync_api import sync_playwright

    survey = security_survey(cast)
    head = survey.questions.get(headline=True)
    positive = head.options.get(order=1)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context, page = phone(browser, live_server.url, cast)
            page.click(".m-tabs a[data-tab=survey]")
            card = page.locator(f"#sv-list [data-survey='{survey.pk}']")
            expect(card).to_contain_text("0/4")  # town A's quota, cached for offline use

            context.set_offline(True)
            page.wait_for_selector("#m-net:has-text('离线')")
            card.locator("button[data-fill]").click()
            page.click("#sv-submit")  # nothing answered: the first required question
            expect(page.locator("#sv-error")).to_contain_text("第1题必须作答")
            for q in survey.questions.prefetch_related("options"):
                if not q.required:
                    continue
                value = (
                    positive.pk
                    if q.pk == head.pk
                    else (q.options.first().pk if q.kind == "single" else 4)
                )
                page.check(f"[name='sv-q{q.pk}'][value='{value}']")
            page.fill("#sv-phone", "13700001111")
            page.click("#sv-submit")
            expect(page.locator("#m-pending")).to_have_text("1")
            expect(card).to_contain_text("1 份待发送")
            assert Response.objects.count() == 0

            context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
            expect(page.locator("#m-pending")).to_have_text("0", timeout=30_000)
            with page.expect_response("**/api/v1/field/tasks"):
                page.evaluate("window.dispatchEvent(new Event('online'))")
            assert pending(page) == "0"
            row = Response.objects.get()
            assert (row.survey_id, row.town_id, row.positive) == (survey.pk, cast.town_a.pk, True)
            assert row.submitted_by_id == cast.gridworker.pk and row.phone == "13700001111"
            expect(card).to_contain_text("今日已录 1 份", timeout=10_000)
            context.close()
        finally:
            browser.close()
