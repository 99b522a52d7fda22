"""Sign-in, throttling, two-factor authentication, password age, API tokens, dormant
accounts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from pingan.accounts import roles
from pingan.accounts.models import ApiToken, LoginFailure, TotpDevice, User
from pingan.accounts.selectors import token_active_q
from pingan.core import audit
from pingan.core.errors import NotFound


class LoginThrottled(Exception):
    """Too many failed sign-ins for this username recently."""


def login_is_throttled(*, username: str) -> bool:
    """True when `username` had too many failures within the window."""
    since = timezone.now() - dt.timedelta(seconds=settings.PINGAN_LOGIN_WINDOW_S)
    count = LoginFailure.objects.filter(username=username.lower(), at__gte=since).count()
    return count >= settings.PINGAN_LOGIN_MAX_FAILURES


def login_failure_record(
    *, username: str, request: HttpRequest | None, channel: str, reason: str = "password"
) -> None:
    """Count a failed sign-in step against `username` and audit it."""
    with transaction.atomic():
        LoginFailure.objects.create(username=username.lower())
        audit.record(
            action="login",
            username=username,
            result="failed",
            request=request,
            detail={"channel": channel, "step": reason},
        )


class SecondFactorNeeded(Exception):
    """The password was right; a TOTP code is needed (or enrolment, when `enrol`)."""

    def __init__(self, user: User, *, enrol: bool) -> None:
        super().__init__(user.username)
        self.user = user
        self.enrol = enrol


def user_authenticate(
    *,
    username: str,
    password: str,
    request: HttpRequest | None = None,
    channel: str = "web",
    otp: str | None = None,
) -> User | None:
    """Check a username and password, throttled by username, auditing the attempt.

    For the API (`channel="api"`) the second factor comes in the same call: a user who
    needs one gets `SecondFactorNeeded` without `otp`, None with a wrong one. The web sign-in
    passes no `otp` and asks for the code on the next page (`mfa_needed`).
    """
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
        login_failure_record(username=username, request=request, channel=channel)
        return None
    if channel == "api":
        need = mfa_needed(user=user)  # type: ignore[arg-type]
        if need is not None:
            if need == "enrol" or not otp:
                raise SecondFactorNeeded(user, enrol=need == "enrol")  # type: ignore[arg-type]
            if not totp_verify(user=user, code=otp):  # type: ignore[arg-type]
                login_failure_record(
                    username=username, request=request, channel=channel, reason="totp"
                )
                return None
    if channel == "api" or mfa_needed(user=user) is None:  # type: ignore[arg-type]
        login_succeeded(user=user, request=request, channel=channel)  # type: ignore[arg-type]
    return user  # type: ignore[return-value]


def login_succeeded(
    *, user: User, request: HttpRequest | None, channel: str, factor: str = ""
) -> None:
    """The last sign-in step passed: clear the failures, audit the success."""
    LoginFailure.objects.filter(username=user.username.lower()).delete()
    detail = {"channel": channel}
    if factor:
        detail["factor"] = factor
    audit.record(action="login", actor=user, result="ok", request=request, detail=detail)


# ---- two-factor (TOTP) ---------------------------------------------------------------------


def mfa_required(*, user: User) -> bool:
    """Whether `user`'s roles demand a second factor (administrators, dispatchers, leaders
    by default, `PINGAN_MFA_REQUIRED_ROLES`), unless listed in `PINGAN_MFA_EXEMPT_USERS`."""
    if user.username in set(settings.PINGAN_MFA_EXEMPT_USERS):
        return False
    required = set(settings.PINGAN_MFA_REQUIRED_ROLES)
    if user.is_superuser and required:
        return True
    return user.memberships.filter(is_active=True, role__in=required).exists()  # type: ignore[attr-defined]


def totp_device(*, user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


def mfa_needed(*, user: User) -> str | None:
    """None: the password is enough; "verify": a code from the bound device; "enrol": the
    user must bind a device first (the role requires one)."""
    device = totp_device(user=user)
    if device is not None and device.confirmed:
        return "verify"
    if mfa_required(user=user):
        return "enrol"
    return None


def _totp(device: TotpDevice) -> pyotp.TOTP:
    return pyotp.TOTP(device.secret)


def totp_enrol_start(*, user: User) -> TotpDevice:
    """A fresh, unconfirmed device with a new secret (replacing an unconfirmed one)."""
    device = totp_device(user=user)
    if device is not None and device.confirmed:
        return device
    secret = pyotp.random_base32(32)
    device, _ = TotpDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed": False, "last_step": 0}
    )
    return device


def totp_uri(*, device: TotpDevice) -> str:
    issuer = settings.PINGAN_TOTP_ISSUER
    return _totp(device).provisioning_uri(name=device.user.username, issuer_name=issuer)


def totp_qr_svg(*, device: TotpDevice) -> str:
    """The enrolment QR code as inline SVG, drawn on the server (no internet, no script)."""
    qr = segno.make(totp_uri(device=device), error="m")
    return qr.svg_inline(scale=5, dark="#1f2937", light="#ffffff", omitsize=False)


def totp_verify(*, user: User, code: str, confirm: bool = False) -> bool:
    """Check a 6-digit code (one step of clock drift either way); each step is accepted
    once. With `confirm`, a correct code binds an unconfirmed device."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return False
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None or (not device.confirmed and not confirm):
            return False
        totp = _totp(device)
        now = timezone.now()
        for drift in (0, -1, 1):
            at = now + dt.timedelta(seconds=drift * totp.interval)
            step = totp.timecode(at)
            if step > device.last_step and secrets.compare_digest(totp.at(at), code):
                device.last_step = step
                fields = ["last_step"]
                if not device.confirmed:
                    device.confirmed = True
                    device.confirmed_at = now
                    fields += ["confirmed", "confirmed_at"]
                    audit.record(action="mfa.enrol", actor=user, object_type="user",
                                 object_id=user.pk)  # fmt: skip
                device.save(update_fields=fields)
                return True
    return False


