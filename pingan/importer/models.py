"""Import jobs and the external ids of imported events (what makes a re-run idempotent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.importer.choices import JobStatus


class ImportedRecord(models.Model):
    """One event brought in by the importer, by its id in the source system."""

    source = models.CharField(_("来源系统"), max_length=50)
    external_id = models.CharField(_("外部编号"), max_length=100)
    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="+", verbose_name=_("事件")
    )
    job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="importer_external_id_unique"
            )
        ]


class ImportJob(models.Model):
    """A (possibly long) import run in the background, with its progress and the
    row-by-row error report."""

    file = models.CharField(_("文件"), max_length=500)
    mapping = models.TextField(_("映射(YAML)"))
    dry_run = models.BooleanField(_("试运行"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    imported = models.PositiveIntegerField(_("已导入"), default=0)
    unchanged = models.PositiveIntegerField(_("已存在"), default=0)
    failed = models.PositiveIntegerField(_("出错"), default=0)
    errors = models.JSONField(_("错误报告"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file} ({self.get_status_display()})"
