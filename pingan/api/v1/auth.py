"""Authentication: bearer tokens (and the browser's session), the token endpoint, /me."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from pingan.accounts.services import (
    LoginThrottled,
    SecondFactorNeeded,
    token_issue,
    token_user,
    user_authenticate,
)
from pingan.api.v1.errors import error_body
from pingan.org.choices import Role
from pingan.org.selectors import memberships_of


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, a token from POST /auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token:
            return None
        return token_user(key=token)


class BrowserSession(APIKeyCookie):
    """The signed-in browser session, so that the pages can call the API.

    Unlike ninja's SessionAuth the CSRF check runs only when a session user is present:
    a request with neither token nor session gets 401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        if unsafe and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # pragma: no cover - __call__ does the work


router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = None  # the 6-digit TOTP code, for users who sign in with two factors


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    error: dict[str, Any]


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="用户名和密码换取接口令牌",
    description="须使用双因素认证的用户（管理员、受理员、领导）"
    "同时提交 otp：认证器上的 6 位动态口令。",
)
def auth_token(request: HttpRequest, payload: TokenIn) -> Any:
    try:
        user = user_authenticate(
            username=payload.username,
            password=payload.password,
            request=request,
            channel="api",
            otp=payload.otp,
        )
    except LoginThrottled:
        return Reply(429, error_body("throttled", _("登录失败次数过多，请稍后再试")))
    except SecondFactorNeeded as need:
        if need.enrol:
            message = _("该账号须使用双因素认证，请先在网页端登录并绑定动态口令")
            return Reply(401, error_body("otp_enrolment_required", message))
        return Reply(401, error_body("otp_required", _("请同时提交认证器上的动态口令（otp）")))
    if user is None:
        return Reply(401, error_body("invalid_credentials", _("用户名或密码错误")))
    return Reply(200, {"token": token_issue(user=user)})


class RoleOut(Schema):
    role: str
    role_label: str
    region: int | None
    region_name: str | None
    department: int | None
    department_name: str | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="当前用户及其角色")
def me(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name or user.username,
        "roles": [
            {
                "role": m.role,
                "role_label": str(Role(m.role).label),
                "region": m.region_id,
                "region_name": m.region.name if m.region else None,
                "department": m.department_id,
                "department_name": m.department.name if m.department else None,
            }
            for m in memberships_of(user)
        ],
    }
