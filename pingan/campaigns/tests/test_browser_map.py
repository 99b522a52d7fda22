"""The listed items' map in a real browser, offline: Leaflet draws each item's polygon and
point coloured by state (overdue red) from the page alone, no script error."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from pingan.campaigns.tests.factories import new_listing, today
from pingan.conftest import square
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_the_listings_map_draws_items_by_state_offline(cast, live_server):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    new_listing(cast)  # a point, listed, on time
    new_listing(
        cast,
        name="老街片区",
        area=square(120.952, 30.522, 0.006),
        listed_on=(today() - dt.timedelta(days=40)).isoformat(),
        deadline=(today() - dt.timedelta(days=1)).isoformat(),
    )  # a polygon and a point, overdue
    outside: list[str] = []
    errors: list[str] = []

    def only_this_server(route):
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
            page.goto("/listings/")
            try:
                page.wait_for_selector("#listing-map[data-rendered='3']")
            except PlaywrightTimeout:
                raise AssertionError(errors) from None
            paths = page.locator("#listing-map path.leaflet-interactive")
            assert paths.count() == 3
            fills = {paths.nth(i).get_attribute("fill") for i in range(3)}
            assert fills == {"#f08c00", "#d7191c"}  # listed orange, overdue red
        finally:
            browser.close()
    assert not outside and not errors
