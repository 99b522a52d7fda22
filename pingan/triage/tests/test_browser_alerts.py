"""The leader told of a risk alert marks it 误报 from the event page, in a real browser."""

from __future__ import annotations

import os

import pytest

from pingan.events.services import event_report
from pingan.triage.models import Alert
from pingan.web.tests.browser import launch, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_leader_marks_an_alert_a_false_alarm(cast, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    from pingan.triage.services import alert_rules_install_defaults, alerts_check

    alert_rules_install_defaults()
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="有人扬言要跳楼",
        lat=lat,
        lng=lng,
    )
    alerts_check(event_id=event.pk)
    alert = Alert.objects.get(event=event)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "leader", cast.password)
            page.goto(f"/events/{event.pk}/")
            item = page.locator(f'#triage-panel li[data-alert="{alert.pk}"]')
            item.locator("button[value=false_alarm]").click()
            page.wait_for_selector(f'#triage-panel li[data-alert="{alert.pk}"] .alert-verdict')
            page.screenshot(path=str(tmp_path / "panel.png"), full_page=True)
            assert "研判：误报" in item.inner_text()
            ctx.close()
        finally:
            browser.close()
    alert.refresh_from_db()
    assert alert.verdict == "false_alarm"
    assert alert.verdict_by == cast.leader
