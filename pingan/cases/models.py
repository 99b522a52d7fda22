"""What every case kind's timeline row holds: `TimelineEntry`, an abstract model. A kind's
timeline model adds only its foreign key to the case (and columns of its own, as the
event's department); the engine's default `CaseKind.record` writes it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimelineEntry(models.Model):
    """One line of a case's timeline: who did what, when, from which state to which.

    Written in the same transaction as the change it records; never updated or deleted.
    """

    action = models.CharField(_("动作"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_role = models.CharField(_("操作角色"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # The reply to the reporter and the public (对外答复), apart from the internal note:
    # the only text of a timeline that may be published. docs/privacy.md, "Public replies".
    public_reply = models.TextField(_("对外答复"), blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("timeline entries are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("timeline entries are immutable")
