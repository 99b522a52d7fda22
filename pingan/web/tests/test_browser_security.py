"""Sign-in security in a real browser: TOTP enrolment and sign-in, lockout, idle timeout,
and no Content Security Policy violation on the pages that use scripts and maps."""

from __future__ import annotations

import os
import re

import pytest

from pingan.accounts.models import TotpDevice
from pingan.web.tests.browser import TIMEOUT_MS, launch, login, totp_code

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
]


def new_page(browser, url):
    context = browser.new_context(base_url=url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None
        ),
    )
    return context, page, violations


def password_step(page, username, password):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login-card button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_totp_enrolment_then_sign_in_with_a_code(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page, violations = new_page(browser, live_server.url)
            password_step(page, "disp-a", cast.password)
            page.wait_for_url(re.compile(r"/login/otp/setup/$"))
            assert page.locator(".otp-qr svg").count() == 1  # the QR code, drawn server-side
            secret = page.inner_text("[data-testid=otp-secret]").strip()
            page.fill("#id_code", "000000")
            page.click("form.login-card button[type=submit]")
            assert "动态口令不正确" in page.inner_text("[data-testid=login-error]")
            page.fill("#id_code", totp_code("disp-a", secret))
            page.click("form.login-card button[type=submit]")
            page.wait_for_url(lambda url: "/login/" not in url)
            assert "受理队列" in page.content()
            assert TotpDevice.objects.get(user=cast.dispatcher).confirmed
            ctx.close()

            # Next time: password, then the current code.
            ctx, page, _ = new_page(browser, live_server.url)
            password_step(page, "disp-a", cast.password)
            page.wait_for_url(re.compile(r"/login/otp/$"))
            page.fill("#id_code", totp_code("disp-a"))
            page.click("form.login-card button[type=submit]")
            page.wait_for_url(lambda url: "/login/" not in url)
            assert not violations, violations
            ctx.close()
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_lockout_after_five_failures(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page, _ = new_page(browser, live_server.url)
            for _ in range(5):
                password_step(page, "gw", "wrong-password")
                assert "用户名或密码错误" in page.inner_text("[data-testid=login-error]")
            password_step(page, "gw", cast.password)  # even the right password now
            assert "已暂时锁定" in page.inner_text("[data-testid=login-error]")
            assert "/login/" in page.url
            ctx.close()
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_idle_session_signs_out(cast, live_server, settings):
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_AGE = 2  # seconds, instead of 30 minutes
    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "gw", cast.password)
            page.goto("/events/")
            assert "/login/" not in page.url
            page.wait_for_timeout(3000)
            page.goto("/events/")
            assert "/login/" in page.url
            ctx.close()
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_pages_with_scripts_and_maps_run_under_the_policy(cast, live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            ctx, page = login(browser, live_server.url, "gw", cast.password)
            violations: list[str] = []
            page.on(
                "console",
                lambda msg: (
                    violations.append(msg.text) if "Content Security Policy" in msg.text else None
                ),
            )
            page.goto("/report/")
            page.wait_for_selector("#report-map path.leaflet-interactive")
            page.goto("/")
            page.goto("/events/")
            page.goto("/account/security/")
            page.click("button[value=start]")
            page.wait_for_selector(".otp-qr svg")
            assert not violations, violations
            ctx.close()
        finally:
            browser.close()
