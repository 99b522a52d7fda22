"""The event page's location map in a real browser, offline: Leaflet draws the grid's
outline and the point from the page alone, and the page asks nothing of the internet."""

from __future__ import annotations

import os

import pytest

from pingan.events.services import event_report
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_event_page_draws_the_grid_outline_and_the_point_offline(cast, live_server):
    from playwright.sync_api import sync_playwright

    lat, lng = cast.point_a1
    event = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="城东小区3幢楼道堆放杂物，邻居争吵",
        lat=lat,
        lng=lng,
    )[0]
    outside: list[str] = []

    def only_this_server(route):  # the county's network has no internet
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "disp-a", cast.password)
            ctx.route("**/*", only_this_server)
            page.goto(f"/events/{event.pk}/")
            page.wait_for_selector("#ev-map[data-rendered=true]")
            # The grid's outline is a path of the overlay; the point is a marker.
            page.wait_for_selector("#ev-map path.leaflet-interactive")
            assert page.locator("#ev-map .leaflet-marker-icon").count() == 1
            assert page.locator("#ev-map .leaflet-control-scale").count() == 1
            assert page.locator("#ev-map .leaflet-tile").count() == 0  # no tile server set
            # The outline is drawn where the grid is: the path spans most of the map's box.
            box = page.locator("#ev-map path.leaflet-interactive").first.bounding_box()
            assert box is not None and box["width"] > 50 and box["height"] > 50
            assert outside == []
            ctx.close()
        finally:
            browser.close()
