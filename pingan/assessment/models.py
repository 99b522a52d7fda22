"""The yearly Ping'an assessment (平安考核): schemes with their indicators, the units'
targets, responsibility agreements, entered values, veto items, scores per round, the
ranking's results, appeals and the frozen final results (docs/assessment.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.assessment.choices import (
    AgreementStatus,
    AppealStatus,
    AppliesTo,
    Grade,
    IndicatorKind,
    Round,
    Rule,
    SchemeStatus,
)

ONE_UNIT = (Q(unit_region__isnull=False) & Q(unit_department__isnull=True)) | (
    Q(unit_region__isnull=True) & Q(unit_department__isnull=False)
)


def _points(**kw: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(max_digits=8, decimal_places=2, **kw)


class UnitOwned(models.Model):
    """A row belonging to one assessed unit (被考核单位): a town (region of the town level)
    or a department, exactly one of them."""

    unit_region = models.ForeignKey(
        "geo.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被考核乡镇"),
    )
    unit_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被考核部门"),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=ONE_UNIT, name="assessment_%(class)s_one_unit")
        ]

    @property
    def unit_key(self) -> str:
        if self.unit_region_id is not None:
            return f"town:{self.unit_region_id}"
        return f"department:{self.unit_department_id}"

    @property
    def unit_name(self) -> str:
        unit = self.unit_region if self.unit_region_id is not None else self.unit_department
        return unit.name if unit is not None else ""


class Scheme(models.Model):
    """A county's assessment scheme (考核方案) for one year: its indicators, the grade
    thresholds, the appeal deadline once the ranking is published, and where it stands
    (draft → published → scoring → ranked → final)."""

    county = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县(市、区)")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    excellent_min = _points(verbose_name=_("优秀分数线"), default=Decimal("90"))
    good_min = _points(verbose_name=_("良好分数线"), default=Decimal("80"))
    pass_min = _points(verbose_name=_("合格分数线"), default=Decimal("60"))
    appeal_deadline = models.DateField(_("申诉截止日"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    published_at = models.DateTimeField(null=True, blank=True)
    ranked_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="assessment_scheme_one_a_year")
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One indicator of a scheme: code, name, weight (its most points), kind, which units
    it applies to, and for computed and entered ones the source and the scoring rule
    (target for full marks, floor for zero)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("编号"), max_length=16)
    name = models.CharField(_("指标名称"), max_length=100)
    weight = _points(verbose_name=_("分值"))
    kind = models.CharField(_("类型"), max_length=12, choices=IndicatorKind.choices)
    applies_to = models.CharField(
        _("适用对象"), max_length=12, choices=AppliesTo.choices, default=AppliesTo.BOTH
    )
    source = models.CharField(_("数据来源"), max_length=40, blank=True, default="")
    rule = models.CharField(_("计分规则"), max_length=12, choices=Rule.choices, default=Rule.LINEAR)
    target = models.DecimalField(
        _("目标值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    floor = models.DecimalField(_("底线值"), max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("说明"), blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="assessment_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UnitTarget(UnitOwned):
    """A unit's own target (and floor) for an indicator, overriding the indicator's."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    floor = models.DecimalField(_("底线值"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta(UnitOwned.Meta):
        verbose_name = _("单位目标")
        verbose_name_plural = _("单位目标")


