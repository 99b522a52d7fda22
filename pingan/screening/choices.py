"""The screening app's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Disposition",
    "Frequency",
    "ItemKind",
    "ReportStatus",
    "RiskLevel",
    "RoundStatus",
    "UnitLevel",
]


class UnitLevel(models.TextChoices):
    """The level of the units a round asks (the region levels that report)."""

    VILLAGE = "village", _("村（社区）")
    TOWN = "town", _("镇（街道）")
    COUNTY = "county", _("县（市、区）")


class Frequency(models.TextChoices):
    WEEK = "week", _("每周")
    HALF_MONTH = "half_month", _("每半月")
    MONTH = "month", _("每月")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("未报")
    SUBMITTED = "submitted", _("已报")


class ItemKind(models.TextChoices):
    DISPUTE = "dispute", _("矛盾纠纷")
    RISK = "risk", _("风险隐患")
    INSTABILITY = "instability", _("不稳定因素")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class Disposition(models.TextChoices):
    PENDING = "pending", _("待处置")
    EVENT = "event", _("转为事件")
    MEDIATION = "mediation", _("转为调解案件")
    HANDLED = "handled", _("已在处理")
