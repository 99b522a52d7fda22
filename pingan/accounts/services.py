"""Sign-in, throttling and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from pingan.accounts.models import ApiToken, LoginFailure, User
from pingan.core import audit


class LoginThrottled(Exception):
    """Too many failed sign-ins for this username recently."""


def login_is_throttled(*, username: str) -> bool:
    """True when `username` had too many failures within the window."""
    since = timezone.now() - dt.timedelta(seconds=settings.PINGAN_LOGIN_WINDOW_S)
    count = LoginFailure.objects.filter(username=username.lower(), at__gte=since).count()
    return count >= settings.PINGAN_LOGIN_MAX_FAILURES


def user_authenticate(
    *, username: str, password: str, request: HttpRequest | None = None, channel: str = "web"
) -> User | None:
    """Check a username and password, throttled by username, auditing the attempt."""
    if login_is_throttled(username=username):
        audit.record(
            action="login",
            username=username,
            result="throttled",
            request=request,
            detail={"channel": channel},
        )
        raise LoginThrottled(username)
    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            LoginFailure.objects.create(username=username.lower())
            audit.record(
                action="login",
                username=username,
                result="failed",
                request=request,
                detail={"channel": channel},
            )
        return None
    LoginFailure.objects.filter(username=username.lower()).delete()
    audit.record(
        action="login", actor=user, result="ok", request=request, detail={"channel": channel}
    )
    return user  # type: ignore[return-value]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: User) -> str:
    """Create an API token for `user`; returns the secret, shown once."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        expires_at=timezone.now() + dt.timedelta(hours=settings.PINGAN_TOKEN_TTL_HOURS),
    )
    return key


def token_user(*, key: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked=False, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_revoke(*, user: User) -> int:
    """Revoke every token of `user` (password change, disabling)."""
    return ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
