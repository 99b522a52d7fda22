"""The choices of the inspections app (docs/inspections.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Who inspects: the levels of the three-level mechanism and the guidance groups."""

    COUNTY_LEADER = "county_leader", _("县领导督查")
    SPECIAL_GROUP = "special_group", _("专项督查组")
    SELF_CHECK = "self_check", _("乡镇/部门自查")
    AREA_GROUP = "area_group", _("片区指导组")
    SUPERVISION_OFFICE = "supervision_office", _("督查室")


class Kind(models.TextChoices):
    """How: 巡查, 督查, 暗访 (unannounced, hidden until published), 自查, 模拟测评."""

    PATROL = "patrol", _("巡查")
    SUPERVISION = "supervision", _("督查")
    UNANNOUNCED = "unannounced", _("暗访")
    SELF_CHECK = "self_check", _("自查")
    SIMULATED = "simulated", _("模拟测评")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    HALF_MONTHLY = "half_monthly", _("每半月")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待检查")
    DONE = "done", _("已检查")
    CANCELLED = "cancelled", _("已取消")


class Result(models.TextChoices):
    OK = "ok", _("合格")
    PROBLEM = "problem", _("存在问题")
    NOT_APPLICABLE = "na", _("不涉及")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较重")
    SERIOUS = "serious", _("严重")


# The level each kind usually goes with (a plan may choose otherwise).
HIDDEN_KINDS = frozenset({Kind.UNANNOUNCED, Kind.SIMULATED})
