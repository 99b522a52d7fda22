"""The citizen page in a real phone-sized browser: the place from geolocation or a tap on
the map, the arithmetic captcha, the code, then the tracking page."""

from __future__ import annotations

import os

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import sync_playwright

from pingan.citizen.models import CitizenReport
from pingan.intake.services import integration_setup
from pingan.web.tests.browser import TIMEOUT_MS, jpeg, launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
]


@pytest.mark.django_db(transaction=True)
def test_a_citizen_reports_from_a_phone_and_follows_it(cast, live_server):
    integration_setup(channel="citizen", region=cast.county)
    lat, lng = cast.point_a1
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(
                base_url=live_server.url,
                locale="zh-CN",
                viewport={"width": 390, "height": 844},
                geolocation={"latitude": lat, "longitude": lng},
                permissions=["geolocation"],
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto("/citizen/")
            # A tap on the map sets a point; the browser's location then replaces it.
            page.click("#citizen-map", position={"x": 100, "y": 100})
            assert page.input_value("#id_lat") != ""
            page.click("#use-my-location")
            page.wait_for_function(
                f"Math.abs(parseFloat(document.getElementById('id_lat').value) - {lat}) < 1e-5"
            )
            page.fill("#id_phone", "13912345678")
            page.fill("#id_description", "邻居装修半夜砸墙，多次沟通无果")
            page.select_option("#id_category", label="矛盾纠纷 / 邻里纠纷")
            page.set_input_files("#id_photos", [jpeg()])
            hashkey = page.input_value("input[name=captcha_0]")
            assert page.locator("img.captcha").evaluate("img => img.naturalWidth") > 0
            page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=hashkey).response)
            page.click("#citizen-submit")
            code = page.locator("[data-testid=citizen-code]").inner_text().strip()
            report = CitizenReport.objects.get()
            assert code == report.code
            assert report.event.region == cast.grid_a1
            assert report.event.attachments.count() == 1
            page.click("text=查询进度")
            page.fill("#id_last4", "5678")
            page.click("form[method=get] button[type=submit]")
            assert page.locator("[data-testid=citizen-status]").inner_text() == "待受理"
        finally:
            browser.close()
