"""Readiness: may this node take traffic? (`/healthz` in core says whether it is alive.)"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from pingan.ops.db_router import REPLICA


def _check_database(alias: str) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


def _redis_url() -> str:
    for queue in getattr(settings, "RQ_QUEUES", {}).values():
        if queue.get("URL"):
            return str(queue["URL"])
    return str(getattr(settings, "REDIS_URL", "") or "")


def _check_redis(url: str) -> dict[str, Any]:
    import redis

    start = time.perf_counter()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the replica and Redis, when configured) answer, else
    503 with Retry-After, so a load balancer takes the node out until they do."""
    checks = {"database": _check_database("default")}
    if REPLICA in connections.settings:
        checks["replica"] = _check_database(REPLICA)
    url = _redis_url()
    if url:
        checks["redis"] = _check_redis(url)
    ready = all(c["ok"] for c in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
    if not ready:
        response["Retry-After"] = str(getattr(settings, "PINGAN_RETRY_AFTER_S", 10))
    return response
