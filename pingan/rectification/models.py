"""Rectification orders (整改通知) on the case engine, their evidence and timeline, and the
deductions (扣分) units take from overdue orders, failed re-checks and inspections.
docs/rectification.md describes the model and the workflow."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.cases.models import TimelineEntry
from pingan.rectification.choices import DeductionSource, OrderSource, Status

_UNIT_EXACTLY_ONE = Q(unit_region__isnull=False, unit_department__isnull=True) | Q(
    unit_region__isnull=True, unit_department__isnull=False
)


class OrderSequence(models.Model):
    """The counter behind order codes (`ZG-<county>-<yyyy>-<4 digits>`): one row per
    prefix, locked while incremented."""

    prefix = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)


class RectificationOrder(models.Model):
    """One rectification order (整改通知): what was found where, what the owner unit (a town
    or a department: exactly one) must do by when, and with what evidence.

    `status` changes only through the case engine (`workflow.RECTIFICATION`). `region_path`
    copies the region's path (where the problem is) and `unit_region_path` the owner
    town's, for the scope filters. `published` False is a 暗访 order not yet published:
    the owner unit neither sees it nor is held to its deadline. `overdue` is set once per
    deadline by the sweep (`rectification.deadlines`), which writes the deduction."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    title = models.CharField(_("问题"), max_length=200)
    finding = models.TextField(_("发现情况"), blank=True)
    requirement = models.TextField(_("整改要求"))
    evidence_required = models.TextField(_("佐证材料要求"), blank=True)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ISSUED
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("问题所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    unit_region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任乡镇"),
    )
    unit_region_path = models.CharField(max_length=255, blank=True, editable=False)
    unit_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    source_kind = models.CharField(
        _("来源"), max_length=12, choices=OrderSource.choices, default=OrderSource.INSPECTION
    )
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    source_label = models.CharField(_("来源说明"), max_length=200, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("专项行动"),
    )
    published = models.BooleanField(_("已公开"), default=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    deduction_points = models.DecimalField(
        _("超期或复查未通过扣分"), max_digits=6, decimal_places=2, default=1
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("督查人员")
    )
    result = models.TextField(_("整改情况"), blank=True)
    recheck_note = models.TextField(_("复查意见"), blank=True)
    failed_rechecks = models.PositiveSmallIntegerField(_("复查未通过次数"), default=0)
    overdue = models.BooleanField(_("超期"), default=False)
    overdue_at = models.DateTimeField(_("超期标记时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("下发时间"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    rechecked_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("下发人"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_UNIT_EXACTLY_ONE, name="rectification_order_unit"),
        ]
        indexes = [
            models.Index(
                fields=["region_path", "issued_at"],
                name="rectification_region_issued",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["unit_region", "status"], name="rectification_unitreg_status"),
            models.Index(fields=["unit_department", "status"], name="rectification_unitdep_status"),
            models.Index(fields=["source_kind", "source_id"], name="rectification_source"),
            models.Index(
                fields=["deadline"],
                name="rectification_open_deadline",
                condition=Q(overdue=False, status__in=["issued", "rectifying"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        self.unit_region_path = self.unit_region.path if self.unit_region is not None else ""
        super().save(*args, **kwargs)

    @property
    def unit_name(self) -> str:
        unit = self.unit_region if self.unit_region_id else self.unit_department
        return unit.name if unit is not None else ""


class Evidence(models.Model):
    """One evidence file (佐证材料: a photo or a PDF) the owner unit attached to an order;
    `round` is the order's `failed_rechecks` when it was uploaded, so that a submission
    after a failed re-check needs evidence of its own."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="rectification/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    round = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["order", "uploaded_at", "id"]
        indexes = [models.Index(fields=["order", "round"], name="rectification_evidence_round")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.name}"


class OrderTransition(TimelineEntry):
    """One line of an order's timeline. Written with the change; never updated or deleted."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="timeline")

    class Meta:
        verbose_name = _("整改流转记录")
        verbose_name_plural = _("整改流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="rectification_timeline_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Deduction(models.Model):
    """A deduction (扣分) from a unit's (town or department: exactly one) assessment score:
    how many points, why, and from where (an overdue order, a failed re-check, an
    inspection…). Cancelled rather than deleted (e.g. an upheld appeal); `order_deadline`
    makes the overdue deduction unique per order and deadline."""

    unit_region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("乡镇"),
    )
    unit_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    points = models.DecimalField(_("扣分"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("扣分原因"), max_length=500)
    source_kind = models.CharField(_("来源"), max_length=16, choices=DeductionSource.choices)
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    source_label = models.CharField(_("来源说明"), max_length=200, blank=True)
    order = models.ForeignKey(
        RectificationOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deductions",
        verbose_name=_("整改通知"),
    )
    order_deadline = models.DateField(null=True, blank=True, editable=False)
    on = models.DateField(_("扣分日期"))
    cancelled = models.BooleanField(_("已撤销"), default=False)
    cancel_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("扣分")
        verbose_name_plural = _("扣分")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_UNIT_EXACTLY_ONE, name="rectification_deduction_unit"
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="rectification_points_positive"),
            models.UniqueConstraint(
                fields=["order", "order_deadline"],
                condition=Q(source_kind="overdue_order"),
                name="rectification_overdue_once",
            ),
        ]
        indexes = [
            models.Index(fields=["on"], name="rectification_deduction_on"),
            models.Index(fields=["unit_region", "on"], name="rectification_ded_region_on"),
            models.Index(fields=["unit_department", "on"], name="rectification_ded_dept_on"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} -{self.points} {self.reason[:20]}"

    @property
    def unit_name(self) -> str:
        unit = self.unit_region if self.unit_region_id else self.unit_department
        return unit.name if unit is not None else ""