class Agreement(UnitOwned):
    """The unit's target-responsibility agreement (目标责任书) for the scheme: the
    generated .docx and, once signed, the scan."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="agreements")
    status = models.CharField(
        _("状态"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.GENERATED
    )
    document = models.FileField(_("责任书"), upload_to="assessment/%Y/")
    generated_at = models.DateTimeField(_("生成时间"))
    scan = models.FileField(_("签订扫描件"), upload_to="assessment/%Y/", blank=True)
    scan_type = models.CharField(max_length=40, blank=True, default="")
    signed_at = models.DateTimeField(_("签订时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(UnitOwned.Meta):
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["scheme", "id"]


class EnteredValue(UnitOwned):
    """A value entered for an entered or bonus indicator, with its evidence; it counts
    once the office confirms it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="entries")
    value = models.DecimalField(_("填报值"), max_digits=12, decimal_places=2)
    note = models.TextField(_("说明"), blank=True, default="")
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/%Y/", blank=True)
    evidence_type = models.CharField(max_length=40, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"))
    confirmed = models.BooleanField(_("已确认"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta(UnitOwned.Meta):
        verbose_name = _("填报值")
        verbose_name_plural = _("填报值")
        ordering = ["indicator", "id"]


class VetoItem(UnitOwned):
    """A one-vote veto (一票否决) against a unit: its result becomes 不合格, ranked last."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="vetoes")
    reason = models.TextField(_("否决事由"))
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/%Y/", blank=True)
    evidence_type = models.CharField(max_length=40, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta(UnitOwned.Meta):
        verbose_name = _("一票否决事项")
        verbose_name_plural = _("一票否决事项")


class Score(UnitOwned):
    """One indicator's score of one unit in one round: the value with its numerator and
    denominator, the source and calibre in words, the points, the deductions listed with
    their source (`details`), and an adjustment from an upheld appeal."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="scores")
    round = models.CharField(_("轮次"), max_length=8, choices=Round.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    is_rate = models.BooleanField(default=False)
    source_text = models.TextField(blank=True, default="")
    points = _points(verbose_name=_("得分"))
    adjusted_points = _points(null=True, blank=True)
    adjust_reason = models.TextField(blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta(UnitOwned.Meta):
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["scheme", "round", "indicator__order", "id"]
        indexes = [models.Index(fields=["scheme", "round"], name="assessment_score_round")]

    @property
    def final_points(self) -> Decimal:
        return self.adjusted_points if self.adjusted_points is not None else self.points


class UnitResult(UnitOwned):
    """A unit's total, rank (among towns or among departments), grade and veto in one
    round (recomputed with the scores)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="results")
    round = models.CharField(_("轮次"), max_length=8, choices=Round.choices)
    date_from = models.DateField()
    date_to = models.DateField()
    total = _points(verbose_name=_("总分"))
    rank = models.PositiveSmallIntegerField(_("名次"))
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices)
    veto = models.BooleanField(_("一票否决"), default=False)
    title = models.CharField(_("称号"), max_length=20, blank=True, default="")
    computed_at = models.DateTimeField()

    class Meta(UnitOwned.Meta):
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["scheme", "round", "unit_department", "rank"]


class Appeal(UnitOwned):
    """A unit's appeal (申诉) against one score or one deduction, filed before the
    scheme's appeal deadline, upheld (the score adjusted or the deduction cancelled) or
    rejected with a reason by the office."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="appeals")
    score = models.ForeignKey(
        Score, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A deduction of the rectification app (its id and label: no foreign key across apps
    # that are migrated independently).
    deduction_id = models.PositiveBigIntegerField(null=True, blank=True)
    deduction_label = models.CharField(max_length=200, blank=True, default="")
    reason = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/%Y/", blank=True)
    evidence_type = models.CharField(max_length=40, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField()
    decision_note = models.TextField(_("处理意见"), blank=True, default="")
    points_after = _points(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta(UnitOwned.Meta):
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        ordering = ["-filed_at", "-id"]


class FinalResult(UnitOwned):
    """The frozen result of a unit once the scheme is final: total, rank, grade, veto,
    title and every indicator's value and points (`details`); never recomputed."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="final_results")
    total = _points(verbose_name=_("总分"))
    rank = models.PositiveSmallIntegerField(_("名次"))
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices)
    veto = models.BooleanField(_("一票否决"), default=False)
    title = models.CharField(_("称号"), max_length=20, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    frozen_at = models.DateTimeField()

    class Meta(UnitOwned.Meta):
        verbose_name = _("最终结果")
        verbose_name_plural = _("最终结果")
        ordering = ["scheme", "unit_department", "rank"]
