"""Reads of accounts: a user's own API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from pingan.accounts.models import ApiToken, User


def token_idle_limit() -> dt.timedelta | None:
    """How long a token may go unused before it stops working (`PINGAN_TOKEN_IDLE_HOURS`,
    72 by default; 0: no idle limit)."""
    hours = float(getattr(settings, "PINGAN_TOKEN_IDLE_HOURS", 0) or 0)
    return dt.timedelta(hours=hours) if hours > 0 else None


def token_active_q(now: dt.datetime) -> Q:
    """Tokens that work at `now`: not revoked, not past their lifetime, not idle too long
    (the last use, or the issue when never used, within the idle limit)."""
    q = Q(revoked=False, expires_at__gt=now)
    idle = token_idle_limit()
    if idle is not None:
        since = now - idle
        q &= Q(last_used_at__gte=since) | Q(last_used_at__isnull=True, created_at__gte=since)
    return q


def token_idle_expiry(token: ApiToken) -> dt.datetime | None:
    """When `token` stops working if it is not used before then (None: no idle limit)."""
    idle = token_idle_limit()
    if idle is None:
        return None
    return min(token.expires_at, (token.last_used_at or token.created_at) + idle)


def token_list(*, user: User) -> list[ApiToken]:
    """The user's own tokens that work now, newest first."""
    return list(
        ApiToken.objects.filter(token_active_q(timezone.now()), user=user).order_by(
            "-created_at", "-pk"
        )
    )
