"""The risk register's map in a real browser, offline: Leaflet draws each matter's polygon
and point (with its linking circle) from the page alone, nothing asked of the internet,
no script error."""

from __future__ import annotations

import os

import pytest

from pingan.conftest import square
from pingan.risk.tests.factories import assessed, new_matter
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_the_register_map_draws_the_matters_offline(cast, live_server):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    assessed(cast, new_matter(cast, area=square(120.952, 30.522, 0.006)), grade="high")
    new_matter(cast, title="渔港码头岸线整治", region=cast.grid_b1.pk, lat=30.605, lng=120.805)
    outside: list[str] = []
    errors: list[str] = []

    def only_this_server(route):  # the county's network has no internet
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "leader", cast.password)
            ctx.route("**/*", only_this_server)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto("/risk/")
            try:
                page.wait_for_selector("#risk-map[data-rendered=true]")
            except PlaywrightTimeout:
                raise AssertionError(errors) from None
            # A polygon, and per point its circle and its dot: five paths.
            assert page.locator("#risk-map path.leaflet-interactive").count() == 5
            assert page.locator("#risk-map .leaflet-tile").count() == 0  # no tile server set
            if os.environ.get("RISK_SCREENSHOT"):
                page.screenshot(path=os.environ["RISK_SCREENSHOT"], full_page=True)
        finally:
            browser.close()
    assert not outside and not errors
