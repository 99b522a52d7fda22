"""The grid leader sees a worker's patrol drawn on the Leaflet map."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from django.utils import timezone

from pingan.core import clock
from pingan.patrols.services import patrol_finish, patrol_points_add, patrol_start
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
]


@pytest.mark.django_db(transaction=True)
def test_leader_sees_patrol_on_map(cast, live_server):
    from playwright.sync_api import sync_playwright

    now = clock.now()
    start = now - dt.timedelta(minutes=30)
    p, _ = patrol_start(actor=cast.gridworker, client_uuid=uuid.uuid4(), started_at=start)
    patrol_points_add(
        actor=cast.gridworker,
        patrol_id=p.pk,
        points=[
            {"lat": 30.525, "lng": 120.945 + 0.0002 * i, "at": start + dt.timedelta(seconds=10 * i)}
            for i in range(20)
        ],
    )
    patrol_finish(actor=cast.gridworker, patrol_id=p.pk)
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            ctx, page = login(browser, live_server.url, "gl", cast.password)
            # The page shows one day; ask for the patrol's own (local) day, which is not
            # today in the first half hour after midnight.
            page.goto(f"/grid/patrols/?day={timezone.localtime(start).date().isoformat()}")
            page.wait_for_selector(f'#patrol-map path[data-patrol="{p.pk}"]', state="attached")
            assert "张网格" in page.inner_text("#patrol-table")
            ctx.close()
        finally:
            browser.close()
