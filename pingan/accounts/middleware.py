"""Session rules that Django's settings do not cover.

- Idle limit: a session ends `SESSION_COOKIE_AGE` (30 minutes) after its last save;
  a signed-in user's request saves it again (its expiry moves forward) when the last save
  is `PINGAN_SESSION_TOUCH_S` (60 s) old or more. So the idle limit is kept to the minute
  and a page view writes the session row at most once a minute, instead of on every
  request as `SESSION_SAVE_EVERY_REQUEST` would (docs/performance.md, "Load").
- Absolute limit: a session ends `PINGAN_SESSION_MAX_AGE_S` (12 hours) after sign-in,
  however active.
- An administrator whose password is older than 90 days can open only the password page
  (and sign out) until it is changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.accounts.services import password_expired


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get("pingan_auth_at")
            if started is None:
                request.session["pingan_auth_at"] = now
            elif now - float(started) > settings.PINGAN_SESSION_MAX_AGE_S:
                logout(request)
                messages.info(request, _("登录已超过 12 小时，请重新登录"))
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # the API answers 401 itself
                return redirect(f"{reverse('login')}?next={request.path}")
            response = self._password_age(request)
            if response is not None:
                return response
            if (
                now - float(request.session.get("pingan_seen_at", 0))
                >= settings.PINGAN_SESSION_TOUCH_S
            ):
                request.session["pingan_seen_at"] = now  # saved with a new expiry
        return self.get_response(request)

    def _password_age(self, request: HttpRequest) -> HttpResponse | None:
        allowed = {reverse("password_change"), reverse("logout")}
        if request.path in allowed or request.path.startswith(settings.STATIC_URL):
            return None
        if request.path.startswith("/api/"):
            return None
        cached = request.session.get("pingan_pw_ok_until", 0)
        if cached > time.time():
            return None
        if password_expired(user=request.user):  # type: ignore[arg-type]
            messages.warning(request, _("管理员密码已超过 90 天未修改，请先修改密码"))
            return redirect("password_change")
        request.session["pingan_pw_ok_until"] = time.time() + 300
        return None
