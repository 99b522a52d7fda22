"""A leader drills down in a real browser: county figure → town → village → grid on the
map → the list of the grid's events."""

from __future__ import annotations

import os

import pytest

from pingan.analytics.tests.conftest import at, reported
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
]


@pytest.mark.django_db(transaction=True)
def test_leader_drills_down_from_the_county_to_a_grids_events(cast, live_server):
    from playwright.sync_api import sync_playwright

    in_a1 = [reported(cast, at(3, d)) for d in (3, 4)]
    reported(cast, at(3, 5), town_b=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "leader", cast.password)
            page.goto(f"/dashboard/?region={cast.county.pk}&from=2025-03-01&to=2025-03-31")
            assert page.inner_text("[data-testid=kpi-total] .kpi-value").strip() == "3"
            page.click(f"[data-testid=drill-{cast.town_a.pk}]")
            page.wait_for_selector("text=武原街道")
            assert page.inner_text("[data-testid=kpi-total] .kpi-value").strip() == "2"
            page.click(f"[data-testid=drill-{cast.village_a.pk}]")
            page.wait_for_url(lambda u: f"region={cast.village_a.pk}" in u)
            # The map draws the village's grids; the busy one leads to its events.
            page.wait_for_selector("#dash-map path.leaflet-interactive")
            page.wait_for_function("() => !!document.querySelector('#chart-trend canvas')")
            page.click(f"[data-testid=drill-{cast.grid_a1.pk}]")
            page.wait_for_url(lambda u: f"region={cast.grid_a1.pk}" in u)
            page.click("[data-testid=kpi-total] .kpi-value a")
            page.wait_for_url(lambda u: "/events/" in u)
            codes = page.eval_on_selector_all("a.code", "els => els.map(e => e.textContent)")
            assert sorted(codes) == sorted(e.code for e in in_a1)
            ctx.close()
        finally:
            browser.close()
