"""Integrations with outside systems (12345, 110, Open311 clients, the citizen page),
their API keys, and the work orders they send us."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core import pii
from pingan.intake.choices import ActionKind, Channel, OrderState


class Integration(models.Model):
    """One outside system linked to the platform.

    Events it creates are reported by `acting_user`, a service account with a dispatcher
    membership over `region` (the county). Work orders that name no known category get
    `default_category`. Status callbacks go to `callback` (a webhook endpoint of the
    notifications outbox whose subscribed actions never match, so it receives only this
    channel's callbacks).
    """

    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    name = models.CharField(_("名称"), max_length=100)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("服务账号"),
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区划")
    )
    default_category = models.ForeignKey(
        "events.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("默认分类"),
    )
    callback = models.ForeignKey(
        "notifications.WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("回调地址"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("对接渠道")
        verbose_name_plural = _("对接渠道")
        constraints = [
            models.UniqueConstraint(fields=["channel"], name="intake_one_integration_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.name}"


class IntegrationKey(models.Model):
    """An API key of one integration. Only the SHA-256 of the key is stored."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="keys", verbose_name=_("对接渠道")
    )
    name = models.CharField(_("用途"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")

    def __str__(self) -> str:
        return f"{self.integration} {self.prefix}…"


class CategoryMap(models.Model):
    """Their category name → our category, per integration."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="category_maps"
    )
    their_category = models.CharField(_("对方分类"), max_length=100)
    category = models.ForeignKey(
        "events.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("本平台分类")
    )

    class Meta:
        verbose_name = _("分类对照")
        verbose_name_plural = _("分类对照")
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "their_category"], name="intake_category_map_unique"
            )
        ]


class ExternalOrder(models.Model):
    """A work order received from 12345 or 110, and the event it became."""

    integration = models.ForeignKey(
        Integration, on_delete=models.PROTECT, related_name="orders", verbose_name=_("对接渠道")
    )
    event = models.OneToOneField(
        "events.Event",
        on_delete=models.CASCADE,
        related_name="external_order",
        verbose_name=_("事件"),
    )
    order_no = models.CharField(_("对方工单号"), max_length=64)
    their_category = models.CharField(_("对方分类"), max_length=100, blank=True)
    caller_name = pii.EncryptedTextField(_("来电人"), blank=True, default="")
    caller_phone = pii.EncryptedTextField(_("来电号码"), blank=True, default="")
    deadline = models.DateTimeField(_("对方办理时限"), null=True, blank=True)
    state = models.CharField(
        _("工单状态"), max_length=12, choices=OrderState.choices, default=OrderState.RECEIVED
    )
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)

    class Meta:
        verbose_name = _("外部工单")
        verbose_name_plural = _("外部工单")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "order_no"], name="intake_order_unique_per_integration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.integration.get_channel_display()} {self.order_no}"


class OrderAction(models.Model):
    """A withdrawal or reassignment by them, a return or a transfer to 110 by us."""

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("事件")
    )
    order = models.ForeignKey(
        ExternalOrder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("外部工单"),
    )
    kind = models.CharField(_("类型"), max_length=14, choices=ActionKind.choices)
    note = models.TextField(_("说明"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工单退改记录")
        verbose_name_plural = _("工单退改记录")
        ordering = ["at", "id"]
