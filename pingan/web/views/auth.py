"""Sign-in (password, then a TOTP code where required), enrolment, sign-out, password.

The password step does not sign the user in when a second factor is needed: it keeps the
user's id in the session as "pending" for five minutes and sends them to the code page (or
to enrolment, when their role requires a second factor and none is bound). Only then does
`login()` run. Wrong codes count as failed sign-ins for the username (five lock it).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from pingan.accounts.models import TotpDevice, User
from pingan.accounts.services import (
    LoginThrottled,
    login_failure_record,
    login_is_throttled,
    login_succeeded,
    mfa_needed,
    mfa_required,
    password_change,
    totp_device,
    totp_enrol_start,
    totp_qr_svg,
    totp_remove,
    totp_uri,
    totp_verify,
    user_authenticate,
)
from pingan.core import audit
from pingan.web.forms import LoginForm

PENDING_KEY = "pingan_pending_user"
PENDING_TTL_S = 300
BACKEND = "pingan.accounts.backends.RoleBackend"


def _next_url(request: HttpRequest, candidate: str | None = None) -> str:
    if candidate is None:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _throttled_message() -> str:
    minutes = max(1, settings.PINGAN_LOGIN_WINDOW_S // 60)
    return _("登录失败次数过多，该账号已暂时锁定，请 %(m)d 分钟后再试") % {"m": minutes}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    """Username and password, checked by `user_authenticate` (throttled by username and
    audited); a wrong password and an unknown user get the same message."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request))
    error = ""
    status = 200
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except LoginThrottled:
            error = _throttled_message()
            status = 429
        else:
            if user is None or not user.is_active:
                error = _("用户名或密码错误")
                status = 401
            else:
                need = mfa_needed(user=user)
                if need is None:
                    login(request, user, backend=BACKEND)
                    return HttpResponseRedirect(_next_url(request))
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "id": user.pk,
                    "at": time.time(),
                    "next": _next_url(request),
                }
                return redirect("login_otp_setup" if need == "enrol" else "login_otp")
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "web/login.html",
        {
            "form": form,
            "error": error,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


def _pending(request: HttpRequest) -> tuple[User | None, str]:
    data = request.session.get(PENDING_KEY)
    if not data or time.time() - float(data.get("at", 0)) > PENDING_TTL_S:
        request.session.pop(PENDING_KEY, None)
        return None, ""
    user = User.objects.filter(pk=data["id"], is_active=True).first()
    return user, data.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL)


