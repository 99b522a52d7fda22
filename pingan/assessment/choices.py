"""The assessment's fixed vocabularies (docs/assessment.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SCORING = "scoring", _("评分中")
    RANKED = "ranked", _("排名已公布")
    FINAL = "final", _("结果已确定")


class IndicatorKind(models.TextChoices):
    COMPUTED = "computed", _("平台数据计算")
    ENTERED = "entered", _("填报（附佐证）")
    DEDUCTION = "deduction", _("扣分项")
    BONUS = "bonus", _("加分项")
    VETO = "veto", _("一票否决")


class AppliesTo(models.TextChoices):
    TOWN = "town", _("乡镇（街道）")
    DEPARTMENT = "department", _("部门")
    BOTH = "both", _("乡镇和部门")


class Rule(models.TextChoices):
    # Full marks at the target or better, zero at the floor or worse, linear between.
    LINEAR = "linear", _("达标满分、底线零分、之间按比例")
    # Counts: full marks when not above the target; zero at the floor (or just above the
    # target when there is no floor), linear between.
    NOT_ABOVE = "not_above", _("不超过目标值得满分")


class Round(models.TextChoices):
    MID = "mid", _("半年考核")
    YEAR = "year", _("年终考核")


class AgreementStatus(models.TextChoices):
    GENERATED = "generated", _("已生成")
    SIGNED = "signed", _("已签订")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("已采纳")
    REJECTED = "rejected", _("已驳回")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class UnitKind(models.TextChoices):
    TOWN = "town", _("乡镇（街道）")
    DEPARTMENT = "department", _("部门")
