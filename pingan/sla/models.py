"""Deadline sweeps: one row per run, so operators can see the sweeper is alive."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SweepRun(models.Model):
    """One run of the deadline sweeper and what it marked."""

    started_at = models.DateTimeField(_("开始时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    warned = models.PositiveIntegerField(_("临期"), default=0)
    overdue = models.PositiveIntegerField(_("超期"), default=0)
    escalated = models.PositiveIntegerField(_("自动提级"), default=0)
    reminded = models.PositiveIntegerField(_("复查提醒"), default=0)

    class Meta:
        verbose_name = _("时限巡检")
        verbose_name_plural = _("时限巡检")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M:%S}"
