"""Back office for accounts: API tokens and failed logins.

The User admin lives in `org/admin.py`, because it shows the user's memberships inline
and accounts must not import org (the dependency rule). Token hashes are never shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pingan.accounts.models import ApiToken, LoginFailure
from pingan.accounts.services import tokens_revoke
from pingan.core import audit

# Never key_hash.
TOKEN_FIELDS: tuple[str, ...] = ("user", "created_at", "expires_at", "last_used_at", "revoked")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "last_used_at", "revoked"]
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
