"""Safety production (安全生产) figures: per town and month, the accidents, deaths and
direct economic loss (万元) that 「三个零增长」 compares with the same months of the year
before. docs/safety-production.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.safety.choices import Source


class SafetyFigure(models.Model):
    """One town's figures for one month (`month`: its first day), entered by the town's
    dispatchers or the county office, or imported from a workbook; with the evidence
    (a scan of the monthly statistics report) when one was uploaded."""

    town = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("镇（街道）")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    month = models.DateField(_("月份"))
    accidents = models.PositiveIntegerField(_("事故起数"), default=0)
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    direct_loss = models.DecimalField(
        _("直接经济损失（万元）"), max_digits=12, decimal_places=2, default=0
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.ENTERED
    )
    evidence = models.FileField(_("佐证材料"), upload_to="safety/%Y/%m/", blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("填报人"),
    )
    entered_at = models.DateTimeField(_("填报时间"))

    class Meta:
        verbose_name = _("安全生产月度数据")
        verbose_name_plural = _("安全生产月度数据")
        ordering = ["town__path", "month"]
        constraints = [
            models.UniqueConstraint(fields=["town", "month"], name="safety_figure_town_month")
        ]
        indexes = [models.Index(fields=["month"], name="safety_figure_month")]

    def __str__(self) -> str:
        return f"{self.town_id} {self.month:%Y-%m}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.town.path
        super().save(*args, **kwargs)
