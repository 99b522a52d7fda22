"""The county leader's map in a real browser: towns coloured with a legend and their
names, the figure switched in the radio buttons, clustered pins at town level; and the
citizen page's map with the towns' outlines."""

from __future__ import annotations

import os

import pytest

from pingan.analytics.tests.conftest import act, at, reported
from pingan.conftest import square
from pingan.intake.services import integration_setup
from pingan.web.tests.browser import TIMEOUT_MS, launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
]

LEGEND = "[data-testid=map-legend]"


@pytest.mark.django_db(transaction=True)
def test_leader_reads_the_county_map_and_switches_the_figure(cast, live_server):
    from playwright.sync_api import sync_playwright

    e = reported(cast, at(3, 3))
    act(cast.gridworker, e, "resolve_on_site", at(3, 3, hour=10), result="现场调解")
    reported(cast, at(3, 4))
    reported(cast, at(3, 5), town_b=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "leader", cast.password)
            page.goto(f"/dashboard/?region={cast.county.pk}&from=2025-03-01&to=2025-03-31")
            page.wait_for_selector(f"{LEGEND} .map-legend-title")
            assert page.inner_text(f"{LEGEND} .map-legend-title") == "事件量"
            labels = page.eval_on_selector_all(".map-label", "els => els.map(e => e.textContent)")
            assert sorted(labels) == ["武原街道", "通元镇"]
            # Two towns, two shades, and the grey of "no data" explained.
            assert page.locator(f"{LEGEND} li").count() == 3
            page.check("input[name=metric][value=closure_rate]")
            page.wait_for_function(
                "() => document.querySelector('[data-testid=map-legend] .map-legend-title')"
                ".textContent === '办结率'"
            )
            assert "100.00%" in page.inner_text(LEGEND)
            assert "无数据" in page.inner_text(LEGEND)
            # A town's dashboard draws its grids and the events as clustered pins.
            page.goto(f"/dashboard/?region={cast.town_a.pk}&from=2025-03-01&to=2025-03-31")
            page.wait_for_selector("#dash-map .marker-cluster")
            assert page.inner_text("#dash-map .marker-cluster").strip() == "2"
            assert "事件点位 2" in page.inner_text("#dash-map-note")
            ctx.close()
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_the_citizen_map_shows_the_towns(cast, live_server):
    from playwright.sync_api import sync_playwright

    for town, corner in ((cast.town_a, (120.9, 30.5)), (cast.town_b, (120.78, 30.58))):
        town.geometry = square(*corner, 0.08)
        town.save(update_fields=["geometry"])
    integration_setup(channel="citizen", region=cast.county)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(base_url=live_server.url, locale="zh-CN")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto("/citizen/")
            page.wait_for_selector("#citizen-map path.leaflet-interactive")
            assert page.locator("#citizen-map path.leaflet-interactive").count() == 2
            names = page.eval_on_selector_all(
                ".citizen-town-label", "els => els.map(e => e.textContent)"
            )
            assert sorted(names) == ["武原街道", "通元镇"]
            assert page.is_visible("[data-testid=citizen-map-hint]")
            context.close()
        finally:
            browser.close()
