"""Reports made by citizens on the public page (群众随手拍), without an account."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core import pii
from pingan.events.choices import Satisfaction


class CitizenReport(models.Model):
    """The citizen's side of an event: the code to follow it, the phone it was made
    from (the last four digits open the tracking page), the keys the throttle counts by,
    and the citizen's rating after closure."""

    event = models.OneToOneField(
        "events.Event",
        on_delete=models.CASCADE,
        related_name="citizen_report",
        verbose_name=_("事件"),
    )
    code = models.CharField(_("查询码"), max_length=12, unique=True)
    phone = pii.EncryptedTextField(_("手机号"))
    # Blind index of the phone (the per-phone throttle counts by it).
    phone_index = models.CharField(
        max_length=64, blank=True, default="", editable=False, db_index=True
    )
    # HMAC of the normalised address (or of the rounded point): the per-address throttle
    # counts by it without the address being stored in clear here.
    address_key = models.CharField(max_length=120, db_index=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    satisfaction = models.CharField(
        _("评价"), max_length=20, choices=Satisfaction.choices, blank=True, default=""
    )
    comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("群众自报")
        verbose_name_plural = _("群众自报")
        ordering = ["-created_at", "-id"]

    PII_INDEXES = {"phone_index": ("phone", "phone")}

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_index = pii.blind_index(self.phone, kind="phone")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_index"}
        super().save(*args, **kwargs)
