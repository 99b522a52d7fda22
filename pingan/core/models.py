"""Shared kernel models: the audit trail and calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One audited act: a login (success or failure), a transition, an export, a denial.

    Rows are written once and never changed; the model refuses updates and deletes. Each
    row carries its place in the chain (`seq`), the hash of the row before it and the hash
    of its own content with that previous hash (`pingan.core.audit`): `manage.py audit
    verify` recomputes the chain and names the first row changed or missing.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("操作人"),
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    result = models.CharField(_("结果"), max_length=32, default="ok")
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    seq = models.BigIntegerField(_("链序号"), unique=True, null=True, editable=False)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("本条摘要"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("audit entries are append-only")


class AuditChainHead(models.Model):
    """The end of the audit chain: one row (pk=1), locked by every writer so that
    concurrent writers append one after another and never fork the chain."""

    seq = models.BigIntegerField(_("最后序号"), default=0)
    hash = models.CharField(_("最后摘要"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链尾")
        verbose_name_plural = _("审计链尾")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditAnchor(models.Model):
    """Where the kept chain starts after a purge: the last purged row's place and hash.

    `audit verify` checks the first kept row against the newest anchor, so a purge keeps
    the chain verifiable and a deletion at the start of the chain is still found.
    """

    at = models.DateTimeField(_("清理时间"), default=timezone.now)
    seq = models.BigIntegerField(_("已清理至序号"))
    hash = models.CharField(_("该条摘要"), max_length=64)
    purged = models.BigIntegerField(_("清理条数"), default=0)
    cutoff = models.DateTimeField(_("保留起点"))
    actor = models.CharField(_("执行者"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("审计清理锚点")
        verbose_name_plural = _("审计清理锚点")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"≤#{self.seq} @ {self.at:%Y-%m-%d}"


class WorkdayOverride(models.Model):
    """A date whose working status differs from the official holiday calendar.

    Used for years the chinese-calendar package does not yet cover and for local
    decisions (a county's own day off). Takes precedence over the package.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"
