"""Inspections (巡查/督查/暗访/自查/模拟测评): checklists per kind, plans by level and
frequency that generate tasks per period and unit, the inspections carried out with
their answers per checklist item, findings and photos. docs/inspections.md.

A unit inspected (被考核单位) is a town (`unit_region`) or a department
(`unit_department`): exactly one of the two. `region_path` copies the unit's path (a
department's: its region's) for the scope filter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.inspections.choices import Frequency, Kind, Level, Result, Severity, TaskStatus

ONE_UNIT = Q(unit_region__isnull=False, unit_department__isnull=True) | Q(
    unit_region__isnull=True, unit_department__isnull=False
)


def unit_path(unit_region: Any, unit_department: Any) -> str:
    """The path a unit is seen under: a town's own, a department's region's."""
    if unit_region is not None:
        return str(unit_region.path)
    if unit_department is not None and unit_department.region_id is not None:
        return str(unit_department.region.path)
    return ""


class Checklist(models.Model):
    """The items an inspection of one kind goes through (检查清单). `defaults.py` writes
    one per kind; the office and the back office change them."""

    kind = models.CharField(_("检查方式"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查清单")
        verbose_name_plural = _("检查清单")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One item of a checklist and the points deducted from the unit when it fails."""

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="items", verbose_name=_("检查清单")
    )
    code = models.CharField(_("编号"), max_length=20)
    text = models.CharField(_("检查内容"), max_length=300)
    points = models.DecimalField(
        _("不合格扣分"), max_digits=5, decimal_places=2, default=Decimal("0.5")
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["checklist", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "code"], name="inspections_item_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class InspectionPlan(models.Model):
    """A year's plan of inspections of one level and kind, at a frequency, over its
    target towns and departments: `services.tasks_generate` makes one task per period
    and target. `region` is the county whose office runs it."""

    name = models.CharField(_("计划名称"), max_length=200)
    level = models.CharField(_("督查层级"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("检查方式"), max_length=16, choices=Kind.choices)
    frequency = models.CharField(_("频次"), max_length=16, choices=Frequency.choices)
    year = models.PositiveIntegerField(_("年度"))
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属县")
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="plans", verbose_name=_("检查清单")
    )
    target_regions = models.ManyToManyField(
        "geo.Region", blank=True, related_name="+", verbose_name=_("被检查乡镇")
    )
    target_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("被检查部门")
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("督查人员")
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("专项行动"),
    )
    return_visits = models.BooleanField(_("开展回访"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("督查计划")
        verbose_name_plural = _("督查计划")
        ordering = ["-year", "level", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class InspectionTask(models.Model):
    """One inspection due: a plan's period and one target unit, with its due date on
    the working calendar. `assignees` are the plan's inspectors, or for a self-check the
    unit's own people. Done when its inspection is submitted."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("计划")
    )
    period_start = models.DateField(_("周期起"))
    period_end = models.DateField(_("周期止"))
    due_on = models.DateField(_("应完成日期"))
    unit_region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被检查乡镇"),
    )
    unit_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被检查部门"),
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("承担人员")
    )
    created_at = models.DateTimeField(_("生成时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督查任务")
        verbose_name_plural = _("督查任务")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_UNIT, name="inspections_task_one_unit"),
            models.UniqueConstraint(
                fields=["plan", "period_start", "unit_region"],
                condition=Q(unit_region__isnull=False),
                name="inspections_task_region_period",
            ),
            models.UniqueConstraint(
                fields=["plan", "period_start", "unit_department"],
                condition=Q(unit_department__isnull=False),
                name="inspections_task_dept_period",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="inspections_task_due")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.unit_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = unit_path(self.unit_region, self.unit_department)
        super().save(*args, **kwargs)

    @property
    def unit_name(self) -> str:
        unit = self.unit_region or self.unit_department
        return unit.name if unit is not None else ""


class Inspection(models.Model):
    """An inspection carried out (of a task, or ad hoc): the unit, the inspectors, the
    place, the answers per checklist item, the findings. Submitted once from the phone
    (`client_uuid` makes a resend harmless). 暗访 and 模拟测评 stay hidden from the unit
    inspected until the office publishes them (`published_at`); the others are published
    when submitted. `return_visit_of` names the earlier inspection a 回访 follows up."""

    task = models.OneToOneField(
        InspectionTask,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection",
        verbose_name=_("督查任务"),
    )
    plan = models.ForeignKey(
        InspectionPlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
        verbose_name=_("计划"),
    )
    kind = models.CharField(_("检查方式"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("督查层级"), max_length=20, choices=Level.choices)
    checklist = models.ForeignKey(
        Checklist, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查清单")
    )
    unit_region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被检查乡镇"),
    )
    unit_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被检查部门"),
    )
    region_path = models.CharField(max_length=255, editable=False, db_index=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("督查人员")
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("检查场所"),
    )
    place_text = models.CharField(_("检查地点"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    note = models.TextField(_("总体情况"), blank=True)
    return_visit_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="return_visits",
        verbose_name=_("回访对象"),
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("专项行动"),
    )
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    published_at = models.DateTimeField(_("通报时间"), null=True, blank=True)
    deducted = models.DecimalField(
        _("扣分合计"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("督查检查")
        verbose_name_plural = _("督查检查")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_UNIT, name="inspections_inspection_one_unit")
        ]
        indexes = [
            models.Index(fields=["kind", "submitted_at"], name="inspections_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = unit_path(self.unit_region, self.unit_department)
        super().save(*args, **kwargs)

    @property
    def unit_name(self) -> str:
        unit = self.unit_region or self.unit_department
        return unit.name if unit is not None else ""

    @property
    def is_return_visit(self) -> bool:
        return self.return_visit_of_id is not None


class Answer(models.Model):
    """An inspection's answer to one checklist item; a failed item (`problem`) deducts
    the item's points (`points`, copied when answered) through `rectification`'s
    deduction (`deduction_id`)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="answers", verbose_name=_("检查")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查项目")
    )
    result = models.CharField(_("结果"), max_length=8, choices=Result.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    points = models.DecimalField(_("扣分"), max_digits=5, decimal_places=2, default=Decimal("0"))
    deduction_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspections_answer_unique")
        ]


class Finding(models.Model):
    """A problem found (发现问题): its text, the item it fails, how serious; once the
    office or an inspector issues it, the rectification order (`order_id`, deadline)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("检查")
    )
    item = models.ForeignKey(
        ChecklistItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("检查项目"),
    )
    text = models.TextField(_("问题描述"))
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=Severity.choices, default=Severity.MINOR
    )
    order_id = models.PositiveBigIntegerField(_("整改通知"), null=True, blank=True)
    order_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    issued_at = models.DateTimeField(_("下发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发现问题")
        verbose_name_plural = _("发现问题")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.text[:30]


class InspectionPhoto(models.Model):
    """A photo of an inspection (of a finding, when named): re-encoded without EXIF by
    `events.photos`, its time and place read from EXIF kept here."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="photos", verbose_name=_("检查")
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    file = models.FileField(_("文件"), upload_to="inspections/%Y/%m/")
    thumbnail = models.FileField(_("缩略图"), upload_to="inspections/thumbs/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    lat = models.FloatField(_("拍摄纬度"), null=True, blank=True)
    lng = models.FloatField(_("拍摄经度"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["uploaded_at", "id"]
