"""Sign-in and sign-out pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from pingan.accounts.services import LoginThrottled, user_authenticate
from pingan.web.forms import LoginForm


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


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
            minutes = max(1, settings.PINGAN_LOGIN_WINDOW_S // 60)
            error = _("登录失败次数过多，该账号已暂时锁定，请 %(m)d 分钟后再试") % {"m": minutes}
            status = 429
        else:
            if user is None or not user.is_active:
                error = _("用户名或密码错误")
                status = 401
            else:
                login(request, user)
                return HttpResponseRedirect(_next_url(request))
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


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so a link cannot sign anyone out)."""
    logout(request)
    return redirect("login")