def totp_remove(*, user: User, by: User | None = None, request: HttpRequest | None = None) -> None:
    """Unbind `user`'s device (the user, when not required, or the security administrator)."""
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        audit.record(
            action="mfa.remove",
            actor=by or user,
            object_type="user",
            object_id=user.pk,
            request=request,
        )


# ---- password age ----------------------------------------------------------------------------


def password_expired(*, user: User) -> bool:
    """Administrators must change their password every `PINGAN_ADMIN_PASSWORD_MAX_AGE_DAYS`
    (90) days."""
    if not roles.admin_roles_of(user) and not user.is_superuser:
        return False
    changed = user.password_changed_at or user.date_joined
    age = timezone.now() - changed
    return age > dt.timedelta(days=settings.PINGAN_ADMIN_PASSWORD_MAX_AGE_DAYS)


def password_change(*, user: User, new_password: str, request: HttpRequest | None = None) -> None:
    """Set a new (validated) password: every other session and every API token stop
    working (the session hash changes; tokens are revoked by the signal)."""
    from django.contrib.auth.password_validation import validate_password

    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save()
        audit.record(
            action="password.change", actor=user, object_type="user", object_id=user.pk,
            request=request,
        )  # fmt: skip


# ---- dormant accounts ------------------------------------------------------------------------


def accounts_disable_unused(
    *, now: dt.datetime | None = None, days: int | None = None
) -> list[str]:
    """Disable accounts that can sign in but have not, nor used an API token, for `days`
    (90). Returns the usernames disabled; each is audited."""
    now = now or timezone.now()
    days = days or settings.PINGAN_DORMANT_DAYS
    since = now - dt.timedelta(days=days)
    recent_tokens = ApiToken.objects.filter(last_used_at__gte=since).values("user_id")
    candidates = (
        User.objects.filter(is_active=True, date_joined__lt=since)
        .exclude(password__startswith="!")  # no usable password: cannot sign in anyway
        .exclude(last_login__gte=since)
        .exclude(pk__in=recent_tokens)
    )
    disabled = []
    for user in candidates:
        with transaction.atomic():
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit.record(
                action="account.disable_dormant",
                username="system",
                object_type="user",
                object_id=user.pk,
                detail={"username": user.username, "days": days},
            )
        disabled.append(user.username)
    return disabled


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# How often the last use of a token is written at most: a busy client does not write the
# token's row on every request; the idle limit is counted in hours, so a minute is nothing.
# Tokens, like sessions and the sign-in throttle, live on the wall clock (timezone.now), not
# on the domain clock that the demo generator and tests move (pingan.core.clock).
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def token_issue(*, user: User, label: str = "") -> str:
    """Create an API token for `user`; returns the secret, shown once. `label` names what
    it was issued to (the User-Agent at sign-in), for the owner's list of tokens."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.PINGAN_TOKEN_TTL_HOURS),
        label=" ".join((label or "").split())[:120],
    )
    return key


def token_find(*, key: str) -> ApiToken | None:
    """The working token with secret `key` (its user active), or None: revoked, past its
    lifetime, or unused for longer than the idle limit. Records the use, at most once a
    minute (`TOKEN_TOUCH_INTERVAL`), with an UPDATE that only the first of concurrent
    requests applies."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_active_q(now), key_hash=_hash(key))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    stale = now - TOKEN_TOUCH_INTERVAL
    if token.last_used_at is None or token.last_used_at <= stale:
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_user(*, key: str) -> User | None:
    """The active user a working bearer token belongs to, or None."""
    token = token_find(key=key)
    return token.user if token is not None else None


def token_revoke(
    *,
    user: User,
    token_id: int,
    in_use: ApiToken | None = None,
    request: HttpRequest | None = None,
) -> ApiToken:
    """Revoke one of `user`'s own working tokens (404 for anyone else's, a revoked or
    expired one, or none); audited. `in_use` is the token of the current request, so that
    the audit row says whether the caller revoked the token they were using."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(token_active_q(timezone.now()), pk=token_id, user=user)
            .first()
        )
        if token is None:
            raise NotFound(gettext("令牌不存在或已失效"))
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit.record(
            action="token.revoke",
            actor=user,
            object_type="api_token",
            object_id=token.pk,
            request=request,
            detail={"current": in_use is not None and in_use.pk == token.pk},
        )
    return token


def tokens_revoke(*, user: User) -> int:
    """Revoke every token of `user` (password change, disabling)."""
    return ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
