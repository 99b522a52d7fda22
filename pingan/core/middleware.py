"""Request-wide security middleware of the shared kernel: auditing denials, rate limits."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.clientaddr import client_address
from pingan.core.errors import denials


class AuditDenialsMiddleware:
    """Audit every refused access: each 403 answer, and each 404 that an access check
    gave (an object outside the caller's scope answers like a missing one, but is
    recorded as a denial). Plain missing pages are not recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = denials.set([])
        try:
            response = self.get_response(request)
            raised = denials.get() or []
        finally:
            denials.reset(token)
        status = response.status_code
        scope_404 = status == 404 and bool(raised)
        if status == 403 or scope_404:
            user = getattr(request, "user", None)
            if user is not None and not user.is_authenticated:
                user = getattr(request, "auth", None) if hasattr(request, "auth") else None
                if user is not None and not hasattr(user, "get_username"):
                    # An integration key (12345 / 110) acts as its service account.
                    user = getattr(user, "acting_user", None)
            first = raised[0].message if raised else ""
            audit.record(
                action="access.denied",
                actor=user if user is not None and getattr(user, "pk", None) else None,
                object_type="url",
                object_id=request.path[:64],
                result=str(status),
                request=request,
                detail={
                    "method": request.method,
                    "path": request.path[:300],
                    "reason": first[:200],
                },
            )
        return response


RATE_GROUPS = {
    "login": "PINGAN_RATELIMIT_LOGIN",
    "api": "PINGAN_RATELIMIT_API",
    "public": "PINGAN_RATELIMIT_PUBLIC",
}


def _group(request: HttpRequest) -> str | None:
    path = request.path
    if request.method == "POST" and (
        path.startswith("/login/") or path == "/api/v1/auth/token" or path == "/admin/login/"
    ):
        return "login"
    if path.startswith("/api/"):
        return "api"
    if path.startswith(settings.STATIC_URL) or path == "/healthz":
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "public"
    return None


def _key(group: str, request: HttpRequest) -> str:
    group = group.removeprefix("pingan.")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if group == "api" and header.lower().startswith("bearer "):
        import hashlib

        return "t:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if group == "api" and user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    # The client's address, behind a trusted proxy the one it names (core.clientaddr);
    # unknown ones (a Unix socket without the proxy's header) share one bucket.
    return "ip:" + (client_address(request) or "unknown")


class RateLimitMiddleware:
    """Rate limits on Django's cache (django-ratelimit's counter): sign-in attempts per
    address (the lockout per username is the main defence; carriers share addresses, so
    this limit is generous), API calls per token or user, public pages per address.
    Over the limit: 429, JSON envelope on the API, a Chinese message elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django_ratelimit.core import is_ratelimited

        group = _group(request)
        if group is not None:
            rate = getattr(settings, RATE_GROUPS[group], "")
            if rate and is_ratelimited(
                request, group=f"pingan.{group}", key=_key, rate=rate, increment=True
            ):
                audit.record(
                    action="ratelimit",
                    result="429",
                    object_type="url",
                    object_id=request.path[:64],
                    request=request,
                    detail={"group": group, "method": request.method},
                )
                message = _("请求过于频繁，请稍后再试")
                if request.path.startswith("/api/"):
                    body = {"error": {"code": "rate_limited", "message": message, "fields": {}}}
                    return JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
                response = HttpResponse(
                    message, status=429, content_type="text/plain; charset=utf-8"
                )
                response["Retry-After"] = "60"
                return response
        return self.get_response(request)
