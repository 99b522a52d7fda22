"""When the database cannot be reached: answer 503 with Retry-After, never a 500.

A request that meets `OperationalError` or `InterfaceError` (the server restarting, a
connection cut, the pool exhausted, SQLite busy) gets 503 and `Retry-After`; its
transaction was rolled back by the database, so nothing half-applies. Django drops the
broken connection at the end of the request (and checks a kept one before reusing it:
`conn_health_checks`), so the next request after the database is back succeeds.

Three places catch it: the middleware (exceptions from views), the API's exception
handlers (django-ninja answers every API exception itself; `pingan.api.v1.errors`
registers `unavailable_response` for DB_DOWN) and `server_error`, the handler500
(exceptions from other middleware, e.g. saving the session).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger("pingan.ops.unavailable")

DB_DOWN = (OperationalError, InterfaceError)
# Answered in JSON (the API's envelope); everything else gets a short page.
JSON_PATHS = ("/api/", "/readyz", "/healthz")


def retry_after() -> int:
    return int(getattr(settings, "PINGAN_RETRY_AFTER_S", 10))


def unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """The 503 answer: the API's error envelope under /api/, a short Chinese page
    elsewhere. Renders without a request context (which would query the database)."""
    log.warning(
        "database unavailable",
        extra={"path": request.path, "error": type(exc).__name__ if exc else ""},
    )
    message = _("服务暂时不可用（数据库连接中断），请稍后重试")
    if request.path.startswith(JSON_PATHS):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "fields": {}}},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(
            render_to_string("ops/503.html", {"message": message, "retry": retry_after()}),
            status=503,
        )
    response["Retry-After"] = str(retry_after())
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage met by a view into 503 + Retry-After."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DB_DOWN):
            return unavailable_response(request, exc)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 when the uncaught exception was a database outage."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DB_DOWN):
        return unavailable_response(request, exc)
    return HttpResponseServerError(
        render_to_string("ops/500.html", {"message": _("服务器内部错误，请稍后重试")})
    )
