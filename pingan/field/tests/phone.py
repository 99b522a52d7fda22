"""The phone app in a browser: a phone-sized context signed in as a grid worker, for the
field app's Playwright tests."""

from __future__ import annotations

from pingan.web.tests.browser import TIMEOUT_MS


def phone(browser, url: str, cast, username: str = "gw"):
    """A phone-sized context at grid a1 signed in as `username`, the app started with its
    service worker active and the categories from the server; returns (context, page)."""
    lat, lng = cast.point_a1
    context = browser.new_context(
        base_url=url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lng, "accuracy": 8},
        permissions=["geolocation"],
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/?next=/m/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", cast.password)
    page.click("form.login-card button[type=submit]")
    page.wait_for_url("**/m/")
    page.wait_for_selector("body[data-ready='1']")
    # The service worker must be active before the network goes: bounded, unlike a bare
    # `navigator.serviceWorker.ready`, which would wait for ever if registration failed.
    active = page.evaluate(
        """ms => Promise.race([
            navigator.serviceWorker.ready.then(() => true),
            new Promise(resolve => setTimeout(() => resolve(false), ms)),
        ])""",
        TIMEOUT_MS,
    )
    assert active, "the phone app's service worker did not become active"
    # The categories came from the server (not an empty cache after a failed request).
    page.wait_for_selector(f"#r-parent option[value='{cast.dispute.pk}']", state="attached")
    return context, page


def pending(page) -> str:
    return page.inner_text("#m-pending")


def fill_report(page, cast, description: str) -> None:
    """Fill the report form (a neighbour dispute at the phone's position) and submit it."""
    page.click(".m-tabs a[data-tab=report]")
    page.wait_for_selector("#r-grid:has-text('城东社区第一网格')")
    page.select_option("#r-parent", str(cast.dispute.pk))
    page.select_option("#r-category", str(cast.neighbour.pk))
    page.fill("#r-description", description)
    page.click("#r-submit")
