"""Request logging and replica reads (the 503 answer is in `unavailable`)."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from pingan.ops.db_router import replica_reads

log = logging.getLogger("pingan.request")


def _user_id(request: HttpRequest) -> int | None:
    """The user's id if authentication already loaded it (never a query of its own)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)


class RequestLogMiddleware:
    """One log line per request: method, path (never the query string, which may carry a
    name or a phone number), status, duration, user id, request id (X-Request-ID from
    nginx, or a fresh one, echoed in the response)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        start = time.perf_counter()
        response = self.get_response(request)
        ms = round((time.perf_counter() - start) * 1000, 1)
        response["X-Request-ID"] = request_id
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        if response.status_code == 503:
            level = logging.WARNING
        log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": ms,
                "user_id": _user_id(request),
            },
        )
        return response


class ReplicaReadsMiddleware:
    """GET requests to the analytics paths (settings.PINGAN_REPLICA_PATHS) read from the
    replica when one is configured (see pingan.ops.db_router)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.paths = tuple(getattr(settings, "PINGAN_REPLICA_PATHS", ()))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and self.paths and request.path.startswith(self.paths):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
