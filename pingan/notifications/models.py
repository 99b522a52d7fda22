"""The in-app inbox and the outbox of e-mail, webhook and SMS deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core import pii


class Notification(models.Model):
    """A message in one user's inbox. `cause` identifies what caused it (a timeline row and
    the recipient), unique, so one cause never notifies a person twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("事件"),
    )
    kind = models.CharField(_("类型"), max_length=32)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    cause = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The inbox shows one line per group: the notifications about one matter ("e<event
    # id>"), or, for high-volume kinds (new normal events for a dispatcher), a digest of
    # one kind and hour ("report@2026120609"); see `services.group_key`.
    group_key = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="notif_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "created_at"], name="notif_recipient"),
            # The unread count counts groups; marking a group read finds its rows.
            models.Index(
                fields=["recipient", "group_key"],
                name="notif_unread_group",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WebhookEndpoint(models.Model):
    """A receiver of event messages by HTTP POST (e.g. a DingTalk-style group robot)."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("地址"))
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True)
    actions = models.JSONField(
        _("订阅的动作"), default=list, blank=True, help_text=_("为空表示全部")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("Webhook 接收方")
        verbose_name_plural = _("Webhook 接收方")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One outgoing message (e-mail, webhook or SMS) in the outbox, retried until sent.

    `cause` + `channel` + `target` is unique, so a cause is delivered at most once to a
    target; a worker claims a row with a conditional UPDATE before sending it. An SMS goes
    to the reporter of an event: its target is "e<event id>" and the number is kept
    encrypted in `phone` (never in `target`, the payload or a log).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WEBHOOK = "webhook", _("Webhook")
        SMS = "sms", _("短信")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("已放弃")
        # SMS without a configured gateway: kept, not sent; the administrator's retry
        # sends it once a gateway is configured.
        UNSENT = "unsent", _("未发送（未配置短信网关）")

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("目标"), max_length=500)
    phone = pii.EncryptedTextField(_("手机号"), blank=True, default="")
    cause = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "channel", "target"], name="notif_delivery_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notif_delivery_due",
                condition=models.Q(state__in=["pending", "sending"]),
            ),
        ]
