"""A dispatcher's day in a real browser: 100 matters arrive through the services, some
紧急/特急; the dispatcher works the queue from the keyboard, urgent ones first, while new
matters arrive and the page keeps its counts true without a reload and raises the alert."""

from __future__ import annotations

import os

import pytest

from pingan.events.choices import Status, Urgency
from pingan.events.models import Event
from pingan.events.reporting import event_report
from pingan.web.tests.browser import TIMEOUT_MS, launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]

PLACES = ["城东社区", "城西社区", "天宁社区", "海滨社区", "向阳社区"]
MATTERS = ["路灯不亮", "楼道堆放杂物", "噪音扰民", "道路积水", "垃圾未清运"]


def arrive(cast, n: int, urgency: str = Urgency.NORMAL, what: str = "") -> list[Event]:
    lat, lng = cast.point_a1
    events = []
    for i in range(n):
        text = what or f"{PLACES[i % 5]}{MATTERS[(i // 5) % 5]}，居民反映多次"
        events.append(
            event_report(
                actor=cast.gridworker,
                category=cast.neighbour.pk,
                description=text,
                lat=lat,
                lng=lng,
                urgency=urgency,
            )[0]
        )
    return events


BADGE_IS = "n => document.querySelector('[data-live=reported]').textContent === n"
TAB_IS = "n => document.querySelector('#queue [data-count=reported]').textContent.trim() === n"


def waiting_count() -> int:
    return Event.objects.filter(status=Status.REPORTED, queue_region__code="330424001").count()


def selected_id(page) -> int:
    return int(page.get_attribute("#queue tr.is-selected", "data-event"))


@pytest.mark.django_db(transaction=True)
def test_dispatcher_works_the_queue_from_the_keyboard_with_live_counts(cast, live_server, settings):
    from playwright.sync_api import sync_playwright

    settings.PINGAN_LIVE_POLL_S = 2
    # The morning: 100 matters, 10 紧急 and 3 特急 among them, arriving in mixed order.
    normal = arrive(cast, 40)
    urgent = arrive(cast, 6, Urgency.URGENT, "天宁社区频繁停电，老人用氧受影响")
    normal += arrive(cast, 30)
    critical = arrive(cast, 3, Urgency.CRITICAL, "城东社区燃气管道泄漏，有明显气味")
    urgent += arrive(cast, 4, Urgency.URGENT, "海滨社区护栏损坏，有坠落危险")
    normal += arrive(cast, 17)
    assert waiting_count() == 100

    with sync_playwright() as p:
        browser = launch(p)
        try:
            # Signing in lands on the workbench.
            ctx, page = login(browser, live_server.url, "disp-a", cast.password)
            page.wait_for_selector("#queue table.table-queue")
            # The urgent ones head the queue: 特急 first, then 紧急, each oldest first.
            first_rows = page.eval_on_selector_all(
                "#queue tbody tr[data-event]", "rows => rows.map(r => +r.dataset.event)"
            )
            assert first_rows[:13] == [e.pk for e in critical] + [e.pk for e in urgent]
            assert first_rows[13] == normal[0].pk

            # The alert names the waiting 紧急/特急 matters, with a tone, once each.
            page.wait_for_selector("[data-testid=urgent-alerts] li")
            alerted = page.eval_on_selector_all(
                "[data-testid=urgent-alerts] li", "items => items.map(li => +li.dataset.event)"
            )
            assert set(alerted) == {e.pk for e in critical + urgent}
            page.wait_for_function("() => !!document.documentElement.dataset.lastBeep")
            page.wait_for_function(BADGE_IS, arg="100")
            for _ in alerted:
                page.click("[data-testid=urgent-alerts] li [data-dismiss]")
            page.wait_for_selector("#live-alerts", state="hidden")

            # The help: "?" opens it.
            page.keyboard.press("?")
            page.wait_for_selector("#kbd-help[open]")
            page.keyboard.press("?")

            # j selects the first row; a accepts it and the next one moves up.
            page.keyboard.press("j")
            assert selected_id(page) == critical[0].pk
            page.keyboard.press("j")
            page.keyboard.press("k")
            assert selected_id(page) == critical[0].pk
            for done, event in enumerate(critical + urgent, start=1):
                assert selected_id(page) == event.pk
                page.keyboard.press("a")
                page.wait_for_selector(f'#queue tr[data-event="{event.pk}"]', state="detached")
                page.wait_for_selector("#queue tr.is-selected")
                assert waiting_count() == 100 - done
            # Now the longest-waiting normal matter heads the queue.
            assert selected_id(page) == normal[0].pk
            assert (
                Event.objects.filter(
                    pk__in=[e.pk for e in critical + urgent], status=Status.ACCEPTED
                ).count()
                == 13
            )

            # Matters keep arriving while the page is open: the counts follow without a
            # reload, and the new 特急 one raises the alert.
            arrive(cast, 4)
            (fire,) = arrive(cast, 1, Urgency.CRITICAL, "向阳社区仓库起火，浓烟较大")
            expected = str(waiting_count())
            page.wait_for_selector(
                f'[data-testid=urgent-alerts] li[data-event="{fire.pk}"]', timeout=TIMEOUT_MS
            )
            page.wait_for_function(BADGE_IS, arg=expected)
            page.wait_for_function(TAB_IS, arg=expected)
            page.wait_for_selector(f'#queue tbody tr[data-event="{fire.pk}"]:first-child')
            # An event announced once is not announced again after a reload.
            page.reload()
            page.wait_for_function("() => !!document.documentElement.dataset.liveVersion")
            assert page.locator("[data-testid=urgent-alerts] li").count() == 0

            # Enter opens the selected matter.
            page.keyboard.press("j")
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/events/{fire.pk}/")
            ctx.close()
        finally:
            browser.close()
