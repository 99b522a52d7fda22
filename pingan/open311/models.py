"""Service requests received through the Open311 GeoReport v2 API."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core import pii


class Open311Request(models.Model):
    """What an Open311 client sent besides the event itself: who (as the client gave
    it), the media URL, the attribute answers, and the token for GET tokens/{token}."""

    event = models.OneToOneField(
        "events.Event",
        on_delete=models.CASCADE,
        related_name="open311_request",
        verbose_name=_("事件"),
    )
    integration = models.ForeignKey(
        "intake.Integration", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户端")
    )
    token = models.CharField(_("令牌"), max_length=40, unique=True)
    service_code = models.CharField(_("服务编码"), max_length=32)
    email = pii.EncryptedTextField(_("邮箱"), blank=True, default="")
    device_id = models.CharField(_("设备号"), max_length=100, blank=True)
    account_id = models.CharField(_("账号"), max_length=100, blank=True)
    first_name = pii.EncryptedTextField(_("名"), blank=True, default="")
    last_name = pii.EncryptedTextField(_("姓"), blank=True, default="")
    phone = pii.EncryptedTextField(_("电话"), blank=True, default="")
    address_id = models.CharField(_("地址编号"), max_length=100, blank=True)
    media_url = models.URLField(_("媒体地址"), max_length=500, blank=True)
    attributes = models.JSONField(_("属性"), default=dict, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("Open311 诉求")
        verbose_name_plural = _("Open311 诉求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.token
