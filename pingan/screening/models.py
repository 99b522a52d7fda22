"""Dispute screening (矛盾纠纷排查): rounds per level and period, one report per unit per
round, the items a report found and what became of each. docs/screening.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.screening.choices import (
    Disposition,
    Frequency,
    ItemKind,
    ReportStatus,
    RiskLevel,
    RoundStatus,
    UnitLevel,
)


class ScreeningRound(models.Model):
    """One screening period for one level of units of a county: the villages every week,
    the towns every half month, the county every month by default (`periods.LEVELS`).
    The units asked are the report rows made when the round is generated
    (`services.rounds_generate`); `region` is the county the round belongs to."""

    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属县")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    level = models.CharField(_("排查层级"), max_length=12, choices=UnitLevel.choices)
    frequency = models.CharField(_("频次"), max_length=12, choices=Frequency.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    due_on = models.DateField(_("报送截止日"))
    status = models.CharField(
        _("状态"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    created_at = models.DateTimeField(_("生成时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排查轮次")
        verbose_name_plural = _("排查轮次")
        ordering = ["-period_start", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "level", "period_start"], name="screening_round_period"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="screening_round_due")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.period_start:%Y-%m-%d}～{self.period_end:%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class ScreeningReport(models.Model):
    """A unit's report for one round: pending (未报) until submitted; then either "none
    found" (无) or its items. A second submission updates it while the round is open;
    `late` says the first one came after the due date. `region_path` copies the unit's
    path for the scope filter."""

    round = models.ForeignKey(
        ScreeningRound, on_delete=models.CASCADE, related_name="reports", verbose_name=_("轮次")
    )
    unit = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    none_found = models.BooleanField(_("无矛盾纠纷"), default=False)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("报送人"),
    )
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期报送"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("排查报告")
        verbose_name_plural = _("排查报告")
        ordering = ["round", "region_path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="screening_report_unit")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.unit.path
        super().save(*args, **kwargs)


class ScreeningItem(models.Model):
    """One dispute, risk or unstable factor a report found, and its disposition: made an
    event (`event`), a mediation case (`case`), or already being handled (`handled_note`,
    and the event or case it is handled in when it has one)."""

    report = models.ForeignKey(
        ScreeningReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("报告")
    )
    kind = models.CharField(_("类别"), max_length=12, choices=ItemKind.choices)
    summary = models.TextField(_("简要情况"))
    parties_count = models.PositiveIntegerField(_("涉及人数"), default=0)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    disposition = models.CharField(
        _("处置"), max_length=12, choices=Disposition.choices, default=Disposition.PENDING
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("事件"),
    )
    case = models.ForeignKey(
        "mediation.MediationCase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("调解案件"),
    )
    handled_note = models.CharField(_("处理情况"), max_length=500, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处置人"),
    )
    disposed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("排查事项")
        verbose_name_plural = _("排查事项")
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.summary[:20]}"
