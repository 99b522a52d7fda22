"""Authentication: bearer tokens (and the browser's session), /me, and the tokens: sign in
for one, list one's own, revoke the one in use or one by id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import Field

from pingan.accounts.selectors import token_idle_expiry, token_list
from pingan.accounts.services import (
    LoginThrottled,
    SecondFactorNeeded,
    token_find,
    token_issue,
    token_revoke,
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
        found = token_find(key=token)
        if found is None:
            return None
        request.api_token = found  # type: ignore[attr-defined]  # the token in use
        return found.user


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
# The token operations. Added to the API after every other router (router.py), so that
# DELETE /auth/token, which ends the caller's token, comes last in the schema: a client
# that walks the schema in order with one token (schemathesis) tests everything else first.
tokens_router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = None  # the 6-digit TOTP code, for users who sign in with two factors


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    error: dict[str, Any]


class TokenItemOut(Schema):
    id: int
    label: str = Field(description="签发时的客户端（User-Agent）")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(description="最近使用时间（至多每分钟记录一次）")
    expires_at: dt.datetime = Field(description="有效期截止")
    idle_expires_at: dt.datetime | None = Field(description="若此前不再使用，令牌在此时失效")
    current: bool = Field(description="是否为本次请求所用的令牌")


@tokens_router.get(
    "/auth/tokens",
    response={200: list[TokenItemOut], 401: ErrorOut},
    summary="本人仍有效的接口令牌",
    description="不含令牌本身或其摘要。",
)
def token_items(request: HttpRequest) -> Any:
    in_use = getattr(request, "api_token", None)
    return [
        {
            "id": t.pk,
            "label": t.label,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "expires_at": t.expires_at,
            "idle_expires_at": token_idle_expiry(t),
            "current": in_use is not None and in_use.pk == t.pk,
        }
        for t in token_list(user=request.auth)  # type: ignore[attr-defined]
    ]


@tokens_router.delete(
    "/auth/tokens/{token_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="吊销本人的一个接口令牌",
)
def token_delete(request: HttpRequest, token_id: int) -> Any:
    token_revoke(
        user=request.auth,  # type: ignore[attr-defined]
        token_id=token_id,
        in_use=getattr(request, "api_token", None),
        request=request,
    )
    return Reply(204, None)


@tokens_router.post(
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
    label = request.headers.get("User-Agent", "")
    return Reply(200, {"token": token_issue(user=user, label=label)})


@tokens_router.delete(
    "/auth/token",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="吊销本次请求所用的接口令牌（退出登录）",
    description="以浏览器会话调用时没有令牌可吊销：404。",
)
def token_delete_current(request: HttpRequest) -> Any:
    in_use = getattr(request, "api_token", None)
    if in_use is None:
        return Reply(404, error_body("not_found", _("本次请求未使用接口令牌")))
    token_revoke(
        user=request.auth,  # type: ignore[attr-defined]
        token_id=in_use.pk,
        in_use=in_use,
        request=request,
    )
    return Reply(204, None)


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
