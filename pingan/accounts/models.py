"""Users, API tokens and failed-login records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core import pii


class User(AbstractUser):
    """A person who signs in: staff of a centre or department, a grid worker, a leader.

    `name` is the full Chinese name shown in the interface (first/last names are not used).
    """

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = pii.EncryptedTextField(_("手机号"), blank=True, default="")
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)
    # What signed in for it (the User-Agent at sign-in), for the owner's list of tokens.
    label = models.CharField(_("客户端"), max_length=120, blank=True, default="")

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class LoginFailure(models.Model):
    """A failed sign-in, kept to throttle guessing by username (not by address)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("登录失败")
        verbose_name_plural = _("登录失败")


class TotpDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238, 30-second steps, 6 digits).

    `confirmed` once the user has entered a first code; `last_step` is the last time step
    accepted, so that one code cannot be used twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="totp_device",
        verbose_name=_("用户"),
    )
    # The TOTP shared secret: whoever reads it can make codes, so it is stored encrypted.
    secret = pii.EncryptedTextField(_("密钥"))
    confirmed = models.BooleanField(_("已绑定"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    last_step = models.BigIntegerField(_("最近使用时间步"), default=0)

    class Meta:
        verbose_name = _("动态口令设备")
        verbose_name_plural = _("动态口令设备")

    def __str__(self) -> str:
        return f"{self.user} · {_('已绑定') if self.confirmed else _('未完成绑定')}"
