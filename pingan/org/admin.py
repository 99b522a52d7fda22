"""Back office for the organisation: departments, memberships (role × scope), and users
with their memberships inline.

Users are registered here, not in accounts, so that accounts never imports org.
Password hashes are shown only as Django's masked summary and changed only through the
password form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pingan.accounts.models import User
from pingan.accounts.services import tokens_revoke
from pingan.core import audit
from pingan.core.pii import mask_phone
from pingan.org.choices import ADMIN_ROLES, Role
from pingan.org.models import Department, Membership

REGION_SCOPED = {Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER}


class MembershipForm(forms.ModelForm):
    """The same rule as `membership_grant`: handlers need a department, region roles a
    region, the three administrators neither."""

    class Meta:
        model = Membership
        fields = ["user", "role", "region", "department", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].help_text = _("网格员、网格长、受理员、领导：所管辖的区划")
        self.fields["department"].help_text = _("部门处置人员：所属部门")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role == Role.HANDLER and not data.get("department"):
            self.add_error("department", _("部门处置人员须指定部门"))
        if role in REGION_SCOPED and not data.get("region"):
            self.add_error("region", _("该角色须指定区划范围"))
        user = data.get("user") or getattr(self.instance, "user", None)
        if role in ADMIN_ROLES and user is not None and user.pk and data.get("is_active", True):
            # Three administrators: one person holds at most one of the three roles.
            others = Membership.objects.filter(user=user, role__in=ADMIN_ROLES, is_active=True)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exclude(role=role).exists():
                self.add_error("role", _("三员分立：同一用户只能担任一种管理员角色"))
        return data


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "email", "is_active"]
    list_filter = ["is_active", "region__level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "region", "department", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__name", "region__name", "department__name"]
    autocomplete_fields = ["user", "region", "department"]
    list_select_related = ["user", "region", "department"]


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    fk_name = "user"
    extra = 0
    fields = ["role", "region", "department", "is_active"]
    autocomplete_fields = ["region", "department"]
    verbose_name = _("角色授权")
    verbose_name_plural = _("角色授权")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "name", "masked_phone", "roles", "is_active", "last_login"]
    list_filter = ["is_active", "memberships__role"]
    search_fields = ["username", "name", "email"]  # the phone is encrypted: not searchable
    ordering = ["username"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("name", "phone", "email")}),
        # Back-office powers come from the administrator roles (三员), granted as
        # memberships by the security administrator; no per-user permissions or groups.
        (_("状态"), {"fields": ("is_active",)}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "name",
                    "phone",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("角色"))
    def roles(self, obj: User) -> str:
        return "、".join(
            sorted({m.get_role_display() for m in obj.memberships.all() if m.is_active})
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("memberships")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        deactivated = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if deactivated:
            # A disabled account must not keep working through the API.
            tokens_revoke(user=obj)
        if change and form.changed_data:
            audit.record(
                action="admin.user_change",
                actor=request.user,
                object_type="user",
                object_id=obj.pk,
                request=request,
                detail={"fields": sorted(form.changed_data)},
            )
