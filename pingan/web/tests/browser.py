"""Helpers for the Playwright tests: one headless Chromium, one context per user."""

from __future__ import annotations

import io
import os
import shutil
from typing import Any

from PIL import Image, ImageDraw

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=LAUNCH_ARGS, env=browser_env()
    )


def browser_env() -> dict[str, str]:
    """The browser's environment: the tests' own. Under `make test-future` (libfaketime)
    the tests' processes keep a real monotonic clock (Python's timed waits would otherwise
    sleep for the offset), while Chromium only loads pages with its monotonic clock moved
    too (scripts/test-future.sh)."""
    env = dict(os.environ)
    if "FAKETIME" in env:
        env["FAKETIME_DONT_FAKE_MONOTONIC"] = "0"
    return env


def login(browser: Any, base_url: str, username: str, password: str) -> tuple[Any, Any]:
    """A fresh context signed in through the login page; returns (context, page)."""
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login-card button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url or "/login/otp/" in url)
    if "/login/otp/" in page.url:
        second_factor(page, username)
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def totp_code(username: str, secret: str | None = None) -> str:
    """A code the server has not accepted yet for `username` (the next step after the last
    one used, which the server accepts as one step of clock drift)."""
    import datetime as dt

    import pyotp

    from pingan.accounts.models import TotpDevice

    device = TotpDevice.objects.filter(user__username=username).first()
    totp = pyotp.TOTP(secret or device.secret)  # type: ignore[union-attr]
    now = dt.datetime.now(dt.UTC)
    if device is not None and device.last_step >= totp.timecode(now):
        now += dt.timedelta(seconds=totp.interval)
    return totp.at(now)


def second_factor(page: Any, username: str) -> None:
    """Bind an authenticator (first sign-in of a role that needs two factors) or enter the
    current code, as the user would with the phone app."""
    if "/login/otp/setup/" in page.url:
        secret = page.inner_text("[data-testid=otp-secret]").strip()
        page.fill("#id_code", totp_code(username, secret))
    else:
        page.fill("#id_code", totp_code(username))
    page.click("form.login-card button[type=submit]")


def jpeg(width: int = 320, height: int = 240) -> dict[str, Any]:
    """A small JPEG for set_input_files."""
    img = Image.new("RGB", (width, height), (205, 214, 222))
    draw = ImageDraw.Draw(img)
    # A corridor with boxes in it: enough shape to tell the thumbnail from a blank.
    draw.polygon(
        [(0, height), (width // 3, height // 3), (2 * width // 3, height // 3), (width, height)],
        fill=(150, 150, 140),
    )
    for i, colour in enumerate([(160, 110, 60), (120, 80, 40), (180, 140, 90)]):
        x = width // 3 + i * width // 9
        draw.rectangle([x, height // 2, x + width // 10, height // 2 + height // 6], fill=colour)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}
