"""Departments and memberships (user × role × scope)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.org.choices import Role


class Department(models.Model):
    """A body that handles events: a county bureau or a town office.

    `region` is the level it belongs to: the county for county bureaus, a town for the
    town's offices.
    """

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        "geo.Region",
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("所属区划"),
    )
    email = models.EmailField(_("通知邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__path", "code"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Binds a user to a role and the scope the role acts in.

    Scope is a region node (the subtree below it), a department (handlers), or both.
    A user may hold several memberships; their scopes add up.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("区划范围"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("部门"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "department"], name="org_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        scope = self.department or self.region or "-"
        return f"{self.user} · {self.get_role_display()} · {scope}"
