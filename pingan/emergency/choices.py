"""The emergency app's fixed lists (values are the API's, labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    MASS_INCIDENT = "mass_incident", _("群体性事件")
    NATURAL_DISASTER = "natural_disaster", _("自然灾害")
    ACCIDENT = "accident", _("事故灾难")
    PUBLIC_HEALTH = "public_health", _("公共卫生事件")
    LARGE_EVENT = "large_event", _("大型活动")
    PUBLIC_CRISIS = "public_crisis", _("公共危机")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    """Response levels: I is the most serious (特别重大), IV the least (一般)."""

    I = "I", _("Ⅰ级（特别重大）")  # noqa: E741 - the level's own name
    II = "II", _("Ⅱ级（重大）")
    III = "III", _("Ⅲ级（较大）")
    IV = "IV", _("Ⅳ级（一般）")


LEVEL_ORDER = {"I": 1, "II": 2, "III": 3, "IV": 4}


class Status(models.TextChoices):
    ACTIVATED = "activated", _("已启动")
    ON_SITE = "on_site", _("已到场")
    UNDER_CONTROL = "under_control", _("已控制")
    STOOD_DOWN = "stood_down", _("已终止")


class Shift(models.TextChoices):
    DAY = "day", _("白班")
    NIGHT = "night", _("夜班")


class DutyLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    TOWN = "town", _("镇（街道）级")


class DutyRole(models.TextChoices):
    LEADER = "leader", _("带班领导")
    OFFICER = "officer", _("值班员")


class DrillState(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举行")
    CANCELLED = "cancelled", _("已取消")