def _finish(request: HttpRequest, user: User, next_url: str, factor: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login_succeeded(user=user, request=request, channel="web", factor=factor)
    login(request, user, backend=BACKEND)
    return HttpResponseRedirect(_next_url(request, next_url))


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_otp(request: HttpRequest) -> HttpResponse:
    """Second step: the 6-digit code from the bound authenticator."""
    user, next_url = _pending(request)
    if user is None:
        messages.info(request, _("请重新输入用户名和密码"))
        return redirect("login")
    device = totp_device(user=user)
    if device is None or not device.confirmed:
        return redirect("login_otp_setup")
    error, status = "", 200
    if request.method == "POST":
        if login_is_throttled(username=user.username):
            request.session.pop(PENDING_KEY, None)
            audit.record(action="login", username=user.username, result="throttled",
                         request=request, detail={"channel": "web", "step": "totp"})  # fmt: skip
            return render(request, "web/login_otp.html", {"error": _throttled_message(),
                                                          "locked": True}, status=429)  # fmt: skip
        if totp_verify(user=user, code=request.POST.get("code", "")):
            return _finish(request, user, next_url, "totp")
        login_failure_record(username=user.username, request=request, channel="web",
                             reason="totp")  # fmt: skip
        error, status = _("动态口令不正确或已使用，请输入认证器上的最新口令"), 401
    return render(request, "web/login_otp.html", {"error": error}, status=status)


def _enrolment_context(device: TotpDevice) -> dict[str, object]:
    return {
        "qr_svg": mark_safe(totp_qr_svg(device=device)),  # segno's own SVG markup
        "secret": device.secret,
        "uri": totp_uri(device=device),
    }


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment during sign-in, for a role that requires a second factor: scan the QR
    code (drawn on the server), type the first code to bind it, and be signed in."""
    user, next_url = _pending(request)
    if user is None:
        messages.info(request, _("请重新输入用户名和密码"))
        return redirect("login")
    device = totp_device(user=user)
    if device is not None and device.confirmed:
        return redirect("login_otp")
    if device is None or request.method == "GET":
        device = totp_enrol_start(user=user)
    error, status = "", 200
    if request.method == "POST":
        if login_is_throttled(username=user.username):
            request.session.pop(PENDING_KEY, None)
            return render(request, "web/login_otp.html", {"error": _throttled_message(),
                                                          "locked": True}, status=429)  # fmt: skip
        if totp_verify(user=user, code=request.POST.get("code", ""), confirm=True):
            return _finish(request, user, next_url, "totp-enrol")
        login_failure_record(username=user.username, request=request, channel="web",
                             reason="totp-enrol")  # fmt: skip
        error, status = _("动态口令不正确，请核对认证器中的口令后重试"), 401
    context = {"error": error, "required": True, **_enrolment_context(device)}
    return render(request, "web/otp_setup.html", context, status=status)


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so a link cannot sign anyone out)."""
    if request.user.is_authenticated:
        audit.record(action="logout", actor=request.user, request=request)
    logout(request)
    return redirect("login")


# ---- the user's own security settings ------------------------------------------------------


@login_required
@never_cache
def account_security(request: HttpRequest) -> HttpResponse:
    """Two-factor status (bind an authenticator, or unbind one when not required) and the
    link to change the password."""
    user = request.user
    device = totp_device(user=user)  # type: ignore[arg-type]
    required = mfa_required(user=user)  # type: ignore[arg-type]
    context: dict[str, object] = {
        "device": device,
        "required": required,
        "error": "",
        "nav_active": "security",
    }
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start":
        device = totp_enrol_start(user=user)  # type: ignore[arg-type]
        context["device"] = device
    elif action == "confirm":
        if totp_verify(user=user, code=request.POST.get("code", ""), confirm=True):  # type: ignore[arg-type]
            messages.success(request, _("已绑定动态口令，下次登录时需输入口令"))
            return redirect("account_security")
        context["error"], status = _("动态口令不正确，请核对后重试"), 422
    elif action == "remove":
        if required:
            context["error"], status = _("您的角色必须使用双因素认证，不能解除绑定"), 403
        else:
            totp_remove(user=user, request=request)  # type: ignore[arg-type]
            messages.success(request, _("已解除动态口令绑定"))
            return redirect("account_security")
    shown = context["device"]
    if isinstance(shown, TotpDevice) and not shown.confirmed:
        context.update(_enrolment_context(shown))
    return render(request, "web/account_security.html", context, status=status)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
def password_change_page(request: HttpRequest) -> HttpResponse:
    """Change one's own password; other sessions and every API token stop working."""
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        user = request.user
        old = request.POST.get("old_password", "")
        new1 = request.POST.get("new_password1", "")
        new2 = request.POST.get("new_password2", "")
        if not user.check_password(old):
            errors["old_password"] = [_("原密码不正确")]
        elif new1 != new2:
            errors["new_password2"] = [_("两次输入的新密码不一致")]
        elif new1 == old:
            errors["new_password1"] = [_("新密码不能与原密码相同")]
        else:
            try:
                password_change(user=user, new_password=new1, request=request)  # type: ignore[arg-type]
            except ValidationError as err:
                errors["new_password1"] = list(err.messages)
            else:
                update_session_auth_hash(request, user)  # type: ignore[arg-type]
                request.session.pop("pingan_pw_ok_until", None)
                messages.success(request, _("密码已修改；其他设备上的登录和接口令牌已失效"))
                return redirect(reverse("account_security"))
        status = 422
    from django.contrib.auth.password_validation import password_validators_help_texts

    return render(
        request,
        "web/password_change.html",
        {
            "errors": errors,
            "help_texts": password_validators_help_texts(),
            "nav_active": "security",
        },
        status=status,
    )
