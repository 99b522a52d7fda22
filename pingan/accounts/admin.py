"""Back office for accounts: API tokens, failed logins, two-factor devices; and who may
enter the back office at all (the three administrators, see `roles.py`).

The User admin lives in `org/admin.py`, because it shows the user's memberships inline
and accounts must not import org (the dependency rule). Token hashes are never shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from pingan.accounts import roles
from pingan.accounts.models import ApiToken, LoginFailure, TotpDevice
from pingan.accounts.services import tokens_revoke
from pingan.core import audit


def _site_has_permission(request: HttpRequest) -> bool:
    """The back office is for the three administrators (one role each), not for staff
    flags: `is_staff` alone opens nothing."""
    user = request.user
    if not user.is_active:
        return False
    return bool(user.is_superuser or roles.admin_role_of(user))


def _site_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The back office signs in through the one sign-in page (password, then the second
    factor); a signed-in user without an administrator role is refused."""
    target = request.GET.get("next") or reverse("admin:index")
    if request.user.is_authenticated:
        if _site_has_permission(request) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)  # already signed in as an administrator
        raise PermissionDenied
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


admin.site.has_permission = _site_has_permission  # type: ignore[method-assign]
admin.site.login = _site_login  # type: ignore[method-assign,assignment]

# Never key_hash.
TOKEN_FIELDS: tuple[str, ...] = (
    "user",
    "label",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked",
)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "label", "created_at", "expires_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["user__username", "user__name"]
    fields = TOKEN_FIELDS
    readonly_fields = TOKEN_FIELDS
    actions = ["revoke_users_tokens"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by signing in to the API, shown once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("accounts.change_apitoken"))

    @admin.action(description=_("吊销所选令牌所属用户的全部令牌"), permissions=["revoke"])
    def revoke_users_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        users = {t.user for t in queryset.select_related("user")}
        count = 0
        for user in users:
            count += tokens_revoke(user=user)
            audit.record(
                action="admin.tokens_revoke",
                actor=request.user,
                object_type="user",
                object_id=user.pk,
                request=request,
            )
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": count}, messages.SUCCESS)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Deleting a user's failures lifts the login throttle for them."""

    list_display = ["username", "at"]
    search_fields = ["username"]
    date_hierarchy = "at"
    readonly_fields = ["username", "at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """The security administrator resets a lost authenticator by deleting the device; the
    user binds a new one at the next sign-in. The secret is never shown."""

    list_display = ["user", "confirmed", "created_at", "confirmed_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__name"]
    fields = ("user", "confirmed", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: TotpDevice) -> None:
        super().delete_model(request, obj)
        audit.record(action="admin.mfa_reset", actor=request.user, object_type="user",
                     object_id=obj.user_id, request=request)  # fmt: skip
