"""The event list of waiting matters works from the keyboard like the workbench's queue
(static/web/js/queue-keys.js): j / k select, a accepts the selected matter and the list
redraws with what happened above it, Enter opens a matter."""

from __future__ import annotations

import os

import pytest

from pingan.events.choices import Status, Urgency
from pingan.events.models import Event
from pingan.events.reporting import event_report
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


def arrive(cast, text: str, urgency: str = Urgency.NORMAL) -> Event:
    lat, lng = cast.point_a1
    return event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description=text,
        lat=lat,
        lng=lng,
        urgency=urgency,
    )[0]


def selected_id(page) -> int:
    return int(page.get_attribute("#results tr.is-selected", "data-event"))


@pytest.mark.django_db(transaction=True)
def test_dispatcher_accepts_from_the_event_list_with_the_keyboard(cast, live_server):
    from playwright.sync_api import sync_playwright

    normal = arrive(cast, "城东社区路灯不亮，居民反映多次")
    urgent = arrive(cast, "天宁社区频繁停电，老人用氧受影响", Urgency.URGENT)
    later = arrive(cast, "城西社区噪音扰民，夜间施工")

    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "disp-a", cast.password)
            page.goto("/events/?status=reported")
            page.wait_for_selector("#results table.table-queue")
            page.keyboard.press("j")
            # The urgent matter heads the list.
            assert selected_id(page) == urgent.pk
            page.keyboard.press("a")
            page.wait_for_selector(f'#results tr[data-event="{urgent.pk}"]', state="detached")
            page.wait_for_selector("#results [data-testid=bulk-result]")
            assert urgent.code in page.inner_text("#results [data-testid=bulk-result]")
            assert Event.objects.get(pk=urgent.pk).status == Status.ACCEPTED
            # The selection stays in place: now the longest-waiting one.
            page.wait_for_selector("#results tr.is-selected")
            assert selected_id(page) == normal.pk
            page.keyboard.press("j")
            assert selected_id(page) == later.pk
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/events/{later.pk}/")
            assert Event.objects.get(pk=later.pk).status == Status.REPORTED
            ctx.close()
        finally:
            browser.close()
