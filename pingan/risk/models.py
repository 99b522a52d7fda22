"""Social-stability risk assessment of major matters (重大事项社会稳定风险评估, 稳评):
the register of major matters, their assessment steps, risk measures and timeline.
docs/risk.md describes the model and the workflow."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.cases.models import TimelineEntry
from pingan.privacy.choices import Sensitivity
from pingan.risk.choices import Decision, Grade, MatterKind, Status, StepKind


class MatterSequence(models.Model):
    """The counter behind matter codes (`WP-<county>-<yyyy>-<4 digits>`): one row per
    prefix, locked while incremented."""

    prefix = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)


class MajorMatter(models.Model):
    """One major matter (重大事项) put through risk assessment, and where it stands.

    `status` changes only through `services.risk_transition` (the case engine applying
    `workflow.RISK`). `region_path` copies the region's path for the scope filter. The
    place is a point (`lat`, `lng`) and/or a polygon (`area`, a GeoJSON geometry checked
    with shapely); events reported within the polygon or within `radius_m` metres of the
    point are linked to the matter (`risk.linking`). The grade, the decision and their
    moments are written by the workflow's rows."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    title = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=16, choices=MatterKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    owner_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    region_path = models.CharField(max_length=255, editable=False)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    area = models.JSONField(_("范围（GeoJSON）"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("关联半径（米）"), default=500)
    people_affected = models.PositiveIntegerField(_("涉及群众人数"), default=0)
    planned_on = models.DateField(_("计划实施日期"), null=True, blank=True)
    description = models.TextField(_("事项概况"), blank=True)
    sensitivity = models.CharField(
        _("敏感标签"), max_length=12, choices=Sensitivity.choices, blank=True, default=""
    )
    grade = models.CharField(_("风险等级"), max_length=8, choices=Grade.choices, blank=True)
    grade_reasons = models.TextField(_("定级理由"), blank=True)
    graded_at = models.DateTimeField(_("定级时间"), null=True, blank=True)
    decision = models.CharField(_("决策结果"), max_length=12, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("决策说明"), blank=True)
    decided_at = models.DateTimeField(_("决策时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("重大事项")
        verbose_name_plural = _("重大事项")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["region_path", "created_at"],
                name="risk_region_created",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["graded_at"], name="risk_graded_at"),
            models.Index(fields=["owner_department", "status"], name="risk_owner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)

    @property
    def has_place(self) -> bool:
        return self.area is not None or (self.lat is not None and self.lng is not None)


class AssessmentStep(models.Model):
    """One step of the assessment procedure: a public-opinion survey, a hearing, an
    expert review, a third-party assessment (with the body's name) or the legality
    review; when it was held and what it found."""

    matter = models.ForeignKey(MajorMatter, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("评估环节"), max_length=12, choices=StepKind.choices)
    held_on = models.DateField(_("日期"))
    body = models.CharField(_("评估机构"), max_length=200, blank=True)
    summary = models.TextField(_("情况摘要"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评估环节")
        verbose_name_plural = _("评估环节")
        ordering = ["matter", "held_on", "id"]
        indexes = [models.Index(fields=["kind", "matter"], name="risk_step_kind")]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.get_kind_display()} {self.held_on}"


class RiskMeasure(models.Model):
    """A measure that prevents or reduces a risk (风险防范化解措施): what, which department
    and (optionally) which person answers for it, by when, and when it was done. Done on
    time: `done_at`'s local date not after `deadline`."""

    matter = models.ForeignKey(MajorMatter, on_delete=models.CASCADE, related_name="measures")
    measure = models.TextField(_("措施内容"))
    owner_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任人"),
    )
    deadline = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.TextField(_("完成情况"), blank=True)
    on_time = models.BooleanField(_("按期完成"), null=True, blank=True)
    created_at = models.DateTimeField(_("制定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("风险防范措施")
        verbose_name_plural = _("风险防范措施")
        ordering = ["matter", "deadline", "id"]
        indexes = [
            models.Index(fields=["deadline"], name="risk_measure_deadline"),
            models.Index(
                fields=["owner_department", "deadline"],
                name="risk_measure_open",
                condition=Q(done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.measure[:20]}"


class MatterTransition(TimelineEntry):
    """One line of a matter's timeline, with the columns of the event's: who did what,
    when, from which state to which. Written with the change; never updated or deleted."""

    matter = models.ForeignKey(MajorMatter, on_delete=models.CASCADE, related_name="timeline")

    class Meta:
        verbose_name = _("稳评流转记录")
        verbose_name_plural = _("稳评流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["matter", "at"], name="risk_timeline_matter_at")]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
